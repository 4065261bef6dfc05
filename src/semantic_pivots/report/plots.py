"""Figures shared by the notebooks, and how a chapter shows them as numbered figures."""

from __future__ import annotations

import importlib.util
import re
import warnings
from functools import cache
from io import BytesIO
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager

from semantic_pivots.models.lens import layer_label
from semantic_pivots.stats import row_interval


def _use_cjk_fallback() -> None:
    """Use Noto Sans CJK for Chinese and Japanese tokens in figures.

    Chinese and Japanese tokens in figures: Noto Sans CJK (a PyPI font package) after the
    default font, so that Latin text keeps its usual look.
    """
    spec = importlib.util.find_spec("noto_cjk_sans_otc")
    if spec is None or spec.submodule_search_locations is None:
        return
    path = Path(spec.submodule_search_locations[0]) / "NotoSansCJK-Regular.ttc"
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams["font.family"] = ["DejaVu Sans", name]


_use_cjk_fallback()
# A glyph no font has is written as its code point (:func:`printable`); should one still reach
# a figure, matplotlib's warning about it would print this machine's paths into the book.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")


@cache
def drawn() -> frozenset[int]:
    """The code points the figures' fonts can draw (the default font, then the CJK one)."""
    from fontTools.ttLib import TTCollection, TTFont

    points: set[int] = set()
    for family in plt.rcParams["font.family"]:
        path = font_manager.findfont(family, fallback_to_default=False)
        font = TTCollection(path).fonts[0] if path.endswith((".ttc", ".otc")) else TTFont(path)
        points |= set(font.getBestCmap())
    return frozenset(points)


SHOWN = {" ": "␣", "\n": "↵", "\t": "⇥", "\ufffd": "‹byte›"}
DPI = 100  # as the notebook's inline figures


