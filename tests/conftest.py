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
    """The smoke source (``mixture.smoke_documents``) as the corpus, in place of the study
    corpus that tests never build. Tests that need another set their own."""
    from semantic_pivots.data import corpus
    from semantic_pivots.training import mixture

    docs = mixture.smoke_documents(dataset.items)
    root = corpus.write(tmp_path_factory.mktemp("corpus") / "corpus", docs)
    mp = pytest.MonkeyPatch()
    mp.setenv("SEMANTIC_PIVOTS_CORPUS", str(root))
    yield root
    mp.undo()
