"""Document retrieval for pivot discovery: infini-gram's index against the in-house scan.

    python bench/bench_pivots.py [--languages en fr zh ja] [--items 200]

On the study corpus's collection (the default profile's ``pivots.samples`` view, segmented),
both engines answer the same queries (which documents contain each word of the first ``--items``
items of the word list, in every language); the script prints the time of each, their ratio and
whether every answer is identical, then the time of building the index once (the scan needs
none), and the pivot discovery of one language pair through each engine (the study's rules:
matched backgrounds, the noise floor, the languages' function words) with the agreement of its
output.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    from semantic_pivots import config
    from semantic_pivots.analyses import pivots
    from semantic_pivots.data import clwtd, corpus, function_words, retrieval
    from semantic_pivots.prompts import Pair

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--languages", nargs="+", default=["en", "fr", "zh", "ja"])
    parser.add_argument("--items", type=int, default=200)
    opts = parser.parse_args()
    settings = config.settings("default").pivots
    collection = retrieval.corpus_collection(corpus.load(), opts.languages, settings.samples)
    items = clwtd.load().items[: opts.items]
    queries = [(it.words[lang], lang) for it in items for lang in opts.languages]

    with tempfile.TemporaryDirectory() as tmp:  # a fresh index, the study's left in place
        copy = retrieval.Collection(Path(tmp))
        shutil.copy(collection.root / retrieval.DOCS, copy.root / retrieval.DOCS)
        start = time.perf_counter()
        retrieval.build_index(copy)
        t_index = time.perf_counter() - start

    engines = {name: retrieval.finder(collection, name) for name in retrieval.ENGINES}
    engines["infini-gram"].containing("warm", "en")  # opens the index
    answers, times = {}, {}
    for name, engine in engines.items():
        start = time.perf_counter()
        answers[name] = [engine.containing(w, lang) for w, lang in queries]
        times[name] = time.perf_counter() - start
    same = sum(a == b for a, b in zip(answers["infini-gram"], answers["in-house"], strict=True))
    print(f"collection: {len(collection)} documents ({collection.root.name})")
    print(f"queries: {len(queries)} words of {len(items)} items in {', '.join(opts.languages)}")
    for name, t in times.items():
        print(f"  {name:12s} {t:8.2f} s  ({1000 * t / len(queries):.2f} ms a query)")
    print(f"  in-house / infini-gram time ratio: {times['in-house'] / times['infini-gram']:.1f}")
    print(f"  identical answers: {same} of {len(queries)}")
    print(f"  building the index once: {t_index:.1f} s")

    pair, function = Pair(*opts.languages[:2]), function_words.of_languages(opts.languages)
    found, t_pair = {}, {}
    for name in retrieval.ENGINES:
        docs = retrieval.Local(collection, name)
        start = time.perf_counter()
        found[name] = pivots.discover(
            docs, items[:50], pair, settings.n_docs, settings.n_pivots, settings.stop,
            settings.tolerance, 0, settings.min_docs, function,
        )  # fmt: skip
        t_pair[name] = time.perf_counter() - start
    print(
        f"pivot discovery, {pair}, 50 items: infini-gram {t_pair['infini-gram']:.1f} s, "
        f"in-house {t_pair['in-house']:.1f} s; identical pivots and controls: "
        f"{found['infini-gram'] == found['in-house']}"
    )


if __name__ == "__main__":
    main()
