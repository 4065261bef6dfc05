"""The sentences that read a result: pure functions from result frames to Markdown text.

Every sentence of the book that states a number is made here, from the frame that holds it,
so that it is tested and the notebooks only display it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from semantic_pivots import stats
from semantic_pivots.prompts import Pair
from semantic_pivots.report import frames
from semantic_pivots.report.plots import printable


def quantized_note(quantized: list[str]) -> str:
    """The models that were dequantized from a quantized release (names with their format)."""
    if not quantized:
        return ""
    return (
        f"Quantized releases dequantized to float32: {', '.join(quantized)}. The numbers "
        "describe these files, which may differ from the original checkpoints. "
    )


def audit_line(meta: dict, n_items: int, packets: int) -> str:
    """Where the committed audit comes from: its sample seed, the list's hash, its size."""
    return (
        f"Sample seed {meta['sample_seed']}, list sha256 `{meta['list_sha256'][:12]}…`, "
        f"{n_items} items judged in {packets} packets, one reviewer each."
    )


def pivot_audit_lines(meta: dict, shares: pd.DataFrame, difference: pd.DataFrame) -> str:
    """The pivot audit's sample, then per collection its pivots' related share against controls.

    ``shares``: ``pivot_audit.shares``; ``difference``: ``pivot_audit.related_difference``.
    The verdict reads the interval as it is written.
    """
    by_set = shares.set_index(["collection", "set"])
    related, unrelated = by_set["related"], by_set["unrelated"]
    written = stats.with_interval(difference, "difference", 3, "s")
    lines = [
        f"Sample seed {meta['sample_seed']}: {counted(shares['judged'].sum(), 'word')} of "
        f"{counted(difference['items'].sum(), 'item')} judged."
    ]
    for (_, r), text in zip(difference.iterrows(), written, strict=True):
        low, high = (stats.rounded(r[f"difference {e}"]) for e in ("low", "high"))
        if np.isnan(low):
            verdict = "too few concepts for an interval"
        elif low > 0:
            verdict = "pivots are judged related more often than their matched controls"
        elif high < 0:
            verdict = "pivots are judged related less often than their matched controls"
        else:
            verdict = "pivots are not detectably more often related than their matched controls"
        pivot, control = related[r["collection"], "pivot"], related[r["collection"], "control"]
        lines.append(
            f"- **{r['collection']}**: {stats.fixed(pivot, 2)} of the pivots judged related "
            f"against {stats.fixed(control, 2)} of their controls. Item by item, the share of "
            f"pivots judged related minus that of the item's controls is {text} on average over "
            f"{counted(r['items'], 'item')} ({counted(r['concepts'], 'concept')}): {verdict}. "
            f"{stats.fixed(unrelated[r['collection'], 'pivot'], 2)} of the pivots are judged "
            "content words unrelated to the concept."
        )
    return "\n".join(lines)


def set_audit_line(
    meta: dict, shares: pd.DataFrame, difference: dict, matching: dict, tolerance: float
) -> str:
    """The pivot set's audit: its sample, its controls' match, and its content words, in words.

    ``shares``: ``pivot_audit.set_shares``; ``difference``: ``pivot_audit.content_difference``;
    ``matching``: ``pivot_audit.set_matching``. A null names the smallest difference the sample
    could have detected, unless a share at 0 or 1 leaves no room for one.
    """
    content = shares.set_index("set")["content"]
    low, high = (stats.rounded(difference[f"difference {e}"]) for e in ("low", "high"))
    text = stats.interval_text(difference["difference"], low, high)
    if low > 0:
        verdict = "the set holds more content words than its controls"
    elif high < 0:
        verdict = "the set holds fewer content words than its controls"
    elif {content["pivot"], content["control"]} & {0.0, 1.0}:
        verdict = "no difference is detectable, and a share at the bound leaves no room for one"
    else:
        verdict = (
            "no difference is detectable; this sample would have detected one of "
            f"{stats.significant(stats.detectable(low, high), 2)} with 80 % power"
        )
    return (
        f"Sample seed {meta['sample_seed']}: {counted(difference['pivots'], 'word')} of the set "
        f"and {counted(difference['controls'], 'control')} judged; "
        f"{counted(matching['outside'], 'control')} of {matching['matches']} lie beyond a "
        f"factor {tolerance:g} of their word's count (median ratio "
        f"{matching['median ratio']:.2f}). Content words are {stats.fixed(content['pivot'], 2)} "
        f"of the set's words against {stats.fixed(content['control'], 2)} of the controls, a "
        f"difference of {text} (Newcombe's interval): {verdict}. The controls pass the set's own "
        "bars, so this finds only what the bars miss (function words, names, fragments); it "
        "cannot tell whether the weighted degree picks better content words than frequency would."
    )


