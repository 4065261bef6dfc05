"""The CLWTD prompt, shot pools, exact match, and batched greedy generation."""

import pytest

from semantic_pivots import models, prompts, translate
from semantic_pivots.clwtd import Item
from semantic_pivots.errors import UserError

ITEMS = [
    Item(w, {"en": w, "fr": f})
    for w, f in [("dog", "chien"), ("cat", "chat"), ("house", "maison"), ("tree", "arbre")]
]


def test_prompt_is_the_methods_prompt():
    pair = prompts.Pair("en", "fr")
    text = prompts.query(pair, ITEMS[:2], "house") + prompts.answer("maison")
    assert text == (
        "Please translate words from English to French.\n\n"
        "English: dog\nFrench: chien\n\n"
        "English: cat\nFrench: chat\n\n"
        "English: house\nFrench: maison"
    )


def test_ordered_pairs_and_unknown_codes():
    assert [str(p) for p in prompts.ordered_pairs(["en", "fr", "zh"])] == [
        "en-fr",
        "en-zh",
        "fr-en",
        "fr-zh",
        "zh-en",
        "zh-fr",
    ]
    with pytest.raises(UserError, match="unknown language code 'klingon'"):
        prompts.Pair("en", "klingon")


def test_shot_pool_is_held_out():
    shots, rest = prompts.split_shots(ITEMS, 2, seed=3)
    assert len(shots) == 2 and len(rest) == 2
    assert not {it.id for it in shots} & {it.id for it in rest}
    assert (shots, rest) == prompts.split_shots(ITEMS, 2, seed=3)
    with pytest.raises(UserError, match="4 items: at least k\\+1 = 5"):
        prompts.split_shots(ITEMS, 4, seed=0)


def test_exact_match_normalisation():
    assert translate.is_correct(" Chien.", ["chien"])
    assert translate.is_correct("ＣＨＩＥＮ", ["chien"])  # NFKC folds full-width letters
    assert not translate.is_correct("chiens", ["chien"])
    assert translate.first_line(" chat\n\nEnglish: dog") == "chat"


@pytest.mark.parametrize("arch", ["llama", "gemma3", "gpt2"])
def test_batched_generation_equals_one_by_one(arch):
    """Left padding must not change greedy outputs (gemma3 also has a sliding window)."""
    lm = models.load_model(f"tiny-{arch}", device="cpu")
    texts = [
        prompts.query(prompts.Pair("en", "fr"), ITEMS[:k], w)
        for k, w in [(0, "dog"), (3, "cat"), (1, "tree")]
    ]
    together = translate.generate(lm, texts, max_new_tokens=5, batch_size=3)
    alone = [translate.generate(lm, [t], max_new_tokens=5, batch_size=1)[0] for t in texts]
    assert together == alone
