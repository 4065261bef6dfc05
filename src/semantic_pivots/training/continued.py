"""Continued pre-training of a glass-box model on pivot-aware data and on its baselines.

From one mid-training checkpoint of the profile's glass-box run, each arm continues training on
its own documents with the same token budget, schedule and seeds:

- ``original``: the run's own mixture (the control);
- ``multilingual``: only the mixture's bilingual documents (aligned units interleaved), the
  multilingual-enriched baseline;
- ``pivot``: the mixture's documents richest in pivot-set tokens, up to a token budget
  (``selection``);
- ``random``: as many documents as ``pivot`` has in every stratum (source, languages, length
  decile), drawn at random afresh for every seed, which separates "more of such documents" from
  "more pivots";
- ``parallel`` (the exposure design only): the separated items' aligned units, interleaved, which
  the base run never showed together: the positive control, an arm known to help those items.

Under the exposure design, ``pivot`` and ``random`` draw from the mixture's monolingual
documents that hold none of the evaluated items' words, so neither arm shows them. With
``share`` below 1, each run's documents are its arm's plus the base mixture's (a seeded draw per
run) in about that proportion of tokens, so that an arm adds to pre-training rather than
replacing it.

Each arm's seeds are offset from the base run's seed, so no continued run replays the base
run's own data order. Every continued run is a glass-box run folder of its own (cached by a
hash of what it depends on), whose checkpoints record the documents they read.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path

from semantic_pivots import config
from semantic_pivots.cache import key_digest, source_digest
from semantic_pivots.config import ARMS
from semantic_pivots.data import clwtd, retrieval
from semantic_pivots.data import corpus as corpus_module
from semantic_pivots.errors import UserError
from semantic_pivots.paths import atomic_dir, atomic_write_text, cache_dir, temporary_dir
from semantic_pivots.training import glass, mixture, selection
from semantic_pivots.training import train as train_module


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
def _exposure(profile: str) -> tuple[mixture.Exposure | None, dict]:
    """The exposure design's assignment of the profile's mixture and its units (or None)."""
    settings = config.settings(profile)
    mix = glass.mixture_of(settings.training)
    return mixture.exposure_of(corpus_module.load(), mix, settings.seed)


def evaluated_free(settings: config.Settings, docs: list[mixture.TrainDoc]) -> list[str]:
    """The monolingual documents that hold no evaluated item's word (all, without the design)."""
    plan, _ = _exposure(settings.profile)
    if plan is None:
        return [d.id for d in docs]
    items = [it for it in clwtd.load().items if it.id in plan.groups]
    vocab = {lang: mixture.word_vocab(items, lang) for lang in settings.training.languages}
    return [
        d.id
        for d in docs
        if len(d.parts) == 1
        and not mixture.found_in(list(d.parts), d.parts[0].lang, vocab[d.parts[0].lang])
    ]


def parallel_documents(settings: config.Settings) -> list[mixture.TrainDoc]:
    """The separated items' line pairs, interleaved as the base run never showed them.

    :func:`mixture.line_pairs` of the units that hold a separated item's words, for the
    separated items whose two words differ (the others are not measured), the
    ``continuation.parallel_lines`` shortest per item.
    """
    plan, units = _exposure(settings.profile)
    if plan is None:
        raise UserError(
            "continuation arm parallel: expected the exposure design (training.design), whose "
            "separated items' units it shows together"
        )
    mix = glass.mixture_of(settings.training)
    ((a, b),) = mix.pairs
    items = [
        it
        for it in clwtd.load().items
        if plan.groups.get(it.id) == mixture.SEPARATED and not it.same_string(a, b)
    ]
    held = {align: units[align] for align in plan.units}
    return mixture.line_pairs(held, items, (a, b), settings.continuation.parallel_lines, mix.tags)


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


_LENGTHS: dict[tuple[str, str], list[int]] = {}


def mixture_lengths(profile: str, tokenizer) -> list[int]:
    """The token lengths of the profile's mixture documents, tokenized once per tokenizer."""
    key = (profile, tokenizer.name_or_path)
    if key not in _LENGTHS:
        _LENGTHS[key] = token_lengths(_mixture(profile)[0], tokenizer)
    return _LENGTHS[key]


@dataclass(frozen=True)
class Selection:
    """The pivot set, every document's pivot share and stratum, and the arms' documents."""

    pivots: list[str]  # the pivot set, by weighted degree
    degree: dict[str, float]  # weighted degree of the pivot set's words
    scores: dict[str, float]  # every mixture document's pivot share
    arms: dict[str, list[str]]  # arm name -> document ids (the random arm: see arm_ids)
    strata: dict[str, list]  # document id -> [source, languages, length decile]


def stratum(doc: mixture.TrainDoc, decile: int) -> list:
    """A document's stratum for the random arm: its source, its languages, its length decile."""
    return [doc.parts[0].source, kind(doc), decile]


def continued_seed(settings: config.Settings, seed: int) -> int:
    """The training seed of a continued run: past the base run's, so it never replays it."""
    return settings.seed + 1 + seed


