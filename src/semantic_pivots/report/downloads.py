"""Results as CSV files a reader downloads from the page that shows them.

Each file is written into the page itself (a ``data:`` link), so that it always holds what
this run of the notebook computed, and the executed notebook carries it too.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

from semantic_pivots.report.readings import counted


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV: named index levels become columns, an unnamed index is left out."""
    named = any(name is not None for name in frame.index.names)
    return frame.reset_index().to_csv(index=False) if named else frame.to_csv(index=False)


def links(files: dict[str, pd.DataFrame]):
    """A line of download links, one per ``{file name: frame}``, each with its row count."""
    from IPython.display import HTML

    shown = []
    for name, frame in files.items():
        data = base64.b64encode(csv_text(frame).encode("utf-8")).decode("ascii")
        href = f"data:text/csv;charset=utf-8;base64,{data}"
        shown.append(
            f'<a download="{html.escape(name)}" href="{href}">{html.escape(name)}</a> '
            f"({counted(len(frame), 'row')})"
        )
    return HTML(f'<p class="downloads">Download as CSV: {" · ".join(shown)}</p>')
