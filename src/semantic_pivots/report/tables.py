"""Tables that describe a word list, tokenizers and models (pure functions -> DataFrames)."""

from __future__ import annotations

import pandas as pd

from semantic_pivots import languages
from semantic_pivots.analyses.translation import Translation
from semantic_pivots.data.clwtd import Dataset, Item
from semantic_pivots.models.encoding import encode
from semantic_pivots.models.loading import LoadedModel
from semantic_pivots.prompts import answer, ordered_pairs


def settings_line(cfg, dataset: Dataset) -> str:
    """The run's settings in one sentence, for the top of every notebook."""
    rule = {
        "list": "the list's own",
        "random": "nine other words of the list drawn at random (an easier task: scores are "
        "not comparable with those under close distractors)",
    }[cfg.distractors]
    pairs = ordered_pairs(cfg.languages)
    sc = cfg.scoring
    n = len(sc.plan(pairs[0], dataset.items, cfg.seed))
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


def sample_table(items: list[Item], langs: list[str]) -> pd.DataFrame:
    """Each item's answers (the answer first) and distractors per language, one row each."""
    rows = [
        {
            "item": f"{it.id}: {it.gloss}" if it.gloss else it.id,
            "language": lang,
            "answers": _shortened(it.answers(lang)),
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


def accuracy_matrix(rows: list[Translation], langs: list[str]) -> pd.DataFrame:
    """Exact-match accuracy per ordered pair."""
    frame = pd.DataFrame([{"pair": r.pair, "correct": r.correct} for r in rows])
    return pair_matrix(frame, "correct", langs)


def pair_summary(matrix: pd.DataFrame) -> str:
    """One sentence: mean over the ordered pairs, and the best and worst pair."""
    values = matrix.stack().dropna()
    best, worst = values.idxmax(), values.idxmin()
    return (
        f"mean {values.mean():.2f} over {len(values)} ordered pairs; best {best[0]}→{best[1]} "
        f"({values.max():.2f}), worst {worst[0]}→{worst[1]} ({values.min():.2f})"
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
        f"decay, gradient clipping at {t['clip']}",
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
