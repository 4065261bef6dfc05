"""The findings page: verdict rules, number formats, and the glue between chapters and page."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from semantic_pivots.report import findings as fd

NAN = float("nan")


def test_numbers_have_three_significant_digits_and_no_e_notation():
    assert fd.number(0.0000123456) == "1.23×10⁻⁵"
    assert fd.number(-0.5) == "-0.500"
    assert fd.number(1234.4) == "1234" and fd.number(0) == "0.00"
    assert fd.number(NAN) == "–"
    assert fd.estimate(0.25, 0.1, 0.4) == "0.250 [0.100, 0.400]"
    assert fd.estimate(0.25, NAN, NAN) == "0.250 (no interval)"


def test_the_detectable_effect_follows_the_interval_width():
    se = 0.01
    z = norm.ppf(0.975)
    assert fd.detectable(-z * se, z * se) == pytest.approx((z + norm.ppf(0.8)) * se)


def _auc(model, value, low, high):
    return {
        "model": model,
        "x": "log co-occurrence",
        "AUC": value,
        "AUC low": low,
        "AUC high": high,
        "pairs": 12,
    }


def test_frequency_verdicts_follow_the_interval_and_every_model_gets_a_row():
    summary = pd.DataFrame(
        [_auc("a", 0.7, 0.6, 0.8), _auc("b", 0.4, 0.3, 0.45), _auc("c", 0.52, 0.4, 0.64)]
    )
    found = {f.model: f for f in fd.frequency(summary, ["a", "b", "c", "d"], "tuned")}
    assert found["a"].verdict == fd.SUPPORTED
    assert found["b"].verdict == fd.NOT_SUPPORTED
    assert found["c"].verdict == fd.CANNOT_TELL
    assert fd.number(fd.detectable(0.4, 0.64)) in found["c"].reason
    assert found["d"].verdict == fd.CANNOT_TELL and np.isnan(found["d"].value)
    assert found["a"].estimate == "0.700 [0.600, 0.800]"
    assert {f.lens for f in found.values()} == {"tuned"}  # the lens of the labels, every row


def _behaviour_rows(labels, peak, layer=6):
    return pd.DataFrame(
        {
            "model": "m",
            "item": [f"i{i}" for i in range(len(labels))],
            "label": labels,
            "peak token": peak,
            "peak layer": layer,
        }
    )


LAYERS = {"m": 12}  # a peak at layer 3 or before is in the first quarter


def test_two_behaviours_need_both_and_peaks_that_are_not_junk():
    from semantic_pivots.analyses import tracing

    mixed = ["semantic pivot", "co-occurrence"] * 30 + ["excluded"] * 5
    for peak, verdict in (("chat", fd.SUPPORTED), (" ", fd.NOT_SUPPORTED)):
        frame = _behaviour_rows(mixed, peak)
        shares = tracing.pivot_shares(frame)
        (found,) = fd.behaviours(shares, tracing.artefact_shares(frame, LAYERS), "tuned", ["m"])
        assert found.verdict == verdict, peak
        assert found.value == pytest.approx(0.5)  # the excluded items are left out
        assert "n = 60" in found.measure and found.lens == "tuned"
    # a word, but at layer 2 of 12: an artefact of the lens all the same
    early = _behaviour_rows(mixed, "tikz", layer=2)
    (found,) = fd.behaviours(
        tracing.pivot_shares(early), tracing.artefact_shares(early, LAYERS), "tuned", []
    )
    assert found.verdict == fd.NOT_SUPPORTED and "first quarter of the layers" in found.reason
    # half the peaks junk: the artefact share's interval holds one half
    half = _behaviour_rows(mixed, ["chat", "chat", " ", " "] * 15 + ["x"] * 5)
    (found,) = fd.behaviours(
        tracing.pivot_shares(half), tracing.artefact_shares(half, LAYERS), "logit", []
    )
    assert found.verdict == fd.CANNOT_TELL and "holds one half" in found.reason
    one = _behaviour_rows(["co-occurrence"] * 40, "chat")
    (found,) = fd.behaviours(
        tracing.pivot_shares(one), tracing.artefact_shares(one, LAYERS), "logit", ["m"]
    )
    assert found.verdict == fd.NOT_SUPPORTED and "one behaviour" in found.reason
    # one pivot item in 60: observed, but its interval reaches 0
    rare = _behaviour_rows(["semantic pivot"] + ["co-occurrence"] * 59, "chat")
    (found,) = fd.behaviours(
        tracing.pivot_shares(rare), tracing.artefact_shares(rare, LAYERS), "logit", []
    )
    assert found.verdict == fd.CANNOT_TELL and "reaches 0" in found.reason


def _contrast(verdict, primary, check, value=0.05):
    return {
        "contrast": "x",
        "pair": "all pairs",
        "measure": "rank accuracy",
        "difference": value,
        "difference low": value - 0.04,
        "difference high": value + 0.04,
        "p": 0.01 if verdict != "no detectable gain" else 0.4,
        "verdict": verdict,
        "primary": primary,
        "check": check,
    }


@pytest.mark.parametrize(
    ("primary", "check", "expected"),
    [
        ("gain", "gain", fd.SUPPORTED),
        ("gain", "no detectable gain", fd.CANNOT_TELL),  # the design is not shown to see
        ("no detectable gain", "gain", fd.CANNOT_TELL),  # a null: only an upper bound
        ("no detectable gain", "no detectable gain", fd.CANNOT_TELL),
        ("loss", "gain", fd.NOT_SUPPORTED),
        ("loss", "no detectable gain", fd.CANNOT_TELL),
    ],
)
def test_the_transfer_verdict_needs_its_positive_control(primary, check, expected):
    contrasts = pd.DataFrame([_contrast(primary, True, False), _contrast(check, False, True)])
    (found,) = fd.data(contrasts, "glass", 0.031)
    assert found.verdict == expected
    if expected == fd.CANNOT_TELL and primary != "gain":
        assert "0.0310" in found.reason


def _excess(model, low, high):
    return {
        "model": model,
        "label": "semantic pivot",
        "n": 40,
        "excess": (low + high) / 2,
        "excess low": low,
        "excess high": high,
    }


def _difference(model, low, high):
    return {
        "model": model,
        "difference": (low + high) / 2,
        "difference low": low,
        "difference high": high,
        "n pivot": 40,
        "n co-occurrence": 60,
    }


@pytest.mark.parametrize(
    ("excess", "difference", "expected"),
    [
        ((0.01, 0.03), (0.005, 0.02), (fd.SUPPORTED, fd.SUPPORTED)),
        ((0.01, 0.03), (-0.01, 0.02), (fd.SUPPORTED, fd.CANNOT_TELL)),  # shared with co-occurrence
        ((0.01, 0.03), (-0.03, -0.01), (fd.SUPPORTED, fd.NOT_SUPPORTED)),  # theirs is larger
        ((-0.01, 0.03), (-0.03, -0.01), (fd.CANNOT_TELL, fd.NOT_SUPPORTED)),
        ((-0.03, -0.01), (0.005, 0.02), (fd.NOT_SUPPORTED, fd.SUPPORTED)),
        ((0.01, 0.03), None, (fd.SUPPORTED,)),  # no co-occurrence item to compare with
    ],
)
def test_claim_3_has_the_methods_test_and_its_specificity_each_in_a_row(
    excess, difference, expected
):
    frame = pd.DataFrame([_excess("m", *excess)])
    other = pd.DataFrame([_difference("m", *difference)] if difference else [])
    found = fd.pivots(frame, other, "tuned", ["m", "absent"])
    own = [f for f in found if f.model == "m"]
    assert tuple(f.verdict for f in own) == expected
    assert own[0].value == pytest.approx(sum(excess) / 2) and own[0].test == ""
    if difference:
        assert own[1].value == pytest.approx(sum(difference) / 2) and own[1].test == fd.SPECIFIC
        assert "60 items" in own[1].measure and own[1].lens == "tuned"
    # a model with no row of either kind is not measured, under the lens it was asked of
    (absent,) = [f for f in found if f.model == "absent"]
    assert absent.verdict == fd.CANNOT_TELL and absent.lens == "tuned"


def test_what_a_chapter_glues_the_page_reads(tmp_path, monkeypatch):
    import myst_nb.ext.glue as glue_module

    shown = []
    monkeypatch.setattr(
        glue_module, "ipy_display", lambda data, raw, metadata: shown.append((data, metadata))
    )
    found = fd.frequency(pd.DataFrame([_auc("a", 0.7, 0.6, 0.8)]), ["a"], "logit")
    fd.record(found)
    ((data, metadata),) = shown
    output = {"output_type": "display_data", "data": data, "metadata": metadata}
    cells = [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [output]}]
    (tmp_path / "03_frequency_behavior.ipynb").write_text(json.dumps({"cells": cells}))
    assert fd.read(tmp_path / "03_frequency_behavior.ipynb") == found
    page = fd.page(tmp_path)
    assert all(f"## {c.title}" in page for c in fd.CLAIMS.values())
    assert f"| a | {found[0].measure} | 0.700 [0.600, 0.800] | **supported** |" in page
    assert page.count("This run did not measure it.") == 3
    assert "e-0" not in page and "nan" not in page.lower()
    summary = fd.summary(tmp_path, "Built.")
    assert summary.startswith("Built.")
    assert "- **Behaviour follows co-occurrence frequency**: supported on a (" in summary
    assert summary.count("not measured") == 3
    assert summary.count("{ref}") == 1  # a label only where its chapter glued a finding
    # a claim's models grouped by verdict
    glued = [
        fd.Finding("pivots", m, "x", 0.1, 0.0, 0.2, v, "y", lens, t)
        for m, v, lens, t in (
            ("a", fd.SUPPORTED, "logit", ""),
            ("a", fd.CANNOT_TELL, "logit", fd.SPECIFIC),
            ("b", fd.SUPPORTED, "logit", ""),
            ("a", fd.CANNOT_TELL, "tuned", ""),
            ("a", fd.CANNOT_TELL, "tuned", fd.SPECIFIC),
        )
    ]
    monkeypatch.setattr(fd, "claimed", lambda folder: {"pivots": glued})
    line = fd.summary(tmp_path, "Built.").splitlines()[2]
    # each model once per verdict, its lenses and tests in brackets
    assert line.startswith(
        "- **Semantic pivots in the middle layers**: supported on a (logit lens), b (logit lens); "
        f"the design could not tell on a (logit lens, {fd.SPECIFIC}; tuned lens, both tests)"
    )
