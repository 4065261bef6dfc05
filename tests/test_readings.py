"""The sentences of the book say what their frames hold."""

import numpy as np
import pandas as pd
import pytest

from semantic_pivots.analyses import tracing
from semantic_pivots.report import readings, tables


def test_pooled_lines_give_each_models_numbers_and_which_wins_more_pairs():
    overall = pd.DataFrame(
        {
            "model": ["a", "b"],
            "n": [10, 10],
            "score": [0.25, 0.05],
            "score low": [0.2, 0.01],
            "score high": [0.3, 0.09],
            "rank accuracy": [0.8, 0.4],
            "rank accuracy low": [0.7, 0.3],
            "rank accuracy high": [0.9, 0.5],
            "exact match": [0.5, 0.1],
            "exact match low": [0.4, 0.05],
            "exact match high": [0.6, 0.15],
        }
    )
    ma = pd.DataFrame([[None, 0.3], [0.2, None]])
    mb = pd.DataFrame([[None, 0.1], [0.4, None]])
    text = readings.pooled_lines(overall, {"a": ma, "b": mb})
    assert "**a**: CLWTD score 0.250 [0.200, 0.300], rank accuracy 0.80 [0.70, 0.90]" in text
    assert "greedy exact match 0.10 [0.05, 0.15] over 10 item-pairs (95 % intervals" in text
    assert text.endswith("a scores higher than b in 1 of 2 ordered pairs.")


def test_final_checkpoints_compare_the_interval_with_chance_and_leave_copying_out():
    rows = []
    items = [("x", False, 1), ("y", False, 1), ("z", True, 1), ("w", False, 2), ("v", False, 1)]
    items += [("u", False, 1)]
    for item, same, rank in items:
        rows.append(
            {
                "model": "m",
                "checkpoint": "m@2",
                "pair": "en-fr",
                "seen": 2,
                "item": item,
                "same string": same,
                "rank accuracy": float(rank == 1),
                "score": 0.1,
                "log ratio": 0.5,
                "n_candidates": 10,
            }
        )
    by_ckpt = pd.DataFrame(rows)
    summary = tables.checkpoint_summary(by_ckpt, seed=0)
    chance = tables.chance_by_model(by_ckpt)
    assert chance["m"] == pytest.approx(0.1)
    text = readings.final_checkpoints(summary, by_ckpt, chance, seed=0)
    assert text.startswith("- **m@2**, en-fr: rank accuracy 0.83 [")
    assert "0.83 [0.50, 1.00], chance 0.10 (the interval lies above chance)" in text
    assert "without the same-string items, rank accuracy 0.80" in text and "over 5 items" in text
    assert "against its first checkpoint" not in text  # one checkpoint: nothing to compare
    # against the first checkpoint too: an untrained model is not at chance either
    start = by_ckpt.assign(checkpoint="m@0", seen=0, **{"rank accuracy": 0.0})
    both = pd.concat([start, by_ckpt], ignore_index=True)
    text = readings.final_checkpoints(tables.checkpoint_summary(both, 0), both, chance, seed=0)
    assert "against its first checkpoint (m@0), on the same 5 items (without the same" in text
    assert "ones), +0.80 [" in text
    assert "(the interval lies above 0: learned beyond it)" in text
    # four concepts are too few for an interval, and the reading says so
    few = by_ckpt[by_ckpt["item"].isin(["x", "y", "z", "w"])]
    text = readings.final_checkpoints(tables.checkpoint_summary(few, 0), few, chance, seed=0)
    assert "(too few concepts for an interval)" in text and "lies" not in text


def test_distractor_line_gives_shares_of_each_languages_judgments():
    counts = pd.DataFrame(
        {"fr": [6, 3, 1], "zh": [8, 2, 0]}, index=["close", "unrelated", "translation"]
    )
    assert readings.distractor_line(counts) == (
        "Distractors judged, per language: **fr** 10 judged, unrelated 30% [11%, 60%], a "
        "translation of the item 1; **zh** 10 judged, unrelated 20% [6%, 51%], a translation "
        "of the item 0."
    )


