"""Reference scorer against the fast scorer on the same CLWTD requests.

    python bench/bench_scoring.py [--model gemma-3-270m] [--items 8] [--pair en-fr] [--k 5]

Each scorer runs in its own process (for a clean peak-memory reading) on identical requests;
the script prints the speed ratio, candidates per second, peak resident memory and the largest
absolute difference between the two sets of losses.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time


def run(model: str, items: int, pair: str, k: int, sets: int, scorer: str, queue) -> None:
    from semantic_pivots import clwtd, scoring
    from semantic_pivots.models import load_model
    from semantic_pivots.prompts import Pair

    lm = load_model(model, device="cpu")
    the_pair = Pair(*pair.split("-"))
    scored, shots = scoring.shot_sets(the_pair, clwtd.load().items, k, sets, "shared", 0)
    requests = [
        r
        for it in scored[:items]
        for cand in scoring.requests_for(the_pair, it, shots[it.id])
        for r in cand
    ]
    start = time.perf_counter()
    losses = scoring.SCORERS[scorer](lm, requests)
    seconds = time.perf_counter() - start
    queue.put((seconds, losses, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--pair", default="en-fr")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--sets", type=int, default=1)
    opts = parser.parse_args()
    ctx = mp.get_context("spawn")
    results = {}
    for scorer in ("reference", "fast"):
        queue = ctx.Queue()
        proc = ctx.Process(
            target=run, args=(opts.model, opts.items, opts.pair, opts.k, opts.sets, scorer, queue)
        )
        proc.start()
        results[scorer] = queue.get()
        proc.join()
    (t_ref, ref, mem_ref), (t_fast, fast, mem_fast) = results["reference"], results["fast"]
    diff = max(abs(a - b) for a, b in zip(ref, fast, strict=True))
    n = len(ref)
    print(
        f"{opts.model}, {opts.pair}, {opts.items} items x {n // opts.items} candidate "
        f"sequences ({opts.k}-shot, {opts.sets} shot set(s)), CPU"
    )
    print(f"reference: {t_ref:.1f} s, {n / t_ref:.1f} candidates/s, peak RSS {mem_ref:.0f} MiB")
    print(f"fast:      {t_fast:.1f} s, {n / t_fast:.1f} candidates/s, peak RSS {mem_fast:.0f} MiB")
    print(f"speed ratio {t_ref / t_fast:.1f}x; max |loss difference| {diff:.2e}")


if __name__ == "__main__":
    main()
