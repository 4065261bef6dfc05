"""A word of the list: one word of its script, how frequent it is, and a concept's spelling.

The core languages, in which every item has an answer, and the frequency floor on every word
are shared by the build and the audit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from semantic_pivots import languages

CORE = ("en", "fr", "zh", "ja")
MAX_CHARS = {"zh": 4, "ja": 6}
# The frequency floor (wordfreq Zipf) on the English word, every answer and every distractor:
# the everyday and educated vocabulary, not rare technical nouns.
MIN_ZIPF = 3.0
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def zipf(frequencies: dict[str, float], word: str) -> float:
    """The Zipf frequency (log10 of occurrences per billion words) by exact look-up; 0 if absent."""
    value = frequencies.get(word.lower())
    return round(math.log10(value * 1e9), 3) if value else 0.0


def is_word(word: str, lang: str) -> bool:
    """One word of the language's script, within the length limits of rule 2."""
    if not languages.is_single_word(word, lang):
        return False
    if lang in MAX_CHARS:
        # one kana is a particle or a letter's name more often than a noun
        kana_only = lang == "ja" and not _KANJI.search(word)
        return (
            len(word) <= MAX_CHARS[lang]
            and not (kana_only and len(word) < 2)
            and not (lang == "zh" and "的" in word)
        )
    if len(word) < 2:
        return False
    # nouns are lower case in en, fr and es, capitalised in de; anything else marks a name,
    # an abbreviation or a symbol (de: sn for tin)
    return word[0].isupper() and word[1:].islower() if lang == "de" else word.islower()


@dataclass(frozen=True)
class Spelling:
    """A concept in one language: its answer and every accepted answer (answer first)."""

    word: str
    accepted: tuple[str, ...]
    zipf: float
    # the words that could be the answer, most frequent first (the answer is the first)
    eligible: tuple[str, ...] = ()


def as_answer(
    accepted: list[str] | tuple[str, ...], eligible: tuple[str, ...], word: str, freq: dict
) -> Spelling:
    """The spelling whose answer is ``word``: it goes first, the other accepted words follow."""
    rest = tuple(w for w in accepted if w != word)
    return Spelling(word, (word, *rest), zipf(freq, word), eligible)


@cache  # asked of the same words for every item
def admissible(word: str) -> bool:
    """Not a number, not punctuation: a word with a letter and no digit."""
    return any(c.isalpha() for c in word) and not any(c.isdigit() for c in word)


_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")


def script(word: str) -> str:
    """A word's script, what pivot controls are matched on beside language: kana, han or other.

    Kana marks Japanese; Han alone is Chinese or Japanese; everything else (Latin above all)
    is one class.
    """
    return "kana" if _KANA.search(word) else "han" if _KANJI.search(word) else "other"


@cache  # asked of every word of every sample
def content_like(word: str) -> bool:
    """A word that may be a pivot or a control: admissible, and of more than one letter.

    A single Chinese or Japanese character may be a word; a one-letter token of an alphabetic
    script is a variable name or an abbreviation.
    """
    return admissible(word) and (len(word) > 1 or script(word) != "other")