def test_frequency_caveats_name_the_span_of_items_and_only_the_caveats_that_apply():
    frame = pd.DataFrame({"model": ["m"] * 5, "pair": ["a"] * 3 + ["b"] * 2})
    bare = readings.frequency_caveats(frame, None, [])
    assert "each pair has 2 to 3 items" in bare and "proxy" not in bare and "exact" not in bare
    full = readings.frequency_caveats(frame, [12.0, 340.4], ["glass-x"])
    assert "12 to 340 MB of text per language" in full and "For glass-x the counts" in full
    assert "logit lens's weaknesses" in full and "tuned" not in full
    tuned = readings.frequency_caveats(frame, None, ["glass-x"], "tuned")
    assert "tuned lens's weaknesses" in tuned and "from a tuned lens over" in tuned
    assert "logit" not in tuned


def test_interval_width_names_the_widest_pair():
    per_pair = pd.DataFrame(
        {
            "model": ["m", "m", "glass"],
            "pair": ["en-fr", "fr-en", "en-fr"],
            "n": [30, 30, 483],
            "score low": [0.1, 0.0, 0.0],
            "score high": [0.2, 0.4, 0.01],
        }
    )
    text = readings.interval_width(per_pair)
    # each model's own number of items: never another model's beside this model's interval
    assert "up to 0.400 wide (m, fr-en, 30 items; m: up to 30 items per pair" in text
    assert "glass: up to 483 items per pair)" in text


def test_exposure_reading_compares_lengths_from_the_numbers():
    def frame(pivot_length):
        return (
            pd.DataFrame(
                [
                    {"arm": "original", "en+fr share": 0.6, "mean length": 20.0},
                    {"arm": "pivot", "mean length": pivot_length},
                    {"arm": "random, seed 0", "mean length": 20.0},
                    {"arm": "random, seed 1", "mean length": 22.0},
                ]
            )
            .assign(
                **{
                    "pivot share": 0.1,
                    "documents": 10,
                    "evaluated words seen": 0.5,
                    "already seen": 0.2,
                }
            )
            .fillna({"en+fr share": 0.0})
        )

    assert "about as long as the random arm's" in readings.exposure_reading(frame(21.5))
    short = readings.exposure_reading(frame(15.0))
    assert "shorter than the random arm's (15.0 against 21.0 tokens" in short
    assert "The original mixture is 60% bilingual" in short
    assert "parallel arm" not in short
    parallel = {"arm": "parallel", "mean length": 90.0, "documents": 222, "tokens": 20075.0}
    with_parallel = pd.concat([frame(15.0), pd.DataFrame([parallel])], ignore_index=True).assign(
        **{"separated pairs together": [0, 0, 0, 0, 0.85]}
    )
    assert (
        "The parallel arm's 222 line pairs (20,075 tokens) show 85% of the separated items' "
        "pairs together." in readings.exposure_reading(with_parallel)
    )


