"""Continued pre-training of a glass-box model on pivot-aware data and on its baselines.

From one mid-training checkpoint of the profile's glass-box run, each arm continues training on
its own documents with the same token budget, schedule and seeds:

- ``original``: the run's own mixture (the control);
- ``multilingual``: only the mixture's bilingual documents (aligned units interleaved), the
  multilingual-enriched baseline;
- ``pivot``: the mixture's documents richest in pivot-set tokens, up to a token budget
  (``selection``);
- ``random``: a random selection of the same budget and the same mix of languages as
  ``pivot``, which separates "more of these languages" from "more pivots".

Every continued run is a glass-box run folder of its own (cached by a hash of what it depends
on), whose checkpoints record the documents they read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path

from semantic_pivots import config
from semantic_pivots.cache import key_digest, source_digest
from semantic_pivots.config import ARMS
from semantic_pivots.data import corpus as corpus_module
from semantic_pivots.data import retrieval
from semantic_pivots.errors import UserError
from semantic_pivots.paths import atomic_dir, atomic_write_text, cache_dir, temporary_dir
from semantic_pivots.training import glass, mixture, selection
from semantic_pivots.training import train as train_module


@dataclass(frozen=True)
class Arm:
    name: str
    documents: list[mixture.TrainDoc]


def kind(doc: mixture.TrainDoc) -> str:
    """A document's languages: en, fr, or en+fr for an interleaved unit."""
    return "+".join(p.lang for p in doc.parts)


def start_checkpoint(settings: config.Settings) -> glass.Checkpoint:
    """The run's checkpoint nearest ``continuation.start`` of its steps (never step 0)."""
    found = [c for c in glass.checkpoints(f"{glass.PREFIX}{settings.profile}") if c.step > 0]
    if not found:
        raise UserError(f"glass-{settings.profile}: no trained checkpoint to continue from")
    target = settings.continuation.start * found[-1].step
    return min(found, key=lambda c: (abs(c.step - target), c.step))


@cache
def _mixture(profile: str) -> tuple[list[mixture.TrainDoc], retrieval.Collection]:
    settings = config.settings(profile)
    corpus = corpus_module.load()
    mix = glass.mixture_of(settings.training)
    docs = mixture.documents(corpus, mix, settings.seed)
    key = {"corpus": corpus.digest(), "mixture": asdict(mix), "seed": settings.seed}
    collection = retrieval.build(
        f"mixture-{profile}", key, lambda: ((d.id, d.lines()) for d in docs)
    )
    return docs, collection


def token_lengths(docs: list[mixture.TrainDoc], tokenizer) -> list[int]:
    """Each document's length in the model's tokens, with its end-of-text token."""
    ids = tokenizer([d.text for d in docs], add_special_tokens=False)["input_ids"]
    return [len(i) + 1 for i in ids]


@dataclass(frozen=True)
class Selection:
    pivots: list[str]  # the pivot set, by weighted degree
    degree: dict[str, float]  # weighted degree of the pivot set's words
    scores: dict[str, float]  # every mixture document's pivot share
    arms: dict[str, list[str]]  # arm name -> document ids


def select_arms(settings: config.Settings, tokenizer) -> Selection:
    """The documents of every arm (ids), the pivot set and the document scores, cached."""
    from semantic_pivots.data.words import admissible

    c = settings.continuation
    docs, collection = _mixture(settings.profile)
    key = {
        "collection": collection.root.name,
        "tokenizer": tokenizer.name_or_path,
        "continuation": asdict(c),
        "seq_len": settings.training.seq_len,
        "stop": settings.pivots.stop,
        "seed": settings.seed,
        "code": source_digest(
            selection.graph,
            selection.weighted_degree,
            selection.pivot_set,
            selection.pivot_share,
            selection.PivotShare.run,
            selection.score_documents,
            selection.select,
            selection.random_like,
            selection._fill,
            selection._tie_order,
            admissible,
            token_lengths,
            kind,
            select_arms,
        ),
    }
    path = cache_dir("glass", "selections") / f"{settings.profile}-{key_digest(key)[:12]}.json"
    if path.exists():
        return Selection(**json.loads(path.read_text(encoding="utf-8")))
    ids = [d.id for d in docs]
    frequent = set(retrieval.Local(collection).frequent(settings.pivots.stop, settings.seed))
    vocab, weights = selection.graph(
        (collection.texts[i].split() for i in range(len(collection))), c.window, c.weighting
    )
    degree = selection.weighted_degree(weights)
    pivots = selection.pivot_set(vocab, degree, c.set_size, frequent)
    with_degree = dict(zip(vocab, degree.tolist(), strict=True))
    with temporary_dir(path.parent, "scoring") as tmp:
        scores = selection.score_documents(collection.root / retrieval.DOCS, pivots, tmp)
    lengths = token_lengths(docs, tokenizer)
    budget = int(c.budget * sum(lengths))
    slack = settings.training.seq_len
    chosen = selection.select(ids, [scores[i] for i in ids], lengths, budget, settings.seed, slack)
    arms = {
        "original": ids,
        "multilingual": [d.id for d in docs if len(d.parts) > 1],
        "pivot": chosen,
        "random": selection.random_like(
            ids, [kind(d) for d in docs], lengths, chosen, budget, settings.seed, slack
        ),
    }
    result = Selection(pivots, {w: with_degree[w] for w in pivots}, scores, arms)
    atomic_write_text(path, json.dumps(asdict(result), ensure_ascii=False))
    return result


