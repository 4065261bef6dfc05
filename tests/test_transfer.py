"""Analysis 5's statistics and its arms: t-based seed intervals, Holm, power, matched draws."""

import math

import numpy as np
import pandas as pd
import pytest

from semantic_pivots import stats
from semantic_pivots.analyses import transfer
from semantic_pivots.training import selection


def _gains(per_seed: dict[str, list[list[float]]]) -> pd.DataFrame:
    """Gain rows from arm -> [seed][item] values (one pair, items a, b, ...)."""
    rows = []
    for arm, seeds in per_seed.items():
        for s, values in enumerate(seeds):
            for i, v in enumerate(values):
                rows.append({"arm": arm, "seed": s, "pair": "en-fr", "item": f"i{i}", "g": v})
    return pd.DataFrame(rows)


def test_difference_is_welch_t_over_seed_means_when_the_concepts_agree():
    # every item moves alike, so resampling concepts adds nothing; seed means 1, 2, 3 against 0
    frame = _gains({"P": [[1, 1], [2, 2], [3, 3]], "R": [[0, 0], [0, 0], [0, 0]]})
    d = transfer.difference(frame, "P", "R", "g")
    se = math.sqrt(1 / 3)  # the sample variance of 1, 2, 3 is 1; over 3 seeds
    assert d.value == pytest.approx(2) and d.se == pytest.approx(se)
    assert d.df == pytest.approx(2)  # Welch-Satterthwaite: R's seeds do not vary
    t975_2 = 4.302652729911275  # the 97.5 % quantile of t with 2 degrees of freedom
    assert (d.low, d.high) == pytest.approx((2 - t975_2 * se, 2 + t975_2 * se))
    assert d.p == pytest.approx(0.07417990022744853)  # 2 * P(T_2 > 2 / se)


def test_difference_adds_the_concept_variance_and_refuses_one_seed():
    frame = _gains({"P": [[1, 3], [2, 4]], "R": [[0, 0], [0, 0]]})
    d = transfer.difference(frame, "P", "R", "g", n_boot=4000)
    seed_var = np.var([2, 3], ddof=1) / 2
    # rows differ by 1.5 and 3.5: a two-concept bootstrap mean has variance (1 ** 2) / 2
    assert d.se**2 == pytest.approx(seed_var + 0.5, rel=0.08)
    one = _gains({"P": [[1, 3]], "R": [[0, 0]]})
    assert math.isnan(transfer.difference(one, "P", "R", "g").p)


def test_holm_and_the_minimum_detectable_difference():
    assert stats.holm([0.01, 0.04, 0.03, float("nan")])[:3] == pytest.approx([0.03, 0.06, 0.06])
    # with many degrees of freedom the t quantiles are the normal ones: 1.96 + 0.84
    assert stats.minimum_detectable(1.0, 1e7) == pytest.approx(1.959964 + 0.841621, rel=1e-5)
    assert stats.minimum_detectable(1.0, 3) > stats.minimum_detectable(1.0, 30)


def test_only_the_primary_contrast_escapes_the_correction():
    rng = np.random.default_rng(0)
    rows = [
        {"arm": arm, "seed": s, "pair": "en-fr", "item": str(i)}
        | {f"{m} gain": shift + rng.normal(0, 0.1) for m in transfer.MEASURES}
        for arm, shift in [("pivot", 0.5), ("random", 0.0), ("original", 0.2), ("parallel", 1.0)]
        for s in range(3)
        for i in range(6)
    ]
    table = transfer.comparisons(pd.DataFrame(rows), transfer.CONTRASTS, "log ratio")
    primary = table[table["primary"]]
    assert len(primary) == 1 and primary.iloc[0]["contrast"] == "pivot − random"
    assert primary.iloc[0]["measure"] == "log ratio" and primary.iloc[0]["pair"] == "all pairs"
    assert primary.iloc[0]["p (Holm)"] == primary.iloc[0]["p"]
    check = table[table["check"]]
    assert len(check) == 1 and check.iloc[0]["contrast"] == "parallel − random"
    assert check.iloc[0]["p (Holm)"] == check.iloc[0]["p"] and check.iloc[0]["verdict"] == "gain"
    others = table[~table["primary"] & ~table["check"]]
    assert len(others) == len(table) - 2 and (others["p (Holm)"] >= others["p"]).all()
    assert (others["p (Holm)"] > others["p"]).any()


def test_the_random_arm_matches_the_pivot_arm_stratum_by_stratum_and_is_drawn_per_seed():
    ids = [f"d{i}" for i in range(200)]
    strata = [("wesnoth" if i % 3 else "help", "en" if i % 2 else "fr", i % 10) for i in range(200)]
    like = ids[:40]
    draws = [selection.random_like(ids, strata, like, f"0|{s}") for s in range(3)]
    of = dict(zip(ids, strata, strict=True))
    wanted = sorted(of[i] for i in like)
    for drawn in draws:
        assert sorted(of[i] for i in drawn) == wanted and len(set(drawn)) == len(drawn)
    assert draws[0] != draws[1] != draws[2]  # a fresh draw for every seed
    assert selection.random_like(ids, strata, like, "0|1") == draws[1]  # and reproducible


def test_length_deciles_split_lengths_into_tenths():
    deciles = selection.length_deciles(list(range(100)))
    assert deciles[:10] == [0] * 10 and deciles[-10:] == [9] * 10
    assert [deciles.count(k) for k in range(10)] == [10] * 10


def test_with_item_by_seed_noise_only_the_standard_error_is_the_true_spread():
    """The per-seed means and the concept resampling both hold the item-by-seed noise; it is
    counted once, so the standard error matches the spread of the difference over repeats."""
    rng = np.random.default_rng(1)
    values, ses, covered = [], [], 0
    for r in range(120):
        frame = _gains({arm: rng.normal(size=(3, 60)).tolist() for arm in ("P", "R")})
        d = transfer.difference(frame, "P", "R", "g", n_boot=400, seed=r)
        values.append(d.value)
        ses.append(d.se)
        covered += d.low < 0 < d.high
    true = math.sqrt(2 / (3 * 60))  # unit noise, 180 cells an arm
    assert np.mean(ses) == pytest.approx(true, rel=0.1)
    assert np.std(values) == pytest.approx(true, rel=0.2)
    assert 0.88 <= covered / 120 <= 1.0


def test_label_shares_are_each_arms_shares_with_intervals_resampling_items():
    labels = pd.DataFrame(
        {
            "arm": ["start"] * 4 + ["pivot"] * 4,
            "item": ["a", "a", "b", "b"] * 2,
            "label": ["semantic pivot", "co-occurrence"] * 2 + ["semantic pivot"] * 4,
        }
    )
    shares = transfer.label_shares(labels).set_index("arm")
    assert list(shares.index) == ["start", "pivot"]
    assert shares.loc["start", "semantic pivot"] == 0.5 and shares.loc["pivot", "n"] == 4
    assert shares.loc["pivot", "semantic pivot"] == 1.0
    assert shares.loc["start", "co-occurrence"] + shares.loc["start", "semantic pivot"] == 1.0
