"""Bilingual dictionaries as plain maps: readers for CC-CEDICT and FreeDict's dictd files.

Every dictionary becomes a :class:`Lexicon` of one language against English:

* ``senses``: a word of the language -> its senses in dictionary order, each the set of
  normalised English glosses that translate it (from a language->English dictionary:
  CC-CEDICT, FreeDict ``fra-eng``, ``jpn-eng``, ...);
* ``translations``: an English headword -> the words of the language its entries list
  (from an English->language dictionary: FreeDict ``eng-fra``, ``eng-jpn``, ...).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

_PARENS = re.compile(r"\([^()]*\)|\{[^{}]*\}|\[[^\[\]]*\]|<[^<>]*>")
# "to" is kept: it marks a verb ("to face" is not the noun face)
_LEAD = re.compile(r"^(?:a|an|the)\s+")


def strip_brackets(text: str) -> str:
    """The text without its bracketed notes, nested ones included, and extra blanks."""
    prev = None
    while prev != text:
        prev, text = text, _PARENS.sub(" ", text)
    return " ".join(text.split())


def normalise_gloss(gloss: str) -> str:
    """Lower case, bracketed notes removed, a leading article dropped."""
    gloss = strip_brackets(gloss).lower()
    return _LEAD.sub("", gloss).strip(" .!?")


# an English word worth matching (notes, definitions): three letters or more
WORD = re.compile(r"[a-z]{3,}")
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")


def unglue(text: str, english: dict[str, float]) -> str:
    """A loanword's first gloss without its source word glued to the front.

    FreeDict's jpn-eng writes a katakana loanword's source word and its first gloss as one
    (ビール: "bierbeer", パン: "pãobread"): a first gloss that is no English word (none in
    ``english``) but ends in a common one (four letters or more, after three or more) is cut
    to that ending.
    """
    gloss = text.strip()
    if not gloss.isalpha() or gloss.lower() in english:
        return text
    for start in range(3, len(gloss) - 3):
        if english.get(gloss[start:].lower(), 0.0) >= 1e-6:  # Zipf 3
            return gloss[start:]
    return text


_NOTES = re.compile(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)|\[([^\[\]]*)\]|\{([^{}]*)\}")


def qualifier(gloss: str) -> frozenset[str]:
    """The words of a gloss's notes and labels, lower case ("sole (fish)": fish; "[mus.]": mus).

    Round brackets, square brackets and braces all hold notes; part-of-speech marks in angle
    brackets (<n>) do not.
    """
    notes = " ".join(" ".join(groups) for groups in _NOTES.findall(gloss))
    return frozenset(WORD.findall(notes.lower()))


def is_name(gloss: str) -> bool:
    """A gloss spelt with a capital, once its notes are gone: a name (Venus, Tanzania), no noun."""
    text = strip_brackets(gloss).strip(" .!?")
    return text[:1].isupper() and not text.isupper()


def invert(table: dict[str, set[str]]) -> dict[str, set[str]]:
    """A table of words turned round: each listed word -> the headwords that list it."""
    out: dict[str, set[str]] = {}
    for head, words in table.items():
        for word in words:
            out.setdefault(word, set()).add(head)
    return out


@dataclass
class Lexicon:
    """One language against English, in both directions where the sources allow."""

    senses: dict[str, list[frozenset[str]]] = field(default_factory=dict)  # noun senses only
    # the words of each noun sense's notes and labels, parallel to ``senses``
    notes: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    translations: dict[str, set[str]] = field(default_factory=dict)
    other: dict[str, set[str]] = field(default_factory=dict)  # glosses of the other senses
    # word -> where each of its entries' noun senses begin in ``senses`` (homographs such as
    # 風, read ふう "appearance" and かぜ "wind", are separate entries)
    starts: dict[str, list[int]] = field(default_factory=dict)
    # word -> whether each of its entries is marked common (JMdict's priority tags), parallel
    # to ``starts``; empty for sources without such marks
    common: dict[str, list[bool]] = field(default_factory=dict)
    # English headword -> its noun senses in an English->language dictionary that explains
    # each one (FreeDict eng-jpn): (the words the sense lists, the words of its explanation)
    defined: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = field(default_factory=dict)
    _pending: dict[str, bool] = field(default_factory=dict, repr=False)

    def start_entry(self, word: str, common: bool = False) -> None:
        """The next noun sense of ``word`` opens a new entry (``common``: marked common)."""
        self._pending[word] = common

    def add_sense(self, word: str, texts: list[str], noun: bool = True) -> None:
        """Record one sense of ``word`` from its raw English glosses."""
        sense: set[str] = set()
        notes: set[str] = set()
        for text in texts:
            gloss = "" if is_name(text) else normalise_gloss(text)
            if gloss:
                sense.add(gloss)
                notes |= qualifier(text)
        if noun and sense:
            senses = self.senses.setdefault(word, [])
            if word in self._pending or not senses:
                self.common.setdefault(word, []).append(self._pending.pop(word, False))
                self.starts.setdefault(word, []).append(len(senses))
            senses.append(frozenset(sense))
            self.notes.setdefault(word, []).append(frozenset(notes))
        elif sense:
            self.other.setdefault(word, set()).update(sense)

    def entries(self, word: str) -> list[list[frozenset[str]]]:
        """The noun senses of ``word``, entry by entry, each in the dictionary's order."""
        senses, starts = self.senses.get(word, []), self.starts.get(word, [0])
        return [senses[a:b] for a, b in zip(starts, [*starts[1:], len(senses)], strict=True)]

    def english(self, word: str) -> set[str]:
        """Every English word or phrase a dictionary gives as a translation of ``word``."""
        return set().union(
            *self.senses.get(word, ()), self.other.get(word, set()), self.listed_by.get(word, set())
        )

    @property
    def listed_by(self) -> dict[str, set[str]]:
        """The reverse of ``translations``: a word -> the English headwords that list it."""
        if not hasattr(self, "_listed_by"):
            self._listed_by = invert(self.translations)
        return self._listed_by


