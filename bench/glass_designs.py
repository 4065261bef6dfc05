"""Compare glass-box training designs within the CPU budget; prints one row per design.

    python bench/glass_designs.py [--profile default] [--design NAME ...] [--tokens N]

Each design is the profile's training section with a few settings changed (the
profile's own token budget unless ``--tokens``). Every design's final checkpoint is scored on
the CLWTD task (en->fr and fr->en, every item whose words its data holds, the profile's shots)
and, under the exposure design, the table gives each group's rank accuracy and log ratio with
95 % concept-resampling intervals and their difference: the design to keep is the one whose
co-occurring items learn best within the training time (the table's minutes).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import pandas as pd

from semantic_pivots import config
from semantic_pivots.analyses import frequency, scoring
from semantic_pivots.models.loading import load_model
from semantic_pivots.prompts import ordered_pairs
from semantic_pivots.study import Study
from semantic_pivots.training import glass

DESIGNS = {
    "a tenth of the other units interleaved": {"interleaved": 0.1},
    "half of the other units interleaved": {"interleaved": 0.5},
    "every other unit interleaved": {"interleaved": 1.0},
    "2 layers": {"layers": 2},
}
MEASURES = ["rank accuracy", "log ratio"]


def evaluate(profile: str, name: str, overrides: dict, tokens: int | None) -> list[dict]:
    training = {**overrides, **({"tokens": tokens} if tokens else {})}
    settings = config.settings(profile, training=training)
    folder = glass.train(settings)
    run = json.loads((folder / "run.json").read_text())
    final = folder / "checkpoints" / f"step-{run['steps']}"
    study = Study(settings)
    langs = ["en", "fr"]
    items = glass.items_seen(final, study.dataset.items, langs)
    plan = replace(settings.scoring, n_items=None)
    plans = {pair: study.plan(pair, items, plan) for pair in ordered_pairs(langs)}
    frame = scoring.with_measures(pd.DataFrame(scoring.score_pairs(load_model(str(final)), plans)))
    chance = float((1 / frame["n_candidates"]).mean())
    head = {
        "design": name,
        "training minutes": round(run["training seconds"] / 60, 1),
        "final loss": round(run["final loss"], 3),
        "chance": round(chance, 3),
    }
    # the interleaved design has no groups: every item as one
    groups = glass.groups_of(final) or dict.fromkeys(frame["item"], "all")
    effects = frequency.group_effects(frame, groups, settings.seed, MEASURES)
    return [
        {
            **head,
            "group": r["group"],
            "item-pairs": r["n"],
            **{m: f"{r[m]:+.3f} [{r[f'{m} low']:+.3f}, {r[f'{m} high']:+.3f}]" for m in MEASURES},
        }
        for r in effects.to_dict("records")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--design", nargs="*", default=list(DESIGNS), choices=list(DESIGNS))
    parser.add_argument("--tokens", type=int, help="every design's token budget")
    args = parser.parse_args()
    rows = [
        row
        for name in args.design
        for row in evaluate(args.profile, name, DESIGNS[name], args.tokens)
    ]
    print(pd.DataFrame(rows).to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
