"""Layer tracing of CLWTD items: lens traces at the answer position, stored compactly and
cached, with the behaviour of each item."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from . import behavior, lens, scoring
from .cache import cached_json, key_digest
from .clwtd import Item, sample
from .models import LoadedModel
from .prompts import Pair, answer, query


@dataclass(frozen=True)
class ItemTrace:
    model: str
    pair: str
    item: str
    source: str
    target: str
    source_tokens: list[int]  # " {w}" as it stands in the prompt
    target_tokens: list[int]  # " {y}" as it would be answered
    trace: lens.Trace

    def label(self, blank: set[int], rule: str = "peak", threshold: float = 0.1) -> int:
        """The behaviour, from layer 1 on (layer 0 only decodes the input token)."""
        return behavior.classify(
            self.trace.top1()[1:],
            set(self.source_tokens),
            set(self.target_tokens),
            self.source == self.target,
            blank,
            rule,
            threshold,
        )


def blank_tokens(lm: LoadedModel) -> set[int]:
    """Token ids that decode to white space only (ignored when S and T are compared)."""
    return set(lm.tokenizer(" ", add_special_tokens=False)["input_ids"])


def trace_pair(
    lm: LoadedModel, items: list[Item], pair: Pair, shots: list[Item], top_k: int = 5
) -> list[ItemTrace]:
    """Traces of ``items`` translated ``pair`` with one fixed shot list, cached."""
    tok = lm.tokenizer
    prompts = [query(pair, shots, it.words[pair.src]) for it in items]
    sets = [
        {
            "source": lens.token_variants(tok, it.words[pair.src]),
            "target": lens.token_variants(tok, it.words[pair.tgt]),
            "english": lens.token_variants(tok, it.words["en"]),
        }
        for it in items
    ]
    key = {
        "model": lm.info.fingerprint,
        "prompts": key_digest(prompts),
        "sets": key_digest(sets),
        "top_k": top_k,
    }
    rows = cached_json(
        "traces",
        key,
        lambda: [t.to_json() for t in lens.trace_batch(lm, prompts, sets, top_k=top_k)],
    )
    return [
        ItemTrace(
            lm.info.name,
            str(pair),
            it.id,
            it.words[pair.src],
            it.words[pair.tgt],
            tok(answer(it.words[pair.src]), add_special_tokens=False)["input_ids"],
            tok(answer(it.words[pair.tgt]), add_special_tokens=False)["input_ids"],
            lens.Trace.from_json(row),
        )
        for it, row in zip(items, rows, strict=True)
    ]


def study_traces(
    lm: LoadedModel,
    items: list[Item],
    pairs: list[Pair],
    k: int,
    sets: int,
    mode: str,
    seed: int,
    n_items: int,
    top_k: int = 5,
) -> list[ItemTrace]:
    """Traces of the items that the CLWTD scores use for each pair, with their first shot set,
    so that traces and scores join on (model, pair, item)."""
    out = []
    for pair in pairs:
        scored, shots = scoring.shot_sets(pair, items, k, sets, mode, seed)
        chosen = sample(scored, n_items, seed)
        out += trace_pair(lm, chosen, pair, shots[chosen[0].id][0], top_k=top_k)
    return out


def behaviour_row(
    t: ItemTrace, lm: LoadedModel, blank: set[int], rule: str = "peak", threshold: float = 0.1
) -> dict:
    """One item's behaviour under ``rule`` and under the other rule, and its peak layer."""
    top1 = t.trace.top1()
    peak = 1 + behavior.peak_layer(top1[1:])
    other = next(r for r in behavior.RULES if r != rule)
    return {
        "model": t.model,
        "pair": t.pair,
        "item": t.item,
        "source": t.source,
        "target": t.target,
        "label": behavior.LABELS[t.label(blank, rule, threshold)],
        f"label ({other} rule)": behavior.LABELS[t.label(blank, other, threshold)],
        "peak layer": peak,
        "peak token": lm.tokenizer.decode([top1[peak][0]]),
        "peak prob": top1[peak][1],
    }


def study_behaviour(
    lms: list[LoadedModel],
    items: list[Item],
    pairs: list[Pair],
    cfg,
    rule: str = "peak",
    threshold: float = 0.1,
    top_k: int = 5,
) -> tuple[list[dict], dict[tuple[str, str, str], ItemTrace]]:
    """Behaviour rows of every model, pair and item with a run profile's settings, and the
    traces by (model, pair, item)."""
    rows, traces = [], {}
    for lm in lms:
        blank = blank_tokens(lm)
        for t in study_traces(
            lm, items, pairs, cfg.k, cfg.shot_sets, cfg.mode, cfg.seed, cfg.n_items, top_k
        ):
            traces[t.model, t.pair, t.item] = t
            rows.append(behaviour_row(t, lm, blank, rule, threshold))
    return rows, traces


def script(text: str) -> str:
    """The writing system of a decoded token: latin, kana, han, other or blank."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "blank" if not text.strip() else "other"
    names = [unicodedata.name(c, "") for c in letters]
    if any("HIRAGANA" in n or "KATAKANA" in n for n in names):
        return "kana"
    if any("CJK" in n for n in names):
        return "han"
    if all("LATIN" in n for n in names):
        return "latin"
    return "other"