def show(name: str, *figures, missing: str = "nothing to show in this run") -> None:
    """Glue ``figures``, stacked top to bottom, as one image named ``name``, and close them.

    The chapter's next Markdown cell places the image as a numbered figure with its caption
    (``{glue:figure}``), so that the text can refer to it by number (``{numref}``). A run with
    nothing to draw glues a line saying ``missing``, so that no caption is left without its
    figure. The image is also the cell's output, for the downloadable notebook; the cell's
    ``remove-output`` tag keeps it off the page, where the figure shows it.
    """
    from IPython.display import Image
    from myst_nb import glue
    from PIL import Image as Picture

    if not figures:
        blank = plt.figure(figsize=(6, 0.5))
        blank.text(0.5, 0.5, missing, ha="center", va="center", color="grey")
        figures = (blank,)
    pictures = []
    for fig in figures:
        buffer = BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
        plt.close(fig)
        buffer.seek(0)
        pictures.append(Picture.open(buffer).convert("RGB"))
    width = max(p.width for p in pictures)
    sheet = Picture.new("RGB", (width, sum(p.height for p in pictures)), "white")
    top = 0
    for picture in pictures:
        sheet.paste(picture, ((width - picture.width) // 2, top))
        top += picture.height
    out = BytesIO()
    sheet.save(out, format="png")
    glue(name, Image(out.getvalue()))


def _legend_outside(fig, ax, title: str | None = None) -> None:
    """``ax``'s legend moved to the figure's right, off the data."""
    handles, labels = ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    if handles:  # centred: clear of a long title above the axes
        fig.legend(handles, labels, title=title, loc="outside right center", fontsize=8)


def printable(token: str, width: int | None = 8, figure: bool = False) -> str:
    """A token as a reader can see it, at most ``width`` characters.

    A blank is ``␣``, a line break ``↵``, a tab ``⇥``, and any other invisible character its
    code point (``‹U+200B›``); an empty token is ``∅``; a token that holds only part of a
    character's bytes (decoded as U+FFFD, one for each run) is ``‹byte›``. In a ``figure``, a
    character the figures' fonts cannot draw is its code point too (a box otherwise; a page's
    text has the browser's fonts).
    """
    token = re.sub("\ufffd+", "\ufffd", token)
    seen = drawn() if figure else None
    shown = "".join(
        SHOWN.get(
            c,
            c if c.isprintable() and (seen is None or ord(c) in seen) else f"‹U+{ord(c):04X}›",
        )
        for c in token
    )
    return (shown or "∅")[:width]


def pair_heatmaps(
    matrices: dict[str, pd.DataFrame],
    title: str,
    vmin: float | None = None,
    vmax: float | None = None,
    fmt: str = ".2f",
    cmap: str = "viridis",
):
    """One annotated source x target heat map per model, side by side.

    One annotated source x target heat map per model, side by side, one colour scale
    (by default from the smallest to the largest value over all the maps).
    """
    values = pd.concat([m.stack() for m in matrices.values()])
    vmin = float(values.min()) if vmin is None else vmin
    vmax = float(values.max()) if vmax is None else vmax
    fig, axes = plt.subplots(
        1, len(matrices), figsize=(4.2 * len(matrices), 3.8), squeeze=False, constrained_layout=True
    )
    for ax, (name, matrix) in zip(axes[0], matrices.items(), strict=True):
        sns.heatmap(
            matrix,
            ax=ax,
            vmin=vmin,
            vmax=vmax,
            annot=True,
            fmt=fmt,
            cmap=cmap,
            cbar=ax is axes[0][-1],
            square=True,
            linewidths=0.5,
        )
        ax.set_title(name)
        ax.set_xlabel("target language")
        ax.set_ylabel("source language")
    fig.suptitle(title)
    return fig


def grouped_bars(frame: pd.DataFrame, x: str, y: str, hue: str, title: str, ylabel: str):
    fig, ax = plt.subplots(figsize=(7, 3.5), constrained_layout=True)
    sns.barplot(frame, x=x, y=y, hue=hue, ax=ax)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    _legend_outside(fig, ax, hue)
    return fig


def distributions(frame: pd.DataFrame, value: str, by: str, hue: str, title: str):
    """Box plots of ``value`` per ``by`` level, one colour per ``hue`` level."""
    fig, ax = plt.subplots(figsize=(9, 3.8), constrained_layout=True)
    sns.boxplot(frame, x=by, y=value, hue=hue, ax=ax, fliersize=2)
    ax.axhline(0, color="grey", lw=0.8, ls="--")
    ax.set_title(title)
    if frame[by].astype(str).str.len().max() > 8:  # long names would run into each other
        ax.tick_params(axis="x", labelrotation=20)
        plt.setp(ax.get_xticklabels(), ha="right")
    _legend_outside(fig, ax, hue)
    return fig


def means_with_intervals(summary: pd.DataFrame, x: str, y: str, hue: str, title: str, ylabel: str):
    """Points joined by lines, with the 95 % interval of each mean as error bars."""
    fig, ax = plt.subplots(figsize=(7, 3.8), constrained_layout=True)
    for name, group in summary.groupby(hue, sort=False):
        ax.errorbar(
            group[x].astype(str),
            group[y],
            yerr=[group[y] - group[f"{y} low"], group[f"{y} high"] - group[y]],
            marker="o",
            capsize=3,
            label=str(name),
        )
    ax.axhline(0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _legend_outside(fig, ax, hue)
    return fig


def trajectories(
    summary: pd.DataFrame,
    x: str,
    measures: dict[str, float | None],
    hue: str,
    title: str,
    xlabel: str = "tokens seen",
):
    """One panel per measure against ``x``, 95 % intervals as bands.

    The x axis is logarithmic past its first positive value, so step 0 keeps its place.
    ``measures`` maps each column to its chance level (a dotted line), or None.
    """
    fig, axes = plt.subplots(
        1, len(measures), figsize=(4.3 * len(measures), 3.4), constrained_layout=True
    )
    positive = summary.loc[summary[x] > 0, x]
    for ax, (col, chance) in zip(np.atleast_1d(axes), measures.items(), strict=True):
        for name, group in summary.groupby(hue, sort=False):
            group = group.sort_values(x)
            ax.plot(group[x], group[col], marker="o", ms=3, label=str(name))
            ax.fill_between(group[x], group[f"{col} low"], group[f"{col} high"], alpha=0.2)
        if chance is not None:
            ax.axhline(chance, color="grey", lw=0.8, ls=":", label="chance")
        if len(positive):
            low, high = float(positive.min()), float(positive.max())
            ax.set_xscale("symlog", linthresh=low, linscale=0.5)
            ax.set_xlim(0, high * 1.5)
            decades = range(int(np.ceil(np.log10(low))), int(np.floor(np.log10(high))) + 1)
            ax.set_xticks([0, *(10.0**k for k in decades)])
        ax.set_xlabel(xlabel)
        ax.set_title(col)
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=8)
    fig.suptitle(title)
    return fig


def lens_grid(grid, title: str):
    """The logit-lens grid of the last positions at every layer.

    Layers (rows, last on top) x last positions, coloured by the top-1 probability and
    annotated with the top-1 token.
    """
    probs = np.array(grid.probs)[::-1]
    labels = [[printable(t, figure=True) for t in row] for row in grid.tokens][::-1]
    n_layers = probs.shape[0]
    fig, ax = plt.subplots(
        figsize=(1.3 * probs.shape[1] + 1.5, 0.32 * n_layers + 1.2), constrained_layout=True
    )
    sns.heatmap(
        probs,
        annot=np.array(labels),
        fmt="",
        cmap="Blues",
        vmin=0,
        vmax=1,
        ax=ax,
        annot_kws={"fontsize": 7},
        cbar_kws={"label": "top-1 probability"},
    )
    ax.set_xticklabels([printable(t, 12, figure=True) for t in grid.inputs], rotation=0)
    ax.set_yticklabels([layer_label(i) for i in range(n_layers)][::-1], rotation=0)
    ax.set_xlabel("input token (the prediction is for the next one)")
    ax.set_ylabel("layer")
    ax.set_title(title)
    return fig


def roc_curves(frame: pd.DataFrame, xs: list[str], by: str = "model"):
    """ROC curves, one panel per ``by`` level, one line per x (AUC in the legend)."""
    from semantic_pivots.analyses import frequency

    groups = list(frame.groupby(by, sort=False))
    # tall enough for a square panel above its legend of one line per x
    fig, axes = plt.subplots(
        1, len(groups), figsize=(4.6 * len(groups), 4.4 + 0.22 * len(xs)), squeeze=False,
        constrained_layout=True,
    )  # fmt: skip
    # one colour per x in every panel, even where a panel lacks an x
    colours = dict(zip(xs, sns.color_palette("tab10", len(xs)), strict=True))
    for ax, (name, g) in zip(axes[0], groups, strict=True):
        for x in xs:
            area = frequency.auc(g.label, g[x])
            if area == area:  # NaN where the x or one behaviour is missing
                fpr, tpr = frequency.roc(g, x)
                ax.plot(fpr, tpr, label=f"{x} ({area:.2f})", color=colours[x])
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        ax.set_title(str(name))
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_aspect("equal")
        if ax.get_legend_handles_labels()[0]:  # below the panel: curves fill every corner
            ax.legend(
                fontsize=9,
                title="x (AUC)",
                title_fontsize=9,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.18),
                frameon=False,
            )
        else:
            ax.text(0.5, 0.1, "too few items of each behaviour", ha="center", fontsize=8)
    return fig


def scatter_grid(
    frame: pd.DataFrame, xs: list[str], y: str, hue: str, means: pd.DataFrame, by: str = "model"
):
    """Scatter ``y`` against each x, per model.

    ``y`` against each x (rows), one column per ``by`` level, titled with the mean Pearson
    r within pairs and its interval (``means``: frequency.pearson_summary's second table).
    Each column has its own y scale: models' scores differ by orders of magnitude. A column
    per model rather than per x, so that the panels stay legible at the page's width.
    """
    means = means.set_index([by, "x"])
    groups = list(frame.groupby(by, sort=False))
    levels = sorted(frame[hue].dropna().unique())  # one colour per level in every panel
    fig, axes = plt.subplots(
        len(xs),
        len(groups),
        figsize=(4 * len(groups), 2.8 * len(xs) + 0.6),
        squeeze=False,
        constrained_layout=True,
        sharey="col",
    )
    for column, (name, g) in zip(axes.T, groups, strict=True):
        for ax, x in zip(column, xs, strict=True):
            sns.scatterplot(g, x=x, y=y, hue=hue, hue_order=levels, ax=ax, s=12, alpha=0.6)
            m = means.loc[(name, x)]
            ax.set_title(
                f"{name}\nmean r within pairs " + row_interval(m, "r", decimals=2),
                fontsize=9,
            )
            handles, labels = ax.get_legend_handles_labels()
            ax.get_legend().remove()
    fig.legend(handles, labels, title=hue, loc="outside lower center", ncol=len(levels))
    return fig


def loss_curve(loss: pd.DataFrame, saved: pd.DataFrame, title: str):
    """Training loss against tokens seen (a rolling mean over 20 steps), checkpoints marked."""
    fig, ax = plt.subplots(figsize=(7, 3.4), constrained_layout=True)
    ax.plot(loss["tokens"], loss["loss"], color="lightgrey", lw=0.8, label="per step")
    smooth = loss["loss"].rolling(20, min_periods=1).mean()
    ax.plot(loss["tokens"], smooth, lw=1.5, label="mean of 20 steps")
    at = saved[saved["tokens"] > 0]
    ax.plot(
        at["tokens"],
        smooth[at["step"].to_numpy() - 1],
        "o",
        color="black",
        ms=4,
        label="checkpoints",
    )
    ax.set_xscale("log")
    ax.set_xlabel("tokens seen")
    ax.set_ylabel("cross-entropy (nats per token)")
    ax.set_title(title)
    _legend_outside(fig, ax)
    return fig


def pivot_curves(summary: pd.DataFrame, title: str):
    """Pivot and control mass by layer, one panel per behaviour, 95 % intervals as bands.

    From layer 1: layer 0 decodes the input token. Log scale, bands cut at a tenth of the
    smallest mean (an interval that reaches zero has no place on it).
    """
    from matplotlib.ticker import MaxNLocator

    summary = summary[summary["layer"] >= 1]
    present = set(summary["label"])
    labels = [x for x in ("semantic pivot", "co-occurrence") if x in present]
    floor = summary.loc[summary["mass"] > 0, "mass"].min() / 10
    fig, axes = plt.subplots(
        1, len(labels), figsize=(4.6 * len(labels), 3.4), sharey=True, constrained_layout=True
    )
    colours = {"pivots": "C3", "control": "C7"}
    for ax, label in zip(np.atleast_1d(axes), labels, strict=True):
        sub = summary[summary["label"] == label]
        for name, group in sub.groupby("set", sort=False):
            group = group.sort_values("layer")
            ax.plot(
                group["layer"],
                group["mass"].clip(lower=floor),
                marker="o",
                ms=3,
                color=colours[name],
                label=f"{name} set",
            )
            ax.fill_between(
                group["layer"],
                group["mass low"].clip(lower=floor),
                group["mass high"].clip(lower=floor),
                color=colours[name],
                alpha=0.2,
            )
        ax.set_title(f"{label} items (n = {int(sub['n'].iloc[0])})")
        ax.set_xlabel("layer")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_yscale("log")
    np.atleast_1d(axes)[0].set_ylabel("probability mass (log scale)")
    _legend_outside(fig, np.atleast_1d(axes)[0])
    fig.suptitle(title)
    return fig


def arm_losses(loss: pd.DataFrame, title: str):
    """Training loss of the continued runs: per arm, the mean over seeds and their range."""
    fig, ax = plt.subplots(figsize=(7, 3.4), constrained_layout=True)
    for i, (arm, group) in enumerate(loss.groupby("arm", sort=False)):
        runs = group.groupby("tokens")["loss"]
        spread = runs.agg(["mean", "min", "max"]).reset_index()
        label = f"{arm} (mean of {group['seed'].nunique()} seeds, band: their range)"
        ax.plot(spread["tokens"], spread["mean"], color=f"C{i}", lw=1.2, label=label)
        ax.fill_between(spread["tokens"], spread["min"], spread["max"], color=f"C{i}", alpha=0.2)
    ax.set_xlabel("tokens of continued training")
    ax.set_ylabel("training loss")
    ax.set_title(title)
    _legend_outside(fig, ax)
    return fig


def arm_gains(summary: pd.DataFrame, measures: list[str], title: str):
    """Each arm's mean gain per pair, with 95 % intervals, one panel per measure."""
    fig, axes = plt.subplots(
        1, len(measures), figsize=(4.3 * len(measures), 3.4), constrained_layout=True
    )
    pairs = list(dict.fromkeys(summary["pair"]))
    arms = list(dict.fromkeys(summary["arm"]))
    width = 0.8 / max(1, len(arms))
    for ax, m in zip(np.atleast_1d(axes), measures, strict=True):
        for i, arm in enumerate(arms):
            sub = summary[summary["arm"] == arm].set_index("pair").reindex(pairs)
            x = np.arange(len(pairs)) + (i - (len(arms) - 1) / 2) * width
            ax.errorbar(
                x,
                sub[m],
                yerr=[sub[m] - sub[f"{m} low"], sub[f"{m} high"] - sub[m]],
                fmt="o",
                capsize=3,
                label=arm,
            )
        ax.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_xticks(range(len(pairs)), pairs)
        ax.set_title(f"{m} gain")
    _legend_outside(fig, np.atleast_1d(axes)[0])
    fig.suptitle(title)
    return fig


def lens_kl(records: dict[str, dict]):
    """Held-out KL from the model's final distribution by layer, logit and tuned lens.

    One panel per model (``records``: each model's tuned-lens record); log scale, the last
    layer (KL 0 under both lenses) left out.
    """
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(
        1, len(records), figsize=(4.2 * len(records), 3.2), constrained_layout=True, squeeze=False
    )
    for ax, (name, record) in zip(axes[0], records.items(), strict=True):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for lens, colour in (("logit", "C7"), ("tuned", "C0")):
            kl = record["kl"][lens][:-1]
            ax.plot(range(len(kl)), kl, marker="o", ms=3, color=colour, label=f"{lens} lens")
        ax.set_yscale("log")
        ax.set_xlabel("layer (0 = embeddings)")
        ax.set_title(name, fontsize=10)
    axes[0][0].set_ylabel("KL from the final distribution (nats)")
    _legend_outside(fig, axes[0][0])
    return fig
