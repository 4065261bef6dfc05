"""Choose analysis 5's primary measure on a pilot: the positive control on every measure.

    python bench/continuation_pilot.py [--seeds 10 11 12 13] [--set continuation.KEY=VALUE ...]

Continues the profile's glass-box model on every arm with seeds that the reported runs do not
use, and prints, per measure, the check's difference (parallel - random) on the separated
items over all pairs with its t-based interval and t statistic, and the base run it continued.
The primary measure is the one on which the check stands out most; the pivot arm's contrasts
are not printed, so that they play no part in the choice. Settings are KEY=VALUE without spaces.
"""

from __future__ import annotations

import argparse

from semantic_pivots import config
from semantic_pivots.analyses import transfer
from semantic_pivots.study import Study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--seeds", type=int, nargs="+", default=[10, 11, 12, 13])
    parser.add_argument("--set", nargs="*", default=[], help="continuation settings, KEY=VALUE")
    args = parser.parse_args()
    overrides = {
        **config.parse_assignments(" ".join(args.set)),
        "continuation.seeds": args.seeds,
        "scoring.checkpoints": [],
        "models": [f"glass-{args.profile}"],
    }
    study = Study(config.settings(args.profile, **overrides))
    result = study.continuation
    c = study.settings
    table = transfer.comparisons(
        study.continuation_gains, transfer.CONTRASTS, c.continuation.primary, seed=c.seed
    )
    check = transfer.CONTRASTS[1][0]  # parallel − random
    table = table[(table["pair"] == "all pairs") & (table["contrast"] == check)]
    table = table.assign(t=lambda f: f["difference"] / f["se"])
    columns = ["contrast", "measure", "difference", "difference low", "difference high", "t"]
    print(f"continued from {result['start'].spec} of run {study.glass_run['key']}")
    print(table[columns].to_string(index=False))


if __name__ == "__main__":
    main()