def arm_documents(settings: config.Settings, chosen: Selection, arm: str) -> list[mixture.TrainDoc]:
    docs, _ = _mixture(settings.profile)
    by_id = {d.id: d for d in docs}
    return [by_id[i] for i in chosen.arms[arm]]


def continue_run(settings: config.Settings, arm: str, seed: int, progress: bool = False) -> Path:
    """The final checkpoint folder of one arm and seed, trained unless it is cached."""
    from transformers import AutoTokenizer

    if arm not in ARMS:
        raise UserError(f"unknown arm {arm!r}: expected one of {', '.join(ARMS)}")
    start = start_checkpoint(settings)
    tok = AutoTokenizer.from_pretrained(start.folder)
    chosen = select_arms(settings, tok)
    c = settings.continuation
    t = replace(
        settings.training,
        tokens=c.continue_tokens,
        lr=c.continue_lr,
        warmup=c.continue_warmup,
        n_checkpoints=2,
    )
    key = {
        "start": json.loads((start.folder / train_module.META).read_text())["key"],
        "step": start.step,
        "arm": arm,
        "documents": key_digest(chosen.arms[arm]),
        "training": asdict(t),
        "seed": seed,
        "code": source_digest(*glass.RUN_CODE),
    }
    folder = (
        cache_dir("glass", "continued") / f"{settings.profile}-{arm}-{seed}-{key_digest(key)[:12]}"
    )
    final = folder / "checkpoints" / f"step-{train_module.steps_for(t)}"
    if (folder / "run.json").exists():
        return final
    describe = {
        "glass": f"{glass.PREFIX}{settings.profile}",
        "profile": settings.profile,
        "continued from": start.spec,
        "arm": arm,
        "seed": seed,
        "mixture": asdict(glass.mixture_of(settings.training)),
        "corpus": corpus_module.load().digest(),
        "key": key_digest(key),
    }
    docs = arm_documents(settings, chosen, arm)
    if not docs:
        raise UserError(
            f"continuation arm {arm}: no document (budget {c.budget} of the mixture, "
            "or a mixture without bilingual documents); expected a larger budget"
        )
    with atomic_dir(folder) as tmp:
        train_module.train(t, docs, tok, seed, tmp, describe, progress, start=start.folder)
    return final


def composition(documents: dict[str, list[mixture.TrainDoc]], chosen: Selection, tokenizer):
    """What each arm trains on: documents, tokens, each kind's share of tokens, pivot share."""
    import pandas as pd

    rows = []
    for arm, docs in documents.items():
        lengths = token_lengths(docs, tokenizer)
        total = sum(lengths) or 1
        row = {"arm": arm, "documents": len(docs), "tokens": sum(lengths)}
        by_kind: dict[str, int] = {}
        for d, n in zip(docs, lengths, strict=True):
            by_kind[kind(d)] = by_kind.get(kind(d), 0) + n
        row.update({f"{k} share": v / total for k, v in sorted(by_kind.items())})
        row["pivot share"] = (
            sum(chosen.scores[d.id] * n for d, n in zip(docs, lengths, strict=True)) / total
        )
        rows.append(row)
    return pd.DataFrame(rows).fillna(0.0)
