"""Greedy word translation with the CLWTD prompt, and exact match against accepted answers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tqdm import tqdm

from . import kv
from .cache import cached_json, key_digest
from .clwtd import Item, sample
from .models import LoadedModel
from .prompts import Pair, query, split_shots

MAX_NEW_TOKENS = 8


@dataclass(frozen=True)
class Translation:
    model: str
    pair: str
    item: str
    source: str
    prediction: str
    answers: tuple[str, ...]
    correct: bool


def normalise(word: str) -> str:
    return unicodedata.normalize("NFKC", word).strip().strip(".,;:!?。、").casefold()


def first_line(text: str) -> str:
    return text.strip().split("\n")[0].strip()


def is_correct(prediction: str, answers: list[str]) -> bool:
    return normalise(prediction) in {normalise(a) for a in answers}


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
    encoded, _, cache, batches = kv.prefix_batches(lm, prompts, batch_size)
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


def translate_pairs(
    lm: LoadedModel,
    items: list[Item],
    pairs: list[Pair],
    k: int = 3,
    n_items: int | None = None,
    seed: int = 0,
) -> list[Translation]:
    """Greedy ``k``-shot translations for each pair; shots come from a held-out pool."""
    shots, pool = split_shots(items, k, seed)
    pool = sample(pool, n_items, seed)
    rows = []
    for pair in tqdm(pairs, desc=f"{lm.info.name} pairs"):
        prompts = [query(pair, shots, it.words[pair.src]) for it in pool]
        key = {
            "model": lm.info.fingerprint,
            "prompts": key_digest(prompts),
            "max_new_tokens": MAX_NEW_TOKENS,
        }
        preds = cached_json(
            "translations",
            key,
            lambda p=prompts, d=str(pair): generate(lm, p, MAX_NEW_TOKENS, desc=d),
        )
        for it, pred in zip(pool, preds, strict=True):
            answers = it.answers(pair.tgt)
            rows.append(
                Translation(
                    lm.info.name,
                    str(pair),
                    it.id,
                    it.words[pair.src],
                    pred,
                    tuple(answers),
                    is_correct(pred, answers),
                )
            )
    return rows
