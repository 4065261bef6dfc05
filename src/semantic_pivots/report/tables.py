"""Tables that describe a word list, tokenizers and models (pure functions -> DataFrames)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from semantic_pivots import languages
from semantic_pivots.config import Continuation, Pivots, Settings, Training
from semantic_pivots.data.clwtd import Dataset, Item
from semantic_pivots.data.retrieval import Collection
from semantic_pivots.models.encoding import encode
from semantic_pivots.models.loading import LoadedModel
from semantic_pivots.prompts import answer, ordered_pairs
from semantic_pivots.report import frames
from semantic_pivots.stats import (
    bootstrap_ci,
    interval_text,
    significant,
    summarise,
    wilson,
    with_interval,
)

if TYPE_CHECKING:
    from semantic_pivots.training.glass import Checkpoint


def settings_line(cfg: Settings, dataset: Dataset, n: int) -> str:
    """The run's settings in one sentence, for the top of every notebook (``n`` items a pair)."""
    rule = {
        "list": "the list's own",
        "random": "nine other words of the list drawn at random (an easier task: scores are "
        "not comparable with those under close distractors)",
    }[cfg.distractors]
    pairs = ordered_pairs(cfg.languages)
    sc = cfg.scoring
    asked = "" if sc.n_items in (None, n) else f" (of {sc.n_items} asked: the list has no more)"
    return (
        f"Profile **{cfg.profile}**: {', '.join(cfg.models)}; {len(pairs)} ordered pairs of "
        f"{', '.join(cfg.languages)}; {n} items per pair{asked}, {sc.k}-shot, "
        f"{sc.shot_sets} shot sets ({sc.mode} mode); distractors: {rule}; word list "
        f"`{dataset.source.split('/')[-1] or 'in memory'}` ({len(dataset.items)} items, "
        f"hash `{dataset.digest()}`)."
    )


def dataset_statistics(dataset: Dataset, langs: list[str]) -> pd.DataFrame:
    """Per language: its items (a list may leave a language out of some), words, distractors."""
    rows = []
    for lang in langs:
        having = [it for it in dataset.items if lang in it.words]
        words = [it.words[lang] for it in having]
        rows.append(
            {
                "language": lang,
                "items": len(words),
                "distinct words": len(set(words)),
                "mean characters": sum(map(len, words)) / len(words),
                "items with >1 accepted answer": sum(len(it.answers(lang)) > 1 for it in having),
                "distractors per item": sum(len(it.distractors.get(lang, [])) for it in having)
                / len(words),
                "distinct distractor words": len(
                    {d for it in having for d in it.distractors.get(lang, [])}
                ),
            }
        )
    return pd.DataFrame(rows).set_index("language")


def sample_table(items: list[Item], langs: list[str], shorten: bool = True) -> pd.DataFrame:
    """Each item's answers (the answer first) and distractors per language, one row each.

    ``shorten``: at most eight answers, then how many more (for a page; the CSV has all).
    """
    rows = [
        {
            "item": f"{it.id}: {it.gloss}" if it.gloss else it.id,
            "language": lang,
            "answers": (_shortened if shorten else " / ".join)(it.answers(lang)),
            "distractors": ", ".join(it.distractors.get(lang, [])),
        }
        for it in items
        for lang in langs
        if lang in it.words
    ]
    return pd.DataFrame(rows).set_index(["item", "language"])


def _shortened(words: list[str], n: int = 8) -> str:
    """The first ``n`` words, then how many more (some items accept dozens of kana spellings)."""
    more = f" (+{len(words) - n} more)" if len(words) > n else ""
    return " / ".join(words[:n]) + more


def same_string_shares(items: list[Item], pairs) -> pd.DataFrame:
    """Per pair of languages (either order), the items whose two words are one string."""
    rows, seen = [], set()
    for pair in pairs:
        if frozenset((pair.src, pair.tgt)) in seen:
            continue
        seen.add(frozenset((pair.src, pair.tgt)))
        both = [it for it in items if pair.src in it.words and pair.tgt in it.words]
        same = [it for it in both if it.same_string(pair.src, pair.tgt)]
        rows.append(
            {
                "languages": f"{pair.src}, {pair.tgt}",
                "items": len(both),
                "same string": len(same),
                "share": len(same) / len(both) if both else float("nan"),
                "examples": ", ".join(it.words[pair.src] for it in same[:4]),
            }
        )
    return pd.DataFrame(rows).set_index("languages")


