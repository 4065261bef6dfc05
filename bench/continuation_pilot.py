"""Choose analysis 5's primary measure on a pilot: the positive control on every measure.

    python bench/continuation_pilot.py [--seeds 10 11 12 13] [--set continuation.KEY=VALUE ...]

Continues the profile's glass-box model on every arm with seeds that the reported runs do not
use, and prints, per measure, each contrast's difference on the separated items over all pairs
with its t-based interval and t statistic. The primary measure is the one on which the check
(parallel - random) stands out most; the pivot arm's contrast is printed but not looked at for
the choice.
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
    overrides = config.parse_assignments(" ".join(args.set))
    study = Study(
        config.settings(
            args.profile,
            **overrides,
            continuation={"seeds": args.seeds},
            scoring={"checkpoints": []},
            models=[f"glass-{args.profile}"],
        )
    )
    result = study.continuation
    scores = result["scores"][~result["scores"]["same string"]]
    scores = scores[scores["item"].isin(study.separated_items)]
    gains = transfer.gains(scores[scores["arm"] == "start"], scores[scores["arm"] != "start"])
    table = transfer.comparisons(gains, transfer.CONTRASTS, study.settings.continuation.primary)
    table = table[table["pair"] == "all pairs"].assign(t=lambda f: f["difference"] / f["se"])
    columns = ["contrast", "measure", "difference", "difference low", "difference high", "t"]
    print(table[columns].to_string(index=False))
    print(result["exposure"].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
