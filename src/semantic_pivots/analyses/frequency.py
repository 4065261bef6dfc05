"""Corpus frequency against behaviour (book/method.md).

Per-item x values from counts,
AUC with the co-occurrence behaviour as the positive class, ROC curves, and Pearson r against
the CLWTD item score.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from semantic_pivots.data.counts import Counts
from semantic_pivots.errors import UserError


def _log1p(value) -> float:
    return np.nan if value is None else math.log1p(value)


def pmi(c: dict, n: int | None) -> float:
    """Pointwise mutual information of w and y.

    From unit counts where the backend has them
    (log(c_wy N / (c_w c_y)) over units), else from occurrences and window counts without the
    constant log N. Undefined (NaN) for a pair never seen together: smoothing would give unseen
    rare words the largest values.
    """
    if n and c["wy units"] is not None:
        joint, a, b, total = c["wy units"], c["w units"], c["y units"], n
    else:
        joint, a, b, total = c["wy"], c["w"], c["y"], 1
    if joint is None or a is None or b is None or joint == 0:
        return np.nan
    return math.log(joint * total / (a * b))


# Each x is a function of an item's counts (c) and the number of units (n); +1 keeps words never
# seen finite in the log counts. config.XS names them for the settings (a test holds the two
# to the same names and order).
XS = {
    "log count(target)": lambda c, n: _log1p(c["y"]),
    "log count(source)": lambda c, n: _log1p(c["w"]),
    "log co-occurrence": lambda c, n: _log1p(c["wy"]),
    "PMI": pmi,
    # the authors' counts: documents (units) that hold the word, or both words
    "log documents(target)": lambda c, n: _log1p(c["y units"]),
    "log documents(source)": lambda c, n: _log1p(c["w units"]),
    "log documents together": lambda c, n: _log1p(c["wy units"]),
}
POSITIVE = "co-occurrence"
NEGATIVE = "semantic pivot"


def features(counts: Counts, rows: pd.DataFrame, xs: list[str], cooccurrence: str) -> pd.DataFrame:
    """Add the counts and each x to the item rows.

    ``rows`` (pair, source, target, ...) with the counts and each x added; an x whose counts
    the backend lacks is NaN. ``cooccurrence`` (``windows`` or ``units``) is the pair count of
    the log co-occurrence.
    """
    unknown = [x for x in xs if x not in XS]
    if unknown:
        raise UserError(f"unknown x definition(s) {unknown}: expected some of {list(XS)}")
    n = counts.totals.get("units")
    out = []
    for r in rows.itertuples(index=False):
        src, tgt = r.pair.split("-")
        c = {
            "w": counts.word(src, r.source),
            "y": counts.word(tgt, r.target),
            "wy": counts.pair(src, r.source, tgt, r.target, cooccurrence),
            "w units": counts.word(src, r.source, "units"),
            "y units": counts.word(tgt, r.target, "units"),
            "wy units": counts.pair(src, r.source, tgt, r.target, "units"),
        }
        values = {
            "count(source)": c["w"],
            "count(target)": c["y"],
            "co-occurrence": c["wy"],
            "documents together": c["wy units"],
        }
        values.update({x: XS[x](c, n) for x in xs})
        out.append(values)
    return pd.concat([rows.reset_index(drop=True), pd.DataFrame(out)], axis=1)


def auc(labels: pd.Series, x: pd.Series) -> float:
    """AUC of x for co-occurrence against pivot items.

    P(x of a co-occurrence item > x of a pivot item), ties counted 1/2; NaN unless both
    behaviours and x are present.
    """
    from sklearn.metrics import roc_auc_score

    keep = labels.isin([POSITIVE, NEGATIVE]) & x.notna()
    y = (labels[keep] == POSITIVE).astype(int)
    if y.nunique() < 2:
        return np.nan
    return float(roc_auc_score(y, x[keep]))


def auc_table(frame: pd.DataFrame, xs: list[str], min_per_class: int = 3) -> pd.DataFrame:
    """AUC per model, ordered pair and x.

    AUC per model, ordered pair and x, with the number of items of each behaviour that have
    the x; NaN where either behaviour has fewer than ``min_per_class`` such items (an AUC of
    one item against two says nothing).
    """
    rows = []
    for (model, pair), g in frame.groupby(["model", "pair"], sort=False):
        for x in xs:
            has = g[x].notna()
            n_pos = int((has & (g.label == POSITIVE)).sum())
            n_neg = int((has & (g.label == NEGATIVE)).sum())
            enough = min(n_pos, n_neg) >= min_per_class
            rows.append(
                {
                    "model": model,
                    "pair": pair,
                    "x": x,
                    "co-occurrence items": n_pos,
                    "pivot items": n_neg,
                    "AUC": auc(g.label, g[x]) if enough else np.nan,
                }
            )
    return pd.DataFrame(rows)


def roc(frame: pd.DataFrame, x: str) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) over the items of ``frame`` with a behaviour."""
    from sklearn.metrics import roc_curve

    keep = frame.label.isin([POSITIVE, NEGATIVE]) & frame[x].notna()
    fpr, tpr, _ = roc_curve((frame.label[keep] == POSITIVE).astype(int), frame[x][keep])
    return fpr, tpr


