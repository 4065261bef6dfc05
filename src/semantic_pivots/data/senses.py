"""A concept's words in one language and its answer: rules 1-3 for one synset.

The rule is stated in :mod:`semantic_pivots.data.build_clwtd`. Rule 1 picks the English word;
rules 2-3 find the words of another language whose dictionary senses name the synset, and weigh
how well each is known to mean it: the evidence of its senses, its dominant reading, how
specific it is, its register, a feminine form, and the agreement of the bridge languages it is
triangulated through. The consensus across languages follows in
:mod:`semantic_pivots.data.answers`.
"""

from __future__ import annotations

import math

from semantic_pivots.data.dictionaries import Lexicon
from semantic_pivots.data.evidence import Sources, names
from semantic_pivots.data.wordnet import Nouns, Synset
from semantic_pivots.data.words import MIN_ZIPF, Spelling, as_answer, is_word, zipf

# The English word's first noun sense must dominate: at least MARGIN times the SemCor uses of
# its next sense and at least MIN_TAGGED uses, unless it is the word's only noun sense.
MARGIN = 2.0
MIN_TAGGED = 2
# The English word is one of the synset's first HEAD_LEMMAS lemmas.
HEAD_LEMMAS = 2
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
# What a step down in how well a word is known to mean the concept costs it, in Zipf: a
# confirmed word beats a merely unopposed one unless that one is much more common (狗, not 狗狗).
TIER_COST = 0.5


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

    ``known``: the synset's spellings in the bridge languages of ``lang``, if it has any.
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
    # a triangulated word with an entry of its own counts only where every bridge language
    # agrees both ways (its own glosses may simply use another synonym)
    bridged = {
        w
        for w in triangulated(lang, src, known)
        if (w not in lexicon.senses and w not in lexicon.other)
        or (_bridge_tier(w, lang, src, known) or (1,))[0] == 0
    }
    found |= bridged
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
        if w in bridged:
            tier = _bridge_tier(w, lang, src, known)
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


def _bridge_tier(
    word: str, lang: str, src: Sources, known: dict[str, Spelling]
) -> tuple[int, float] | None:
    """How well a triangulated word is known to mean the concept.

    The dictionaries in both directions between it and a bridge language pair it with that
    language's answer, and no bridge language translates it only to other words. (0, share)
    where every bridge language with a word agrees, (1, share) where one does; ``share``: the
    lowest share of its bridge translations that are the concept's accepted words there.
    """
    agree, shares = 0, []
    for bridge, tables in src.bridges.get(lang, {}).items():
        if bridge not in known:
            continue
        accepted = set(known[bridge].accepted)
        there = tables.forward.get(word, set())
        if there and not there & accepted:
            return None  # it means something else there
        if word in tables.both_ways(known[bridge].word):
            agree += 1
            shares.append(len(there & accepted) / len(there))
    if not agree:
        return None
    present = sum(b in known for b in src.bridges.get(lang, {}))
    return (0 if agree == present else 1), min(shares)


def triangulated(lang: str, src: Sources, known: dict[str, Spelling]) -> set[str]:
    """Words of ``lang`` confirmed through its bridge languages (rule 2).

    Those that translate to an accepted answer in every bridge language; failing any, those
    that the dictionaries in both directions pair with one bridge language's answer.
    """
    bridges = src.bridges.get(lang, {})
    if not bridges or not any(b in known for b in bridges):
        return set()
    out = None
    for bridge, tables in bridges.items():
        accepted = known[bridge].accepted if bridge in known else ()
        hits = {w for a in accepted for w in tables.into.get(a, ()) if is_word(w, lang)}
        out = hits if out is None else out & hits
    if out:
        return out
    return {
        w
        for bridge, tables in bridges.items()
        if bridge in known
        for w in tables.both_ways(known[bridge].word)
        if is_word(w, lang)
    }