# -- CC-CEDICT ------------------------------------------------------------------------------

# Glosses that say what a word is not: a measure word, a variant spelling, a cross-reference.
_CEDICT_SKIP = re.compile(r"^(?:cl:|variant of|old variant|abbr\. |see |also written|surname )")


def read_cedict(path: Path) -> Lexicon:
    """Simplified headwords and their senses, one per definition (proper names left out).

    CC-CEDICT has no parts of speech; a verb's gloss keeps its "to", so it names no noun.
    """
    lexicon = Lexicon()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            simp = head.split(" ")[1]
            pinyin, _, defs = rest.partition("] ")
            if pinyin[:1].isupper():  # a capitalised reading marks a name
                continue
            lexicon.start_entry(simp)
            definitions = defs.strip().strip("/").split("/")
            kept = [d for d in definitions if not _CEDICT_SKIP.match(d.lower())]
            for definition in kept:
                # an idiom or a proverb (死路一条, "dead end") is no noun
                noun = not definition.lower().startswith(("(idiom", "(proverb"))
                lexicon.add_sense(simp, definition.split(";"), noun)
            if not kept and (other := _other_word(definitions, simp)):
                # a reading that only stands for another word (沈 chen2, "variant of 沉") is
                # still a reading of this string: an entry whose sense names no concept
                lexicon.add_sense(simp, [f"another word: {other}"])
    return lexicon


_CROSS_REFERENCE = re.compile(r"^(?:old )?variant of |^see (?:also )?|^also written ", re.I)


def _other_word(definitions: list[str], simp: str) -> str | None:
    """The other word a cross-reference entry points to, unless it is this very word."""
    for definition in definitions:
        if _CROSS_REFERENCE.match(definition):
            target = _CROSS_REFERENCE.sub("", definition).split("[")[0].split(",")[0].strip()
            forms = target.split("|")
            if target and simp not in forms:
                return forms[-1]
    return None


# -- FreeDict (dictd) -----------------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(text: str) -> int:
    n = 0
    for ch in text:
        n = n * 64 + _B64.index(ch)
    return n


