"""Language codes, the English names used in prompts, and what counts as one word."""

from __future__ import annotations

import re

from semantic_pivots.errors import UserError

NAMES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "zh": "Chinese",
    "ja": "Japanese",
    "ru": "Russian",
}

# CJK ideographs, kana and the prolonged-sound mark; no spaces or punctuation.
_CJK_WORD = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff]+$")
# Letters only (any script), no spaces, digits, hyphens or apostrophes.
_ALPHA_WORD = re.compile(r"^[^\W\d_]+$")
# A Japanese name with the particle の before a kanji is a phrase (オオカミの顔 "wolf face").
_JA_PHRASE = re.compile(r"の[\u3400-\u4dbf\u4e00-\u9fff]")
CJK = {"zh", "ja"}
# languages that capitalise every noun, where case does not mark a proper name
CAPITALISED_NOUNS = {"de", "lb"}
# The languages the default word list and the corpus are built in.
BUILT = ("en", "fr", "de", "es", "zh", "ja")


def name(code: str) -> str:
    """The English name of a language code, as the prompt uses it."""
    try:
        return NAMES[code]
    except KeyError:
        raise UserError(
            f"unknown language code {code!r}: expected one of {', '.join(sorted(NAMES))}"
        ) from None


def check_codes(codes: list[str]) -> list[str]:
    for code in codes:
        name(code)
    return list(codes)


def is_single_word(word: str, lang: str) -> bool:
    """One word in the writing system of ``lang`` (the CLWTD rule for names and distractors)."""
    if lang == "ja" and _JA_PHRASE.search(word):
        return False
    pattern = _CJK_WORD if lang in CJK else _ALPHA_WORD
    return bool(pattern.match(word))