def set_frequency_line(
    pivots: list[str], degree: dict[str, float], counts: dict[str, int], weighting: str, n: int = 5
) -> str:
    """How far the pivot set is its collection's most frequent admissible words.

    ``degree``: each set word's weighted degree under ``weighting``; ``counts``: every word the
    set's rules admit, with its occurrences (``continued.set_candidates``). Frequency's set is
    the as many most frequent of them (ties by the word). Gives the overlap, the Spearman
    correlation of degree and occurrences within the set, and ``n`` words that each set alone
    has.
    """
    if not pivots:
        return "The pivot set is empty."
    by_count = sorted(counts, key=lambda w: (-counts[w], w))[: len(pivots)]
    shared = set(pivots) & set(by_count)
    degrees, occurrences = (
        pd.Series([degree[w] for w in pivots]),
        pd.Series([counts[w] for w in pivots]),
    )
    if degrees.nunique() > 1 and occurrences.nunique() > 1:
        rho = degrees.corr(occurrences, method="spearman")
        together = f"have a Spearman correlation of {stats.fixed(rho, 2)}"
    else:  # a rank correlation needs both to vary
        together = "do not both vary, so they have no rank correlation"

    def listed(words: list[str]) -> str:
        alone = [w for w in words if w not in shared][:n]
        return ", ".join(f"{w} ({counts[w]:,})" for w in alone) or "none"

    return (
        f"Weighted degree ({weighting} edges) against frequency: "
        f"{len(shared)} of the set's {len(pivots)} words ({len(shared) / len(pivots):.0%}) are "
        f"among the {len(by_count)} words the rules admit that occur most often, and within the "
        f"set degree and occurrences {together}. "
        f"Among the most frequent words but not in the set, the most frequent are "
        f"{listed(by_count)}; in the set but not among the most frequent, those of highest "
        f"degree are {listed(pivots)} (each with its occurrences in the mixture)."
    )


def lens_agreement(first: list, second: list) -> str:
    """Per model, one claim's findings under two lenses' labels, and whether the verdicts agree.

    ``first``, ``second``: findings (``findings.Finding``) of one claim, each read with a lens.
    """
    other = {f.model: f for f in second}
    lines = []
    for f in first:
        if (g := other.get(f.model)) is None:
            continue
        agree = "the same verdict" if f.verdict == g.verdict else "the verdicts differ"
        lines.append(
            f"- **{f.model}**: {f.estimate} with the {f.lens} lens's labels ({f.verdict}), "
            f"{g.estimate} with the {g.lens} lens's ({g.verdict}): {agree}."
        )
    return "\n".join(lines)


def distractor_line(counts: pd.DataFrame) -> str:
    """The distractor judgments per language (judgment rows, language columns).

    The unrelated share with its 95 % Wilson interval.
    """

    def unrelated(lang: str) -> str:
        k, n = int(counts.loc["unrelated", lang]), int(counts[lang].sum())
        low, high = stats.wilson(k, n)
        return f"{k / n:.0%} [{low:.0%}, {high:.0%}]"

    parts = [
        f"**{lang}** {counts[lang].sum()} judged, unrelated {unrelated(lang)}, a translation of "
        f"the item {counts.loc['translation', lang]}"
        for lang in counts.columns
    ]
    return "Distractors judged, per language: " + "; ".join(parts) + "."


def counted(n: float, noun: str) -> str:
    """``n`` with its noun, singular for one: "1 pair", "1,464 rows"."""
    return f"{int(n):,} {noun}{'' if int(n) == 1 else 's'}"


def pooled_lines(overall: pd.DataFrame, matrices: dict[str, pd.DataFrame]) -> str:
    """Each model's pooled score, rank accuracy and exact match; which model wins more pairs."""
    at = stats.row_interval
    lines = [
        f"- **{r['model']}**: CLWTD score {at(r, 'score')}, rank accuracy "
        f"{at(r, 'rank accuracy', decimals=2)}, greedy exact match "
        f"{at(r, 'exact match', decimals=2)} over "
        f"{r['n']} item-pairs (95 % intervals resampling concepts)."
        for _, r in overall.iterrows()
    ]
    if len(matrices) == 2:
        (a, ma), (b, mb) = matrices.items()
        diff = (ma - mb).stack().dropna()
        lines.append(
            f"- {a} scores higher than {b} in {(diff > 0).sum()} of {len(diff)} ordered pairs."
        )
    return "\n".join(lines)


