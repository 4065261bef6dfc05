"""The glass-box models' tokenizer, trained on hand-made text."""

import pytest
from transformers import AutoTokenizer

from semantic_pivots.errors import UserError
from semantic_pivots.training import tokenizer

TEXTS = [
    "The dog sees the cat. Le chien voit le chat.",
    "狗看见猫。犬が猫を見る。",
    "The dog and the cat sleep. Le chien et le chat dorment.",
] * 20


def test_trained_tokenizer_saves_loads_and_round_trips(tmp_path):
    tok = tokenizer.train(TEXTS, 600, tmp_path / "tok")
    loaded = AutoTokenizer.from_pretrained(tmp_path / "tok")
    for text in ["Le chien voit le chat.", "犬が猫を見る", "ünïcode ✓ never seen"]:
        ids = loaded(text)["input_ids"]
        assert loaded.decode(ids) == text  # byte-level: nothing is unknown
    assert len(loaded(" chien")["input_ids"]) == 1  # frequent words become one token
    assert loaded.eos_token == tokenizer.EOS and loaded.pad_token == tokenizer.PAD
    assert tok.get_vocab() == loaded.get_vocab()
    again = tokenizer.train(TEXTS, 600, tmp_path / "again")
    assert again.get_vocab() == tok.get_vocab()  # the same text gives the same merges


def test_too_small_a_vocabulary_is_refused(tmp_path):
    with pytest.raises(UserError, match="vocab_size 300: expected at least 512"):
        tokenizer.train(TEXTS, 300, tmp_path / "tok")
    assert not (tmp_path / "tok").exists()
