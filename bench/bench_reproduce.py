"""`make reproduce` on a fresh clone with an empty results cache, timed stage by stage.

    python bench/bench_reproduce.py [--profile default] [--into DIR] [--rev HEAD]

Clones this repository's commit ``--rev`` into ``--into`` (a new temporary folder by default),
then runs the stages of ``make reproduce`` there one by one: the pinned environment, the
settings check and the corpus, the glass-box training, the notebooks (each notebook's time, and
each slow cell's, go to the book's running-time page), the book. It prints each stage's time as
it ends and a table at the end. Nothing of this checkout's cache is used (the clone's own
``.cache`` starts empty; ``SEMANTIC_PIVOTS_CACHE`` and ``SEMANTIC_PIVOTS_CORPUS`` are unset);
pip's download cache is the machine's. Run it alone: other work on the machine slows it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = [
    ("environment", ["install"]),
    ("settings and corpus", ["settings-check", "corpus"]),
    ("glass-box training", ["train"]),
    ("notebooks", ["notebooks"]),
    ("book", ["book"]),
]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--profile", default="default")
    args.add_argument("--into", default=None, help="an empty or new folder for the clone")
    args.add_argument("--rev", default="HEAD")
    opts = args.parse_args()
    into = Path(opts.into or tempfile.mkdtemp(prefix="sp-reproduce-"))
    if into.exists() and any(into.iterdir()):
        sys.exit(f"{into}: not empty; give a new or empty folder")
    rev = subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", opts.rev], text=True)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(into)], check=True)
    subprocess.run(["git", "-C", str(into), "checkout", "-q", rev.strip()], check=True)
    own = ("SEMANTIC_PIVOTS_CACHE", "SEMANTIC_PIVOTS_CORPUS")
    env = {k: v for k, v in os.environ.items() if k not in own}
    print(f"{into} at {rev.strip()[:12]}, profile {opts.profile}", flush=True)
    times = []
    for name, targets in STAGES:
        start = time.perf_counter()
        result = subprocess.run(["make", *targets, f"PROFILE={opts.profile}"], cwd=into, env=env)
        times.append((name, time.perf_counter() - start))
        print(f"== {name}: {times[-1][1]:.0f} s (exit {result.returncode})", flush=True)
        if result.returncode:
            sys.exit(f"{name} failed (make {' '.join(targets)}, exit {result.returncode})")
    recorded = json.loads((into / "book" / "notebooks" / "times.json").read_text())
    total = sum(t for _, t in times)
    print("\n| stage | seconds |\n| --- | --- |")
    for name, seconds in times:
        print(f"| {name} | {seconds:.0f} |")
        if name == "notebooks":
            for nb, t in sorted(recorded.items()):
                print(f"| {nb} | {t['seconds']:.0f} |")
    print(f"| all | {total:.0f} ({total / 60:.1f} minutes) |")
    print(f"\nThe slow cells: {into / 'book' / 'notebooks' / 'times.md'}")


if __name__ == "__main__":
    main()