def without_copying(other: pd.DataFrame) -> str:
    """Each model's score over the items that are not one string in both languages."""
    scores = stats.with_interval(other, "score", 3, "s") if len(other) else []
    return (
        "Without them, over every pair: "
        + "; ".join(
            f"**{r['model']}** {score} over {r['n']} item-pairs"
            for r, score in zip(other.to_dict("records"), scores, strict=True)
        )
        + "."
    )


def interval_width(per_pair: pd.DataFrame) -> str:
    """The widest per-pair score interval, and how to read differences between pairs."""
    width = per_pair["score high"] - per_pair["score low"]
    widest = per_pair.assign(width=width).nlargest(1, "width").iloc[0]
    sizes = per_pair.groupby("model", sort=False)["n"].max()
    return (
        "Per-pair intervals are up to "
        f"{widest.width:.3f} wide ({widest.model}, {widest.pair}, {widest.n} items; "
        + ", ".join(f"{m}: up to {n} items per pair" for m, n in sizes.items())
        + "): read differences between pairs through their intervals, not their point estimates."
    )


def k_title(pairs: list[Pair], by_k: pd.DataFrame) -> str:
    """The title of the few-shot figure: its pairs and items."""
    n = by_k.groupby(["model", "k", "pair"]).size().max()
    return f"CLWTD score against shots ({', '.join(map(str, pairs))}; {n} items each)"


def k_lines(summary: pd.DataFrame) -> str:
    """Each model's mean score at each number of shots, with its interval."""
    return "\n".join(
        f"- **{m}**: "
        + ", ".join(f"k = {r['k']}: {stats.row_interval(r, 'score')}" for _, r in g.iterrows())
        for m, g in summary.groupby("model", sort=False)
    )


def final_checkpoints(
    summary: pd.DataFrame, by_ckpt: pd.DataFrame, chance: pd.Series, seed: int
) -> str:
    """Each model's last checkpoint per pair, against chance and without same-string items.

    ``summary``: per (model, checkpoint, pair, seen) means with intervals; ``by_ckpt``: the
    item rows they summarise; ``chance``: each model's chance rank accuracy.
    """
    last = summary.groupby(["model", "pair"], sort=False).tail(1).to_dict("records")
    final = by_ckpt[
        by_ckpt.checkpoint.isin({r["checkpoint"] for r in last}) & ~by_ckpt["same string"]
    ]
    apart = stats.summarise(
        final, ["model", "pair"], ["rank accuracy"], "item", seed=seed, shares=["rank accuracy"]
    )
    without = {
        (a["model"], a["pair"]): (
            f"; without the same-string items, rank accuracy {a['rank accuracy']:.2f} "
            f"[{a['rank accuracy low']:.2f}, {a['rank accuracy high']:.2f}] over {a['n']} items"
        )
        for a in apart.to_dict("records")
    }
    first = summary.groupby(["model", "pair"], sort=False).head(1)
    starts = {(f["model"], f["pair"]): f["checkpoint"] for f in first.to_dict("records")}
    lines = []
    for r in last:
        bar = chance[r["model"]]
        lines.append(
            f"- **{r['checkpoint']}**, {r['pair']}: rank accuracy {r['rank accuracy']:.2f} "
            f"[{r['rank accuracy low']:.2f}, {r['rank accuracy high']:.2f}], chance "
            f"{bar:.2f} ({above_chance(r['rank accuracy low'], bar)})"
            + _since_start(by_ckpt, r, starts[(r["model"], r["pair"])], seed)
            + f"; score {r['score']:.5f} [{r['score low']:.5f}, {r['score high']:.5f}]; log "
            f"ratio {r['log ratio']:.2f} [{r['log ratio low']:.2f}, {r['log ratio high']:.2f}]"
            + without.get((r["model"], r["pair"]), "")
            + "."
        )
    return "\n".join(lines)


