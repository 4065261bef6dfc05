"""Means with 95 % bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd


def bootstrap_ci(values, n_boot: int = 2000, level: float = 0.95, seed: int = 0):
    """(mean, low, high): percentile interval of the mean over ``n_boot`` resamples."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    tail = (1 - level) / 2
    return (float(x.mean()), float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail)))


def summarise(frame: pd.DataFrame, by: list[str], columns: list[str], seed: int = 0):
    """Per group and column: mean, 95 % interval and n."""
    rows = []
    for key, group in frame.groupby(by, sort=False):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row["n"] = len(group)
        for col in columns:
            row[col], row[f"{col} low"], row[f"{col} high"] = bootstrap_ci(group[col], seed=seed)
        rows.append(row)
    return pd.DataFrame(rows)


def with_interval(summary: pd.DataFrame, column: str, digits: int = 3) -> pd.Series:
    """'mean [low, high]' strings for a table."""
    return summary.apply(
        lambda r: (
            f"{r[column]:.{digits}f} [{r[f'{column} low']:.{digits}f}, "
            f"{r[f'{column} high']:.{digits}f}]"
        ),
        axis=1,
    )