def pearson(x: pd.Series, y: pd.Series) -> tuple[float, float, int]:
    """(r, two-sided p, n) over the rows where both are present; NaN when x is constant."""
    from scipy.stats import pearsonr

    keep = x.notna() & y.notna()
    if keep.sum() < 3 or x[keep].nunique() < 2:
        return np.nan, np.nan, int(keep.sum())
    r, p = pearsonr(x[keep], y[keep])
    return float(r), float(p), int(keep.sum())


def _pair_statistic(frame: pd.DataFrame, xs: list[str], statistic, seed: int) -> dict:
    """Compute a per-pair statistic and its cluster-bootstrap samples.

    Per model and x: {pair: (point value, [n_boot] values under a cluster bootstrap over
    concepts)}, with one set of concept draws per model shared by all its pairs, so that a
    concept drawn twice counts twice in every pair. ``statistic(sub, x, weights)`` returns
    (point, samples) for one pair's rows.
    """
    from semantic_pivots.stats import cluster_draws

    out = {}
    for model, g in frame.groupby("model", sort=False):
        draws, codes = cluster_draws(g["item"], seed=seed)
        g = g.assign(_code=codes)
        for x in xs:
            out[model, x] = {
                pair: statistic(sub, x, draws[:, sub["_code"].to_numpy()])
                for pair, sub in g.groupby("pair", sort=False)
            }
    return out


PRIMARY_X = "log co-occurrence"  # the paper's claim: its AUC is the chapter's primary test


def _verdicts(
    rows: list[dict], column: str, chance: float, min_pairs: int, against: str = "chance"
) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    few = out.pairs < min_pairs
    out.loc[few, [f"{column} low", f"{column} high", "p"]] = np.nan  # not judged, not tested
    out["verdict"] = np.select(
        [few, out[f"{column} low"] > chance, out[f"{column} high"] < chance],
        [f"too few pairs (< {min_pairs}) to judge", f"above {against}", f"below {against}"],
        f"not distinguishable from {against}",
    )
    return out


def _mean_over_pairs(per_pair: dict, column: str, null: float) -> dict:
    from semantic_pivots.stats import bootstrap_p, interval

    kept = {p: v for p, v in per_pair.items() if not np.isnan(v[0])}
    if not kept:
        empty = {column: np.nan, f"{column} low": np.nan, f"{column} high": np.nan}
        return {**empty, "pairs": 0, "p": np.nan}
    # a resample that leaves some pair without one behaviour has no mean over the same pairs:
    # it is dropped (NaN), not averaged over the pairs that remain
    samples = np.mean(np.stack([v[1] for v in kept.values()]), axis=0)
    low, high = interval(samples)
    point = float(np.mean([v[0] for v in kept.values()]))
    return {
        column: point,
        f"{column} low": low,
        f"{column} high": high,
        "pairs": len(kept),
        "p": bootstrap_p(samples, null),
    }


