"""The lens at the answer position only, against projecting every position of every layer
(what hooking each layer's whole output and decoding it amounts to).

    python bench/bench_lens.py [--model gemma-3-270m] [--items 8] [--pair en-fr]

Both paths run on the same prompts; the script checks that their top-1 tokens at the answer
position agree at every layer and prints the speed ratio.
"""

from __future__ import annotations

import argparse
import time


def all_positions_top1(lm, prompts: list[str]) -> list[list[int]]:
    """Decode every position at every layer, then read the last one."""
    import torch

    out = []
    for prompt in prompts:
        ids = lm.tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            hidden = lm.model.base_model(**ids, output_hidden_states=True).hidden_states
            top = [
                torch.softmax(lm.adapter.logits(h[0], layer), -1).argmax(-1)
                for layer, h in enumerate(hidden)
            ]
        out.append([int(t[-1]) for t in top])
    return out


def main() -> None:
    from semantic_pivots import clwtd, lens, prompts
    from semantic_pivots.models import load_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--pair", default="en-fr")
    opts = parser.parse_args()
    lm = load_model(opts.model, device="cpu")
    pair = prompts.Pair(*opts.pair.split("-"))
    shots, items = prompts.split_shots(clwtd.load().items, 5, 0)
    texts = [prompts.query(pair, shots, it.words[pair.src]) for it in items[: opts.items]]
    # one untimed call of each path first, so that neither pays the process's warm-up
    lens.trace_batch(lm, texts[:2], [{}] * 2, top_k=1)
    all_positions_top1(lm, texts[:1])
    start = time.perf_counter()
    fast = lens.trace_batch(lm, texts, [{}] * len(texts), top_k=1)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    full = all_positions_top1(lm, texts)
    t_full = time.perf_counter() - start
    same = all([tok for tok, _ in t.top1()] == f for t, f in zip(fast, full, strict=True))
    print(f"{opts.model}, {len(texts)} prompts, {lm.adapter.n_layers + 1} layers, CPU")
    print(
        f"answer position only: {t_fast:.1f} s; every position: {t_full:.1f} s; "
        f"speed ratio {t_full / t_fast:.1f}x; identical top-1 tokens: {same}"
    )


if __name__ == "__main__":
    main()
