"""Means and statistics with 95 % bootstrap intervals, resampling clusters.

The same concept appears in every ordered pair, so rows of different pairs are not independent:
intervals resample concepts (a cluster bootstrap: every row of a drawn concept comes along, in
every pair), not rows. With one row per cluster this is the ordinary bootstrap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

N_BOOT = 2000
LEVEL = 0.95
# the fewest clusters an interval is given for: resamples of fewer are too coarse to mean
# anything (of one cluster, every resample is the sample, and the interval has no width)
MIN_CLUSTERS = 5


def cluster_draws(clusters, n_boot: int = N_BOOT, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Resample whole clusters with replacement.

    ([n_boot, clusters] how often each cluster is
    drawn, each row's cluster index). ``draws[:, codes]`` weighs rows: a row is drawn as often
    as its cluster, in every pair at once.
    """
    codes, uniques = pd.factorize(pd.Series(list(clusters)), sort=True)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(uniques), size=(n_boot, len(uniques)))
    draws = np.zeros((n_boot, len(uniques)))
    np.add.at(draws, (np.arange(n_boot)[:, None], picks), 1)
    return draws, codes


def interval(samples: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    tail = (1 - level) / 2
    samples = samples[~np.isnan(samples)]
    if len(samples) == 0:
        return np.nan, np.nan
    return float(np.quantile(samples, tail)), float(np.quantile(samples, 1 - tail))


def bootstrap_p(samples: np.ndarray, null: float) -> float:
    """Two-sided bootstrap p-value of ``null``: twice the smaller share of samples on its sides.

    The inversion of the percentile interval (p < 5 % where the 95 % interval leaves ``null``
    out), and at least one sample's share: no p is 0 from a finite number of samples.
    """
    samples = samples[~np.isnan(samples)]
    if len(samples) == 0:
        return np.nan
    side = min((samples <= null).sum(), (samples >= null).sum())
    return float(min(1.0, max(2 * side, 1) / len(samples)))


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (NaN stays NaN and counts for nothing)."""
    order = sorted((p, i) for i, p in enumerate(pvalues) if not np.isnan(p))
    adjusted = [np.nan] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p))
        adjusted[i] = running
    return adjusted


def minimum_detectable(se: float, df: float, power: float = 0.8, level: float = LEVEL) -> float:
    """The smallest true difference a two-sided test at ``level`` detects with ``power``."""
    from scipy import stats as scipy_stats

    if not se > 0:
        return np.nan
    t = scipy_stats.t
    return float((t.ppf(0.5 + level / 2, df) + t.ppf(power, df)) * se)


def detectable(low: float, high: float, power: float = 0.8) -> float:
    """The smallest true effect a two-sided test at the interval's level detects with ``power``.

    :func:`minimum_detectable` with the standard error of a ``LEVEL`` interval [low, high]
    under a normal approximation (infinite degrees of freedom).
    """
    from scipy.stats import norm

    se = (high - low) / (2 * norm.ppf(0.5 + LEVEL / 2))
    return minimum_detectable(se, np.inf, power)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n (95 % by default)."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_ci(values, clusters=None, n_boot: int = N_BOOT, seed: int = 0, share: bool = False):
    """Mean and percentile interval, resampling clusters.

    (mean, low, high): percentile interval of the mean, resampling ``clusters`` (one per
    value; each value its own cluster when None); no interval (NaN) from fewer than
    :data:`MIN_CLUSTERS` clusters. ``share``: the values are 0 or 1 (a share); one that is 0 in
    every row, or 1, leaves resampling nothing to vary (its percentile interval has no width),
    so it gets the Wilson interval of as many draws as there are clusters, which holds a rate
    the sample was too small to see.
    """
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return (np.nan, np.nan, np.nan)
    clusters = range(len(x)) if clusters is None else list(clusters)
    n = len(set(clusters))
    if n < MIN_CLUSTERS:
        return (float(x.mean()), np.nan, np.nan)
    if share and ((x == 0).all() or (x == 1).all()):
        return (float(x[0]), *wilson(n if x[0] else 0, n))
    draws, codes = cluster_draws(clusters, n_boot, seed)
    # the mean of a resample from per-cluster sums and sizes, never a [n_boot, rows] matrix
    sums, sizes = np.bincount(codes, weights=x), np.bincount(codes)
    means = (draws @ sums) / (draws @ sizes)
    return (float(x.mean()), *interval(means))


def summarise(
    frame: pd.DataFrame,
    by: list[str],
    columns: list[str],
    cluster: str | None,
    seed: int = 0,
    shares: Iterable[str] = (),
):
    """Mean, 95 % interval and n per group and column.

    Per group and column: mean, 95 % interval resampling ``cluster`` (a column naming each
    row's concept; None: rows) and n. ``shares``: the columns of 0 and 1 (``bootstrap_ci``).
    """
    shares = set(shares)
    rows = []
    for key, group in frame.groupby(by, sort=False):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row["n"] = len(group)
        clusters = None if cluster is None else group[cluster]
        for col in columns:
            row[col], row[f"{col} low"], row[f"{col} high"] = bootstrap_ci(
                group[col], clusters, seed=seed, share=col in shares
            )
        rows.append(row)
    return pd.DataFrame(rows)


def weighted_auc(labels: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted AUC of ``x`` for the positive rows against the negative ones.

    AUC of ``x`` for the positive rows (``labels`` True) against the negative ones, ties
    counted 1/2, under each row of row weights ``w`` [n_boot, rows]; NaN where a class has no
    weight. With weights of one it is the Mann-Whitney AUC.
    """
    pos, neg = x[labels], x[~labels]
    wins = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    wp, wn = w[:, labels], w[:, ~labels]
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((wp @ wins) * wn).sum(1) / (wp.sum(1) * wn.sum(1))


def weighted_pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Pearson r of x and y under each row of row weights ``w`` [n_boot, rows]."""
    # a resample may draw no row (NaN), or rows with one x value only (NaN): both are dropped
    with np.errstate(invalid="ignore", divide="ignore"):
        total = w.sum(1, keepdims=True)
        mx, my = (w @ x)[:, None] / total, (w @ y)[:, None] / total
        dx, dy = x[None, :] - mx, y[None, :] - my
        return (w * dx * dy).sum(1) / np.sqrt((w * dx**2).sum(1) * (w * dy**2).sum(1))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def rounded(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant digits (0.09996 is 0.100); NaN stays NaN."""
    return float(f"{value:.{digits - 1}e}")


def significant(value: float, digits: int = 3) -> str:
    """``digits`` significant digits, never in e-notation; a dash for a missing value.

    A larger number keeps all its integer digits; one below 10⁻⁴ is written as a power of
    ten ("1.23×10⁻⁵"), where decimals would hold a long run of zeros.
    """
    if value is None or np.isnan(value):
        return "–"
    if np.isinf(value):
        return "∞" if value > 0 else "-∞"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:.0f}"
    near = rounded(value, digits)
    if near and abs(near) < 1e-4:
        mantissa, exponent = f"{near:.{digits - 1}e}".split("e")
        return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    magnitude = int(np.floor(np.log10(abs(near)))) if near else 0
    return _unsigned_zero(f"{near:.{max(0, digits - 1 - magnitude)}f}")


def interval_text(
    value: float,
    low: float,
    high: float,
    digits: int = 3,
    signed: bool = False,
    decimals: int | None = None,
) -> str:
    """'value [low, high]' in one style: ``digits`` significant digits of the largest of them.

    All three are powers of ten where the largest is below 10⁻⁴ (as :func:`significant`);
    otherwise all are decimals, with those that give the largest ``digits`` significant digits,
    so a bound is never a power of ten beside decimals ("0.000271 [0.000026, 0.000537]"). A
    number that is not zero is never written as zero: it gets the decimals its first digit needs
    ("0.500 [0.00002, 0.900]"), since a verdict may rest on its sign. ``decimals``: that many
    decimals instead, for a measure read on a fixed scale (a correlation, an AUC), with the same
    care for a number that is not zero. ``signed``: a plus sign before each positive number.
    '(no interval)' where a bound is missing or infinite.
    """
    values = [v for v in (value, low, high) if v is not None and np.isfinite(v)]
    big = rounded(max((abs(v) for v in values), default=0.0), digits)
    powers = decimals is None and bool(big) and big < 1e-4
    magnitude = int(np.floor(np.log10(big))) if big else 0
    common = digits - 1 - magnitude if decimals is None else decimals

    def number(v: float) -> str:
        if v is None or not np.isfinite(v):
            return significant(v, digits)  # a dash or an infinity
        if v == 0:
            return "0" if powers else fixed(0.0, max(0, common))
        if powers:
            text = significant(v, digits)
        else:
            first = -int(np.floor(np.log10(abs(rounded(v, 1)))))  # the decimal of its first digit
            text = fixed(v, max(0, common, first))
        return f"+{text}" if signed and v > 0 else text

    if not all(b is not None and np.isfinite(b) for b in (low, high)):
        return f"{number(value)} (no interval)"
    return f"{number(value)} [{number(low)}, {number(high)}]"


def row_interval(
    row, column: str, digits: int = 3, signed: bool = False, decimals: int | None = None
) -> str:
    """``row``'s ``column`` and its interval, as :func:`interval_text` writes them.

    The interval's bounds are the row's "``column`` low" and "``column`` high".
    """
    low, high = row[f"{column} low"], row[f"{column} high"]
    return interval_text(row[column], low, high, digits, signed, decimals)


def fixed(value: float, digits: int) -> str:
    """``digits`` decimals; a number written as zero carries no sign ("0.00", not "-0.00")."""
    return _unsigned_zero(f"{value:.{digits}f}")


def _unsigned_zero(text: str) -> str:
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def with_interval(
    summary: pd.DataFrame, column: str, digits: int = 3, style: str = "f"
) -> pd.Series:
    """'mean [low, high]' strings for a table ('mean (no interval)' where there is none).

    ``style``: "f", ``digits`` decimals; "s", ``digits`` significant digits (for values too
    small to show with a fixed number of decimals). Either way a number that is not zero keeps
    its first digit (:func:`interval_text`).
    """
    if style not in ("f", "s"):
        raise ValueError(f"style {style!r}: expected 'f' or 's'")

    places = digits if style == "f" else None
    return summary.apply(lambda r: row_interval(r, column, digits, decimals=places), axis=1)