def summary(
    frame: pd.DataFrame, xs: list[str], min_per_class: int = 3, min_pairs: int = 2, seed: int = 0
) -> pd.DataFrame:
    """Mean AUC over pairs per model and x, with an interval and a verdict.

    Mean AUC over pairs per model and x, with a 95 % interval from a cluster bootstrap over
    concepts (the pairs share them), none from fewer than ``min_pairs`` pairs, and a verdict
    against chance. A pair counts where each behaviour has ``min_per_class`` items with x.
    """
    from semantic_pivots.stats import weighted_auc

    def statistic(sub, x, w):
        keep = (sub.label.isin([POSITIVE, NEGATIVE]) & sub[x].notna()).to_numpy()
        labels = (sub.label == POSITIVE).to_numpy()[keep]
        if min(labels.sum(), (~labels).sum()) < min_per_class:
            return np.nan, None
        values = sub[x].to_numpy(dtype=float)[keep]
        point = weighted_auc(labels, values, np.ones((1, len(values))))[0]
        return point, weighted_auc(labels, values, w[:, keep])

    rows = [
        {"model": m, "x": x, **_mean_over_pairs(per_pair, "AUC", 0.5)}
        for (m, x), per_pair in _pair_statistic(frame, xs, statistic, seed).items()
    ]
    return _verdicts(rows, "AUC", 0.5, min_pairs)


