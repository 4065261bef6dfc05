"""Execute the analysis notebooks with papermill into the book, and check what they hold."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import UserError
from .paths import ROOT

NOTEBOOKS_DIR = ROOT / "notebooks"
BOOK_NOTEBOOKS = ROOT / "book" / "notebooks"


def notebooks(names: list[str] | None = None) -> list[Path]:
    found = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if names:
        found = [nb for nb in found if nb.stem in names or nb.name in names]
        if not found:
            raise UserError(f"no notebook named {', '.join(names)} in {NOTEBOOKS_DIR}")
    return found


def execute(
    profile: str,
    names: list[str] | None = None,
    out_dir: Path = BOOK_NOTEBOOKS,
    parameters: dict | None = None,
) -> list[Path]:
    """Run each notebook with ``profile``; an output appears only when its run succeeded."""
    import papermill

    # Progress bars go to the terminal running papermill's caller, not into the book.
    os.environ["TQDM_DISABLE"] = "1"
    os.environ.pop("MPLBACKEND", None)  # the kernel must keep its inline backend
    out_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for nb in notebooks(names):
        target = out_dir / nb.name
        tmp = out_dir / f".{nb.stem}.running.ipynb"
        try:
            papermill.execute_notebook(
                str(nb),
                str(tmp),
                parameters={"profile": profile, **(parameters or {})},
                cwd=str(NOTEBOOKS_DIR),
                kernel_name="python3",
                progress_bar=False,
            )
        except papermill.PapermillExecutionError as exc:
            tmp.unlink(missing_ok=True)
            raise UserError(
                f"{nb.name} failed in cell {exc.exec_count}: {exc.ename}: "
                f"{exc.evalue.splitlines()[0] if exc.evalue else ''}"
            ) from None
        tmp.replace(target)
        done.append(target)
    return done


def problems(path: Path) -> list[str]:
    """Error outputs, and the lack of any figure, in an executed notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    found = [
        f"{path.name}: error output {o.get('ename')}: {o.get('evalue')}"
        for o in outputs
        if o["output_type"] == "error"
    ]
    if not any("image/png" in o.get("data", {}) for o in outputs):
        found.append(f"{path.name}: no figure")
    return found
