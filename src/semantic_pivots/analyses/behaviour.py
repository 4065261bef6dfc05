"""The two behaviours of the method chapter (book/method.md), as pure functions of a lens trace.

Inputs are the per-layer top-1 (token, probability) pairs from layer 1 to the last (the
embedding layer is left out: it decodes the input token), the source word's tokens S and the
target word's tokens T, blank tokens left out of both.
"""

from __future__ import annotations

EXCLUDED, PIVOT, COOCCURRENCE = 0, 1, 2
LABELS = {EXCLUDED: "excluded", PIVOT: "semantic pivot", COOCCURRENCE: "co-occurrence"}
RULES = ("peak", "threshold")


def excluded(source: set[int], target: set[int], same_word: bool) -> bool:
    """S and T share a token, or the two words are the same (S and T hold no blank tokens)."""
    return same_word or bool(source & target)


def peak_layer(top1: list[tuple[int, float]]) -> int:
    """The index of the most confident top-1 (ties: the later one)."""
    return max(range(len(top1)), key=lambda layer: (top1[layer][1], layer))


def peak_rule(top1: list[tuple[int, float]], source: set[int]) -> int:
    """Classify by the authors' peak rule.

    The authors' rule: the layer with the most confident top-1 (ties: the later layer);
    co-occurrence if its token is the final layer's top-1 or a source token, else pivot.
    """
    token = top1[peak_layer(top1)][0]
    return COOCCURRENCE if token == top1[-1][0] or token in source else PIVOT


def threshold_rule(
    top1: list[tuple[int, float]], source: set[int], target: set[int], threshold: float = 0.1
) -> int:
    """Classify by the alternative threshold rule.

    The alternative: pivot if any layer's top-1 reaches ``threshold`` and is in neither S
    nor T.
    """
    hit = any(p >= threshold and t not in source and t not in target for t, p in top1)
    return PIVOT if hit else COOCCURRENCE


def classify(
    top1: list[tuple[int, float]],
    source: set[int],
    target: set[int],
    same_word: bool = False,
    rule: str = "peak",
    threshold: float = 0.1,
) -> int:
    """An item's behaviour from its per-layer top-1 tokens (see the module's rules)."""
    if rule not in RULES:
        raise ValueError(f"unknown behaviour rule {rule!r}: expected one of {', '.join(RULES)}")
    if excluded(source, target, same_word):
        return EXCLUDED
    if rule == "peak":
        return peak_rule(top1, source)
    return threshold_rule(top1, source, target, threshold)
