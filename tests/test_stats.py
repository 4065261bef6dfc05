"""Bootstrap intervals that resample concepts, and the weighted statistics behind them."""

import numpy as np
import pandas as pd
import pytest

from semantic_pivots import stats


def test_cluster_bootstrap_is_wider_than_the_naive_one_on_correlated_rows():
    # 30 concepts seen in 12 pairs: each concept's effect is shared by all its rows
    rng = np.random.default_rng(0)
    concept = np.repeat(np.arange(30), 12)
    values = rng.normal(size=30)[concept] + 0.1 * rng.normal(size=len(concept))
    mean, lo, hi = stats.bootstrap_ci(values)
    c_mean, c_lo, c_hi = stats.bootstrap_ci(values, clusters=concept)
    assert mean == c_mean == pytest.approx(values.mean())
    assert (c_hi - c_lo) > 2 * (hi - lo)
    # the cluster interval's width is close to that of 30 independent concept means
    concept_means = values.reshape(30, 12).mean(1)
    _, m_lo, m_hi = stats.bootstrap_ci(concept_means)
    assert (c_hi - c_lo) == pytest.approx(m_hi - m_lo, rel=0.25)


def test_one_row_per_cluster_is_the_ordinary_bootstrap():
    values = np.arange(20.0)
    assert stats.bootstrap_ci(values, clusters=[f"c{i:02d}" for i in range(20)]) == pytest.approx(
        stats.bootstrap_ci(values)
    )


def test_summarise_resamples_the_named_cluster():
    frame = pd.DataFrame({"model": "m", "item": np.repeat(list("abcdef"), 4), "x": 1.0})
    frame["x"] = np.repeat([0.0, 1.0, 5.0, 2.0, 3.0, 8.0], 4)
    rows = stats.summarise(frame, ["model"], ["x"], cluster="item").iloc[0]
    naive = stats.summarise(frame, ["model"], ["x"], cluster=None).iloc[0]
    assert rows["n"] == 24 and rows["x"] == naive["x"]
    assert rows["x high"] - rows["x low"] > naive["x high"] - naive["x low"]


def test_weighted_auc_and_pearson_with_unit_weights_are_the_plain_ones():
    from scipy.stats import pearsonr
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, size=40).astype(float)  # ties included
    labels = rng.random(40) < 0.4
    y = x + rng.normal(size=40)
    ones = np.ones((1, 40))
    assert stats.weighted_auc(labels, x, ones)[0] == pytest.approx(roc_auc_score(labels, x))
    assert stats.weighted_pearson(x, y, ones)[0] == pytest.approx(pearsonr(x, y)[0])
    # integer weights are duplicated rows
    w = rng.integers(0, 3, size=40)
    rows = np.repeat(np.arange(40), w)
    auc = stats.weighted_auc(labels, x, w[None, :].astype(float))[0]
    assert auc == pytest.approx(roc_auc_score(labels[rows], x[rows]))
    r = stats.weighted_pearson(x, y, w[None, :].astype(float))[0]
    assert r == pytest.approx(pearsonr(x[rows], y[rows])[0])


def test_no_interval_from_fewer_clusters_than_the_minimum():
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    mean, low, high = stats.bootstrap_ci(values, clusters=["a", "a", "b", "b", "c", "d"])
    assert mean == pytest.approx(3.5) and np.isnan(low) and np.isnan(high)
    _, low, high = stats.bootstrap_ci(values, clusters=["a", "a", "b", "c", "d", "e"])
    assert low < 3.5 < high


def test_significant_digits_never_use_e_notation():
    from semantic_pivots.stats import significant

    # below 10⁻⁴, a power of ten written out, not a long run of zeros
    assert significant(0.0000123456) == "1.23×10⁻⁵" and significant(0.09996) == "0.100"
    assert significant(-0.0000000627) == "-6.27×10⁻⁸" and significant(0.000123) == "0.000123"
    assert significant(-0.5) == "-0.500" and significant(1234.4) == "1234"
    assert significant(float("nan")) == "–" and significant(float("-inf")) == "-∞"