def read_dictd(base: Path) -> dict[str, list[list[str]]]:
    """Headword -> its entries, each the entry's lines (the headword line first)."""
    body = gzip.open(f"{base}.dict.dz").read()
    out: dict[str, list[list[str]]] = {}
    for line in Path(f"{base}.index").read_text(encoding="utf-8").splitlines():
        word, offset, length = line.split("\t")
        if not word or word.startswith("00database"):
            continue
        start = _b64(offset)
        lines = body[start : start + _b64(length)].decode("utf-8", "replace").splitlines()
        # the index is lower case; the headword line keeps the case (German nouns)
        head = re.split(r" /| <", lines[0])[0].strip() if lines else ""
        out.setdefault(head if head.lower() == word else word, []).append(lines)
    return out


# JMdict usage notes, which the dictd conversion glues to the first gloss after them
# ("Note: word usually written using kana alonewolf (Canis lupus)").
_JMDICT_NOTES = sorted(
    (
        "word usually written using kana alone",
        "word usually written using kanji alone",
        "onomatopoeic or mimetic word",
        "honorific or respectful (sonkeigo) language",
        "polite (teineigo) language",
        "humble (kenjougo) language",
        "abbreviation",
        "archaism",
        "colloquialism",
        "slang",
        "vulgar expression or word",
        "derogatory",
        "obscure term",
        "idiomatic expression",
        "familiar language",
        "jocular, humorous term",
        "female term or language",
        "male term or language",
        "sensitive",
        "obsolete term",
        "children's language",
        "yojijukugo",
        "rare",
        "poetical term",
        "manga slang",
        "dated term",
        "historical term",
        "proverb",
        "euphemistic",
    ),
    key=len,
    reverse=True,
)
_NUMBER = re.compile(r"^\s*\d+\.\s*")
# Lines that hold no translation: examples, cross-references, synonyms, pronunciations.
_NOT_A_SENSE = ('"', "see:", "synonym:", "synonyms:", "antonym:", "/")


def _strip_note(text: str) -> str:
    if not text.startswith("Note:"):
        return text
    text = text[len("Note:") :].strip()
    for note in _JMDICT_NOTES:
        if text.startswith(note):
            return text[len(note) :]
    return ""


# A part of speech: the headword line's last <tag> (<n, masc>, <fem, n, sg>, <vt>), or a
# JMdict sense's opening line ("(noun (common) (futsuumeishi))", "(Ichidan verb)").
_HEAD_TAG = re.compile(r"<([^<>]*)>\s*$")
_NOUN_TAGS = {"n", "masc", "fem", "neut"}


def _head_is_noun(head: str) -> bool | None:
    match = _HEAD_TAG.search(head)
    if match is None:
        return None
    return bool(_NOUN_TAGS & {t.strip() for t in match.group(1).split(",")})


def _sense_lines(entry: list[str]) -> list[tuple[bool, list[str]]]:
    """The entry's lines of translations, grouped by numbered sense, each with a noun flag.

    A sense is a noun unless the headword line or the last part-of-speech line before it
    says otherwise; an entry that says nothing counts as a noun.
    """
    head_noun = _head_is_noun(entry[0]) if entry else None
    noun = head_noun is not False
    out: list[tuple[bool, list[str]]] = []
    for raw in entry[1:]:
        text = _strip_note(_NUMBER.sub("", raw).strip())
        if _NUMBER.match(raw) or not out:
            out.append((noun, []))
        if head_noun is None and text.startswith("(") and text.endswith(")"):
            noun = "noun" in text
            out[-1] = (noun, out[-1][1])
        if text and not text.lower().startswith(_NOT_A_SENSE):
            out[-1][1].append(text)
    return [(noun, lines) for noun, lines in out if lines]


_SERIES = re.compile(r"\b(?:and|or)\b")