def pearson_summary(
    frame: pd.DataFrame, xs: list[str], y: str = "score", min_pairs: int = 2, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pearson r of each x with y within each pair, and its mean over pairs.

    Pearson r of each x with ``y`` within each ordered pair (pooling pairs would mix
    differences between pairs into r), and per model and x the mean r over pairs with a
    cluster-bootstrap interval over concepts. Returns (per pair, means).
    """
    from semantic_pivots.stats import weighted_pearson

    def statistic(sub, x, w):
        keep = (sub[x].notna() & sub[y].notna()).to_numpy()
        r, _, _ = pearson(sub[x][keep], sub[y][keep])
        if np.isnan(r):
            return np.nan, None
        xv, yv = sub[x].to_numpy(dtype=float)[keep], sub[y].to_numpy(dtype=float)[keep]
        return r, weighted_pearson(xv, yv, w[:, keep])

    stats_ = _pair_statistic(frame, xs, statistic, seed)
    per_pair = pd.DataFrame(
        [
            {"model": m, "x": x, "pair": pair, "r": v[0]}
            for (m, x), pairs in stats_.items()
            for pair, v in pairs.items()
        ]
    )
    means = [{"model": m, "x": x, **_mean_over_pairs(p, "r", 0.0)} for (m, x), p in stats_.items()]
    return per_pair, _verdicts(means, "r", 0.0, min_pairs, against="zero")


def corrected(
    summary: pd.DataFrame, mean_r: pd.DataFrame, primary: str = PRIMARY_X
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`summary` and :func:`pearson_summary`'s means with Holm-corrected verdicts.

    The primary x's mean AUC (the claim the findings page judges) is tested alone at 5 %; every
    other mean AUC and every mean r form one family, their p-values (``p``, from the bootstrap)
    Holm-corrected together (``p (Holm)``). A secondary verdict of *above* or *below* whose
    corrected p is 5 % or more becomes *not distinguishable … after Holm correction*.
    Intervals are not corrected.
    """
    from semantic_pivots.stats import LEVEL, holm

    auc, r = summary.copy(), mean_r.copy()
    alone = (auc["x"] == primary).to_numpy()
    adjusted = holm([*auc.loc[~alone, "p"], *r["p"]])
    auc["p (Holm)"] = auc["p"]
    auc.loc[~alone, "p (Holm)"] = adjusted[: int((~alone).sum())]
    r["p (Holm)"] = adjusted[int((~alone).sum()) :]
    secondary = {"chance": (auc, ~alone), "zero": (r, np.ones(len(r), bool))}
    for against, (table, corrected_rows) in secondary.items():
        decided = table["verdict"].str.startswith(("above", "below"))
        lost = decided & corrected_rows & ~(table["p (Holm)"] < 1 - LEVEL)
        table.loc[lost, "verdict"] = f"not distinguishable from {against} after Holm correction"
    return auc, r


GROUP_MEASURES = ["rank accuracy", "log ratio", "semantic pivot", "co-occurrence"]


def group_effects(
    rows: pd.DataFrame, groups: dict[str, str], seed: int = 0, measures=GROUP_MEASURES
) -> pd.DataFrame:
    """Analysis 3 as an experiment: the measures by exposure group, and their difference.

    ``rows``: scored and traced items (model, pair, item, rank accuracy, log ratio, label;
    no label where ``measures`` has no behaviour); ``groups``: item id -> co-occurring or
    separated. Per model, each group's mean rank
    accuracy, log ratio and share of each behaviour (of the items not excluded) with 95 %
    concept-resampling intervals, and a row ``co-occurring − separated`` whose interval and
    standard error (``{measure} se``) come from resampling each group's concepts independently
    (the groups share no concept).
    """
    from semantic_pivots.stats import (
        LEVEL,
        MIN_CLUSTERS,
        N_BOOT,
        cluster_draws,
        interval,
        summarise,
    )

    frame = rows[rows["item"].isin(groups)].assign(group=lambda f: f["item"].map(groups))
    for label in {"semantic pivot", "co-occurrence"} & set(measures):
        kept = frame["label"] != "excluded"
        frame[label] = np.where(kept, (frame["label"] == label).astype(float), np.nan)
    by = ["model", "group"]
    # each measure over the rows that have it (behaviour shares leave excluded items out)
    means = [
        summarise(frame[frame[m].notna()], by, [m], "item", seed=seed).set_index(by)
        for m in measures
    ]
    n = means[0]["n"]
    joined = pd.concat([m.drop(columns="n") for m in means], axis=1).assign(n=n)
    out = [joined.reset_index()]
    for model, sub in frame.groupby("model", sort=False):
        row: dict = {"model": model, "group": "co-occurring − separated"}
        parts = [sub[sub["group"] == g] for g in ("co-occurring", "separated")]
        row["n"] = int(min(len(p) for p in parts))
        for m in measures:
            have = [part[part[m].notna()] for part in parts]
            row[m] = have[0][m].mean() - have[1][m].mean() if all(map(len, have)) else np.nan
            row[f"{m} low"] = row[f"{m} high"] = row[f"{m} se"] = np.nan
            if min(part["item"].nunique() for part in have) < MIN_CLUSTERS:
                continue  # a group with too few concepts for an interval
            boots = []
            for k, part in enumerate(have):
                draws, codes = cluster_draws(part["item"], N_BOOT, seed + k)
                weights = draws[:, codes]
                boots.append((weights @ part[m].to_numpy()) / weights.sum(axis=1))
            row[f"{m} low"], row[f"{m} high"] = interval(boots[0] - boots[1], LEVEL)
            row[f"{m} se"] = float(np.std(boots[0] - boots[1], ddof=1))
        out.append(pd.DataFrame([row]))
    return pd.concat(out, ignore_index=True)


def achieved_exposure(frame: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """The treatment each group received, from its items' counts (the frequency chapter's features).

    Per model and group: items, mean and median count of the source and target words (counts
    are skewed: a few frequent words move a mean), mean documents that hold both, and the share
    of items whose two words share any document.
    """
    sub = frame[frame["item"].isin(groups)].assign(group=lambda f: f["item"].map(groups))
    return sub.groupby(["model", "group"], sort=False).agg(
        items=("item", "nunique"),
        **{
            "mean count(source)": ("count(source)", "mean"),
            "median count(source)": ("count(source)", "median"),
            "mean count(target)": ("count(target)", "mean"),
            "median count(target)": ("count(target)", "median"),
            "mean documents together": ("documents together", "mean"),
            "share sharing a document": ("documents together", lambda d: float((d > 0).mean())),
        },
    )
