"""Pivot-aware data: what continued pre-training gains, arm against arm.

Each arm continues one checkpoint with several seeds; an item's gain is its measure after
continuing minus its measure at the start checkpoint. A difference between arms (the pivot-aware
selection against the random one, say) is a mean over seeds and items. Its variance has two
parts: the training noise, from the spread of each arm's per-seed means (Welch), and which words
happen to be tested, from resampling concepts (every row of a drawn concept comes along, in
every pair) less the item-by-seed noise that the per-seed means already hold. Intervals and
p-values take the t distribution with Welch-Satterthwaite degrees of freedom (the concept part
counted as having many); with one seed an arm's training noise is unknown and nothing is
concluded.

One contrast on one measure is primary (the profile's ``continuation.primary`` measure, the
pivot arm against the random one, over all pairs), and one is the design's check (the parallel
arm against the random one: a positive control); every other difference is secondary and its
verdict is Holm-corrected over all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from semantic_pivots.stats import LEVEL, N_BOOT, cluster_draws, holm

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


@dataclass(frozen=True)
class Difference:
    """A difference of mean gains with its t-based interval (``level``) and p-value."""

    value: float
    low: float
    high: float
    se: float
    df: float
    p: float


NOT_MEASURED = Difference(*[np.nan] * 6)


def difference(
    frame: pd.DataFrame,
    first: str,
    second: str | None,
    column: str,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = LEVEL,
) -> Difference:
    """Mean of ``column`` in arm ``first`` minus in arm ``second`` (None: minus zero).

    Over the rows both arms have: seed noise from each arm's per-seed means (Welch), concept
    noise from resampling the concepts of the seed-averaged row differences, less each arm's
    item-by-seed mean square over seeds × rows, which both parts would otherwise count.
    """
    from scipy import stats as scipy_stats

    arms = [first] if second is None else [first, second]
    sub = frame[frame["arm"].isin(arms)]
    items = sorted(
        set.intersection(*(set(map(tuple, g[KEYS].values)) for _, g in sub.groupby("arm")))
    )
    if not items:
        return NOT_MEASURED
    grids = [_grid(sub[sub["arm"] == a], column, items) for a in arms]
    if any(g.shape[0] < 2 for g in grids):
        return NOT_MEASURED  # one seed: its training noise is unknown
    per_seed = [np.nanmean(g, axis=1) for g in grids]  # each seed's mean over the items
    seed_vars = [m.var(ddof=1) / len(m) for m in per_seed]
    rows = np.nanmean(grids[0], axis=0) - (np.nanmean(grids[1], axis=0) if second else 0.0)
    draws, codes = cluster_draws([item for _, item in items], n_boot, seed)
    weights = draws[:, codes]  # [boot, rows]: how often each row's concept is drawn
    boot_var = float(np.var((weights * rows).sum(axis=1) / weights.sum(axis=1), ddof=1))
    concept_var = max(0.0, boot_var - sum(interaction(g) / g.size for g in grids))
    value = float(per_seed[0].mean() - (per_seed[1].mean() if second else 0.0))
    se = math.sqrt(sum(seed_vars) + concept_var)
    # Welch-Satterthwaite over the seed parts; the concept part has many degrees of freedom
    # (and so has a difference whose seeds all agree)
    spread = sum(v**2 / (len(m) - 1) for v, m in zip(seed_vars, per_seed, strict=True))
    df = (sum(seed_vars) + concept_var) ** 2 / spread if spread > 0 else math.inf
    if not se > 0:
        return Difference(value, np.nan, np.nan, se, float(df), np.nan)
    half = float(scipy_stats.t.ppf(0.5 + level / 2, df)) * se
    p = float(2 * scipy_stats.t.sf(abs(value) / se, df))
    return Difference(value, value - half, value + half, se, float(df), p)


def interaction(grid: np.ndarray) -> float:
    """The seed-by-row interaction mean square of a [seeds, rows] grid (its residual noise)."""
    residual = (
        grid
        - np.nanmean(grid, axis=1, keepdims=True)
        - np.nanmean(grid, axis=0, keepdims=True)
        + np.nanmean(grid)
    )
    seeds, rows = grid.shape
    return float(np.nansum(residual**2) / max(1, (seeds - 1) * (rows - 1)))


def verdict(value: float, p: float, alpha: float = 1 - LEVEL) -> str:
    """What a difference says at ``alpha``: gain, loss, or no detectable gain."""
    if np.isnan(p):
        return "not measured"
    if p < alpha:
        return "gain" if value > 0 else "loss"
    return "no detectable gain"


def _scopes(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """All pairs together, then each pair."""
    return [("all pairs", frame), *((p, g) for p, g in frame.groupby("pair", sort=False))]


def comparisons(
    frame: pd.DataFrame, contrasts, primary: str, measures=MEASURES, seed: int = 0
) -> pd.DataFrame:
    """Every contrast per pair and overall, per measure: the difference and its verdict.

    ``contrasts``: (name, first arm, second arm or None) each. The first is primary and the
    second the design's check (a positive control), both on the ``primary`` measure over all
    pairs, their verdicts uncorrected; every other row's is Holm-corrected over all of them
    (column ``p (Holm)``).
    """
    rows = []
    present = set(frame["arm"])
    for name, first, second in contrasts:
        if first not in present or (second and second not in present):
            continue
        for scope, sub in _scopes(frame):
            for m in measures:
                d = difference(sub, first, second, f"{m} gain", seed=seed)
                rows.append(
                    {
                        "contrast": name,
                        "pair": scope,
                        "measure": m,
                        "difference": d.value,
                        "difference low": d.low,
                        "difference high": d.high,
                        "se": d.se,
                        "df": d.df,
                        "p": d.p,
                        "primary": (name, scope, m) == (contrasts[0][0], "all pairs", primary),
                        "check": (name, scope, m) == (contrasts[1][0], "all pairs", primary),
                    }
                )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    secondary = ~(table["primary"] | table["check"])
    table["p (Holm)"] = table["p"]
    table.loc[secondary, "p (Holm)"] = holm(table.loc[secondary, "p"].tolist())
    table["verdict"] = [
        verdict(v, p) for v, p in zip(table["difference"], table["p (Holm)"], strict=True)
    ]
    return table


CONTRASTS = [
    ("pivot − random", "pivot", "random"),  # primary
    ("parallel − random", "parallel", "random"),  # the check: a positive control
    ("pivot − original", "pivot", "original"),
    ("multilingual − original", "multilingual", "original"),
    ("original (gain over the start)", "original", None),
    ("pivot (gain over the start)", "pivot", None),
    ("parallel (gain over the start)", "parallel", None),
]


def arm_gains(frame: pd.DataFrame, measures=MEASURES, seed: int = 0) -> pd.DataFrame:
    """Each arm's mean gain over the start per pair and overall, with t-based intervals."""
    rows = []
    for arm in dict.fromkeys(frame["arm"]):
        for scope, sub in _scopes(frame):
            row = {"arm": arm, "pair": scope}
            for m in measures:
                d = difference(sub, arm, None, f"{m} gain", seed=seed)
                row.update({m: d.value, f"{m} low": d.low, f"{m} high": d.high})
            rows.append(row)
    return pd.DataFrame(rows)


def label_shares(labels: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The share of each behaviour per arm (start included), over seeds, pairs and items.

    With 95 % intervals resampling concepts (an item brings its rows of every seed and pair);
    ``n``: the rows (item, pair and seed) of the arm.
    """
    from semantic_pivots.stats import summarise

    names = list(dict.fromkeys(labels["label"]))
    flags = labels.assign(**{name: (labels["label"] == name).astype(float) for name in names})
    return summarise(flags, ["arm"], names, "item", seed, shares=names)