def test_primary_reading_gives_the_minimum_detectable_difference_beside_a_null():
    row = {
        "contrast": "pivot − random",
        "pair": "all pairs",
        "measure": "log ratio",
        "difference": 0.01,
        "difference low": -0.02,
        "difference high": 0.04,
        "df": 5.2,
        "p": 0.4,
        "p (Holm)": 0.4,
        "primary": True,
        "check": False,
        "verdict": "no detectable gain",
    }
    contrasts = pd.DataFrame(
        [
            row,
            row | {"contrast": "pivot − original", "primary": False, "p (Holm)": 0.9},
            row
            | {
                "contrast": "o",
                "primary": False,
                "p": float("nan"),
                "p (Holm)": float("nan"),
                "verdict": "not measured",
            },
        ]
    )
    text = readings.primary_reading(contrasts, 0.05)
    assert "+0.0100 [-0.0200, +0.0400] (t interval, 5.2 degrees of freedom), p = 0.4" in text
    assert "would have detected a true difference of 0.05 with 80 % power" in text
    note = readings.contrasts_note(contrasts, 4)
    assert (
        "3 differences in all (4 seeds an arm): the primary one and the check at 5 %, the 1 other"
        in note
    )
    assert "no positive control" in readings.check_reading(contrasts)
    checked = contrasts.assign(check=[False, True, False], verdict=["", "gain", ""])
    assert "detected, so the design can see" in readings.check_reading(checked)
    unseen = contrasts.assign(check=[False, True, False], verdict=["", "", ""])
    assert "a null for the primary contrast says nothing" in readings.check_reading(unseen)
    found = unseen.assign(verdict=["gain", "no detectable gain", ""])
    reading = readings.check_reading(found)
    assert "the primary contrast's gain is not backed by a design shown to see" in reading
    primary = readings.primary_reading(found, 0.05)
    assert "nominally a gain for the pivot arm, but the check below was not detected" in primary
    seen = found.assign(verdict=["gain", "gain", ""])
    assert readings.primary_reading(seen, 0.05).endswith("a gain for the pivot arm.")
    assert "- **pivot − original**: +0.0100 [-0.0200, +0.0400], p = 0.40 (Holm 0.90)" in note
    assert "- **o**: not measured" in note


def test_exposure_effects_compare_with_chance_and_give_what_a_null_could_have_detected():
    def effects(low: float, high: float) -> pd.DataFrame:
        groups = [
            {
                "group": "co-occurring",
                "rank accuracy": 0.2,
                "rank accuracy low": 0.15,
                "rank accuracy high": 0.25,
                "n": 80,
            },
            {
                "group": "separated",
                "rank accuracy": 0.1,
                "rank accuracy low": 0.05,
                "rank accuracy high": 0.15,
                "n": 80,
            },
            {
                "group": "co-occurring − separated",
                "rank accuracy": (low + high) / 2,
                "rank accuracy low": low,
                "rank accuracy high": high,
                "rank accuracy se": (high - low) / 3.92,
                "log ratio": 0.1,
                "log ratio low": 0.0,
                "log ratio high": 0.2,
                "n": 80,
            },
        ]
        return pd.DataFrame(groups)

    null = readings.exposure_effects("m", effects(-0.02, 0.06), chance=0.1)
    assert "co-occurring items rank accuracy 0.200 [0.150, 0.250]" in null
    assert "(the interval lies above chance, chance 0.100)" in null
    assert "(the interval does not lie above chance, chance 0.100)" in null
    assert "no difference between the groups is detectable" in null
    # (1.96 + 0.84) standard errors of 0.08 / 3.92
    assert "would have detected a true rank-accuracy difference of 0.057 with 80 % power" in null
    found = readings.exposure_effects("m", effects(0.02, 0.1), chance=0.1)
    assert "co-occurring items rank the true source word first more often" in found
    assert "80 % power" not in found


def test_exposure_table_puts_arms_in_columns_with_one_format_per_row():
    exposure = pd.DataFrame(
        [
            {
                "arm": "pivot",
                "documents": 120,
                "tokens": 13000.0,
                "mean length": 108.33,
                "en share": 0.5,
            },
            {
                "arm": "random, seed 0",
                "documents": 130,
                "tokens": 12000.0,
                "mean length": 92.0,
                "en share": 0.455,
            },
        ]
    )
    table = tables.exposure_table(exposure)
    assert list(table.columns) == ["pivot", "random, seed 0"]
    assert table.loc["tokens", "pivot"] == "13,000"
    assert table.loc["mean length", "random, seed 0"] == "92.0"
    assert table.loc["en share", "random, seed 0"] == "45.5 %"


