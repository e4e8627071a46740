"""How many CPU threads numerical work may use: shared by the translation backends and the embedders."""

from __future__ import annotations

import os


def cpu_threads() -> int:
    """Threads for CPU inference: OMP_NUM_THREADS where a scheduler set it (Ray gives each actor its share), else
    every core."""
    configured = os.environ.get("OMP_NUM_THREADS", "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else (os.cpu_count() or 1)
