"""Pivot-aware data: what continued pre-training gains, arm against arm.

Each arm continues one checkpoint with several seeds; an item's gain is its measure after
continuing minus its measure at the start checkpoint. Differences between arms (the pivot-aware
selection against the original mixture, say) are means over seeds and items, and their 95 %
intervals come from a two-level bootstrap: seeds are resampled within each arm, independently,
and concepts are resampled once for both arms (every row of a drawn concept comes along, in
every pair), so the interval reflects both training noise and which words happen to be tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from semantic_pivots.stats import LEVEL, N_BOOT, cluster_draws, interval

MEASURES = ("score", "rank accuracy", "log ratio")
KEYS = ["pair", "item"]


def gains(start: pd.DataFrame, after: pd.DataFrame, measures=MEASURES) -> pd.DataFrame:
    """``after`` with each measure's gain over ``start``, as columns named ``{measure} gain``.

    ``after``: rows of arm, seed, pair, item and measures; ``start``: pair, item and measures.
    """
    merged = after.merge(start[[*KEYS, *measures]], on=KEYS, suffixes=("", " at start"))
    for m in measures:
        merged[f"{m} gain"] = merged[m] - merged[f"{m} at start"]
    return merged


def _grid(frame: pd.DataFrame, column: str, items: list) -> np.ndarray:
    """[seeds, rows] of ``column`` for one arm, rows in the order of ``items`` (pair, item)."""
    table = frame.pivot_table(index="seed", columns=KEYS, values=column, aggfunc="mean")
    return table.reindex(columns=pd.MultiIndex.from_tuples(items, names=KEYS)).to_numpy()


def difference(
    frame: pd.DataFrame,
    first: str,
    second: str | None,
    column: str,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = LEVEL,
) -> tuple[float, float, float]:
    """Mean of ``column`` in arm ``first`` minus in arm ``second`` (None: minus zero).

    (difference, low, high), over the rows both arms have; the interval resamples each arm's
    seeds and the concepts (item ids shared by both arms).
    """
    arms = [first] if second is None else [first, second]
    sub = frame[frame["arm"].isin(arms)]
    items = sorted(
        set.intersection(*(set(map(tuple, g[KEYS].values)) for _, g in sub.groupby("arm")))
    )
    if not items:
        return (np.nan, np.nan, np.nan)
    grids = [_grid(sub[sub["arm"] == a], column, items) for a in arms]
    draws, codes = cluster_draws([item for _, item in items], n_boot, seed)
    weights = draws[:, codes]  # [boot, rows]: how often each row's concept is drawn
    rng = np.random.default_rng(seed + 1)

    def resampled(grid: np.ndarray) -> np.ndarray:
        picks = rng.integers(0, grid.shape[0], size=(n_boot, grid.shape[0]))
        per_row = grid[picks].mean(axis=1)  # [boot, rows]: the mean over resampled seeds
        return (per_row * weights).sum(axis=1) / weights.sum(axis=1)

    point = float(np.nanmean(grids[0]) - (np.nanmean(grids[1]) if second else 0.0))
    boots = resampled(grids[0]) - (resampled(grids[1]) if second else 0.0)
    return (point, *interval(boots, level))


def verdict(low: float, high: float) -> str:
    """What an interval of a gain says: gain, loss, or no detectable gain."""
    if np.isnan(low) or np.isnan(high):
        return "not measured"
    if low > 0:
        return "gain"
    if high < 0:
        return "loss"
    return "no detectable gain"


def _scopes(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """All pairs together, then each pair."""
    return [("all pairs", frame), *((p, g) for p, g in frame.groupby("pair", sort=False))]


def comparisons(frame: pd.DataFrame, contrasts, measures=MEASURES, seed: int = 0) -> pd.DataFrame:
    """Every contrast per pair and overall, per measure: the difference with its verdict.

    ``contrasts``: (name, first arm, second arm or None) each; the difference of mean gains, its
    interval (:func:`difference`) and what that says.
    """
    rows = []
    for name, first, second in contrasts:
        if first not in set(frame["arm"]) or (second and second not in set(frame["arm"])):
            continue
        for scope, sub in _scopes(frame):
            for m in measures:
                d, low, high = difference(sub, first, second, f"{m} gain", seed=seed)
                rows.append(
                    {
                        "contrast": name,
                        "pair": scope,
                        "measure": m,
                        "difference": d,
                        "difference low": low,
                        "difference high": high,
                        "verdict": verdict(low, high),
                    }
                )
    return pd.DataFrame(rows)


CONTRASTS = [
    ("pivot − original", "pivot", "original"),
    ("multilingual − original", "multilingual", "original"),
    ("pivot − random", "pivot", "random"),
    ("original (gain over the start)", "original", None),
    ("pivot (gain over the start)", "pivot", None),
]


def arm_gains(frame: pd.DataFrame, measures=MEASURES, seed: int = 0) -> pd.DataFrame:
    """Each arm's mean gain over the start per pair and overall, with two-level intervals."""
    rows = []
    for arm in dict.fromkeys(frame["arm"]):
        for scope, sub in _scopes(frame):
            row = {"arm": arm, "pair": scope}
            for m in measures:
                d, low, high = difference(sub, arm, None, f"{m} gain", seed=seed)
                row.update({m: d, f"{m} low": low, f"{m} high": high})
            rows.append(row)
    return pd.DataFrame(rows)


def label_shares(labels: pd.DataFrame) -> pd.DataFrame:
    """The share of each behaviour per arm (start included), over seeds, pairs and items."""
    shares = pd.crosstab(labels["arm"], labels["label"], normalize="index")
    order = list(dict.fromkeys(labels["arm"]))
    return shares.reindex(order).reset_index()
