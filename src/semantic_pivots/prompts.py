"""The CLWTD prompt (book/method.md) and the few-shot blocks it is built from."""

from __future__ import annotations

import random
from dataclasses import dataclass

from semantic_pivots import languages
from semantic_pivots.data.clwtd import Item, sample
from semantic_pivots.errors import UserError


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


def source_span(pair: Pair, prompt: str, source_word: str) -> tuple[int, int]:
    """Character range of the query's source word in a prompt made by :func:`query`."""
    end = len(prompt) - len(f"\n{languages.name(pair.tgt)}:")
    return end - len(source_word), end


MODES = ("shared", "paper")


@dataclass(frozen=True)
class Planned:
    """An item to evaluate and its shot sets (tracing and generation use the first)."""

    item: Item
    shots: list[list[Item]]

    @property
    def shot_ids(self) -> str:
        """The shot sets as item ids (``a,b|c,d``): what results of one plan join on."""
        return "|".join(",".join(it.id for it in shots) for shots in self.shots)


def plan(
    pair: Pair,
    items: list[Item],
    k: int,
    sets: int,
    mode: str,
    seed: int,
    n_items: int | None = None,
    pool: int | None = None,
) -> list[Planned]:
    """The items evaluated for ``pair`` and their shot sets.

    Called by the study's planning function only (``Study.plan``), so that scores, traces,
    translations and pivots join on the same items seen with the same shots.

    ``shared``: a held-out pool of ``pool`` items (default ``k * sets``; never evaluated) gives
    every item the same ``sets`` prefixes; a fixed ``pool`` keeps the evaluated items the same
    across values of ``k``.
    ``paper`` (the authors'): each item draws its own ``sets`` shot lists from the other items.
    """
    if mode not in MODES:
        raise UserError(f"unknown shot mode {mode!r}: expected one of {', '.join(MODES)}")
    if len(items) < k + 1:
        raise UserError(
            f"{len(items)} items: at least k+1 = {k + 1} are needed for {k}-shot prompts"
        )
    rng = random.Random(f"{seed}|{pair}|{mode}")
    sets = 1 if k == 0 else sets  # zero-shot prompts are all the same
    if mode == "shared":
        size = k * sets if pool is None else max(pool, k)
        held, scored = split_shots(items, min(len(items) - 1, size), seed)
        shared = [rng.sample(held, k) for _ in range(sets)]
        planned = [Planned(it, shared) for it in scored]
    else:
        planned = []
        for it in items:
            others = [o for o in items if o.id != it.id]
            planned.append(Planned(it, [rng.sample(others, k) for _ in range(sets)]))
    chosen = {it.id for it in sample([p.item for p in planned], n_items, seed)}
    return [p for p in planned if p.item.id in chosen]


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