def tokens_per_word(lm: LoadedModel, dataset: Dataset, langs: list[str]) -> pd.DataFrame:
    """Tokens of the answer per language, as scored.

    Tokens of the answer ``" {word}"`` as scored (after ``"{Language}:"``) per language, and
    the share of answers whose first token is a bare blank, which the lens steps over.
    """
    rows = []
    for lang in langs:
        encoded = [
            encode(lm.tokenizer, f"{languages.name(lang)}:", answer(it.words[lang]))
            for it in dataset.items
        ]
        counts = [e.n_answer for e in encoded]
        rows.append(
            {
                "model": lm.info.name,
                "language": lang,
                "mean tokens": sum(counts) / len(counts),
                "single-token share": sum(c == 1 for c in counts) / len(counts),
                "leading-blank share": sum(e.word_start > e.answer_start for e in encoded)
                / len(encoded),
            }
        )
    return pd.DataFrame(rows)


def model_facts(models: list[LoadedModel]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "model": lm.info.name,
                "source": lm.info.source,
                "architecture": lm.info.model_type,
                "layers": lm.info.n_layers,
                "vocabulary": lm.info.vocab_size,
                "parameters (M)": round(lm.info.n_params / 1e6, 1),
                "quantization": lm.info.quantization,
            }
            for lm in models
        ]
    ).set_index("model")


def pair_matrix(frame: pd.DataFrame, value: str, langs: list[str]) -> pd.DataFrame:
    """The mean of ``value`` per ordered pair: source languages as rows, targets as columns."""
    means = frame.groupby("pair")[value].mean()
    return pd.DataFrame(
        [[means.get(f"{a}-{b}", float("nan")) for b in langs] for a in langs],
        index=pd.Index(langs, name="source"),
        columns=pd.Index(langs, name="target"),
    )


def pair_summary(rows: pd.DataFrame, value: str, seed: int = 0) -> str:
    """One sentence on a 0/1 measure of item rows: pooled, and its best and worst pair.

    The pooled share with a 95 % interval resampling concepts (``item``; ``stats.bootstrap_ci``);
    each pair as a count with its 95 % Wilson interval, and how many pairs tie.
    """
    counts = rows.groupby("pair", sort=False)[value].agg(["sum", "count"])
    shares = counts["sum"] / counts["count"]

    def pair(name: str, tied: int = 1) -> str:
        k, n = int(counts.loc[name, "sum"]), int(counts.loc[name, "count"])
        low, high = wilson(k, n)
        ties = f", tied with {tied - 1} other pair{'s' if tied > 2 else ''}" if tied > 1 else ""
        share = interval_text(k / n, low, high, decimals=2)
        return f"{name.replace('-', '→')}, {k} of {n}: {share}{ties}"

    if len(counts) == 1:  # best and worst would be the same pair
        return f"{pair(counts.index[0])} (Wilson), its one ordered pair"
    mean, low, high = bootstrap_ci(rows[value], rows["item"], seed=seed, share=True)
    k, n = int(rows[value].sum()), len(rows)
    head = (
        f"{k:,} of {n:,} item-pairs in {len(counts)} ordered pairs, "
        f"{interval_text(mean, low, high, decimals=2)} (resampling concepts)"
    )
    if shares.max() == shares.min():  # no pair is best
        return f"{head}, {shares.iloc[0]:.2f} on each"
    best, worst = shares.idxmax(), shares.idxmin()
    return (
        f"{head}; best {pair(best, (shares == shares.max()).sum())}, worst "
        f"{pair(worst, (shares == shares.min()).sum())} (Wilson intervals)"
    )