def barred_words(settings: config.Settings, collection) -> set[str]:
    """Words the pivot set never holds: analysis 4's bars.

    The collection's most frequent words (``pivots.stop``), the function words of the run's
    languages, and the collection's proper names.
    """
    from semantic_pivots.data import function_words

    barred = set(retrieval.Local(collection).frequent(settings.pivots.stop, settings.seed))
    function = function_words.barred(settings.languages, settings.pivots.function_words)
    return barred | function | collection.names


def set_candidates(settings: config.Settings) -> dict[str, int]:
    """Every word of the mixture's collection the pivot set's rules admit, with its count.

    ``selection.admitted`` with :func:`barred_words`: the words the set is the top of by
    weighted degree, from which its audit draws frequency-matched controls.
    """
    _, collection = _mixture(settings.profile)
    counts = Counter(w for text in collection.texts for w in text.split())
    barred = barred_words(settings, collection)
    return {w: n for w, n in counts.items() if selection.admitted(w, barred)}


def select_arms(settings: config.Settings, tokenizer) -> Selection:
    """The documents of every arm (ids), the pivot set and the document scores, cached."""
    from semantic_pivots.data import function_words
    from semantic_pivots.data.words import admissible, content_like

    c = settings.continuation
    docs, collection = _mixture(settings.profile)
    key = {
        "collection": collection.root.name,
        "tokenizer": tokenizer.name_or_path,
        # what the selection depends on (not the seeds, arms or measures of the runs)
        "continuation": {k: getattr(c, k) for k in ("budget", "window", "weighting", "set_size")},
        "seq_len": settings.training.seq_len,
        "stop": settings.pivots.stop,
        "seed": settings.seed,
        "function words": key_digest(
            sorted(function_words.barred(settings.languages, settings.pivots.function_words))
        ),
        "code": source_digest(
            selection.graph,
            selection.weighted_degree,
            selection.pivot_set,
            selection.admitted,
            selection.pivot_share,
            selection.PivotShare.run,
            selection.score_documents,
            selection.select,
            selection.length_deciles,
            stratum,
            selection._fill,
            selection._tie_order,
            evaluated_free,
            admissible,
            content_like,
            token_lengths,
            mixture_lengths,
            kind,
            select_arms,
            barred_words,
        ),
    }
    path = cache_dir("glass", "selections") / f"{settings.profile}-{key_digest(key)[:12]}.json"
    if path.exists():
        return Selection(**json.loads(path.read_text(encoding="utf-8")))
    ids = [d.id for d in docs]
    barred = barred_words(settings, collection)
    vocab, weights = selection.graph(
        (collection.texts[i].split() for i in range(len(collection))), c.window, c.weighting
    )
    degree = selection.weighted_degree(weights)
    pivots = selection.pivot_set(vocab, degree, c.set_size, barred)
    with_degree = dict(zip(vocab, degree.tolist(), strict=True))
    with temporary_dir(path.parent, "scoring") as tmp:
        scores = selection.score_documents(collection.root / retrieval.DOCS, pivots, tmp)
    lengths = mixture_lengths(settings.profile, tokenizer)
    slack = settings.training.seq_len
    pool = set(evaluated_free(settings, docs))
    in_pool = [i for i, d in enumerate(docs) if d.id in pool]
    # a share of the pool the arms draw from (the whole mixture without the exposure design)
    budget = int(c.budget * sum(lengths[i] for i in in_pool))
    chosen = selection.select(
        [ids[i] for i in in_pool],
        [scores[ids[i]] for i in in_pool],
        [lengths[i] for i in in_pool],
        budget,
        settings.seed,
        slack,
    )
    arms = {
        "original": ids,
        "multilingual": [d.id for d in docs if len(d.parts) > 1],
        "pivot": chosen,
    }
    deciles = selection.length_deciles(lengths)
    strata = {d.id: stratum(d, n) for d, n in zip(docs, deciles, strict=True) if d.id in pool}
    result = Selection(pivots, {w: with_degree[w] for w in pivots}, scores, arms, strata)
    atomic_write_text(path, json.dumps(asdict(result), ensure_ascii=False))
    return result


def arm_ids(settings: config.Settings, chosen: Selection, arm: str, seed: int) -> list[str]:
    """The documents of one arm and seed: the random arm is drawn afresh for every seed."""
    if arm != "random":
        return chosen.arms[arm]
    ids = list(chosen.strata)
    strata = [tuple(chosen.strata[i]) for i in ids]
    return selection.random_like(ids, strata, chosen.arms["pivot"], f"{settings.seed}|{seed}")


def arm_documents(
    settings: config.Settings, chosen: Selection, arm: str, seed: int
) -> list[mixture.TrainDoc]:
    """The training documents of one arm and seed (:func:`arm_ids`)."""
    if arm == "parallel":
        return parallel_documents(settings)
    docs, _ = _mixture(settings.profile)
    by_id = {d.id: d for d in docs}
    return [by_id[i] for i in arm_ids(settings, chosen, arm, seed)]