def _since_start(by_ckpt: pd.DataFrame, last: dict, start: str, seed: int) -> str:
    """The last checkpoint's rank accuracy minus the first's, on the same items, in words.

    Items whose two words are one string are left out, as in the line's last clause.

    Chance is not the only bar: an untrained model's rank accuracy is not chance either.
    """
    if start == last["checkpoint"]:
        return ""
    rows = by_ckpt[(by_ckpt["model"] == last["model"]) & (by_ckpt["pair"] == last["pair"])]
    rows = rows[~rows["same string"]]  # copying answers them: learning to copy is not this
    at = {
        c: rows[rows["checkpoint"] == c].set_index("item")["rank accuracy"]
        for c in (start, last["checkpoint"])
    }
    change = (at[last["checkpoint"]] - at[start]).dropna().rename("change").reset_index()
    s = stats.summarise(change.assign(model=last["model"]), ["model"], ["change"], "item", seed)
    r = s.iloc[0]
    if pd.isna(r["change low"]):
        where = "too few concepts for an interval"
    elif r["change low"] > 0:
        where = "the interval lies above 0: learned beyond it"
    else:
        where = "the interval holds 0 or lies below it: not shown to be learned beyond it"
    return (
        f"; against its first checkpoint ({start}), on the same {int(r['n'])} items "
        "(without the same-string ones), "
        f"{r['change']:+.2f} [{r['change low']:+.2f}, {r['change high']:+.2f}] ({where})"
    )


def early_peaks(frame: pd.DataFrame, artefacts: pd.DataFrame) -> str:
    """Per model: its semantic-pivot items, and how many peak in the first quarter of layers.

    ``artefacts``: ``tracing.artefact_shares`` of ``frame`` by model, whose early share is
    given with its 95 % interval resampling concepts.
    """
    shares = frames.by_model(artefacts)  # one lens's rows

    def line(m: str, g: pd.DataFrame) -> str:
        pivots = g[g.label == "semantic pivot"]
        head = f"- **{m}**: {len(pivots)} of {len(g[g.label != 'excluded'])} classified items"
        if pivots.empty:
            return head + " are semantic-pivot items: none."
        r = shares.loc[m]
        return (
            f"{head} are semantic-pivot items; for "
            f"{stats.row_interval(r, 'early', decimals=2)} of "
            "those the most confident layer lies in the first quarter of the layers, where the "
            "logit lens is least reliable."
        )

    return "\n".join(line(m, g) for m, g in frame.groupby("model", sort=False))


def excluded_lines(frame: pd.DataFrame) -> str:
    """Per model: how many excluded items are one string, the others sharing a token."""
    excluded = frame[frame.label == "excluded"]
    return (
        "\n".join(
            f"- **{m}**: {int(g['same string'].sum())} of {len(g)} excluded items have one string "
            "in both languages; the others share a token."
            for m, g in excluded.groupby("model", sort=False)
        )
        or "No item is excluded."
    )


def rule_agreement(frame: pd.DataFrame, other: str) -> str:
    """Per model: how often the other rule gives this rule's labels, behaviour by behaviour.

    ``other``: the column of the other rule's labels (``label (threshold rule)``). Over the
    items this rule labels (both rules exclude the same items, so those would only inflate
    the agreement); each behaviour's own share follows, since one rule may call nearly every
    item a semantic pivot.
    """
    rule = other.removeprefix("label (").removesuffix(")")
    lines = []
    for m, g in frame.groupby("model", sort=False):
        labelled = g[g.label != "excluded"]
        if labelled.empty:
            lines.append(f"- **{m}**: no item is labelled.")
            continue
        parts = []
        for label in ("co-occurrence", "semantic pivot"):
            mine = labelled[labelled.label == label]
            if len(mine):
                alike = int((mine[other] == label).sum())
                noun = label.replace(" ", "-") + " item"
                parts.append(f"{alike} of {counted(len(mine), noun)} ({alike / len(mine):.0%})")
        same = (labelled.label == labelled[other]).mean()
        lines.append(
            f"- **{m}**: the {rule} gives the same label to {same:.0%} of the "
            f"{counted(len(labelled), 'item')} labelled here: {' and '.join(parts)}."
        )
    return "\n".join(lines)


def blank_lines(relabel: pd.DataFrame) -> str:
    """Per model: answers that start with a blank, and labels that move at the blank."""
    return "\n".join(
        f"- **{m}**: {int(g['answer starts with a blank'].sum())} of {int(g['items'].sum())} "
        "answers start with a blank; reading the blank's position would change the label of "
        f"{int(g['label changed'].sum())} of them."
        for m, g in relabel.groupby("model", sort=False)
    )


def final_shares(shares: pd.DataFrame, labels: list[str]) -> str:
    """Each glass-box model's behaviour shares per pair at its final checkpoint."""
    final = shares[shares.seen == shares.groupby("model").seen.transform("max")]
    return "\n".join(
        f"- **{r['model']}**, {r['pair']}, final checkpoint: "
        + "; ".join(
            f"{label} {r[label]:.0%} [{r[label + ' low']:.0%}, {r[label + ' high']:.0%}]"
            for label in labels
        )
        + "."
        for r in final.to_dict("records")
    )


