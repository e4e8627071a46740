"""Atomic and safe outputs: every stage writes into a temporary sibling and renames it into place at the end.

A stage that fails half-way (bad input, a full disk, Ctrl-C) leaves the
previous output exactly as it was, never a mix of old and new files.

A folder is replaced whole, so it is replaced only when that loses nothing the
user did not ask to lose: a folder the toolkit wrote (its `.mt-output` marker,
or the layout of a corpus or alignment folder from before the marker), an empty
folder, a path that does not exist, or anything with the user's `--force`.
An output that is or holds an input, the current folder, the home folder or
the root is refused even with `--force`.

A swap is two renames (the old folder aside into `.NAME.XXXXXXXX.old/`, the new
one from `.NAME.XXXXXXXX.tmp` into place). If the process dies between them,
the next run puts the old folder back and removes the leftovers.

Outputs get the modes the umask gives (0666 & ~umask for files, 0777 & ~umask
for folders), not the private 0600 and 0700 of `mkstemp` and `mkdtemp`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from mt import __version__
from mt.errors import UserError

MARKER = ".mt-output"
"""The file inside every folder atomic_folder writes: one line of JSON naming the toolkit. A dotfile, so that
`datasets` and the hub's loaders ignore it."""

FORMER_LAYOUTS = (
    ("README.md", "data/*/train-00000-of-00001.parquet"),
    ("pairs.jsonl", "facts.jsonl", "alignment.json"),
)
"""Folders written before the marker existed, known by their files (each pattern matches a file): a corpus
(mt/publishing/layout.py) and an alignment folder (mt/workfolder.py's AlignmentFolder)."""

Protected = Iterable[tuple[str, "Path | str | None"]]
"""(what it is, path) pairs an output must neither be, hold, nor lie inside: ("the input", seeds/)..."""


class OutputError(UserError):
    """An output that cannot be written, or may not be replaced: the message names the path and the problem."""


def current_umask() -> int:
    """The process umask. os offers no read-only call: set and restore it at once, probing with the strictest
    mask, so that a file another thread creates in that instant is at worst too private, never too open."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def absolute(path: Path | str) -> Path:
    """The real path, symbolic links resolved: containment is decided on the folders the names point to."""
    return Path(path).expanduser().resolve()


@contextlib.contextmanager
def atomic_file(path: Path | str) -> Iterator[Path]:
    """A temporary path beside `path`; on success it replaces `path` (os.replace is atomic on one filesystem)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give the name of a file to write")
    mode = 0o666 & ~current_umask()
    staging = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
        staging = Path(name)
        yield staging
        os.chmod(staging, mode)
        os.replace(staging, path)
    except UserError:
        raise
    except OSError as error:
        raise cannot_write(path, error) from None
    finally:
        if staging is not None and staging.exists():
            staging.unlink()


@contextlib.contextmanager
def atomic_folder(path: Path | str, *, force: bool = False) -> Iterator[Path]:
    """A temporary folder beside `path`; on success it takes the place of `path` and the old one is removed.

    `path` must be replaceable (see replaceable_folder_problem); `force` (the user's --force) allows replacing
    a folder the toolkit did not write.
    """
    path = absolute(path)
    recover_folder(path)
    problem = replaceable_folder_problem(path, force=force)
    if problem:
        raise OutputError(f"{path}: {problem}")
    mode = 0o777 & ~current_umask()
    staging = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
        os.chmod(staging, mode)
        yield staging
        mark_as_own(staging)
        swap_folder(staging, path)
    except UserError:
        raise
    except OSError as error:
        raise cannot_write(path, error) from None
    finally:
        if staging is not None and staging.exists():
            remove_tree(staging)


def mark_as_own(folder: Path) -> None:
    """Write the marker that lets a later run replace `folder` (is_own_output)."""
    (folder / MARKER).write_text(json.dumps({"written_by": f"mt {__version__}"}) + "\n", encoding="utf-8")


def swap_folder(staging: Path, path: Path) -> None:
    """Put `staging` in the place of `path`; the old folder waits in a `.old` sibling until the new one is in."""
    if not os.path.lexists(path):
        os.replace(staging, path)
        return
    retired = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
    os.replace(path, retired / path.name)
    try:
        os.replace(staging, path)
    except BaseException:
        recover_folder(path)
        raise
    remove_tree(retired)


