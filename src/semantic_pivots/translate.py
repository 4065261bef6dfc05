"""Greedy word translation with the CLWTD prompt, and exact match against accepted answers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tqdm import tqdm

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
    batch_size: int = 16,
    desc: str = "generate",
) -> list[str]:
    """Greedy continuations, batched with left padding, cut at the first newline."""
    import torch

    tok = lm.tokenizer
    tok.padding_side = "left"
    out: list[str] = []
    for start in tqdm(range(0, len(prompts), batch_size), desc=desc, leave=False):
        batch = tok(prompts[start : start + batch_size], return_tensors="pt", padding=True).to(
            lm.device
        )
        with torch.no_grad():
            ids = lm.model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
            )
        new = ids[:, batch["input_ids"].shape[1] :]
        out += [first_line(t) for t in tok.batch_decode(new, skip_special_tokens=True)]
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