def test_frequency_lines_give_each_mean_with_its_interval_and_skip_what_no_pair_has():
    summary = pd.DataFrame(
        {
            "model": ["m", "m"],
            "x": ["log co-occurrence", "PMI"],
            "AUC": [0.43, np.nan],
            "AUC low": [0.38, np.nan],
            "AUC high": [0.48, np.nan],
            "pairs": [9, 0],
            "p": [0.01, np.nan],
            "verdict": ["below chance", "too few pairs (< 2) to judge"],
        }
    )
    mean_r = pd.DataFrame(
        {
            "model": ["m"],
            "x": ["PMI"],
            "r": [0.1],
            "r low": [np.nan],
            "r high": [np.nan],
            "pairs": [1],
            "p": [np.nan],
            "verdict": ["too few pairs (< 2) to judge"],
        }
    )
    text = readings.frequency_lines(summary, mean_r, "log co-occurrence")
    assert "mean AUC 0.430 [0.380, 0.480] over 9 pairs, below chance" in text
    assert "0.100 (no interval) over 1 pair," in text
    assert "nan" not in text.lower() and "PMI: mean AUC" not in text


def test_early_peaks_say_none_for_a_model_without_pivot_items():
    frame = pd.DataFrame(
        {"model": ["m", "m"], "label": ["co-occurrence", "excluded"], "peak layer": [3, 1]}
    )
    text = readings.early_peaks(frame, tracing.artefact_shares(frame, {"m": 8}))
    assert "0 of 1 classified items are semantic-pivot items: none." in text and "nan" not in text
    # with pivot items: the early share with its interval (too few concepts here for one)
    pivots = pd.DataFrame(
        {"model": "m", "item": ["a", "b", "c", "d"], "label": "semantic pivot",
         "peak token": "chat", "peak layer": [1, 2, 5, 7]}
    )  # fmt: skip
    text = readings.early_peaks(pivots, tracing.artefact_shares(pivots, {"m": 8}))
    assert (
        "4 of 4 classified items are semantic-pivot items; for 0.50 (no interval) of those" in text
    )


def test_a_tiny_score_keeps_its_digits_in_the_tables():
    summary = pd.DataFrame(
        {
            "model": ["glass"],
            "n": [2],
            "score": [0.000123],
            "score low": [0.0000456],
            "score high": [0.000201],
            "rank accuracy": [0.18],
            "rank accuracy low": [0.1],
            "rank accuracy high": [0.25],
        }
    )
    table = tables.with_intervals(summary, {"score": 3, "rank accuracy": 2})
    assert table["score"].iloc[0] == "0.000123 [0.000046, 0.000201]"
    assert table["rank accuracy"].iloc[0] == "0.18 [0.10, 0.25]"
    overall = tables.overall_table(summary, ["score"])
    assert overall["score"].iloc[0] == "0.000123 [0.000046, 0.000201]"


def test_rule_agreement_gives_each_behaviours_own_share():
    other = "label (threshold rule)"
    frame = pd.DataFrame(
        {
            "model": ["g"] * 6 + ["h"] * 2,
            "label": ["co-occurrence"] * 3 + ["semantic pivot"] * 2 + ["excluded"] * 3,
            other: ["semantic pivot"] * 5 + ["excluded"] * 3,
        }
    )
    g, h = readings.rule_agreement(frame, other).split("\n")
    # agreement on two items in five hides that no co-occurrence item is kept
    assert "the threshold rule gives the same label to 40% of the 5 items labelled here" in g
    assert "0 of 3 co-occurrence items (0%)" in g and "2 of 2 semantic-pivot items (100%)" in g
    assert h == "- **h**: no item is labelled."