def leftovers(path: Path) -> list[Path]:
    """The `.NAME.XXXXXXXX.tmp` and `.NAME.XXXXXXXX.old` folders that atomic_folder made beside `path`."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.(tmp|old)")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / name for name in sorted(names) if pattern.fullmatch(name) and (path.parent / name).is_dir()]


def recover_folder(path: Path | str) -> None:
    """Repair what a run that died mid-swap left: put the old folder back if `path` is missing, then remove the
    leftovers of `path` (a staging folder, retired copies). A staging folder is never put in place: it may be
    incomplete."""
    path = absolute(path)
    found = leftovers(path)
    if not os.path.lexists(path):
        retired = [p for p in found if p.suffix == ".old" and os.path.lexists(p / path.name)]
        if retired:
            newest = max(retired, key=lambda p: p.stat().st_mtime)
            try:
                os.replace(newest / path.name, path)
            except OSError as error:
                raise OutputError(f"{path}: the previous folder is in {newest / path.name} and could not be put "
                                  f"back ({error.strerror or error}); move it back by hand") from None
    for leftover in found:
        remove_tree(leftover)


def remove_tree(path: Path) -> None:
    """Remove a staging or retired folder, read-only subfolders included (the user asked to replace them);
    what still cannot go stays, and the next run tries again."""
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        for folder, _, _ in os.walk(path):
            with contextlib.suppress(OSError):
                os.chmod(folder, 0o700)
        shutil.rmtree(path, ignore_errors=True)


def is_own_output(folder: Path) -> bool:
    """A folder the toolkit wrote: it holds the marker, or has the layout of a corpus or alignment folder."""
    if (folder / MARKER).is_file():
        return True
    return any(all(any(p.is_file() for p in folder.glob(pattern)) for pattern in layout) for layout in FORMER_LAYOUTS)


def replaceable_folder_problem(path: Path, *, force: bool = False) -> str | None:
    """Why the folder `path` (absolute) may not be replaced, or None when it may."""
    for what, folder in precious_folders():
        if path == folder or path in folder.parents:
            return (f"is {what} or holds it; an output folder is replaced as a whole, so name a new folder "
                    "for it (--force does not change this)")
    if not os.path.lexists(path):
        return None
    if path.is_dir() and not os.access(path, os.W_OK):
        return "is read-only; make it writable or choose another folder"
    if force:
        return None
    if not path.is_dir():
        return "is a file, not an output folder of mt; choose another folder, or add --force to replace it"
    entries = sorted(os.listdir(path))
    if not entries or is_own_output(path):
        return None
    shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
    return (f"exists and was not written by mt (it holds {shown}); choose another folder, "
            "or add --force to replace it")


def precious_folders() -> list[tuple[str, Path]]:
    """Folders no output may be or hold, whatever the options: replacing them would pull the ground from under
    the user's shell or delete their home."""
    found = [("the root folder", absolute(os.sep))]
    with contextlib.suppress(OSError):
        found.append(("the current folder", absolute(Path.cwd())))
    with contextlib.suppress(RuntimeError, OSError):
        found.append(("the home folder", absolute(Path.home())))
    return found


def check_output_folder(path: Path | str, *, protect: Protected = (), force: bool = False) -> Path:
    """Refuse, before any work is done, an output folder whose replacement would lose what the user did not ask
    to lose: an input (or the work folder, or the cache) it is, holds or lies inside, or a folder that
    replaceable_folder_problem refuses. Repairs a crashed swap first. Returns the absolute path."""
    path = absolute(path)
    for what, other in protect:
        if other is None or str(other) == "-":
            continue
        problem = containment_problem(path, what, absolute(other))
        if problem:
            raise OutputError(f"{path}: {problem} (--force does not change this)")
    recover_folder(path)
    problem = replaceable_folder_problem(path, force=force)
    if problem:
        raise OutputError(f"{path}: {problem}")
    return path


def check_output_file(path: Path | str, *, protect: Protected = ()) -> None:
    """Refuse an output file that is an input (it would overwrite it), an existing file in an input folder (this
    run reads it as an input, as it reads every file there), or a folder."""
    if str(path) == "-":
        return
    target = absolute(path)
    for what, other in protect:
        if other is None or str(other) == "-":
            continue
        other = absolute(other)
        if target == other:
            raise OutputError(f"{target}: is {what}; writing the output there would overwrite it, so choose another file")
        if target.parent == other and target.is_file():
            raise OutputError(f"{target}: is in {what} {other}, so it is read as an input too; write the output elsewhere")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give the name of a file to write")


def containment_problem(path: Path, what: str, other: Path) -> str | None:
    """Why the output folder `path` may not be written given `other` (both absolute), or None."""
    if path == other:
        return f"is {what}; writing the output there would delete it, so choose another folder"
    if path in other.parents:
        return f"holds {what} {other}; replacing it would delete it, so choose another folder"
    if other in path.parents:
        return f"is inside {what} {other}; choose a folder outside it"
    return None


def cannot_write(path: Path, error: OSError) -> OutputError:
    """A system error while writing `path` (read-only, full disk, no permission) as one line."""
    return OutputError(f"{path}: cannot write ({error.strerror or error}); the previous output, if any, is unchanged")
