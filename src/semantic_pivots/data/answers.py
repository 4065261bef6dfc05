"""The concepts, their answers across languages, and the concepts kept as items.

Rules 1-3 of :mod:`semantic_pivots.data.build_clwtd` for every synset of the item files, then
the consensus that lets the dictionaries between the other languages reorder each language's
answers, and rule 4: the answers must be confirmed across languages, and a concept whose
answer an earlier one holds is dropped, never given its next word.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from tqdm import tqdm

from semantic_pivots.data.evidence import Sources
from semantic_pivots.data.senses import spell, spell_english
from semantic_pivots.data.wordnet import Synset
from semantic_pivots.data.words import CORE, Spelling, as_answer, zipf

# Items come from the files whose words the dictionaries translate by sense: blind audits of
# lists drawn from every file found most wrong answers in acts, groups, events, natural
# objects, plants, phenomena, possessions, attributes, states, ideas and communication.
ITEM_FILES = frozenset(
    f"noun.{name}"
    for name in "animal artifact body feeling food location person quantity substance time".split()
)
# Rule 4 keeps at most this many concepts.
N_CONCEPTS = 2000


@dataclass
class Concept:
    """A synset and its spellings, by language."""

    synset: Synset
    spellings: dict[str, Spelling]

    @property
    def id(self) -> str:
        """The English word, which names the item."""
        return self.spellings["en"].word

    @property
    def rank(self) -> float:
        """The lowest Zipf frequency of its answers in the core languages."""
        return min(self.spellings[lang].zipf for lang in CORE)


def concepts(
    src: Sources, langs: tuple[str, ...], files: frozenset[str] = ITEM_FILES, strict: bool = True
) -> list[Concept]:
    """Rules 1-3 for every synset of ``files`` with an English word (``strict``: rule 1's)."""
    out = []
    chosen = [s for s in src.nouns.synsets.values() if s.lexname in files]
    # languages with bridges come after the bridge languages they are triangulated through
    order = sorted((lg for lg in langs if lg != "en"), key=lambda lg: lg in src.bridges)
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
    if lang == "zh" or not partners or not src.bridges.get("fr"):
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
    tables = src.bridges.get(lang, {}).get(other)
    return tables is not None and (
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
    chosen: list[tuple[Concept, dict[str, str]]] = []
    clashes = 0
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
