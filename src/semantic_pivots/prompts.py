"""The CLWTD prompt (METHOD.md section 1) and the few-shot blocks it is built from."""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import languages
from .clwtd import Item
from .errors import UserError


@dataclass(frozen=True)
class Pair:
    """An ordered language pair: translate from ``src`` to ``tgt``."""

    src: str
    tgt: str

    def __post_init__(self):
        languages.check_codes([self.src, self.tgt])

    def __str__(self) -> str:
        return f"{self.src}-{self.tgt}"


def ordered_pairs(langs: list[str]) -> list[Pair]:
    return [Pair(a, b) for a in languages.check_codes(langs) for b in langs if a != b]


def prefix(pair: Pair, shots: list[Item]) -> str:
    """Instruction and k few-shot blocks: everything before the query's source word."""
    a, b = languages.name(pair.src), languages.name(pair.tgt)
    blocks = "".join(f"{a}: {it.words[pair.src]}\n{b}: {it.words[pair.tgt]}\n\n" for it in shots)
    return f"Please translate words from {a} to {b}.\n\n{blocks}"


def query(pair: Pair, shots: list[Item], source_word: str) -> str:
    """The full prompt; the model's answer follows it as ``" {target word}"``."""
    a, b = languages.name(pair.src), languages.name(pair.tgt)
    return f"{prefix(pair, shots)}{a}: {source_word}\n{b}:"


def answer(word: str) -> str:
    return f" {word}"


def split_shots(items: list[Item], k: int, seed: int) -> tuple[list[Item], list[Item]]:
    """A held-out shot pool of ``k`` items (never scored) and the items left to evaluate."""
    if len(items) < k + 1:
        raise UserError(
            f"{len(items)} items: at least k+1 = {k + 1} are needed for {k}-shot prompts"
        )
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    held = set(order[:k])
    return [items[i] for i in order[:k]], [it for i, it in enumerate(items) if i not in held]
