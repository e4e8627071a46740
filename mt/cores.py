"""How many CPU threads numerical work may use: shared by the translation backends and the embedders."""

from __future__ import annotations

import os


def cpu_threads() -> int:
    """Threads for CPU inference: OMP_NUM_THREADS where a scheduler set it (Ray gives each actor its share), else
    the cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    configured = os.environ.get("OMP_NUM_THREADS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    allowed = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None  # Linux; elsewhere every core
    return len(allowed) if allowed else (os.cpu_count() or 1)