def common_peak_tokens(pivots: pd.DataFrame) -> str:
    """Each model's most common peak token among its semantic-pivot items."""
    lines = []
    for m, tokens in pivots.groupby("model", sort=False)["peak token"]:
        shares = tokens.value_counts(normalize=True)
        lines.append(
            f"- **{m}**: the most common peak token is `{printable(shares.index[0], None)}`, for "
            f"{shares.iloc[0]:.0%} of its semantic-pivot items."
        )
    return "\n".join(lines)


def frequency_header(n: int, backends: dict[str, str], cooccurrence: str, copied: int) -> str:
    """What the frequency chapter measures: items, count backends, co-occurrence unit, left out."""
    return (
        f"{n} items; counts: "
        + ", ".join(f"**{b}** for {m}" for m, b in backends.items())
        + f"; co-occurrence per {cooccurrence}; {copied} same-string item-pairs left out; "
    )


def frequency_lines(summary: pd.DataFrame, mean_r: pd.DataFrame, primary: str) -> str:
    """Each model's mean AUC and mean within-pair correlation per x, with its verdict.

    ``summary`` and ``mean_r`` as :func:`frequency.corrected` returns them.
    """
    tested = int(summary["p"].notna().sum() + mean_r["p"].notna().sum())
    alone = int(summary.loc[summary["x"] == primary, "p"].notna().sum())
    first = (
        f"The mean AUC of {primary} is the chapter's primary test ({counted(alone, 'model')}, "
        f"each at 5 %); the other {tested - alone} tests "
        if alone
        else f"No model of this run has a mean AUC of {primary}, the primary test; all {tested} "
        "tests "
    )
    lines = [first + "below are Holm-corrected together (their intervals are not).", ""]
    named = {"AUC": "AUC", "r": "within-pair Pearson r with the item score"}
    for table, column in ((summary, "AUC"), (mean_r, "r")):
        shown = table[table["pairs"] > 0]  # an x no pair has: nothing to say
        values = stats.with_interval(shown, column, 3, "s") if len(shown) else []
        for r, value in zip(shown.to_dict("records"), values, strict=True):
            lines.append(
                f"- **{r['model']}**, {r['x']}: mean {named[column]} {value} over "
                f"{counted(r['pairs'], 'pair')}, "
                f"{r['verdict']}."
            )
    return "\n".join(lines)


def frequency_caveats(
    frame: pd.DataFrame,
    corpus_megabytes: list[float] | None,
    glass_models: list[str],
    lens: str = "logit",
) -> str:
    """How to read the frequency chapter: items per pair, the proxy corpus, the glass-box models.

    ``lens``: the lens whose behaviour labels the chapter reads.
    """
    n_pair = frame.groupby(["model", "pair"]).size()
    low, high = n_pair.min(), n_pair.max()
    span = f"{low}" if low == high else f"{low} to {high}"
    text = (
        f"Reading these results: each pair has {span} items, so per-pair AUCs are noisy, and "
        f"the behaviour labels carry the {lens} lens's weaknesses on small models (the "
        "layer-tracing chapter). "
        "An interval that includes chance means these counts give no evidence either way, not "
        "that frequency plays no role in the models' own training data."
    )
    if corpus_megabytes:
        text += (
            f" The corpus counts are a proxy: {min(corpus_megabytes):.0f} to "
            f"{max(corpus_megabytes):.0f} MB of text per language, mostly scripture, game "
            "dialogue and software documentation, where the models were trained on web-scale "
            "data; its co-occurrence counts are mostly parallel co-occurrence (a translation "
            "aligned with its source), which web text rarely offers."
        )
    if glass_models:
        text += (
            f" For {', '.join(glass_models)} the counts are exact, but the behaviour labels "
            f"come from a {lens} lens over a few layers, "
            "and the CLWTD chapter shows how little such a small model learns to translate: read a "
            "null result here in that light."
        )
    return text


def pivot_set_line(pivots: list[str], degree: dict[str, float], n: int = 30) -> str:
    """The pivot set's first ``n`` words with their weighted degree."""
    words = ", ".join(f"{w} ({degree[w]:.0f})" for w in pivots[:n])
    return f"The pivot set's first {n} words (weighted degree): {words}."


def same_string_line(start: pd.DataFrame, separated: set[str]) -> str:
    """Which of the start checkpoint's scored item-pairs the gains are over.

    Those that are not one string, and (the exposure design) only the ``separated`` items.
    """
    text = (
        f"{int(start['same string'].sum())} of the {len(start)} scored items (pairs and items) "
        "are left out as one string."
    )
    if separated:
        kept = start[~start["same string"] & start["item"].isin(separated)]
        text += (
            f" The gains are over the {len(kept)} item-pairs of separated items, whose two words "
            "the base run never showed in one document; the co-occurring items are left out."
        )
    return text


