"""How a data frame reads in the book.

No row numbers, a dash where a value is missing, whole numbers as integers and other numbers to
three significant digits (or to a number of decimals a frame asks for: correlations, AUCs),
never in e-notation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from semantic_pivots.stats import fixed, significant


def _integer(value: float) -> str:
    return significant(value) if not np.isfinite(value) else f"{int(value)}"


def _counts(values: pd.Series) -> bool:
    """Whether a float column holds counts: whole numbers, some above one.

    A column of shares that happen to be 0 and 1 is not.
    """
    numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    finite = numbers[np.isfinite(numbers)]
    return len(finite) > 0 and bool((finite == np.round(finite)).all() and (abs(finite) > 1).any())


def by_model(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` indexed by its ``model`` column, refused where a model has several rows."""
    out = table.set_index("model")
    if not out.index.is_unique:
        repeated = sorted(set(out.index[out.index.duplicated()]))
        raise ValueError(f"expected one row per model, got several for {', '.join(repeated)}")
    return out


def in_order(table: pd.DataFrame, order: list[str], level: str = "model") -> pd.DataFrame:
    """``table`` with ``level``'s labels in ``order`` (the run's models), not the alphabet's.

    ``level`` may be a level of the index or of the columns (other levels keep the order of
    their first appearance), or a column (the rows are sorted stably). Labels not in
    ``order`` come last.
    """
    rank = {label: n for n, label in enumerate(order)}

    def key(index: pd.Index) -> pd.Index:
        seen = rank if index.name == level else {v: n for n, v in enumerate(dict.fromkeys(index))}
        return index.map(lambda v: seen.get(v, len(seen)))

    for axis, labels in ((0, table.index), (1, table.columns)):
        if level in labels.names:
            table = table.sort_index(axis=axis, key=key)
    if level in table.columns:
        table = table.sort_values(
            level, key=lambda c: c.map(lambda v: rank.get(v, len(rank))), kind="stable"
        )
    return table


def decimals(frame: pd.DataFrame, digits: int) -> pd.DataFrame:
    """``frame`` to be shown with its fractions to ``digits`` decimals, not significant digits.

    For measures read on a fixed scale (a correlation, an AUC), where "0.08" beside "-0.24"
    reads better than "0.0800" beside "-0.240".
    """
    out = frame.copy()
    out.attrs["decimals"] = digits
    return out


def _fixed(digits: int):
    return lambda v: significant(v) if not np.isfinite(v) else fixed(v, digits)


def html(frame: pd.DataFrame) -> str:
    """The frame as an HTML table for the book (pandas' own where this cannot apply)."""
    limit = pd.get_option("display.max_rows")  # None: no limit
    if (limit is not None and len(frame) > limit) or not frame.columns.is_unique:
        return frame._repr_html_() or ""  # long frames keep pandas' truncation
    fraction = significant if "decimals" not in frame.attrs else _fixed(frame.attrs["decimals"])
    names = [n for n in frame.index.names if n is not None]
    if names and frame.columns.nlevels == 1 and frame.columns.name is None:
        if not set(names) & set(frame.columns):
            # the index's names head its columns in the one header row, not in a row of their
            # own below it (pandas' layout, which reads as an empty row of the table)
            frame = frame.reset_index()
    # numbers held as objects (a concat with an empty frame) are numbers too
    frame = frame.infer_objects()
    formats = {
        column: _integer if _counts(frame[column]) else fraction
        for column in frame.columns
        if pd.api.types.is_float_dtype(frame[column])
    }
    styler = frame.style.format(formats, na_rep="–", escape="html").set_uuid("")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    styler = styler.set_table_attributes('class="dataframe"')
    index = frame.index
    if index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index):
        styler = styler.hide(axis="index")  # row numbers (of a concat, a filter) say nothing
    return styler.to_html()


def use() -> None:
    """Render every data frame of the running notebook with :func:`html`."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, html)