def corpus_table(manifest: dict) -> pd.DataFrame:
    """Megabytes and documents per source and language, with the totals."""
    rows = [
        {"source": s["source"], "language": lang, "documents": t["documents"], "MB": t["megabytes"]}
        for s in manifest.get("sources", [])
        for lang, t in s["languages"].items()
    ]
    rows += [
        {"source": "total", "language": lang, "documents": t["documents"], "MB": t["megabytes"]}
        for lang, t in manifest["languages"].items()
    ]
    table = pd.DataFrame(rows).pivot_table(
        index="source", columns="language", values="MB", aggfunc="sum", sort=False
    )
    return table.round(1)


def glass_run_table(name: str) -> pd.DataFrame:
    """What a glass-box run is: sizes, data, speed and outcome, one row per fact."""
    from semantic_pivots.training import glass

    run = glass.run_summary(name)
    t = run["settings"]
    facts = {
        "parameters": f"{run['parameters']:,}",
        "architecture": f"Llama, {t['layers']} layers, hidden {t['hidden']}, {t['heads']} heads, "
        f"MLP {t['intermediate']}, tied embeddings",
        "tokenizer": f"byte-level BPE, {t['vocab']:,} tokens, trained on the whole corpus",
        "data": f"{', '.join(t['sources'])} in {', '.join(t['languages'])}; "
        f"{t['interleaved']:.0%} of the aligned {', '.join(t['pairs'])} units interleaved line by "
        f"line{' with language tags' if t['tags'] else ''}",
        "mixture documents": ", ".join(f"{k}: {v:,}" for k, v in run["mixture shares"].items()),
        "tokens seen": f"{run['tokens']:,} ({run['steps']:,} steps of {t['batch']} x "
        f"{t['seq_len']} tokens)",
        "schedule": f"AdamW, peak learning rate {t['lr']}, {t['warmup']} warm-up steps, cosine "
        f"decay, " + (f"gradient clipping at {t['clip']}" if t["clip"] else "no gradient clipping"),
        "training time": f"{run['training seconds']:,.0f} s on {run['device']} "
        f"({run['processes']} process{'es' if run['processes'] > 1 else ''})",
        "tokens per second": f"{run['tokens per second']:,.0f}",
        "final loss": f"{run['final loss']:.3f} (one step)",
        "seed": str(run["seed"]),
    }
    return pd.DataFrame({"": list(facts.values())}, index=pd.Index(list(facts), name=name))


def glass_checkpoints_table(name: str) -> pd.DataFrame:
    """Per checkpoint: its spec, step, tokens and documents read."""
    from semantic_pivots.training import glass

    rows = []
    for c in glass.checkpoints(name):
        seen = glass.seen(c.folder)
        rows.append(
            {
                "checkpoint": c.spec,
                "step": c.step,
                "tokens": c.tokens,
                "documents read whole": len(seen["documents"]),
                "distinct documents": len(set(seen["documents"])),
            }
        )
    return pd.DataFrame(rows)


def interval_table(
    summary: pd.DataFrame, keys: list[str], columns: list[str], digits: int, style: str = "f"
):
    """``keys`` and each column as 'mean [low, high]' (``style``: stats.with_interval's)."""
    if summary.empty:
        return pd.DataFrame(columns=[*keys, *columns])
    return summary[keys].assign(
        **{c: with_interval(summary, c, digits, style).values for c in columns}
    )


# what the setting pivots.function_words bars, as the settings line says it
FUNCTION_WORDS = {
    "extended": "function words (`pivots.function_words: extended`: functionwordsets' "
    "21st-century sets, stop-words' lists for the languages those lack, and the functionwords "
    "package's English and Chinese lists), ",
    "base": "function words (`pivots.function_words: base`: functionwordsets' 21st-century sets "
    "and stop-words' lists for the languages those lack), ",
    "none": "no function word as such (`pivots.function_words: none`), but ",
}