def contrasts_note(contrasts: pd.DataFrame, n_seeds: int) -> str:
    """How many differences the arms give, and each contrast's verdict on all pairs."""
    from semantic_pivots.report.tables import contrast_reading

    alone = contrasts["primary"] | contrasts["check"]
    corrected = int(contrasts.loc[~alone, "p (Holm)"].notna().sum())
    primary = "the primary one and the check at 5 %, " if alone.any() else ""
    return (
        f"{len(contrasts)} differences in all ({n_seeds} seeds an arm): {primary}the "
        f"{corrected} other{'s' if corrected != 1 else ''} that could be measured "
        "Holm-corrected together (intervals are not corrected)."
        "\n\n**Rank accuracy**, all pairs:\n\n"
        + contrast_reading(contrasts, "rank accuracy")
        + "\n\n**Log ratio**, all pairs:\n\n"
        + contrast_reading(contrasts, "log ratio")
    )


def exposure_reading(exposure: pd.DataFrame) -> str:
    """What the arms' exposure says about the contrasts they allow (random draws averaged)."""
    rows = exposure.set_index("arm")
    random = rows[rows.index.str.startswith("random")]
    parts = []
    bilingual = [c for c in rows.columns if "+" in c and c.endswith(" share")]
    if "original" in rows.index and bilingual:
        share = rows.loc["original", bilingual].sum()
        text = f"The original mixture is {share:.0%} bilingual (by tokens)"
        if "multilingual" in rows.index:
            gap = rows.loc["multilingual", bilingual].sum() - share
            text += f"; the multilingual arm differs from it by {gap:+.0%} of bilingual tokens"
        parts.append(text + ".")
    if "pivot" in rows.index and len(random):
        p, r = rows.loc["pivot"], random.mean(numeric_only=True)
        ratio = p["mean length"] / r["mean length"]
        length = (
            "about as long as the random arm's (within 5 %)"
            if abs(ratio - 1) <= 0.05
            else f"{'longer' if ratio > 1 else 'shorter'} than the random arm's"
        )
        parts.append(
            f"The pivot-aware selection has a pivot share of {p['pivot share']:.3f} against "
            f"{r['pivot share']:.3f} for the random arm (mean of its {len(random)} draws, each "
            f"matched to it stratum by stratum), in {int(p['documents'])} against "
            f"{r['documents']:.0f} documents; its documents are {length} "
            f"({p['mean length']:.1f} against {r['mean length']:.1f} tokens on average). Of the "
            f"evaluated words, {p['evaluated words seen']:.0%} occur in the pivot arm and "
            f"{r['evaluated words seen']:.0%} in the random one; "
            f"{p['already seen']:.0%} and {r['already seen']:.0%} of their documents were "
            "already read before the start checkpoint."
        )
    if "parallel" in rows.index and "separated pairs together" in rows.columns:
        m = rows.loc["parallel"]
        parts.append(
            f"The parallel arm's {int(m['documents'])} line pairs ({int(m['tokens']):,} tokens) "
            f"show {m['separated pairs together']:.0%} of the separated items' pairs together."
        )
    return " ".join(parts)


def _contrast_head(title: str, r: pd.Series, note: str) -> str:
    """A contrast's name, difference, t interval and p-value, before its verdict."""
    difference = stats.row_interval(r, "difference", signed=True)
    return (
        f"**{title}**, {r['contrast']} on the {r['measure']} over all pairs{note}: {difference} "
        f"(t interval, {r['df']:.1f} degrees of freedom), p = {r['p']:.2g}: "
    )


def primary_reading(contrasts: pd.DataFrame, mde: float) -> str:
    """The primary contrast's result and what the design could have detected."""
    rows = contrasts[contrasts["primary"]]
    if rows.empty:
        return "The primary contrast could not be measured (its arms did not run)."
    r = rows.iloc[0]
    head = _contrast_head("Primary contrast", r, "")
    if r["verdict"] == "not measured":
        return head + "not measured (an arm has fewer than two seeds)."
    if r["verdict"] == "no detectable gain":
        return head + (
            f"no detectable difference; at this variance the design would have detected a "
            f"true difference of {mde:.3g} with 80 % power (two-sided, 5 %)."
        )
    check = contrasts[contrasts["check"]]
    if len(check) and check.iloc[0]["verdict"] != "gain":
        return head + (
            f"nominally a {r['verdict']} for the pivot arm, but the check below was not "
            "detected, so the design is not shown able to see such an effect: not evidence "
            "either way."
        )
    return head + f"a {r['verdict']} for the pivot arm."


