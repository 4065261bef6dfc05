"""Compare glass-box training designs within the CPU budget; prints one row per design.

    python bench/glass_designs.py [--minutes 4] [--design NAME ...]

Each design is the default profile's training section with a few settings changed and the
token budget cut to ``--minutes`` of this machine's measured speed. Every design's final
checkpoint is scored (CLWTD, en->fr and fr->en, every item whose words its data contains,
the profile's shots) and the table gives loss, CLWTD score, rank accuracy and log ratio with
95 % intervals over concepts.
"""

from __future__ import annotations

import argparse
import json

import pandas as pd

from semantic_pivots import config, stats
from semantic_pivots.analyses import scoring
from semantic_pivots.data import clwtd
from semantic_pivots.models.loading import load_model
from semantic_pivots.prompts import ordered_pairs
from semantic_pivots.training import glass

DESIGNS = {
    "1.5M, 2 layers, interleaved only": {},
    "3.9M, 4 layers": {"hidden": 192, "layers": 4, "heads": 6, "intermediate": 768},
    "1.5M, half interleaved": {"interleaved": 0.5},
    "1.5M, seq 64, lr 6e-3": {"seq_len": 64, "batch": 128, "lr": 6e-3},
    "1.5M, with the Bible": {"sources": ["bible", "wesnoth", "libreoffice-help"]},
}
SPEED = {"3.9M, 4 layers": 6_000}  # tokens/s where a design is slower than the default's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--design", nargs="*", default=list(DESIGNS))
    parser.add_argument("--speed", type=float, default=11_000, help="default design's tokens/s")
    args = parser.parse_args()
    base = config.settings("default")
    data = clwtd.study_list(None, "list", base.seed, ["en", "fr"], base.scoring.k + 1)
    pairs = ordered_pairs(["en", "fr"])
    rows = []
    for name in args.design:
        tokens = int(args.minutes * 60 * SPEED.get(name, args.speed))
        training = {**DESIGNS[name], "tokens": tokens}
        settings = config.settings("default", training=training)
        folder = glass.train(settings)
        run = json.loads((folder / "run.json").read_text())
        final = folder / "checkpoints" / f"step-{run['steps']}"
        items = glass.items_seen(final, data.items, ["en", "fr"])
        lm = load_model(str(final))
        frame = scoring.with_measures(
            pd.DataFrame(
                scoring.score_pairs(
                    lm, items, pairs, k=base.scoring.k, sets=base.scoring.shot_sets, seed=base.seed
                )
            )
        )
        summary = stats.summarise(
            frame, ["pair"], ["score", "rank accuracy", "log ratio"], "item", seed=base.seed
        )
        for r in summary.to_dict("records"):
            rows.append(
                {
                    "design": name,
                    "parameters": run["parameters"],
                    "tokens": run["tokens"],
                    "tokens/s": run["tokens per second"],
                    "loss": round(run["final loss"], 3),
                    "pair": r["pair"],
                    "items": r["n"],
                    "chance": round(float((1 / frame["n_candidates"]).mean()), 3),
                    **{
                        c: stats.with_interval(pd.DataFrame([r]), c, 3)[0]
                        for c in ("score", "rank accuracy", "log ratio")
                    },
                }
            )
        print(pd.DataFrame(rows).to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
