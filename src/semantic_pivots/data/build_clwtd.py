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

import json
from pathlib import Path

from semantic_pivots import languages
from semantic_pivots.data import sources
from semantic_pivots.data.answers import ITEM_FILES, N_CONCEPTS, concepts, select
from semantic_pivots.data.clwtd import N_DISTRACTORS, Dataset, save_jsonl, validate
from semantic_pivots.data.distractors import build_items
from semantic_pivots.data.evidence import Sources, dictionary_sources, read_sources
from semantic_pivots.data.words import CORE
from semantic_pivots.paths import CLWTD_DIR, atomic_write_text


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
    items = build_items(kept, src, langs, n_distractors, counts)
    counts["items"] = len(items)
    counts["items_per_language"] = {lang: sum(lang in it.words for it in items) for lang in langs}
    return items, counts


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
