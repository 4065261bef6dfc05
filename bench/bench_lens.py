"""The lens at the answer position on shared-prefix caches, every layer decoded in one product,
against one plain forward per prompt that decodes only the last position, layer by layer.

    python bench/bench_lens.py [--model gemma-3-270m] [--items 8] [--pair en-zh]

Both paths read the same lens inputs (the prompt, plus any blank token the answer starts with);
the script checks that their top-1 probabilities agree at every layer (within 1e-4) and their
top-1 tokens too, save where two tokens tie within that tolerance (the plain path gives the
token the other path chose the same probability), prints the speed ratio, and exits 1 if they
do not agree.
"""

from __future__ import annotations

import argparse
import sys
import time

TOLERANCE = 1e-4


def plain_top1(lm, inputs: list[list[int]], other: list[list[int]]) -> list[list[tuple]]:
    """One forward per prompt, no cache reuse; only the last position of each layer decoded:
    per prompt and layer, the top-1 token, its probability and that of the token ``other``
    names (the other path's top-1)."""
    import torch

    out = []
    for ids, theirs in zip(inputs, other, strict=True):
        with torch.no_grad():
            hidden = lm.model.base_model(
                input_ids=torch.tensor([ids]), output_hidden_states=True
            ).hidden_states
            probs = [
                torch.softmax(lm.adapter.logits(h[0, -1], layer).float(), -1)
                for layer, h in enumerate(hidden)
            ]
        out.append(
            [
                (int(p.argmax()), float(p.max()), float(p[t]))
                for p, t in zip(probs, theirs, strict=True)
            ]
        )
    return out


def main() -> None:
    from semantic_pivots import prompts
    from semantic_pivots.data import clwtd
    from semantic_pivots.models import encoding, lens
    from semantic_pivots.models.loading import load_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--pair", default="en-zh")
    opts = parser.parse_args()
    lm = load_model(opts.model, device="cpu")
    pair = prompts.Pair(*opts.pair.split("-"))
    planned = prompts.plan(pair, clwtd.load().items, 5, 1, "shared", 0, opts.items)
    inputs = [
        encoding.encode(
            lm.tokenizer,
            prompts.query(pair, p.shots[0], p.item.words[pair.src]),
            prompts.answer(p.item.words[pair.tgt]),
        ).lens_input
        for p in planned
    ]
    # one untimed call of each path first, so that neither pays the process's warm-up
    lens.trace_batch(lm, inputs[:2], [{}] * 2, top_k=1)
    plain_top1(lm, inputs[:1], [[0] * (lm.adapter.n_layers + 1)])
    start = time.perf_counter()
    fast = lens.trace_batch(lm, inputs, [{}] * len(inputs), top_k=1)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    plain = plain_top1(lm, inputs, [[tok for tok, _ in t.top1()] for t in fast])
    t_plain = time.perf_counter() - start
    pairs = [
        (a, b) for t, p in zip(fast, plain, strict=True) for a, b in zip(t.top1(), p, strict=True)
    ]
    same = all(a[0] == b[0] or abs(b[1] - b[2]) <= TOLERANCE for a, b in pairs)
    diff = max(abs(a[1] - b[1]) for a, b in pairs)
    print(
        f"{opts.model}, {opts.pair}, {len(inputs)} prompts, {lm.adapter.n_layers + 1} layers, CPU"
    )
    print(
        f"shared-prefix lens: {t_fast:.2f} s; one plain forward per prompt: {t_plain:.2f} s; "
        f"speed ratio {t_plain / t_fast:.1f}x; same top-1 tokens (or a tie): {same}; "
        f"max |top-1 probability difference| {diff:.1e}"
    )
    if not (same and diff <= TOLERANCE):
        sys.exit(1)


if __name__ == "__main__":
    main()