def test_exposure_balance_names_the_groups_count_ratio():
    from semantic_pivots.analyses import frequency

    frame = pd.DataFrame(
        {
            "model": "glass",
            "item": ["a", "b", "c", "d"],
            "count(source)": [300.0, 36.0, 40.0, 40.0],
            "count(target)": [300.0, 36.0, 40.0, 40.0],
            "documents together": [0.0, 0.0, 5.0, 3.0],
        }
    )
    groups = {"a": "separated", "b": "separated", "c": "co-occurring", "d": "co-occurring"}
    text = readings.exposure_balance(frequency.achieved_exposure(frame, groups))
    # one frequent word moves a mean far from its median
    assert "mean count of a separated item's source word is 168 against 40.0 for a" in text
    # medians of counts are counts (or a half between two)
    assert "co-occurring item's (medians 168 and 40)" in text
    halves = frame.assign(**{"count(source)": [37.0, 40.0, 40.0, 40.0]})
    text = readings.exposure_balance(frequency.achieved_exposure(halves, groups))
    assert "(medians 38.5 and 40)" in text


def test_label_shifts_name_the_arm_that_moves_the_share_most():
    shares = pd.DataFrame(
        {
            "arm": ["start", "pivot", "random"],
            "n": [10, 40, 40],
            "semantic pivot": [0.275, 0.492, 0.3],
            "semantic pivot low": [0.2, 0.4, 0.25],
            "semantic pivot high": [0.35, 0.55, 0.36],
        }
    )
    text = readings.label_shifts(shares)
    assert "0.275 [0.200, 0.350] at the start checkpoint" in text
    assert "the pivot arm, 0.492 [0.400, 0.550]" in text and "moves it most (+0.217)" in text
    assert readings.label_shifts(shares[shares.arm != "start"]) == ""


def test_one_pair_has_no_best_and_worst_and_zero_has_no_sign():
    from semantic_pivots import stats

    def rows(pair: str, hits: list[int]) -> pd.DataFrame:
        return pd.DataFrame({"pair": pair, "item": range(len(hits)), "exact match": hits})

    one = rows("en-fr", [0] * 8)
    assert tables.pair_summary(one, "exact match") == (
        "en→fr, 0 of 8: 0.00 [0.00, 0.32] (Wilson), its one ordered pair"
    )
    two = pd.concat([rows("en-fr", [1, 0] * 4), rows("fr-en", [1, 0, 0, 0] * 2)])
    text = tables.pair_summary(two, "exact match")
    assert text.startswith("6 of 16 item-pairs in 2 ordered pairs, 0.38 [")
    assert "best en→fr, 4 of 8: 0.50 [0.22, 0.78], worst fr→en, 2 of 8: 0.25 [" in text
    three = pd.concat([two, rows("zh-en", [1, 0] * 4)])
    assert "best en→fr, 4 of 8: 0.50 [0.22, 0.78], tied with 1 other pair, worst" in (
        tables.pair_summary(three, "exact match")
    )
    # nothing right: a Wilson bound over the 8 concepts, not an interval of no width
    zero = tables.pair_summary(two.assign(**{"exact match": 0}), "exact match")
    assert zero == (
        "0 of 16 item-pairs in 2 ordered pairs, 0.00 [0.00, 0.32] (resampling concepts), 0.00 on "
        "each"
    )
    summary = pd.DataFrame(
        {
            "model": "m",
            "k": [0, 5],
            "score": [0, 0.25],
            "score low": [0, 0.2],
            "score high": [0, 0.3],
        },
    )
    assert readings.k_lines(summary) == (
        "- **m**: k = 0: 0.00 [0.00, 0.00], k = 5: 0.250 [0.200, 0.300]"
    )
    # a number that is not zero keeps its first digit; zero, signed or not, reads 0.000
    row = pd.DataFrame({"x": [-0.0001], "x low": [-0.001], "x high": [0.0002]})
    assert stats.with_interval(row, "x", 3).iloc[0] == "-0.0001 [-0.001, 0.0002]"
    zero = pd.DataFrame({"x": [-0.0], "x low": [-0.001], "x high": [0.0]})
    assert stats.with_interval(zero, "x", 3).iloc[0] == "0.000 [-0.001, 0.000]"
    assert stats.significant(-0.0004, 1) == "-0.0004" and stats.significant(-0.0, 3) == "0.00"