def pivot_settings_line(p: Pivots, collections: dict[str, Collection]) -> str:
    """The pivot settings and each model's collection (by model), in a sentence or two."""
    where = "; ".join(
        f"**{name}**: {len(c)} documents ({c.root.name})" for name, c in collections.items()
    )
    return (
        f"Pivots: up to {p.n_docs} documents per word (those with a line of its language) and "
        f"{p.n_docs} background documents matched to each sample's sources, languages and "
        f"lengths (none for an item whose source or target word is in fewer than "
        f"{p.min_docs}); the top {p.n_pivots} words by pivot score among those whose two "
        f"excesses have a one-sided 95 % lower bound above 0; never pivots: "
        f"{FUNCTION_WORDS[p.function_words]}proper names and the corpus's {p.stop} most "
        f"frequent words; control words of the pivot's language within a factor "
        f"{p.tolerance:g} of its frequency; documents retrieved with {p.engine}. Collections "
        f"(the study corpus's {'documents' if p.samples == 'documents' else 'aligned units'} "
        f"for a pretrained model): {where}."
    )


def pivot_examples(
    results: dict,
    roots: dict[str, str],
    readers: dict[str, str],
    first: str,
    pairs: int = 3,
    per_pair: int = 2,
) -> dict:
    """Per collection (the first model that uses it): a heading and its example table.

    ``roots``: each model's collection name; ``readers``: each collection's name as a reader
    knows it (``Study.collection_readers``), the heading; pairs from the ``first`` language
    come first.
    """
    from semantic_pivots.analyses import pivots

    out = {}
    for name, (found, _, _) in results.items():
        root = roots[name]
        if root in out:
            continue
        ordered = list(dict.fromkeys(p for p, _ in found))
        chosen = [p for p in ordered if p.split("-")[0] == first]
        table = pivots.examples(found, (chosen or ordered)[:pairs], per_pair)
        name = readers[root]
        heading = f"**{name[:1].upper() + name[1:]}** (collection `{root}`)"
        out[root] = (heading, table)
    return out


def excess_reading(excess: pd.DataFrame, difference: pd.DataFrame) -> str:
    """What the middle-layer excess of each model says, from its intervals.

    ``difference``: :func:`pivots.excess_difference`, the direct test between behaviours.
    """
    if excess.empty:
        return "No model has labelled items with pivots to compare."
    diffs = difference.set_index("model") if len(difference) else difference
    lines = []
    for model, group in excess.groupby("model", sort=False):
        parts = []
        for _, r in group.iterrows():
            if pd.isna(r["excess low"]):
                verdict = "there are too few concepts for an interval"
            elif r["excess low"] > 0:
                verdict = "the pivot set holds more mass than the control set"
            elif r["excess high"] < 0:
                verdict = "the pivot set holds less mass than the control set"
            else:
                verdict = "no difference between the pivot and control sets is detectable"
            parts.append(
                f"for its {r['label'].replace(' ', '-')} items (n = {int(r['n'])}) {verdict} "
                f"({_estimate(r['excess'], r['excess low'], r['excess high'])})"
            )
        line = f"- **{model}**: in the middle layers, " + "; ".join(parts)
        if model in diffs.index and not pd.isna(diffs.loc[model, "difference"]):
            d = diffs.loc[model]
            low, high = d["difference low"], d["difference high"]
            verdict = (
                "not measured: a behaviour has too few concepts for an interval"
                if pd.isna(low)
                else "larger for semantic-pivot items"
                if low > 0
                else "smaller for semantic-pivot items"
                if high < 0
                else "not detectably different between the behaviours, so this sample does not "
                "show it to be specific to semantic-pivot items"
            )
            line += (
                ". Semantic-pivot minus co-occurrence items: "
                f"{_estimate(d['difference'], low, high)}, the excess is {verdict}"
            )
        lines.append(line + ".")
    return "\n".join(lines)


def _estimate(value: float, low: float, high: float) -> str:
    """A signed estimate with its interval in one style (three significant digits), or alone."""
    # the sentences around it already say where there is no interval
    return interval_text(value, low, high, 3, signed=True).removesuffix(" (no interval)")