def check_reading(contrasts: pd.DataFrame) -> str:
    """Whether the design can see an effect: its positive control against the random arm."""
    rows = contrasts[contrasts["check"]]
    if rows.empty:
        return (
            "This run has no positive control (the parallel arm, which needs the exposure "
            "design), so a null result cannot be told from a design that sees nothing."
        )
    r = rows.iloc[0]
    head = _contrast_head(
        "The check", r, " (the separated items' line pairs holding both words, known to help them)"
    )
    if r["verdict"] == "gain":
        return head + "detected, so the design can see an effect of that kind and size."
    primary = contrasts[contrasts["primary"]]
    if len(primary) and primary.iloc[0]["verdict"] in ("gain", "loss"):
        return head + (
            "not detected: the design could not see even the positive control, so the primary "
            f"contrast's {primary.iloc[0]['verdict']} is not backed by a design shown to see an "
            "effect of this kind; a single test at 5 % finds one by chance one time in twenty, "
            "and the arms' gains over the start (above) show which arm moved."
        )
    return head + (
        "not detected: the design could not see even the positive control, so a null for the "
        "primary contrast says nothing about pivot-aware data."
    )


def above_chance(low: float, chance: float) -> str:
    """Where an interval whose lower bound is ``low`` lies against ``chance``, in words."""
    if pd.isna(low):
        return "too few concepts for an interval"
    return f"the interval {'lies' if low > chance else 'does not lie'} above chance"


def exposure_effects(model: str, effects: pd.DataFrame, chance: float) -> str:
    """The exposure experiment's result for one model, from its intervals.

    Each group's rank accuracy against chance, and the difference between the groups.
    """
    by = effects.set_index("group")
    parts = []
    for group in ("co-occurring", "separated"):
        if group in by.index:
            r = by.loc[group]
            parts.append(
                f"{group} items rank accuracy {r['rank accuracy']:.3f} "
                f"[{r['rank accuracy low']:.3f}, {r['rank accuracy high']:.3f}] over {int(r['n'])} "
                f"item-pairs ({above_chance(r['rank accuracy low'], chance)}, chance {chance:.3f})"
            )
    text = f"- **{model}**: " + "; ".join(parts)
    name = "co-occurring − separated"
    if name in by.index:
        d = by.loc[name]
        low, high = d["rank accuracy low"], d["rank accuracy high"]
        verdict = (
            "not measured (a group has too few concepts for an interval)"
            if pd.isna(low)
            else "the co-occurring items rank the true source word first more often"
            if low > 0
            else "the separated items rank it first more often"
            if high < 0
            else "no difference between the groups is detectable"
        )
        if verdict.startswith("no difference"):
            mde = stats.minimum_detectable(d["rank accuracy se"], np.inf)
            verdict += (
                f" (the design would have detected a true rank-accuracy difference of {mde:.3f} "
                "with 80 % power; two-sided 5 %, normal approximation)"
            )
        text += (
            f". Difference {_signed(d, 'rank accuracy')}: {verdict}; log ratio difference "
            f"{_signed(d, 'log ratio')}"
        )
        if "co-occurrence" in d.index and not pd.isna(d["co-occurrence low"]):
            low, high = d["co-occurrence low"], d["co-occurrence high"]
            behaviour = (
                "more of it among the co-occurring items"
                if low > 0
                else "less of it among the co-occurring items"
                if high < 0
                else "no difference is detectable (the design would have detected one of "
                f"{stats.minimum_detectable(d['co-occurrence se'], np.inf):.3f})"
            )
            text += (
                "; the share of items with the co-occurrence behaviour, the claim's own test "
                f"here, differs by {_signed(d, 'co-occurrence')}: {behaviour}"
            )
    return text + "."


def _signed(row: pd.Series, measure: str) -> str:
    """A difference with its interval, signed, three decimals (no bound written as zero)."""
    return stats.row_interval(row, measure, signed=True, decimals=3)


def _count(value: float) -> str:
    """A count as an integer; a median between two counts keeps its half."""
    return f"{value:.0f}" if float(value).is_integer() else stats.significant(value)