def test_an_interval_writes_its_three_numbers_in_one_style():
    from semantic_pivots.stats import interval_text

    # decimals for all three, as many as the largest needs for three significant digits
    assert interval_text(7.04e-5, -1.7e-5, 0.000226) == "0.000070 [-0.000017, 0.000226]"
    # a number that is not zero is never written as zero: its first digit shows
    assert interval_text(0.5, 0.00002, 0.9) == "0.500 [0.00002, 0.900]"
    assert interval_text(0.0021, 0.0000031, 0.0045) == "0.00210 [0.000003, 0.00450]"
    assert interval_text(12.5, 3.25, 140.0) == "12 [3, 140]"
    # all below 10⁻⁴: every number a power of ten, none as decimals
    assert interval_text(-1.68e-5, -4.15e-5, -1.51e-6) == "-1.68×10⁻⁵ [-4.15×10⁻⁵, -1.51×10⁻⁶]"
    assert interval_text(-1.68e-5, -4.15e-5, 0.0) == "-1.68×10⁻⁵ [-4.15×10⁻⁵, 0]"
    assert interval_text(0.0, 0.0, 0.0) == "0.00 [0.00, 0.00]"
    # a sign before positive numbers only, never on zero
    assert interval_text(0.01, -0.02, 0.0, signed=True) == "+0.0100 [-0.0200, 0.0000]"
    assert interval_text(0.01, -0.02, 0.0000004, signed=True) == "+0.0100 [-0.0200, +0.0000004]"
    assert interval_text(0.2, float("nan"), 0.3) == "0.200 (no interval)"
    assert interval_text(0.2, 0.1, float("inf")) == "0.200 (no interval)"


def test_bootstrap_p_counts_the_samples_beyond_the_null_on_the_nearer_side():
    samples = np.arange(1, 100, dtype=float)  # 1..99: 9 samples at or below 9.5
    assert stats.bootstrap_p(samples, 9.5) == pytest.approx(2 * 9 / 99)
    assert stats.bootstrap_p(samples, 50.0) == 1.0
    # a null beyond every sample: one sample's share, never 0
    assert stats.bootstrap_p(samples, 1000.0) == pytest.approx(1 / 99)
    # p under 5 % exactly where the percentile interval leaves the null out
    draws = np.random.default_rng(0).normal(size=4000)
    for null in np.linspace(-2.5, 2.5, 41):
        low, high = stats.interval(draws)
        assert (stats.bootstrap_p(draws, null) < 0.05) == (not low <= null <= high)
    assert np.isnan(stats.bootstrap_p(np.array([np.nan]), 0.0))


def test_a_share_at_zero_or_one_gets_the_wilson_interval_of_its_clusters():
    clusters = [c for c in range(8) for _ in range(2)]  # 16 rows of 8 concepts
    zero, one = [0] * 16, [1] * 16
    assert stats.bootstrap_ci(zero, clusters, share=True) == (0.0, 0.0, stats.wilson(0, 8)[1])
    assert stats.bootstrap_ci(one, clusters, share=True) == (1.0, stats.wilson(8, 8)[0], 1.0)
    assert 0.3 < stats.wilson(0, 8)[1] < 0.33  # not a width of zero
    assert stats.bootstrap_ci(one, clusters) == (1.0, 1.0, 1.0)  # a difference that is 1 each time
    mean, low, high = stats.bootstrap_ci([0, 0, 1, 1] * 4, clusters, share=True)
    assert low < mean == 0.5 < high  # a share that varies keeps its percentile interval
    frame = pd.DataFrame({"g": "a", "item": clusters, "x": zero, "y": zero})
    row = stats.summarise(frame, ["g"], ["x", "y"], "item", shares=["x"]).iloc[0]
    assert row["x high"] == stats.wilson(0, 8)[1] and row["y high"] == 0.0
