"""Execute the analysis notebooks with papermill into the book, and check what they hold."""

from __future__ import annotations

import glob
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from semantic_pivots.errors import UserError
from semantic_pivots.paths import (
    ROOT,
    atomic_write_text,
    cache_dir,
    sweep_stale,
    temporary_prefix,
)

NOTEBOOKS_DIR = ROOT / "notebooks"
BOOK_NOTEBOOKS = ROOT / "book" / "notebooks"


def notebooks(names: list[str] | None = None) -> list[Path]:
    found = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if names:
        found = [nb for nb in found if nb.stem in names or nb.name in names]
        if not found:
            raise UserError(f"no notebook named {', '.join(names)} in {NOTEBOOKS_DIR}")
    return found


def _running_cell(path: Path) -> str:
    """Which cell of a partly executed notebook was running or failed.

    Papermill records each cell's status as it goes.
    """
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError):
        return "an unknown cell"
    for i, c in enumerate(cells):
        if c.get("metadata", {}).get("papermill", {}).get("status") in ("running", "failed"):
            return f"cell {i + 1}"
    return "an unknown cell"


def _tidy(path: Path, source: Path, target: Path) -> None:
    """Make what papermill adds fit for the book.

    What papermill adds, made fit for the book: the paths it records are relative (the book
    shows no path of this machine), and its injected parameters cell is left out of the page
    like the notebook's own parameters cell (both stay in the downloadable notebook).
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    record = nb.get("metadata", {}).get("papermill", {})
    for key, value in (("input_path", source), ("output_path", target)):
        if key in record:
            record[key] = os.path.relpath(value, ROOT) if value.is_relative_to(ROOT) else value.name
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def execute(
    profile: str,
    names: list[str] | None = None,
    out_dir: Path = BOOK_NOTEBOOKS,
    parameters: dict | None = None,
) -> list[Path]:
    """Run each notebook with ``profile``; an output appears only when its run succeeded.

    Kernels run in the caller's folder, so relative paths (``dataset``, the cache) mean what
    they mean where the command was given. Progress goes to the terminal: a bar over each
    notebook's cells and a line with its time; the book gets no progress output. The glass-box
    models the notebooks use must be trained (``train``, or ``notebooks-run``, which trains
    them first).
    """
    saved = dict(os.environ)
    os.environ["TQDM_DISABLE"] = "1"  # loops inside the kernel would print into the book
    os.environ.pop("MPLBACKEND", None)  # the kernel must keep its inline backend
    for var in ("SEMANTIC_PIVOTS_CACHE", "SEMANTIC_PIVOTS_CORPUS"):
        if os.environ.get(var):
            os.environ[var] = str(Path(os.environ[var]).absolute())
    try:
        return _execute_all(profile, names, out_dir, parameters)
    finally:  # the caller's environment, as it was
        os.environ.clear()
        os.environ.update(saved)


def _execute_all(
    profile: str, names: list[str] | None, out_dir: Path, parameters: dict | None
) -> list[Path]:
    import papermill
    from nbclient.exceptions import DeadKernelError

    out_dir.mkdir(parents=True, exist_ok=True)
    sweep_stale(out_dir)
    done = []
    for nb in notebooks(names):
        target = out_dir / nb.name
        prefix = temporary_prefix(target)
        start = time.perf_counter()
        print(f"{nb.stem}: running (profile {profile})", file=sys.stderr, flush=True)
        try:
            # made inside the block, so that an interrupt at any moment leaves no temporary
            fd, name = tempfile.mkstemp(dir=out_dir, prefix=prefix, suffix=".ipynb")
            os.close(fd)
            tmp = Path(name)
            papermill.execute_notebook(
                str(nb),
                str(tmp),
                parameters={"profile": profile, **(parameters or {})},
                cwd=os.getcwd(),
                kernel_name="python3",
                # explicit: the bar over cells shows in the terminal though TQDM_DISABLE
                # (set above for the kernel's loops) would hide it
                progress_bar={"disable": False, "desc": nb.stem},
                # the kernel's notice about its local transport says nothing to a reader
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
                # a finished or interrupted run needs nothing more from its kernel: stop it at
                # once rather than wait for a busy one to answer (Ctrl-C acts at once)
                shutdown_kernel="immediate",
            )
            _tidy(tmp, nb, target)
            tmp.replace(target)
        except papermill.PapermillExecutionError as exc:
            failed = cache_dir("failed") / nb.name  # kept, with the traceback, to read
            tmp.replace(failed)
            raise UserError(
                f"{nb.name} failed in {_running_cell(failed)} ({exc.ename}: "
                f"{exc.evalue.splitlines()[0] if exc.evalue else ''}); the executed notebook "
                f"is {failed}"
            ) from None
        except DeadKernelError:
            raise UserError(
                f"{nb.name}: the kernel died in {_running_cell(tmp)} (out of memory?)"
            ) from None
        finally:
            for leftover in out_dir.glob(f"{glob.escape(prefix)}*"):
                leftover.unlink(missing_ok=True)  # this process's only: its id is in the name
        seconds = time.perf_counter() - start
        print(f"{nb.stem}: done in {seconds:.0f} s", file=sys.stderr)
        record_time(out_dir, nb.stem, seconds, profile)
        done.append(target)
    return done


TIMES = "times.json"


def record_time(out_dir: Path, name: str, seconds: float, profile: str) -> None:
    """Add one notebook's run to the times the book reports (other notebooks' are kept)."""
    path = out_dir / TIMES
    times = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    times[name] = {"seconds": round(seconds, 1), "profile": profile, "cores": os.cpu_count()}
    atomic_write_text(path, json.dumps(times, indent=2, sort_keys=True) + "\n")


def times_page(out_dir: Path = BOOK_NOTEBOOKS) -> str:
    """The book's page on how long its notebooks took to run, from the recorded times."""
    path = out_dir / TIMES
    times = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    lines = ["# Running time", ""]
    if not times:
        return "\n".join([*lines, "No notebook run of this book recorded its time.", ""])
    total = sum(t["seconds"] for t in times.values())
    lines += [
        "How long each notebook of this book took to execute (`make reproduce` runs them in "
        "order, then builds the book). Results are cached by their inputs, so a notebook whose "
        "results were already cached runs faster than from scratch; setting up a fresh machine "
        "(installing, building the corpus, converting the models once) and building the book "
        "from the executed notebooks come on top.",
        "",
        "| notebook | profile | CPU cores | seconds |",
        "| --- | --- | --- | --- |",
        *(
            f"| {name} | {t['profile']} | {t['cores']} | {t['seconds']:.0f} |"
            for name, t in sorted(times.items())
        ),
    ]
    if len({t["profile"] for t in times.values()}) == 1:
        lines.append(f"| all | | | {total:.0f} ({total / 60:.1f} minutes) |")
    else:
        lines += ["", "The notebooks ran under different profiles, so their times do not add up."]
    slow = [
        (name, cell, seconds)
        for name in sorted(times)
        for cell, seconds in cell_times(out_dir / f"{name}.ipynb")
        if seconds >= SLOW_CELL
    ]
    if slow:
        lines += [
            "",
            f"The cells that took {SLOW_CELL:.0f} s or more, named by their first line that is "
            "not an import (papermill's record of each cell). The first cell that asks for a "
            "result computes it and everything it depends on that is not yet cached.",
            "",
            "| notebook | cell | first line | seconds |",
            "| --- | --- | --- | --- |",
            *(f"| {name} | {i} | `{line}` | {sec:.0f} |" for name, (i, line), sec in slow),
        ]
    return "\n".join([*lines, ""])


