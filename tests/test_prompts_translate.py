"""The CLWTD prompt, shot pools, exact match, and batched greedy generation."""

import pytest

from semantic_pivots import prompts
from semantic_pivots.analyses import translation
from semantic_pivots.data.clwtd import Item
from semantic_pivots.errors import UserError
from semantic_pivots.models import kv, loading

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
    assert translation.is_correct(" Chien.", ["chien"])
    assert translation.is_correct("ＣＨＩＥＮ", ["chien"])  # NFKC folds full-width letters
    assert not translation.is_correct("chiens", ["chien"])
    assert translation.first_line(" chat\n\nEnglish: dog") == "chat"


@pytest.mark.parametrize("arch", ["llama", "gemma3", "gpt2", "bloom"])
def test_shared_prefix_generation_equals_plain_generate(arch):
    """The cached common prefix and length buckets change nothing (gemma3: sliding window)."""
    import torch

    lm = loading.load_model(f"tiny-{arch}", device="cpu")
    pair = prompts.Pair("en", "fr")
    texts = [prompts.query(pair, ITEMS[:3], w) for w in ["dog", "house", "x", "猫", "tree"]]
    texts.append(prompts.query(pair, ITEMS[:1], "dog"))  # a shorter shared prefix
    plain = []
    for text in texts:
        ids = lm.tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            out = lm.model.generate(
                **ids, max_new_tokens=5, do_sample=False, pad_token_id=lm.tokenizer.pad_token_id
            )
        new = out[0, ids["input_ids"].shape[1] :]
        plain.append(translation.first_line(lm.tokenizer.decode(new, skip_special_tokens=True)))
    assert translation.generate(lm, texts, max_new_tokens=5, batch_size=2) == plain
    assert kv.common_prefix([[1, 2, 3], [1, 2, 4], [1, 2]]) == 1
