"""How a data frame reads in the book.

No row numbers, a dash where a value is missing, whole numbers as integers and other numbers to
three significant digits, never in e-notation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from semantic_pivots.stats import significant


def _integer(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{int(value)}"


def html(frame: pd.DataFrame) -> str:
    """The frame as an HTML table for the book (pandas' own where this cannot apply)."""
    if len(frame) > pd.get_option("display.max_rows") or not frame.columns.is_unique:
        return frame._repr_html_() or ""  # long frames keep pandas' truncation
    formats = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            finite = values[np.isfinite(values)]
            whole = len(finite) > 0 and bool((finite == finite.round()).all())
            formats[column] = _integer if whole else significant
    styler = frame.style.format(formats, na_rep="–", escape="html")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    styler = styler.set_table_attributes('class="dataframe"')
    if isinstance(frame.index, pd.RangeIndex):
        styler = styler.hide(axis="index")  # row numbers say nothing to a reader
    return styler.to_html()


def use() -> None:
    """Render every data frame of the running notebook with :func:`html`."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, html)