SLOW_CELL = 10.0


def cell_times(path: Path) -> list[tuple[tuple[int, str], float]]:
    """((cell number, first line that is not an import), seconds) of each executed code cell."""
    if not path.exists():
        return []
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out = []
    for i, cell in enumerate(cells, start=1):
        seconds = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell["cell_type"] != "code" or seconds is None:
            continue
        code = [line.strip() for line in "".join(cell["source"]).splitlines() if line.strip()]
        plain = [x for x in code if not x.startswith(("import ", "from "))] or code or [""]
        first = plain[0]
        out.append(((i, first.replace("|", "\\|")), float(seconds)))
    return out


def build_line() -> str:
    """The commit and date the book was built from (and whether the tree had changes)."""
    import datetime
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "--short=12", "HEAD")
    where = f"commit `{commit}`" if commit else "a tree outside git"
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        where += " with uncommitted changes"
    day = datetime.datetime.now(datetime.UTC).date().isoformat()
    return f"This book was built from {where} on {day}."


def problems(path: Path) -> list[str]:
    """Error outputs, and the lack of any figure, in an executed notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    found = [
        f"{path.name}: error output {o.get('ename')}: {o.get('evalue')}"
        for o in outputs
        if o["output_type"] == "error"
    ]
    if not any(k.endswith("image/png") for o in outputs for k in o.get("data", {})):  # glued too
        found.append(f"{path.name}: no figure")
    return found