def _split(text: str) -> list[str]:
    """Glosses at commas and semicolons outside brackets.

    A comma-separated run whose last part joins with "and" or "or" is one phrase ("pine,
    bamboo and plum"), not a list of glosses.
    """
    depth = 0
    groups: list[str] = []
    parts: list[str] = []
    current: list[str] = []
    for ch in text + ";":
        depth += ch in "([{<"
        depth -= ch in ")]}>"
        if ch in ",;" and depth == 0:
            parts.append("".join(current))
            current = []
            if ch == ";":
                series = len(parts) > 1 and _SERIES.search(strip_brackets(parts[-1]))
                groups += [",".join(parts)] if series else parts
                parts = []
        else:
            current.append(ch)
    return groups


# JMdict's priority tags that mark a common word (EDICT's "(P)")
_COMMON_TAGS = {"news1", "ichi1", "spec1", "spec2", "gai1"}


def common_forms(head: str) -> set[str]:
    """The forms of a JMdict headword line that carry a priority tag of a common word.

    The line lists each form after its tags and before its pronunciation in slashes:
    " [ichi1]  犬 /ˈinɯ/, いぬ /.../".
    """
    out = set()
    for segment in re.split(r"/[^/]*/,?", head):
        tokens = segment.split()
        tags = set(re.findall(r"\[(\w+)\]", segment))
        if tokens and tags & _COMMON_TAGS:
            out.add(tokens[-1])
    return out


def lexicon_from_dictd(
    to_english: dict[str, list[list[str]]],
    from_english: dict[str, list[list[str]]] | None = None,
    explained: bool = False,
    english: dict[str, float] | None = None,
) -> Lexicon:
    """A lexicon from a language->English and, where there is one, an English->language dictionary.

    ``explained``: as for :func:`translations`, of the English->language dictionary;
    ``english``: English word frequencies, to undo what :func:`unglue` undoes.
    """
    lexicon = Lexicon()
    for word, entries in to_english.items():
        glued = english and _KATAKANA.match(word)
        for entry in entries:
            lexicon.start_entry(word, bool(entry) and word in common_forms(entry[0]))
            for noun, lines in _sense_lines(entry):
                parts = [p for t in lines for p in _split(t)]
                first = next((i for i, p in enumerate(parts) if strip_brackets(p)), None)
                if glued and english and first is not None:
                    parts[first] = unglue(parts[first], english)
                lexicon.add_sense(word, parts, noun)
    for gloss, words in translations(from_english or {}, explained).items():
        lexicon.translations.setdefault(normalise_gloss(gloss), set()).update(words)
    if explained:
        for gloss, senses in explained_senses(from_english or {}).items():
            lexicon.defined.setdefault(normalise_gloss(gloss), []).extend(senses)
    return lexicon


def explained_senses(
    entries: dict[str, list[list[str]]],
) -> dict[str, list[tuple[frozenset[str], frozenset[str]]]]:
    """Headword -> its noun senses, each (the words it lists, the words of its explanation).

    From a dictionary whose senses are a line of translations and lines explaining it.
    """
    out: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {}
    for head, head_entries in entries.items():
        for entry in head_entries:
            for noun, lines in _sense_lines(entry):
                if noun:
                    words = frozenset(w for w in map(strip_brackets, _split(lines[0])) if w)
                    text = frozenset(WORD.findall(" ".join(lines[1:]).lower()))
                    out.setdefault(head, []).append((words, text))
    return out


def translations(
    entries: dict[str, list[list[str]]], explained: bool = False
) -> dict[str, set[str]]:
    """Headword -> the words its noun senses list, from any bilingual dictd dictionary.

    ``explained``: each sense is a line of translations followed by lines explaining it
    (FreeDict ``eng-jpn`` and the Wiktionary-based ``fra-deu``, ``fra-jpn``); those lines are
    skipped.
    """
    out: dict[str, set[str]] = {}
    for head, head_entries in entries.items():
        words = out.setdefault(head, set())
        for entry in head_entries:
            for noun, lines in _sense_lines(entry):
                if noun:
                    for text in lines[:1] if explained else lines:
                        words.update(w for w in map(strip_brackets, _split(text)) if w)
    return out