def filled(
    settings: config.Settings, docs: list[mixture.TrainDoc], tokenizer
) -> list[mixture.TrainDoc]:
    """An arm's documents, repeated where they hold less than the arm's share of a run.

    About ``share`` x ``continue_tokens`` tokens (whole repeats, at least one): the parallel
    arm's few line pairs are read several times, while the mixture beside them
    (:func:`beside`) is read about once, as in the arms whose documents outnumber their share.
    """
    c = settings.continuation
    tokens = sum(token_lengths(docs, tokenizer))
    return docs * max(1, round(c.share * c.continue_tokens / max(1, tokens)))


def beside(
    settings: config.Settings, arm_docs: list[mixture.TrainDoc], seed: int, tokenizer
) -> list[mixture.TrainDoc]:
    """The base mixture's documents that go beside an arm's, a seeded draw per run.

    About ``(1 - share) / share`` times the arm's tokens; none where the arm is the mixture
    itself or ``share`` is 1.
    """
    share = settings.continuation.share
    if share >= 1:
        return []
    docs, _ = _mixture(settings.profile)
    order = list(range(len(docs)))
    random.Random(f"{settings.seed}|{seed}|beside").shuffle(order)
    wanted = sum(token_lengths(arm_docs, tokenizer)) * (1 - share) / share
    lengths = mixture_lengths(settings.profile, tokenizer)
    out, total = [], 0
    for i in order:
        if total >= wanted:
            break
        out.append(docs[i])
        total += lengths[i]
    return out


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
    docs = arm_documents(settings, chosen, arm, seed)
    if not docs:
        raise UserError(
            f"continuation arm {arm}: no document (budget {c.budget} of the mixture, "
            "or a mixture without bilingual documents); expected a larger budget"
        )
    if arm != "original":  # the mixture itself needs nothing beside it
        docs = filled(settings, docs, tok)
        docs = docs + beside(settings, docs, seed, tok)
    key = {
        "start": json.loads((start.folder / train_module.META).read_text())["key"],
        "step": start.step,
        "arm": arm,
        "documents": key_digest([d.id for d in docs]),
        "training": asdict(t),
        "seed": continued_seed(settings, seed),
        "code": source_digest(
            *glass.RUN_CODE, filled, beside, parallel_documents, mixture.line_pairs
        ),
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
        "seed": settings.seed,  # the mixture's, from which a checkpoint's documents are rebuilt
        "arm seed": seed,
        "training seed": continued_seed(settings, seed),
        "mixture": asdict(glass.mixture_of(settings.training)),
        "corpus": corpus_module.load().digest(),
        "key": key_digest(key),
    }
    with atomic_dir(folder) as tmp:
        train_module.train(
            t, docs, tok, continued_seed(settings, seed), tmp, describe, progress, start.folder
        )
    return final


def composition(
    documents: dict[str, list[mixture.TrainDoc]],
    chosen: Selection,
    tokenizer,
    seen: set[str],
    words: list,
    pairs: list,
    separated: list | None = None,
):
    """What each arm trains on, one row per arm (and per seed for the random arm).

    Documents, tokens and mean length; each kind's and each source's share of the tokens; the
    pivot share (NaN for documents the selection never scored); the share of documents the
    start checkpoint had already read (``seen``); the share of the evaluated ``words`` that
    occur, and of the evaluated word ``pairs`` and the ``separated`` items' pairs (where given)
    that share a document.
    """
    import pandas as pd

    from semantic_pivots.data import counts

    rows = []
    for arm, docs in documents.items():
        lengths = token_lengths(docs, tokenizer)
        total = sum(lengths) or 1
        row = {
            "arm": arm,
            "documents": len(docs),
            "tokens": sum(lengths),
            "mean length": total / max(1, len(docs)),
        }
        shares: dict[str, int] = {}
        for d, n in zip(docs, lengths, strict=True):
            for name in (f"{kind(d)} share", f"{d.parts[0].source} share"):
                shares[name] = shares.get(name, 0) + n
        row.update({k: v / total for k, v in sorted(shares.items())})
        scored = [(chosen.scores[d.id], n) for d, n in zip(docs, lengths, strict=True)
                  if d.id in chosen.scores]  # fmt: skip
        # the parallel arm's line pairs are not mixture documents, so they have no score
        row["pivot share"] = (
            sum(v * n for v, n in scored) / sum(n for _, n in scored) if scored else float("nan")
        )
        row["already seen"] = sum(d.id in seen for d in docs) / max(1, len(docs))
        units = (((lang, counts.tokens(line, lang)) for lang, line in d.lines()) for d in docs)
        found = counts.from_rows("arm", counts.count_units(units, words, pairs))
        row["evaluated words seen"] = sum(found.word(lang, w) > 0 for lang, w in words) / max(
            1, len(words)
        )
        for name, wanted in (("evaluated", pairs), ("separated", separated)):
            if wanted is not None:
                together = sum(found.pair(*p) > 0 for p in wanted)
                row[f"{name} pairs together"] = together / max(1, len(wanted))
        rows.append(row)
    frame = pd.DataFrame(rows)
    parts = [c for c in frame.columns if c.endswith(" share") and c != "pivot share"]
    return frame.fillna({c: 0.0 for c in parts})  # a kind or source an arm lacks
