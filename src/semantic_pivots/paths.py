"""Where the repository keeps data, caches and outputs, and how files are written there.

Everything is written under a temporary name beside its target and renamed when complete, so
nothing is ever half-written. Temporaries carry a mark (``.NAME.tmp-XXXX``); those that an
interrupted earlier process left behind are removed the next time their folder is written to.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
CLWTD_DIR = DATA_DIR / "clwtd"
MARK = ".tmp-"
PROCESS_START = time.time()


def cache_dir(*parts: str) -> Path:
    """An ignored cache folder.

    An ignored cache folder (``SEMANTIC_PIVOTS_CACHE`` overrides the default ``.cache``;
    a relative value is taken from the folder the command runs in).
    """
    base = Path(os.environ.get("SEMANTIC_PIVOTS_CACHE", ROOT / ".cache")).absolute()
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def temporary_prefix(target: Path) -> str:
    """The start of a temporary's name: the target's name, the mark and this process's id."""
    return f".{target.name}{MARK}{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def sweep_stale(folder: Path) -> None:
    """Remove the temporaries that a process no longer running left in ``folder``.

    A temporary names its process; one whose process still runs (a concurrent run) is kept.
    """
    if not folder.is_dir():
        return
    for path in folder.glob(f".*{MARK}*"):
        pid = re.search(rf"{re.escape(MARK)}(\d+)-", path.name)
        if pid and (int(pid.group(1)) == os.getpid() or _alive(int(pid.group(1)))):
            continue
        if not pid and path.lstat().st_mtime >= PROCESS_START:
            continue
        try:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        except FileNotFoundError:  # another process swept it first
            pass


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary file path beside ``target`` that replaces it only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target.parent)
    prefix = temporary_prefix(target)
    try:
        # made inside the block, so that an interrupt at any moment leaves no temporary
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix)
        os.close(fd)
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, target)
    except BaseException:
        for leftover in target.parent.glob(f"{glob.escape(prefix)}*"):
            leftover.unlink(missing_ok=True)  # this process's only: its id is in the name
        raise


def file_sha256(path: Path) -> str:
    """A file's sha256, read in blocks."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


@contextmanager
def temporary_dir(parent: Path, name: str) -> Iterator[Path]:
    """A temporary folder in ``parent``, removed afterwards.

    A temporary folder in ``parent`` for work whose results are moved out of it; removed
    afterwards, and swept if the process is killed.
    """
    parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(parent)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=temporary_prefix(parent / name)))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target`` that replaces it only if the block succeeds.

    The old folder is renamed aside (a marked temporary) before the new one takes its place and
    is deleted after, so an interrupt leaves one of the two in place, never neither.
    """
    with temporary_dir(target.parent, target.name) as tmp:
        tmp.chmod(0o755)
        yield tmp
        old = target.parent / f"{temporary_prefix(target)}old"
        if target.exists():
            target.replace(old)
        tmp.replace(target)
        shutil.rmtree(old, ignore_errors=True)