def exposure_balance(achieved: pd.DataFrame) -> str:
    """How far the two exposure groups' word counts differ in this draw.

    ``achieved``: :func:`frequency.achieved_exposure`. Means and medians, since counts are
    skewed. Random assignment balances counts only in expectation; a reader needs to know when
    a difference between groups may carry one of frequency too.
    """
    lines = []
    for m, g in achieved.groupby(level="model", sort=False):
        if len(g) != 2:
            continue
        (a, ra), (b, rb) = [(name[1], r) for name, r in g.iterrows()]
        lines.append(
            f"- **{m}**: the mean count of a {a} item's source word is "
            f"{stats.significant(ra['mean count(source)'])} against "
            f"{stats.significant(rb['mean count(source)'])} for a {b} item's (medians "
            f"{_count(ra['median count(source)'])} and "
            f"{_count(rb['median count(source)'])}). Random assignment balances "
            "counts only in expectation: where they differ, a difference between the groups "
            "below carries one of frequency as well as of exposure."
        )
    return "\n".join(lines)


def label_shifts(shares: pd.DataFrame, label: str = "semantic pivot") -> str:
    """Each continued arm's share of ``label`` items beside the start checkpoint's.

    ``shares``: :func:`transfer.label_shares`. A description: its intervals resample concepts
    only, not seeds, so no shift is tested.
    """
    if label not in shares or not (shares["arm"] == "start").any():
        return ""
    share = stats.with_interval(shares, label, 3)
    is_start = shares["arm"] == "start"
    start, arms = shares[is_start].iloc[0], shares[~is_start]
    if arms.empty:
        return ""
    most = arms.loc[(arms[label] - start[label]).abs().idxmax()]
    return (
        f"The share of {label.replace(' ', '-')} items is {share[is_start].iloc[0]} at the start "
        "checkpoint; after "
        + "; ".join(f"the {r['arm']} arm, {share[i]}" for i, r in arms.iterrows())
        + f". The {most['arm']} arm moves it most ({most[label] - start[label]:+.3f}). These "
        "intervals leave out the spread between seeds, so the shifts are described here, not "
        "tested; a shift the random arm shares is not the selected data's own."
    )


def x_correlations(corr: pd.DataFrame) -> str:
    """How far the counts are collinear: each log count's correlation with co-occurrence."""
    if "log co-occurrence" not in corr.index:
        return ""
    others = [x for x in ("log count(source)", "log count(target)") if x in corr.columns]
    values = ", ".join(f"{x} r = {corr.loc['log co-occurrence', x]:.2f}" for x in others)
    return f"Correlation of log co-occurrence with {values} (over the items)."


def lens_training(records: dict[str, dict]) -> str:
    """Each model's tuned lens in a sentence: its training and its held-out KL.

    Beside the logit lens's: at the middle layer, and at how many layers it is lower.
    """
    lines = []
    for name, r in records.items():
        logit, tuned = r["kl"]["logit"], r["kl"]["tuned"]
        inner = range(len(logit) - 1)  # the last layer is the model's own output under both
        lower = [i for i in inner if tuned[i] < logit[i]]
        middle = (len(logit) - 1) // 2
        verdict = (
            "lower at every layer but the last"
            if len(lower) == len(inner)
            else f"lower at {len(lower)} of its {len(inner)} layers before the last (not at "
            + ", ".join(str(i) for i in inner if i not in lower)
            + ")"
        )
        lines.append(
            f"- **{name}**: trained on {r['training tokens']:,} tokens in {r['seconds']:.0f} s; "
            f"on {r['held-out tokens']:,} held-out tokens its KL from the final distribution is "
            f"{verdict}; at layer {middle}, {logit[middle]:.2f} nats under the logit lens and "
            f"{tuned[middle]:.2f} under the tuned lens."
        )
    return "\n".join(lines)


def junk_reading(artefacts: pd.DataFrame) -> str:
    """Per model and lens, the share of semantic-pivot items whose peak is a lens artefact.

    ``artefacts``: :func:`tracing.artefact_shares` by model and lens.
    """

    def share(r, column: str) -> str:
        low, high = r[f"{column} low"], r[f"{column} high"]
        bounds = (
            "(too few concepts for an interval)" if pd.isna(low) else f"[{low:.0%}, {high:.0%}]"
        )
        return f"{r[column]:.0%} {bounds}"

    lines = []
    for model, group in artefacts.groupby("model", sort=False):
        parts = [
            f"under the {r['lens']} lens, {share(r, 'artefact')} of {int(r['n'])} (junk "
            f"{share(r, 'junk')}, in the first quarter of the layers {share(r, 'early')})"
            for _, r in group.iterrows()
        ]
        lines.append(
            f"- **{model}**: semantic-pivot items whose peak is an artefact, "
            + "; ".join(parts)
            + "."
        )
    return "\n".join(lines) or "No model has semantic-pivot items."
