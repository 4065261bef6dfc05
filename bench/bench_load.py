"""Model start-up costs: converting a registry GGUF once, loading it again, and refusing an
uncached hub id offline.

    python bench/bench_load.py [--spec gemma-3-270m] [--fresh]

``--fresh`` converts into an empty temporary cache (about a minute or two for Gemma).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--spec", default="gemma-3-270m")
    args.add_argument("--fresh", action="store_true")
    opts = args.parse_args()
    if opts.fresh:
        os.environ["SEMANTIC_PIVOTS_CACHE"] = tempfile.mkdtemp(prefix="sp-bench-")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from semantic_pivots.models.loading import load_model

    first = timed(lambda: load_model(opts.spec, device="cpu"))
    second = timed(lambda: load_model(opts.spec, device="cpu"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": tempfile.mkdtemp()}
    refuse = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "semantic_pivots", "model-info", "allenai/OLMo-1B-hf"],
            env=env,
            capture_output=True,
        )
    )
    print(
        f"{opts.spec}: first load {first:.1f} s ({'fresh' if opts.fresh else 'existing'} cache), "
        f"second load {second:.1f} s; uncached hub id refused in {refuse:.2f} s "
        "(a whole `python -m semantic_pivots` process)"
    )


if __name__ == "__main__":
    main()
