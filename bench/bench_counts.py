"""All word and pair counts for the CLWTD dataset in one pass over the corpus, against a
per-query scan of the corpus for each count (what one count request per word or pair amounts
to): a word's occurrences and units, a pair's units and 100-token windows.

    python bench/bench_counts.py [--languages en fr zh ja] [--sample 12]

The per-query scan reads the already tokenized corpus (its tokenization is not timed, which
favours it); the one-pass count includes tokenization. Scanning once per query for every one of
the thousands of queries would take hours, so the scan is timed on a random sample of queries,
its answers are checked against the one-pass numbers, and its total is extrapolated from the
mean time per query.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time


def main() -> None:
    from semantic_pivots import prompts
    from semantic_pivots.data import clwtd, corpus, counts

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--languages", nargs="+", default=["en", "fr", "zh", "ja"])
    parser.add_argument("--sample", type=int, default=12, help="queries timed per kind")
    opts = parser.parse_args()
    built = corpus.load()
    pairs = prompts.ordered_pairs(opts.languages)
    words, word_pairs = counts.count_requests(clwtd.load().items, pairs)
    os.environ["SEMANTIC_PIVOTS_CACHE"] = tempfile.mkdtemp()  # no cached answer to reuse

    start = time.perf_counter()
    fast = counts.local_counts(built, words, word_pairs)
    t_fast = time.perf_counter() - start

    streams = [  # the tokenized corpus, one list of (language, tokens) lines per unit
        list(counts.unit_lines(unit))
        for unit in counts.unit_documents(built, set(opts.languages), "aligned")
    ]

    def positions(unit, lang, word) -> list[int]:
        """Token positions of the word's matches in the unit's interleaved stream."""
        vocab, found, offset = {counts.match_form(word, lang): 0}, [], 0
        for lg, toks in unit:
            if lg == lang:
                found += [offset + pos for _, pos in counts.matches(toks, lg, vocab)]
            offset += len(toks)
        return found

    def word_query(lang, word) -> tuple[int, int]:
        hits = [len(positions(unit, lang, word)) for unit in streams]
        return sum(hits), sum(1 for h in hits if h)

    def pair_query(src, w, tgt, y) -> tuple[int, int]:
        units = windows = 0
        for unit in streams:
            a = positions(unit, src, w)
            b = positions(unit, tgt, y) if a else []
            if a and b:
                units += 1
                windows += len({p // counts.WINDOW for p in a} & {p // counts.WINDOW for p in b})
        return units, windows

    rng = random.Random(0)
    checked, t_slow_per = 0, []
    for queries, run, read in (
        (words, word_query, lambda q: (fast.word(*q), fast.word(*q, measure="units"))),
        (word_pairs, pair_query, lambda q: (fast.pair(*q), fast.pair(*q, measure="windows"))),
    ):
        sample = rng.sample(queries, min(opts.sample, len(queries)))
        start = time.perf_counter()
        answers = [run(*q) for q in sample]
        t_slow_per.append((time.perf_counter() - start) / len(sample))
        mismatches = [(q, a, read(q)) for q, a in zip(sample, answers, strict=True) if a != read(q)]
        assert not mismatches, f"counts differ: {mismatches[:3]}"
        checked += len(sample)
    t_slow = t_slow_per[0] * len(words) + t_slow_per[1] * len(word_pairs)
    print(
        f"languages {' '.join(opts.languages)}: {len(words)} words, {len(word_pairs)} pairs, "
        f"{built.manifest['languages']} "
    )
    print(f"one pass (tokenize, match, two sparse products): {t_fast:.1f} s")
    print(
        f"per-query scans: {t_slow_per[0]:.2f} s per word, {t_slow_per[1]:.2f} s per pair "
        f"-> {t_slow / 3600:.1f} h for all {len(words) + len(word_pairs)} queries"
    )
    print(f"identical counts on the {checked} sampled queries; ratio {t_slow / t_fast:.0f}x")


if __name__ == "__main__":
    main()
