"""AUC, features and correlations of the frequency analysis on hand-built data."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from semantic_pivots.analyses import frequency as f
from semantic_pivots.data.counts import Counts
from semantic_pivots.errors import UserError


def test_auc_is_the_pairwise_win_rate_with_ties_as_half():
    rng = np.random.default_rng(0)
    labels = pd.Series(rng.choice([f.POSITIVE, f.NEGATIVE, "excluded"], size=40))
    x = pd.Series(rng.integers(0, 5, size=40).astype(float))  # many ties
    pos = x[labels == f.POSITIVE]
    neg = x[labels == f.NEGATIVE]
    wins = [1.0 if a > b else 0.5 if a == b else 0.0 for a, b in itertools.product(pos, neg)]
    assert f.auc(labels, x) == pytest.approx(sum(wins) / len(wins))
    assert math.isnan(f.auc(pd.Series([f.POSITIVE] * 3), pd.Series([1.0, 2.0, 3.0])))


def test_features_follow_the_counts_and_mark_missing_ones():
    counts = Counts(
        "hand",
        {
            ("en", "dog"): {"occurrences": 9, "units": 3},
            ("fr", "chien"): {"occurrences": 3, "units": 2},
        },
        {("en", "dog", "fr", "chien"): {"units": 1, "windows": 4}},
        {"units": 10},
    )
    rows = pd.DataFrame([{"pair": "en-fr", "source": "dog", "target": "chien"}])
    out = f.features(counts, rows, list(f.XS), "windows").iloc[0]
    assert out["log count(target)"] == pytest.approx(math.log(4))
    assert out["log count(source)"] == pytest.approx(math.log(10))
    assert out["log co-occurrence"] == pytest.approx(math.log(5))
    assert out["PMI"] == pytest.approx(math.log(1 * 10 / (3 * 2)))  # unit counts
    unseen = Counts(
        "hand",
        counts.words,
        {("en", "dog", "fr", "chien"): {"units": 0, "windows": 0}},
        {"units": 10},
    )
    assert np.isnan(f.features(unseen, rows, ["PMI"], "windows").iloc[0]["PMI"])
    proxy = Counts(
        "proxy", counts.words, {("en", "dog", "fr", "chien"): {"units": None, "windows": None}}
    )
    out = f.features(proxy, rows, list(f.XS), "windows").iloc[0]
    assert (
        np.isnan(out["PMI"]) and np.isnan(out["log co-occurrence"]) and out["log count(target)"] > 0
    )
    with pytest.raises(UserError, match="unknown x definition"):
        f.features(counts, rows, ["zipf"], "windows")


def test_pearson_matches_numpy_and_refuses_constant_x():
    x = pd.Series([1.0, 2.0, 3.0, 5.0, np.nan])
    y = pd.Series([2.0, 1.0, 4.0, 3.0, 7.0])
    r, p, n = f.pearson(x, y)
    assert n == 4 and r == pytest.approx(np.corrcoef(x[:4], y[:4])[0, 1]) and 0 < p < 1
    assert math.isnan(f.pearson(pd.Series([1.0] * 4), y[:4])[0])


def test_auc_table_needs_enough_items_of_each_behaviour():
    frame = pd.DataFrame(
        {
            "model": "m",
            "pair": ["a-b"] * 6 + ["b-a"] * 6,
            "label": [
                f.POSITIVE,
                f.POSITIVE,
                f.POSITIVE,
                f.NEGATIVE,
                f.NEGATIVE,
                f.NEGATIVE,
                f.POSITIVE,
                f.NEGATIVE,
                f.NEGATIVE,
                f.NEGATIVE,
                f.NEGATIVE,
                "excluded",
            ],
            "x": [3.0, 2.0, 5.0, 1.0, 0.0, 2.0, 9.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    table = f.auc_table(frame, ["x"]).set_index("pair")
    assert table.loc["a-b", "AUC"] == pytest.approx(f.auc(frame.label[:6], frame.x[:6]))
    assert table.loc["b-a", "co-occurrence items"] == 1 and np.isnan(table.loc["b-a", "AUC"])


def _frame(n_pairs: int, seed: int = 0) -> pd.DataFrame:
    """Items whose x separates the behaviours well, the same concepts in every pair."""
    rng = np.random.default_rng(seed)
    rows = []
    for pair in [f"p{i}" for i in range(n_pairs)]:
        for item in range(20):
            label = f.POSITIVE if item % 2 else f.NEGATIVE
            x = item % 2 + rng.normal(scale=0.5)
            rows.append(
                {
                    "model": "m",
                    "pair": pair,
                    "item": f"c{item}",
                    "label": label,
                    "x": x,
                    "score": 0.1 * x + rng.normal(scale=0.05),
                }
            )
    return pd.DataFrame(rows)


def test_summary_gives_no_interval_or_verdict_from_too_few_pairs():
    many, few = _frame(4), _frame(1)
    out = f.summary(many, ["x"]).set_index("x")
    table = f.auc_table(many, ["x"])
    assert out.loc["x", "pairs"] == 4 and out.loc["x", "verdict"] == "above chance"
    assert out.loc["x", "AUC"] == pytest.approx(table.AUC.mean())
    assert 0.5 < out.loc["x", "AUC low"] < out.loc["x", "AUC"] < out.loc["x", "AUC high"]
    out = f.summary(few, ["x"]).set_index("x")
    assert np.isnan(out.loc["x", "AUC low"]) and out.loc["x", "verdict"].startswith("too few")


def test_pearson_is_per_pair_and_averaged():
    frame = _frame(3)
    per_pair, means = f.pearson_summary(frame, ["x"])
    for pair, g in frame.groupby("pair"):
        r = per_pair.set_index("pair").loc[pair, "r"]
        assert r == pytest.approx(f.pearson(g.x, g.score)[0])
    row = means.iloc[0]
    assert row["r"] == pytest.approx(per_pair.r.mean()) and row["pairs"] == 3
    assert row["r low"] < row["r"] < row["r high"] and row["verdict"] == "above zero"


def test_group_effects_give_each_group_and_their_difference_with_its_interval():
    rng = np.random.default_rng(0)
    rows, groups = [], {}
    for i in range(40):
        group = "co-occurring" if i % 2 else "separated"
        groups[f"c{i}"] = group
        for pair in ("en-fr", "fr-en"):
            hit = rng.random() < (0.6 if group == "co-occurring" else 0.2)
            label = "excluded" if i == 0 else ("co-occurrence" if hit else "semantic pivot")
            rows.append(
                {
                    "model": "m",
                    "pair": pair,
                    "item": f"c{i}",
                    "rank accuracy": float(hit),
                    "log ratio": float(hit) - 0.5,
                    "label": label,
                }
            )
    rows.append(
        {
            "model": "m",
            "pair": "en-fr",
            "item": "other",
            "rank accuracy": 1.0,
            "log ratio": 0.0,
            "label": "co-occurrence",
        }
    )  # no group: left out
    frame = pd.DataFrame(rows)
    effects = f.group_effects(frame, groups).set_index("group")
    kept = frame[frame["item"].isin(groups)].assign(group=lambda d: d["item"].map(groups))
    means = kept.groupby("group")["rank accuracy"].mean()
    diff = effects.loc["co-occurring − separated"]
    assert effects.loc["co-occurring", "rank accuracy"] == pytest.approx(means["co-occurring"])
    assert diff["rank accuracy"] == pytest.approx(means["co-occurring"] - means["separated"])
    assert diff["rank accuracy low"] < diff["rank accuracy"] < diff["rank accuracy high"]
    # the interval is about ±1.96 standard errors of the bootstrap
    half = (diff["rank accuracy high"] - diff["rank accuracy low"]) / 2
    assert half == pytest.approx(1.96 * diff["rank accuracy se"], rel=0.15)
    # behaviour shares leave the excluded item out
    sep = kept[(kept["group"] == "separated") & (kept["label"] != "excluded")]
    assert effects.loc["separated", "co-occurrence"] == pytest.approx(
        (sep["label"] == "co-occurrence").mean()
    )
    one = f.group_effects(frame, {g: v for g, v in groups.items() if v == "separated"})
    assert (
        one.set_index("group")
        .loc["co-occurring − separated"][["rank accuracy", "rank accuracy low"]]
        .isna()
        .all()
    )


def test_holm_corrects_every_test_but_the_primary_one():
    summary = pd.DataFrame(
        {
            "model": ["m", "m"],
            "x": [f.PRIMARY_X, "count(source)"],
            "p": [0.03, 0.03],
            "verdict": ["above chance", "above chance"],
        }
    )
    mean_r = pd.DataFrame(
        {"model": ["m"], "x": ["count(source)"], "p": [0.02], "verdict": ["below zero"]}
    )
    auc, r = f.corrected(summary, mean_r)
    # the primary test stands alone; the other two are one family: 2 x 0.02, then 0.03
    assert auc["p (Holm)"].tolist() == pytest.approx([0.03, 0.04])
    assert r["p (Holm)"].tolist() == pytest.approx([0.04])
    assert auc["verdict"].tolist() == ["above chance", "above chance"]
    small = f.corrected(summary.assign(p=[0.03, 0.04]), mean_r.assign(p=[0.04]))
    assert small[0]["verdict"].tolist() == [
        "above chance",
        "not distinguishable from chance after Holm correction",
    ]
    assert small[1]["verdict"].tolist() == ["not distinguishable from zero after Holm correction"]


def test_the_primary_verdict_is_never_relabelled_and_unjudged_rows_are_not_tested():
    summary = pd.DataFrame(
        {"model": ["m"], "x": [f.PRIMARY_X], "p": [0.2], "verdict": ["above chance"]}
    )
    mean_r = pd.DataFrame({"model": ["m"], "x": ["x"], "p": [np.nan], "verdict": ["too few"]})
    auc, r = f.corrected(summary, mean_r)
    assert auc["verdict"].tolist() == ["above chance"] and np.isnan(r["p (Holm)"].iloc[0])
    few = f._verdicts([{"r": 0.5, "r low": 0.1, "r high": 0.9, "pairs": 1, "p": 0.01}], "r", 0, 2)
    assert np.isnan(few["p"].iloc[0]) and few["verdict"].iloc[0].startswith("too few pairs")
