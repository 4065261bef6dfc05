"""The fast CLWTD scorer against two baselines on the same requests.

    python bench/bench_scoring.py [--model gemma-3-270m] [--items 8] [--pair en-fr] [--k 5]

Baselines: the reference scorer (one full forward per sequence) and the batched scorer a peer
would write, as the authors' code does (an item's candidates as one right-padded batch per shot
set, full logits at every position). Settings: the default profile's (shared shot sets, S = 2)
and the authors' per-item shot sets (``paper`` mode). Each scorer runs in its own process (for a
clean peak-memory reading). The script prints times, speed ratios and the largest absolute
difference between losses, and exits 1 if any scorer disagrees with the reference by more than
1e-4.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time

import numpy as np

TOLERANCE = 1e-4


def padded_batch_nll(lm, requests, group: int = 10) -> list[float]:
    """The peer baseline: ``group`` consecutive requests (an item's candidates under one shot
    set) as one right-padded batch, logits at every position."""
    import torch

    from semantic_pivots.analyses import scoring

    out = []
    for start in range(0, len(requests), group):
        encoded = [scoring.encode(lm, r) for r in requests[start : start + group]]
        width = max(len(e.ids) for e in encoded)
        ids = torch.tensor([e.ids + [0] * (width - len(e.ids)) for e in encoded])
        mask = torch.tensor([[1] * len(e.ids) + [0] * (width - len(e.ids)) for e in encoded])
        with torch.no_grad():
            logp = torch.log_softmax(lm.model(input_ids=ids, attention_mask=mask).logits, -1)
        for row, e in enumerate(encoded):
            span = range(e.answer_start, len(e.ids))
            out.append(-float(sum(logp[row, p - 1, e.ids[p]] for p in span)) / len(span))
    return out


def requests_for(items: int, pair: str, k: int, sets: int, mode: str):
    from semantic_pivots import prompts
    from semantic_pivots.analyses import scoring
    from semantic_pivots.data import clwtd

    the_pair = prompts.Pair(*pair.split("-"))
    planned = prompts.plan(the_pair, clwtd.load().items, k, sets, mode, 0, items)
    # per item: shot set outermost, so an item's candidates under one shot set are consecutive
    out = []
    for p in planned:
        by_candidate = scoring.requests_for(the_pair, p)
        for s in range(len(p.shots)):
            out += [cand[s] for cand in by_candidate]
    return out


def run(opts: dict, scorer: str, queue) -> None:
    from semantic_pivots.analyses import scoring
    from semantic_pivots.models.loading import load_model

    lm = load_model(opts["model"], device="cpu")
    requests = requests_for(*(opts[k] for k in ("items", "pair", "k", "sets", "mode")))
    fn = padded_batch_nll if scorer == "padded batch" else scoring.SCORERS[scorer]
    fn(lm, requests[:2])  # warm-up, untimed
    start = time.perf_counter()
    losses = fn(lm, requests)
    seconds = time.perf_counter() - start
    queue.put((seconds, losses, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def measure(opts: dict) -> bool:
    ctx = mp.get_context("spawn")
    results = {}
    for scorer in ("reference", "padded batch", "fast"):
        queue = ctx.Queue()
        proc = ctx.Process(target=run, args=(opts, scorer, queue))
        proc.start()
        try:
            results[scorer] = queue.get(timeout=3600)
        except Exception:  # the child died (its traceback is above) or hung
            proc.kill()
            print(f"{scorer} scorer failed", file=sys.stderr)
            sys.exit(1)
        proc.join()
    t_ref, ref, _ = results["reference"]
    n = len(ref)
    print(
        f"\n{opts['model']}, {opts['pair']}, {opts['mode']} mode, {opts['items']} items, "
        f"{opts['k']}-shot, S = {opts['sets']}: {n} candidate sequences, CPU"
    )
    ok = True
    for scorer, (seconds, losses, rss) in results.items():
        # NaN-safe: a NaN loss is a disagreement, never skipped by max()
        diff = float(np.max(np.abs(np.asarray(ref) - np.asarray(losses))))
        ok &= bool(np.isfinite(losses).all() and diff <= TOLERANCE)
        print(
            f"  {scorer:13s} {seconds:7.1f} s  {n / seconds:6.1f} seq/s  peak RSS {rss:5.0f} MiB"
            f"  max |loss - reference| {diff:.1e}"
        )
    t_fast, t_peer = results["fast"][0], results["padded batch"][0]
    print(
        f"  fast vs padded batch: {t_peer / t_fast:.1f}x; fast vs reference: {t_ref / t_fast:.1f}x"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--pair", default="en-fr")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--sets", type=int, default=2, help="shot sets (the default profile: 2)")
    opts = vars(parser.parse_args())
    ok = all([measure(dict(opts, mode=mode)) for mode in ("shared", "paper")])
    if not ok:
        print(f"disagreement above {TOLERANCE}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
