import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def dataset():
    from semantic_pivots.data import clwtd

    return clwtd.load()


@pytest.fixture(scope="session", autouse=True)
def smoke_corpus(tmp_path_factory, dataset):
    """A small aligned corpus made from the word list itself (every word a few times, next to
    its neighbours' translations), in place of the study corpus that tests never build: the
    smoke profile's glass-box model trains on it. Tests that need another set their own."""
    from semantic_pivots.data import corpus

    items = dataset.items
    docs = [
        corpus.Document(
            f"s{i}/{lang}",
            lang,
            "smoke",
            " ".join(items[(i + j) % len(items)].words[lang] for j in range(i % 3 + 1)),
            f"s{i}",
        )
        for i in range(3 * len(items))
        for lang in ("en", "fr", "zh", "ja")
    ]
    # monolingual documents without the list's words, as a real corpus has: the continuation's
    # pivot and random arms draw only from such documents
    syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "so", "ti", "vu", "ze"]
    docs += [
        corpus.Document(
            f"f{i}/{lang}",
            lang,
            "smoke",
            " ".join(
                syllables[(i + j) % 10] + syllables[(i * 3 + j * 7) % 10] + syllables[j % 10]
                for j in range(3 + i % 4)
            ),
        )
        for i in range(len(items))
        for lang in ("en", "fr")
    ]
    root = corpus.write(tmp_path_factory.mktemp("corpus") / "corpus", docs)
    mp = pytest.MonkeyPatch()
    mp.setenv("SEMANTIC_PIVOTS_CORPUS", str(root))
    yield root
    mp.undo()
