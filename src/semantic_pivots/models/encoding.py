"""One tokenization of a prompt and its answer, shared by the scorer, the lens and the tables.

The prompt and the answer are tokenized as one string and the answer's tokens are found by
character offsets. Tokenizing the parts separately and concatenating them changes the ids
under SentencePiece tokenizers that add a dummy prefix (Llama-2, Mistral: ``" chien"`` alone
gains a spurious ``▁``), and under merges that cross the boundary.

When the answer ``" {y}"`` begins with tokens that are white space only (a bare ``▁`` or ``Ġ``
before a Chinese or Japanese word in many vocabularies), the scorer scores them as part of the
answer, and the lens reads the position that predicts the first *word* token after them, as the
authors' code does (``if labels[lie + 1] == blank: lie += 1``).
"""

from __future__ import annotations

from dataclasses import dataclass

from semantic_pivots.errors import UserError


@dataclass(frozen=True)
class Encoded:
    ids: list[int]  # the joined string's tokens, leading special tokens included
    answer_start: int  # ids[answer_start:] are the answer's tokens
    word_start: int  # the answer's first token that is not white space only
    spans: dict[str, list[int]]  # name -> ids of the tokens overlapping a marked character span

    @property
    def n_answer(self) -> int:
        return len(self.ids) - self.answer_start

    @property
    def word(self) -> list[int]:
        """The answer's tokens after its leading blanks."""
        return self.ids[self.word_start :]

    @property
    def lens_input(self) -> list[int]:
        """The tokens whose last position predicts the answer's first word token."""
        return self.ids[: self.word_start]


def is_blank(tokenizer, token_id: int) -> bool:
    return not tokenizer.decode([token_id]).strip()


def blank_ids(tokenizer, ids) -> set[int]:
    """Those of ``ids`` that decode to white space only."""
    return {i for i in set(ids) if is_blank(tokenizer, i)}


def _text_tokens(tokenizer, text: str):
    """Tokenize text with its special tokens, cut after the last text token.

    (ids, offsets, is_text) of ``text`` with the tokenizer's special tokens, cut after the
    last text token: an end token some tokenizers append is no part of the prompt or answer.
    """
    try:
        enc = tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True)
    except NotImplementedError:
        raise UserError(
            f"tokenizer {type(tokenizer).__name__} gives no character offsets: a fast "
            "(Rust) tokenizer is needed to locate the answer"
        ) from None
    is_text = [not m for m in enc["special_tokens_mask"]]
    last = max(p for p, t in enumerate(is_text) if t)
    return enc["input_ids"][: last + 1], enc["offset_mapping"][: last + 1], is_text[: last + 1]


def prompt_ids(tokenizer, text: str) -> list[int]:
    """A prompt's token ids as a model continues them (no end token after the text)."""
    return _text_tokens(tokenizer, text)[0]


def encode(
    tokenizer, context: str, answer: str, spans: dict[str, tuple[int, int]] | None = None
) -> Encoded:
    """Tokenize ``context + answer`` once and locate the answer.

    Tokenize ``context + answer`` once; ``spans`` marks character ranges of ``context``
    (e.g. the source word) whose non-blank tokens are returned by name.

    The answer begins at the first token that ends inside it; a token that merges the prompt's
    last characters with the answer's first (no tokenizer of the supported models does) belongs
    to the answer, as the model would produce it.
    """
    if not answer.strip():
        raise UserError(f"empty answer after {context[-40:]!r}")
    ids, offsets, is_text = _text_tokens(tokenizer, context + answer)
    boundary = len(context)
    start = next(p for p, (a, b) in enumerate(offsets) if is_text[p] and b > boundary)
    if start == 0:
        raise UserError(f"the answer {answer!r} swallows its whole prompt in one token")
    word = start
    while word < len(ids) - 1 and is_blank(tokenizer, ids[word]):
        word += 1
    marked = {
        name: [
            i
            for p, (i, (a, b)) in enumerate(zip(ids, offsets, strict=True))
            if is_text[p] and a < hi and b > lo and p < start and not is_blank(tokenizer, i)
        ]
        for name, (lo, hi) in (spans or {}).items()
    }
    return Encoded(ids, start, word, marked)


# Every function here, for the versions of the cached results computed with them.
CODE = (is_blank, blank_ids, _text_tokens, prompt_ids, encode)