def test_peak_reading_names_each_rows_lens_only_where_the_table_has_lenses():
    row = {"model": "m", "n": 10, "on pivot": 0.3, "on control": 0.1}
    interval = {"difference low": 0.05, "difference high": 0.35}
    one = pd.DataFrame([{**row, **interval}])
    assert tables.peak_reading(one).startswith(
        "- **m**: of 10 semantic-pivot items, 3 peak on a pivot token and 1 on a control token;"
    )
    both = pd.DataFrame(
        [
            {**row, **interval, "lens": "logit"},
            {**row, "difference low": -0.1, "difference high": 0.2, "lens": "tuned"},
        ]
    )
    logit, tuned = tables.peak_reading(both).split("\n")
    assert logit.startswith("- **m** (logit lens): ") and logit.endswith("than on controls.")
    assert tuned.startswith("- **m** (tuned lens): ") and "no difference" in tuned


def test_the_peak_table_counts_the_peaks_and_leaves_no_difference_where_none_landed():
    peaks = pd.DataFrame(
        {
            "model": ["m", "m"],
            "lens": ["logit", "tuned"],
            "n": [29, 20],
            "on pivot": [0.0, 0.15],
            "on control": [0.0, 0.05],
            "difference": [0.0, 0.10],
            "difference low": [0.0, -0.05],
            "difference high": [0.0, 0.25],
        }
    )
    table = tables.peak_table(peaks, ["model", "lens", "n"])
    assert table["on a pivot"].tolist() == [0, 3] and table["on a control"].tolist() == [0, 1]
    assert table["difference"].tolist() == ["–", "0.100 [-0.050, 0.250]"]


def test_pivot_examples_come_once_per_collection_under_the_name_a_reader_knows():
    found: dict = {}  # the headings do not depend on the pivots
    results = {"a": (found, None, None), "b": (found, None, None)}
    roots = {"a": "corpus-1f2e", "b": "corpus-1f2e"}
    readers = {"corpus-1f2e": "study corpus (Qwen/Qwen2.5-0.5B, b)"}
    out = tables.pivot_examples(results, roots, readers, "en")
    assert list(out) == ["corpus-1f2e"]  # a model's name keeps its capitals
    assert (
        out["corpus-1f2e"][0]
        == "**Study corpus (Qwen/Qwen2.5-0.5B, b)** (collection `corpus-1f2e`)"
    )


def test_lens_agreement_says_whether_two_lenses_verdicts_agree():
    from semantic_pivots.report import findings as fd

    def auc(model, value, low, high):
        return {"model": model, "x": fd.PRIMARY_X, "AUC": value, "AUC low": low,
                "AUC high": high, "pairs": 4}  # fmt: skip

    tuned = fd.frequency(
        pd.DataFrame([auc("a", 0.7, 0.6, 0.8), auc("b", 0.5, 0.4, 0.6)]), ["a", "b"], "tuned"
    )
    logit = fd.frequency(
        pd.DataFrame([auc("a", 0.52, 0.45, 0.6), auc("b", 0.5, 0.41, 0.59)]), ["a", "b"], "logit"
    )
    a, b = readings.lens_agreement(tuned, logit).split("\n")
    assert a.startswith("- **a**: 0.700 [0.600, 0.800] with the tuned lens's labels (supported)")
    assert a.endswith("with the logit lens's (the design could not tell): the verdicts differ.")
    assert b.endswith(": the same verdict.")


def test_no_peak_on_either_set_still_bounds_the_rate_of_peaks_on_pivots():
    none = pd.DataFrame(
        [
            {
                "model": "m",
                "n": 73,
                "on pivot": 0.0,
                "on control": 0.0,
                "difference low": 0.0,
                "difference high": 0.0,
            }
        ]  # fmt: skip
    )
    text = tables.peak_reading(none)
    assert "0 peak on a pivot token and 0 on a control token" in text
    # 1.96² / (73 + 1.96²) = 0.04999
    assert "at most 5.0 % (the 95 % Wilson bound, rounded up)" in text