def peak_table(peaks: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """How many semantic-pivot items peak on a pivot and on a control, per row of ``keys``.

    With the difference of the two shares and its interval (a dash where no peak lands on
    either). ``peaks``: :func:`pivots.peak_summary`'s rows. Counts, since few peaks land on
    either set and a column of shares would read 0.000 [0.000, 0.000].
    """
    if peaks.empty:
        return pd.DataFrame(columns=[*keys, "on a pivot", "on a control", "difference"])
    landed = (peaks["on pivot"] > 0) | (peaks["on control"] > 0)
    return peaks[keys].assign(
        **{
            "on a pivot": (peaks["on pivot"] * peaks["n"]).round().astype(int),
            "on a control": (peaks["on control"] * peaks["n"]).round().astype(int),
            "difference": with_interval(peaks, "difference", 3, "s").where(landed, "–"),
        }
    )


def peak_reading(peaks: pd.DataFrame) -> str:
    """Whether the semantic-pivot peaks land on pivots more often than on matched controls.

    One line per row of ``peaks``, naming its lens where the table has a ``lens`` column.
    """
    lines = []
    for _, r in peaks.iterrows():
        base = (
            f"- **{r['model']}**{f' ({lens} lens)' if (lens := r.get('lens')) else ''}: "
            f"of {int(r['n'])} semantic-pivot items, {round(r['on pivot'] * r['n'])} peak on a "
            f"pivot token and {round(r['on control'] * r['n'])} on a control token; "
        )
        if r["on pivot"] == 0 and r["on control"] == 0:
            bound = math.ceil(wilson(0, int(r["n"]))[1] * 1000) / 10  # in %, rounded up
            lines.append(
                base + "the peaks land on neither set, so pivots and controls cannot be told "
                f"apart; the rate of peaks on pivots is at most {bound:.1f} % "
                "(the 95 % Wilson bound, rounded up)."
            )
        elif pd.isna(r["difference low"]):
            lines.append(base + "too few concepts for an interval.")
        elif r["difference low"] > 0:
            lines.append(base + "the peaks land on pivots more often than on controls.")
        elif r["difference high"] < 0:
            lines.append(base + "the peaks land on pivots less often than on controls.")
        else:
            lines.append(
                base + "no difference from the control rate is detectable at this sample size."
            )
    return "\n".join(lines) or "No model has semantic-pivot items."


def pivot_coverage(results: dict, min_docs: int) -> str:
    """How many of each model's traced items have pivots, and why the others have none."""
    lines = []
    for name, (found, mass, _) in results.items():
        traced = [found[p, i] for p, i in mass[["pair", "item"]].drop_duplicates().values]
        is_rare = [min(f.source_documents, f.target_documents) < min_docs for f in traced]
        rare = sum(is_rare)
        same = sum(
            f.source.casefold() == f.target.casefold() and not r
            for f, r in zip(traced, is_rare, strict=True)
        )
        with_pivots = sum(bool(f.pivots) for f in traced)
        names_only = sum(bool(f.names) and not f.pivots for f in traced)
        lines.append(
            f"- **{name}**: {with_pivots} of its {len(traced)} traced items have pivots; "
            f"{rare} have a word in fewer than {min_docs} documents, {same} have one string "
            f"for both words, and {len(traced) - with_pivots - rare - same} have no content "
            "word above the noise floor (a positive score whose two excesses have a lower bound "
            f"above 0), {names_only} of them a proper name only."
        )
    return "\n".join(lines)


def continuation_line(c: Continuation, t: Training, start: Checkpoint) -> str:
    """The experiment in a sentence: start checkpoint, arms, seeds, budget, selection."""
    from semantic_pivots.training.train import steps_for

    steps = steps_for(replace(t, tokens=c.continue_tokens))
    return (
        f"Each arm continues **{start.spec}** ({start.tokens:,} tokens seen) for "
        f"{c.continue_tokens:,} tokens ({steps} steps of {t.batch} × {t.seq_len}; learning rate "
        f"{c.continue_lr:g}, {c.continue_warmup} warm-up steps, then cosine decay), with seeds "
        f"{', '.join(map(str, c.seeds))} (training seeds past the base run's, so no run replays "
        f"it). Selections hold {c.budget:.0%} of the tokens of the documents they draw from; "
        f"the pivot set is the {c.set_size} words of highest weighted degree in a "
        f"{c.weighting} graph of words less than {c.window} apart. The primary measure is the "
        f"**{c.primary}**."
    )


def contrast_reading(table: pd.DataFrame, measure: str) -> str:
    """The verdict of every contrast on all pairs for ``measure``, in a sentence each."""
    rows = table[(table["pair"] == "all pairs") & (table["measure"] == measure)]
    lines = [
        f"- **{r['contrast']}**: "
        + (
            "not measured (an arm has one seed, or nothing varies)."
            if r["verdict"] == "not measured"
            else f"{_estimate(r['difference'], r['difference low'], r['difference high'])}, "
            f"p = {significant(r['p'], 2)}"
            + ("" if r["primary"] or r["check"] else f" (Holm {significant(r['p (Holm)'], 2)})")
            + f": {r['verdict']}."
        )
        for _, r in rows.iterrows()
    ]
    return "\n".join(lines) or "No contrast could be measured."


def continuation_scale(c: Continuation, run: dict) -> str:
    """How large this comparison is, and where the larger one runs.

    ``run``: the summary of the glass-box run the arms continue.
    """
    return (
        f"Here each of {len(c.arms) * len(c.seeds)} runs continues a model of "
        f"{run['parameters']:,} parameters for {c.continue_tokens:,} tokens on "
        f"{run['device']}; the intervals above say whether any difference between arms is "
        "detectable at that scale, and a null result here says nothing about larger models. "
        "The `gpu` profile runs the same comparison with a larger glass-box model and more "
        "tokens per run "
        "(`make reproduce PROFILE=gpu` on a GPU machine, `accelerate launch` on several)."
    )


MEASURES = ["score", "rank accuracy", "log ratio"]
SHARES = ["rank accuracy", "exact match"]  # an item's 0 or 1


# measures written to significant digits, not decimals: the CLWTD score is a difference of
# probabilities, all tiny on a small model (the glass-box model's would read 0.000)
SIGNIFICANT = ("score",)


def _style(column: str) -> str:
    return "s" if column in SIGNIFICANT else "f"


def with_intervals(summary: pd.DataFrame, digits: dict[str, int]) -> pd.DataFrame:
    """``summary``'s columns written as "mean [low, high]" with their digits.

    Digits are decimals, or significant digits for the measures of :data:`SIGNIFICANT`.
    """
    return summary.assign(**{c: with_interval(summary, c, d, _style(c)) for c, d in digits.items()})


def copying_table(scores: pd.DataFrame, seed: int) -> pd.DataFrame | None:
    """Scores of same-string items apart from the others, in the pairs that have any."""
    copying = scores[scores.groupby("pair")["same string"].transform("any")]
    if copying.empty:
        return None
    by = ["model", "pair", "same string"]
    copy = summarise(copying, by, MEASURES[:2], "item", seed=seed, shares=SHARES)
    table = with_intervals(copy, {"score": 3, "rank accuracy": 2})
    return table.set_index(["model", "pair", "same string"]).sort_index()[["n", *MEASURES[:2]]]


def overall_table(overall: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per model: its items × pairs and each column as "mean [low, high]"."""
    return pd.DataFrame(
        {
            "items × pairs": overall["n"].values,
            **{c: with_interval(overall, c, 3, _style(c)).values for c in columns},
        },
        index=pd.Index(overall["model"], name="model"),
    )


def chance_by_model(scores: pd.DataFrame) -> pd.Series:
    """Each model's chance rank accuracy: the mean of one over its candidates."""
    return scores.groupby("model")["n_candidates"].apply(lambda n: (1 / n).mean())


def checkpoint_summary(by_ckpt: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Means with intervals per model, checkpoint, pair and tokens seen."""
    by = ["model", "checkpoint", "pair", "seen"]
    return summarise(by_ckpt, by, MEASURES, "item", seed, shares=SHARES)


def checkpoint_tables(summary: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per measure: "mean [low, high]" per checkpoint (rows: model, tokens seen) and pair."""
    digits = {"score": 3, "rank accuracy": 3, "log ratio": 3}
    models = list(dict.fromkeys(summary["model"]))  # the run's order
    return {
        m: frames.in_order(
            with_intervals(summary, {m: d})
            .pivot(index=["model", "seen"], columns="pair", values=m)
            .sort_index(),
            models,
        )
        for m, d in digits.items()
    }


def behaviour_shares(by_ckpt: pd.DataFrame, labels: list[str], seed: int) -> pd.DataFrame:
    """The share of items of each behaviour per model, pair and tokens seen, with intervals."""
    flags = by_ckpt.assign(**{label: (by_ckpt.label == label).astype(float) for label in labels})
    return summarise(flags, ["model", "pair", "seen"], labels, "item", seed=seed, shares=labels)


def audit_rates(rates: pd.DataFrame) -> pd.DataFrame:
    """The audit's error rate per language as "rate [low, high]"."""
    table = rates.assign(**{"error rate": with_interval(rates, "error rate")})
    return table.drop(columns=["error rate low", "error rate high"]).set_index("language")


def peak_tokens(frame: pd.DataFrame, per_pair: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Semantic-pivot peak tokens: items per model and script, and the commonest per pair."""
    from semantic_pivots.analyses.tracing import script
    from semantic_pivots.report.plots import printable

    pivots = frame[frame.label == "semantic pivot"].assign(
        script=lambda f: f["peak token"].map(script),
        **{"peak token": lambda f: f["peak token"].map(lambda t: printable(t, None))},
    )
    top = (
        pivots.groupby(["model", "pair", "peak token", "script"])
        .size()
        .rename("items")
        .reset_index()
        .sort_values(["model", "pair", "items"], ascending=[True, True, False])
        .groupby(["model", "pair"])
        .head(per_pair)
    )
    models = list(dict.fromkeys(frame["model"]))  # the run's order
    scripts = pivots.groupby(["model", "script"]).size().unstack(fill_value=0)
    return frames.in_order(scripts, models), frames.in_order(top, models)


def common_peaks(frame: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Per model, the ``n`` commonest peak tokens of its semantic-pivot items and their layers.

    With how many items peak on each and the lowest, median and highest of their peak layers.
    """
    from semantic_pivots.report.plots import printable

    pivots = frame[frame.label == "semantic pivot"]
    rows = []
    for model, group in pivots.groupby("model", sort=False):
        for token, items in group.groupby("peak token")["peak layer"]:
            rows.append(
                {
                    "model": model,
                    "peak token": printable(token, None),
                    "items": len(items),
                    "layers (lowest, median, highest)": (
                        f"{items.min()}, {items.median():g}, {items.max()}"
                    ),
                }
            )
    table = pd.DataFrame(
        rows, columns=["model", "peak token", "items", "layers (lowest, median, highest)"]
    )
    table = table.sort_values("items", ascending=False, kind="stable")
    models = list(dict.fromkeys(frame["model"]))
    return frames.in_order(table.groupby("model", sort=False).head(n), models).set_index(
        ["model", "peak token"]
    )


def exposure_table(exposure: pd.DataFrame) -> pd.DataFrame:
    """What each arm trains on (:func:`continued.composition`), arms as columns, so it fits.

    Counts as whole numbers, the mean length to one decimal, shares as percentages (n/a where
    an arm has none, the parallel arm's pivot share).
    """
    table = exposure.set_index("arm").T
    counts = table.index.isin(["documents", "tokens"])
    shown = table.astype(object)
    shown[counts] = table[counts].map(lambda v: f"{v:,.0f}")
    shown[table.index == "mean length"] = table[table.index == "mean length"].map(
        lambda v: f"{v:.1f}"
    )
    rest = ~counts & (table.index != "mean length")
    shown[rest] = table[rest].map(lambda v: "n/a" if pd.isna(v) else f"{100 * v:.1f} %")
    shown.columns.name = None
    return shown
