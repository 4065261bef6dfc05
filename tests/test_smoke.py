"""Every notebook runs under the smoke profile, and the book builds from the results."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from semantic_pivots import config
from semantic_pivots.paths import ROOT
from semantic_pivots.report import findings, notebooks
from semantic_pivots.training import glass


def execute(profile: str, names=None, *, out_dir, parameters=None):
    """What ``notebooks-run`` does: train the glass-box models the run needs, then execute."""
    glass.train_named(config.from_notebook({"profile": profile, **(parameters or {})}))
    return notebooks.execute(profile, names, out_dir=out_dir, parameters=parameters)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebooks run on the smoke profile, on a cache of their own (never the repository's
    results), with the small corpus made from the word list (conftest)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        yield execute("smoke", out_dir=tmp_path_factory.mktemp("executed"))
    finally:
        mp.undo()


@pytest.mark.slow
def test_every_notebook_runs_without_errors_and_has_a_figure(executed):
    assert [p.name for p in executed] == [p.name for p in notebooks.notebooks()]
    for path in executed:
        assert notebooks.problems(path) == []
        text = path.read_text()
        # no path of this machine in the book: not the repository's, not the environment's
        assert str(ROOT) not in text and "site-packages" not in text, path.name
        code = [c for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
        # code one click away (hidden), or off the page (parameters and set-up)
        tags = [set(c["metadata"].get("tags", [])) for c in code]
        assert all({"hide-input", "remove-cell"} & t for t in tags), path.name


@pytest.mark.slow
def test_book_builds_from_the_smoke_run(executed, tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns("_build", "notebooks"))
    (book / "notebooks").mkdir()
    for path in executed:
        shutil.copy(path, book / "notebooks" / path.name)
    (book / "notebooks" / "times.md").write_text(notebooks.times_page(executed[0].parent))
    (book / "notebooks" / "findings.md").write_text(findings.page(executed[0].parent))
    summary = findings.summary(executed[0].parent, notebooks.build_line())
    (book / "notebooks" / "summary.md").write_text(summary)
    subprocess.run([sys.executable, "-m", "semantic_pivots", "book-assets"], check=True)
    shutil.copytree(ROOT / "book" / "_vendor", book / "_vendor", dirs_exist_ok=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", "--warningiserror", str(book)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = book / "_build" / "html"
    assert "url=intro.html" in (html / "index.html").read_text()
    assert "How do language models translate words?" in (html / "intro.html").read_text()
    assert (html / "mathjax" / "tex-chtml.js").exists()
    assert (html / "notebooks" / "00_data_and_models.html").exists()
    times = (html / "notebooks" / "times.html").read_text()
    assert all(p.stem in times for p in executed) and "smoke" in times
    # tables as a reader expects them: no NaN, no e-notation; every figure numbered, captioned
    # and drawn; each chapter's results downloadable
    for path in executed:
        page_html = (html / "notebooks" / f"{path.stem}.html").read_text()
        figures = re.findall(r"<figure.*?</figure>", page_html, flags=re.S)
        assert figures and "Download as CSV" in page_html, path.stem
        # numbered within the chapter: its notebook's number (00, the data chapter, is 0)
        for figure in figures:
            assert "<img" in figure and f"Fig. {int(path.stem[:2])}." in figure, path.stem
        for table in re.findall(r"<table.*?</table>", page_html, flags=re.S):
            cells = re.sub(r"<[^>]+>", " ", table)
            assert "NaN" not in cells and not re.search(r"\d[eE][+-]\d", cells), path.stem
    # the findings page: a section per claim, each row's estimate as the chapter's own
    # evidence table shows it (the chapter's copy of the findings table left out)
    page = (html / "notebooks" / "findings.html").read_text()
    for claim in findings.CLAIMS.values():
        assert claim.title in page
        chapter = (html / "notebooks" / f"{claim.chapter}.html").read_text()
        evidence = re.sub(r'<table class="dataframe findings".*?</table>', "", chapter, flags=re.S)
        rows = findings.read(executed[0].parent / f"{claim.chapter}.ipynb")
        assert rows, claim.chapter
        for row in rows:
            assert row.estimate in page, (claim.chapter, row)
            if np.isfinite(row.value):
                assert row.estimate in evidence, (claim.chapter, row)


def test_times_page_adds_up_the_recorded_runs(tmp_path):
    assert "No notebook run" in notebooks.times_page(tmp_path)
    notebooks.record_time(tmp_path, "00_a", 30.0, "default")
    notebooks.record_time(tmp_path, "01_b", 90.4, "default")
    notebooks.record_time(tmp_path, "00_a", 40.0, "default")  # a rerun replaces its time
    page = notebooks.times_page(tmp_path)
    assert "| 00_a | default |" in page and "| all | | | 130 (2.2 minutes) |" in page
    assert "first line" not in page  # no executed notebook, so no cell is listed


def test_times_page_names_the_slow_cells(tmp_path):
    def cell(source, seconds):
        papermill = {"papermill": {"duration": seconds}}
        return {"cell_type": "code", "source": source, "metadata": papermill}

    cells = [cell("import x\nfrom y import z\nr = study.scores", 12.5), cell("a | b", 3.0)]
    (tmp_path / "01_b.ipynb").write_text(json.dumps({"cells": [{"cell_type": "markdown"}, *cells]}))
    notebooks.record_time(tmp_path, "01_b", 20.0, "default")
    assert notebooks.cell_times(tmp_path / "01_b.ipynb") == [
        ((2, "r = study.scores"), 12.5),
        ((3, "a \\| b"), 3.0),
    ]
    page = notebooks.times_page(tmp_path)
    assert "| 01_b | 2 | `r = study.scores` | 12 |" in page and "a \\| b" not in page


def test_problems_finds_errors_and_missing_figures(tmp_path):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "ValueError",
                        "evalue": "boom",
                        "traceback": [],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    assert notebooks.problems(path) == [
        "x.ipynb: error output ValueError: boom",
        "x.ipynb: no figure",
    ]


def test_source_notebooks_carry_no_outputs_and_a_parameters_cell():
    for path in notebooks.notebooks():
        cells = json.loads(path.read_text())["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert all(not c["outputs"] for c in code), path.name
        assert "parameters" in code[0]["metadata"].get("tags", []), path.name


@pytest.mark.slow
def test_notebook_01_scores_a_spreadsheet_list_without_distractors(dataset, tmp_path, monkeypatch):
    """A CSV exported with a byte-order mark and one column per language, no distractors:
    scored end to end under the random distractor rule, which the summary line names. Its
    relative path, like the cache's, means what it means in the folder the run starts in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", "cache")
    langs = ["en", "fr", "zh", "ja"]
    rows = [",".join(langs)] + [",".join(it.words[lang] for lang in langs) for it in dataset.items]
    path = tmp_path / "export.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("utf-8-sig"))
    (out,) = execute(
        "smoke",
        ["01_clwtd_scores"],
        out_dir=tmp_path / "out",
        parameters={"dataset": "export.csv", "distractors": "random", "checkpoints": []},
    )
    assert notebooks.problems(out) == []
    text = out.read_text()
    assert "distractors: nine other words of the list" in text and "export.csv" in text
    assert (tmp_path / "cache" / "results" / "nll").is_dir()


@pytest.mark.slow
def test_a_tracing_knob_passed_to_papermill_reaches_the_analysis(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    (out,) = execute(
        "smoke",
        ["02_layer_tracing"],
        out_dir=tmp_path / "out",
        parameters={"rule": "threshold", "overrides": {"tracing.top_k": 2}},
    )
    text = out.read_text()
    assert "behaviour rule **threshold**" in text
    assert "label (peak rule)" in text  # the other rule is the peak rule


def test_no_set_up_block_is_repeated_across_notebooks():
    """Set-up lives in the package: no run of six code lines stands in two notebooks."""
    runs = {}
    for path in notebooks.notebooks():
        cells = json.loads(path.read_text())["cells"]
        lines = [
            line.strip()
            for c in cells
            if c["cell_type"] == "code"
            for line in "".join(c["source"]).splitlines()
            if line.strip() and not line.startswith("#")
        ]
        for i in range(len(lines) - 5):
            runs.setdefault(tuple(lines[i : i + 6]), set()).add(path.name)
    repeated = [run for run, names in runs.items() if len(names) > 1]
    assert not repeated, repeated[0]
