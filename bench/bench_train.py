"""Training speed of the default glass-box configuration, and whether the data loader keeps up.

    python bench/bench_train.py [--steps 100] [--profile default]

Trains the profile's model for a few steps (its data, sizes and batch; a temporary cache) and
prints tokens per second and the ratio of the time spent waiting for batches to the time of
the whole step: the loader must not be the bottleneck (a ratio far below 1).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

from semantic_pivots import config
from semantic_pivots.data.corpus import corpus_dir
from semantic_pivots.paths import cache_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--profile", default="default")
    args = parser.parse_args()
    chosen = config.settings(args.profile)
    t = chosen.training
    tokens = args.steps * t.batch * t.seq_len
    tokenizers = cache_dir("glass", "tokenizers")  # reused: only the training is timed
    os.environ["SEMANTIC_PIVOTS_CORPUS"] = str(corpus_dir())
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SEMANTIC_PIVOTS_CACHE"] = tmp
        os.symlink(tokenizers, cache_dir("glass") / "tokenizers")
        from semantic_pivots.training import glass

        short = {"tokens": tokens, "n_checkpoints": 2}  # step 0 and the last step only
        folder = glass.train(config.settings(args.profile, training=short))
        run = json.loads((folder / "run.json").read_text())
    print(
        f"{args.profile}: {run['parameters']:,} parameters, {run['steps']} steps of "
        f"{t.batch} x {t.seq_len} tokens on {run['device']}: "
        f"{run['tokens per second']:,.0f} tokens/s; data loader / step time = "
        f"{run['loader seconds'] / run['training seconds']:.4f}"
    )


if __name__ == "__main__":
    main()
