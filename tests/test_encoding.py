"""One tokenization of prompt and answer: the answer found by character offsets."""

import pytest

from semantic_pivots.errors import UserError
from semantic_pivots.models import encoding, tiny

CONTEXT = "English: dog\nJapanese:"


@pytest.fixture(scope="module", params=tiny.TOKENIZER_STYLES)
def tokenizer(request):
    return tiny.build_tokenizer(style=request.param)


def test_the_joint_string_is_tokenized_once(tokenizer):
    enc = encoding.encode(tokenizer, CONTEXT, " 犬", {"source": (9, 12)})
    assert enc.ids == tokenizer(CONTEXT + " 犬")["input_ids"]
    assert tokenizer.decode(enc.ids[enc.answer_start :]).strip() == "犬"
    assert tokenizer.decode(enc.spans["source"]).strip() == "dog"
    assert enc.lens_input == enc.ids[: enc.word_start]
    blanks = enc.ids[enc.answer_start : enc.word_start]
    assert all(encoding.is_blank(tokenizer, i) for i in blanks)
    assert not encoding.is_blank(tokenizer, enc.ids[enc.word_start])


def test_a_leading_blank_is_stepped_over():
    tok = tiny.build_tokenizer(style="sentencepiece")
    enc = encoding.encode(tok, CONTEXT, " 犬")
    assert tok.convert_ids_to_tokens(enc.ids[enc.answer_start :]) == ["▁", "犬"]
    assert enc.word_start == enc.answer_start + 1 and enc.word == [tok.convert_tokens_to_ids("犬")]


def test_an_appended_end_token_is_not_part_of_the_answer():
    from tokenizers import processors

    tok = tiny.build_tokenizer(style="sentencepiece")
    bos, eos = tok.bos_token, tok.eos_token
    tok.backend_tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, tok.bos_token_id), (eos, tok.eos_token_id)]
    )
    enc = encoding.encode(tok, "English: dog\nFrench:", " chien")
    assert enc.ids == tok("English: dog\nFrench: chien")["input_ids"][:-1]
    assert tok.decode(enc.ids[enc.answer_start :]).strip() == "chien"


def test_an_empty_answer_is_refused(tokenizer):
    with pytest.raises(UserError, match="empty answer"):
        encoding.encode(tokenizer, CONTEXT, " ")
