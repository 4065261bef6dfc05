"""The book's tables: no row numbers, no NaN, no e-notation, whole numbers as integers."""

import re

import numpy as np
import pandas as pd

from semantic_pivots.report import frames


def test_a_frame_reads_as_the_book_shows_it():
    frame = pd.DataFrame(
        {
            "model": ["a", "<b>"],
            "count": [9.0, 12.0],
            "share": [0.105, 0.0000123],
            "r": [np.nan, -0.5],
        }
    )
    html = frames.html(frame)
    assert "NaN" not in html and "nan" not in html and "–" in html
    assert not re.search(r"\d[eE][+-]?\d", html)
    assert ">9<" in html and ">12<" in html  # a count, not 9.0
    assert ">0.105<" in html and ">1.23×10⁻⁵<" in html and ">-0.500<" in html
    assert "&lt;b&gt;" in html  # text is escaped, as pandas does
    assert 'class="row_heading' not in html  # no row numbers
    # a named index is data, and stays, its name heading its column in the one header row
    indexed = frames.html(frame.set_index("model"))
    head = indexed.split("</thead>")[0]
    assert head.count("<tr>") == 1 and ">model<" in head and "&lt;b&gt;" in indexed
    pivoted = frames.html(frame.set_index(["model", "count"])[["share"]].unstack())
    assert pivoted.split("</thead>")[0].count("<tr>") == 3  # a table of two column levels


def test_long_frames_keep_pandas_truncation():
    long = pd.DataFrame({"x": np.arange(pd.get_option("display.max_rows") + 1) / 3})
    assert frames.html(long) == long._repr_html_()
    with pd.option_context("display.max_rows", None):  # no limit: the book's own table
        assert 'class="dataframe"' in frames.html(long) and "…" not in frames.html(long)


def test_tokens_are_shown_as_a_reader_can_see_them():
    from semantic_pivots.report.plots import printable

    assert printable(" cat") == "␣cat"
    assert printable("\n\u200b", None) == "↵‹U+200B›"
    assert printable("") == "∅"
    # a token that holds part of a character's bytes
    assert printable("\ufffd\ufffd") == "‹byte›" and printable(" \ufffd") == "␣‹byte›"
    assert printable("abcdefghij") == "abcdefgh" and printable("abcdefghij", None) == "abcdefghij"
    # a character no figure font draws is its code point, not a box; CJK has its fallback font
    assert printable("\U00012000", None, figure=True) == "‹U+12000›"
    assert printable("犬が", figure=True) == "犬が" and printable("\U00012000") == "\U00012000"


def test_row_numbers_of_a_concat_and_shares_of_zero_and_one():
    frame = pd.concat([pd.DataFrame({"share": [0.0, 1.0]})] * 2)  # index 0, 1, 0, 1
    html = frames.html(frame)
    assert 'class="row_heading' not in html and ">0.00<" in html and ">1.00<" in html
    assert ">∞<" in frames.html(pd.DataFrame({"x": [np.inf, 0.5]}))


def test_numbers_held_as_objects_get_the_number_format():
    empty = pd.DataFrame(columns=["pair", "share"])  # object columns, as a concat makes them
    shares = pd.concat([empty, pd.DataFrame({"pair": ["fr-ja"], "share": [0.0]})])
    assert shares["share"].dtype == object
    assert ">0.00<" in frames.html(shares) and "0.000000" not in frames.html(shares)


def test_a_frame_can_ask_for_decimals_and_keeps_counts_and_dashes():
    frame = pd.DataFrame({"r": [0.08, -0.2449, np.nan, -0.001], "pairs": [12.0, 3.0, 4.0, 5.0]})
    html = frames.html(frames.decimals(frame, 2))
    assert ">0.08<" in html and ">-0.24<" in html and ">–<" in html and ">12<" in html
    assert ">0.00<" in html and "-0.00" not in html  # zero has no sign
    assert "0.0800" in frames.html(frame)  # significant digits unless asked
    assert "decimals" not in frame.attrs  # the frame itself is left as it was


def test_models_come_in_the_runs_order_wherever_a_table_holds_them():
    from semantic_pivots.report.frames import in_order

    order = ["gemma", "smol", "glass"]
    rows = pd.DataFrame(
        {
            "model": ["gemma", "glass", "smol"] * 2,
            "pair": ["fr-en"] * 3 + ["en-fr"] * 3,
            "score": range(6),
            "rank": range(6, 12),
        }
    )
    # a level of the columns, under a measure level that keeps its own order
    wide = rows.pivot(index="pair", columns="model", values=["score", "rank"])
    columns = in_order(wide, order).columns.tolist()
    assert columns == [(m, x) for m in ("score", "rank") for x in order]
    # a level of the index, the pairs within each model in their first order
    long = in_order(rows.set_index(["model", "pair"]).sort_index(), order)
    assert long.index.tolist() == [(m, p) for m in order for p in ("en-fr", "fr-en")]
    # a column: a stable sort of the rows
    assert in_order(rows, order)["score"].tolist() == [0, 3, 2, 5, 1, 4]
    # a label the order lacks comes last
    assert in_order(rows, ["glass"])["model"].tolist()[:2] == ["glass", "glass"]


def test_a_study_orders_models_and_pairs_as_its_run_does():
    from types import SimpleNamespace

    from semantic_pivots.prompts import ordered_pairs
    from semantic_pivots.study import Study

    study = SimpleNamespace(
        models=[SimpleNamespace(info=SimpleNamespace(name=n)) for n in ("gemma", "glass")],
        pairs=ordered_pairs(["en", "fr", "zh"]),
    )
    pair = ["zh-en", "zh-en", "en-zh", "en-zh", "fr-en", "fr-en"]
    table = pd.DataFrame({"model": ["glass", "gemma"] * 3, "pair": pair, "v": range(6)})
    table = table.set_index(["model", "pair"])
    ordered = Study.ordered(study, table)
    pairs = [str(p) for p in study.pairs]
    assert [m for m, _ in ordered.index] == ["gemma"] * 3 + ["glass"] * 3
    assert [p for m, p in ordered.index if m == "gemma"] == sorted(
        ["zh-en", "en-zh", "fr-en"], key=pairs.index
    )