def test_common_peaks_give_each_models_commonest_tokens_with_their_layers():
    frame = pd.DataFrame(
        {
            "model": ["b"] * 4 + ["a"] * 3,
            "label": ["semantic pivot"] * 6 + ["co-occurrence"],
            "peak token": ["tikz", "tikz", "tikz", "chat", " s", " s", "x"],
            "peak layer": [1, 1, 4, 9, 2, 3, 5],
        }
    )
    table = tables.common_peaks(frame, n=1)
    assert table.index.tolist() == [("b", "tikz"), ("a", "␣s")]  # the run's order of models
    assert table.loc[("b", "tikz"), "items"] == 3
    assert table.loc[("b", "tikz"), "layers (lowest, median, highest)"] == "1, 1, 4"


def test_exposure_effects_give_the_behaviour_share_difference_and_what_it_could_detect():
    difference = {
        "group": "co-occurring − separated",
        **{f"rank accuracy{s}": v for s, v in (("", 0.02), (" low", -0.02), (" high", 0.06))},
        "rank accuracy se": 0.02,
        **{f"log ratio{s}": v for s, v in (("", 0.1), (" low", 0.0), (" high", 0.2))},
        **{f"co-occurrence{s}": v for s, v in (("", 0.071), (" low", -0.018), (" high", 0.16))},
        "co-occurrence se": 0.045,
        "n": 80,
    }
    text = readings.exposure_effects("m", pd.DataFrame([difference]), chance=0.1)
    assert "log ratio difference +0.100 [0.000, +0.200]" in text
    assert (
        "co-occurrence behaviour, the claim's own test here, differs by +0.071 [-0.018, +0.160]"
        in text
    )
    assert "no difference is detectable (the design would have detected one of 0.126)" in text


def test_the_pivot_set_is_read_against_the_most_frequent_admissible_words():
    counts = {"eau": 50, "feu": 40, "sel": 30, "roi": 20, "lac": 10}
    degree = {"feu": 2.0, "sel": 3.0, "lac": 1.0}
    text = readings.set_frequency_line(["sel", "feu", "lac"], degree, counts, "ppmi")
    assert text.startswith("Weighted degree (ppmi edges) against frequency: 2 of the set's 3 ")
    assert "correlation of 0.50." in text  # ranks (3, 2, 1) against (2, 3, 1)
    assert "not in the set, the most frequent are eau (50); in the set" in text
    assert "those of highest degree are lac (10) (each with its occurrences" in text
    every = readings.set_frequency_line(["eau", "feu"], degree | {"eau": 1.0}, counts, "count")
    assert "2 of the set's 2 words (100%)" in every and "most frequent are none;" in every
    assert readings.set_frequency_line([], {}, counts, "ppmi") == "The pivot set is empty."
    flat = readings.set_frequency_line(["roi", "lac"], {"roi": 1.0, "lac": 1.0}, counts, "ppmi")
    assert "do not both vary, so they have no rank correlation" in flat


def test_a_reading_of_one_lens_refuses_the_rows_of_two():
    pivots = pd.DataFrame(
        {"model": "m", "item": ["a", "b", "c", "d"], "label": "semantic pivot",
         "peak token": "chat", "peak layer": [1, 2, 5, 7]}
    )  # fmt: skip
    both = tracing.artefact_shares(
        tracing.by_lens({"logit": pivots, "tuned": pivots}), {"m": 8}, ("model", "lens")
    )
    with pytest.raises(ValueError, match="one row per model, got several for m"):
        readings.early_peaks(pivots, both)


def test_a_rate_never_seen_is_bounded_above_rounded_up():
    peaks = pd.DataFrame(
        {"model": ["m"], "n": [57], "on pivot": [0.0], "on control": [0.0], "difference": [0.0],
         "difference low": [0.0], "difference high": [0.0]}
    )  # fmt: skip
    text = tables.peak_reading(peaks)
    assert "0 peak on a pivot token" in text and "at most 6.4 % (the 95 % Wilson bound" in text
