"""Greedy word translation with the CLWTD prompt, and exact match against accepted answers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import partial

from tqdm import tqdm

from semantic_pivots.cache import Kind, cached_json, key_digest
from semantic_pivots.models import encoding, kv
from semantic_pivots.models.encoding import prompt_ids
from semantic_pivots.models.loading import LoadedModel
from semantic_pivots.prompts import Pair, Planned, query

MAX_NEW_TOKENS = 8


@dataclass(frozen=True)
class Translation:
    """One greedy translation and whether it matches an accepted answer."""

    model: str
    pair: str
    item: str
    shots: str  # the plan's shot sets as item ids; the prompt uses the first set
    source: str
    prediction: str
    answers: tuple[str, ...]
    correct: bool


def fold(word: str) -> str:
    """A word as compared for exact match: NFKC, trimmed of punctuation, case-folded."""
    return unicodedata.normalize("NFKC", word).strip().strip(".,;:!?。、").casefold()


def first_line(text: str) -> str:
    """A generation's first line: the model's answer, cut where it goes on."""
    return text.strip().split("\n")[0].strip()


def is_correct(prediction: str, answers: list[str]) -> bool:
    """Whether a prediction equals an accepted answer once both are folded."""
    return fold(prediction) in {fold(a) for a in answers}


def generate(
    lm: LoadedModel,
    prompts: list[str],
    max_new_tokens: int = MAX_NEW_TOKENS,
    batch_size: int = 32,
    desc: str = "generate",
) -> list[str]:
    """Greedy continuations, cut at the first newline.

    The prompts' common token prefix (instruction and shots) runs once; prompts of equal
    length are then batched without padding on top of a copy of its cache.
    """
    import torch

    tok = lm.tokenizer
    encoded = [prompt_ids(tok, p) for p in prompts]
    _, cache, batches = kv.prefix_batches(lm, encoded, batch_size)
    out = [""] * len(prompts)
    for batch in tqdm(batches, desc=desc, leave=False):
        ids = torch.tensor([encoded[i] for i in batch], device=lm.device)
        extra = {}
        if cache is not None:  # generate takes the cache under the forward's name for it
            extra[kv.cache_kwarg(lm.model)] = kv.expand(cache, len(batch))
        with torch.no_grad():
            new = lm.model.generate(
                input_ids=ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
                **extra,
            )[:, ids.shape[1] :]
        for i, text in zip(batch, tok.batch_decode(new, skip_special_tokens=True), strict=True):
            out[i] = first_line(text)
    return out


GENERATIONS = Kind("translations", 2, (generate, first_line, *encoding.CODE, *kv.CODE))


def translate_pairs(lm: LoadedModel, plans: dict[Pair, list[Planned]]) -> list[Translation]:
    """Greedy translations of the planned items, each prompted with its first shot set."""
    rows = []
    for pair, planned in tqdm(plans.items(), desc=f"{lm.info.name} pairs"):
        prompts = [query(pair, p.shots[0], p.item.words[pair.src]) for p in planned]
        key = {**lm.key(), "prompts": key_digest(prompts), "max_new_tokens": MAX_NEW_TOKENS}
        preds = cached_json(
            GENERATIONS,
            key,
            partial(generate, lm, prompts, MAX_NEW_TOKENS, desc=str(pair)),
        )
        for p, pred in zip(planned, preds, strict=True):
            it = p.item
            answers = it.answers(pair.tgt)
            rows.append(
                Translation(
                    lm.info.name,
                    str(pair),
                    it.id,
                    p.shot_ids,
                    it.words[pair.src],
                    pred,
                    tuple(answers),
                    is_correct(pred, answers),
                )
            )
    return rows
