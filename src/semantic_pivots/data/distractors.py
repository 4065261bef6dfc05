"""Rule 5 of :mod:`semantic_pivots.data.build_clwtd`: each item's distractors.

Nearest neighbours in WordNet first, none a translation of the item.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict

from tqdm import tqdm

from semantic_pivots.data.answers import Concept, concepts
from semantic_pivots.data.clwtd import N_DISTRACTORS, Item
from semantic_pivots.data.evidence import Sources, lemmas
from semantic_pivots.data.wordnet import Nouns
from semantic_pivots.data.words import CORE, MIN_ZIPF, zipf

# Distractors come from every noun file but noun.Tops (entity, abstraction: the roots).
NOUN_FILES = frozenset(
    f"noun.{name}"
    for name in (
        "act animal artifact attribute body cognition communication event feeling food group "
        "location motive object person phenomenon plant possession process quantity relation "
        "shape state substance time"
    ).split()
)
MAX_PATH = 6
# Close distractors: concepts of the item's lexicographer file at most NEAR hypernym steps away
# that share a hypernym with at most CATEGORY synsets under it (a specific category).
NEAR = 4
CATEGORY = 3000
LETTERS = re.compile(r"[^\W\d_]+")


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
    """One word contains the other, case aside (trombone/trombones, 奶牛/牛)."""
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


def build_items(
    kept: list[Concept],
    src: Sources,
    langs: tuple[str, ...],
    n_distractors: int,
    counts: dict,
) -> list[Item]:
    """Rule 5: the kept concepts that find their distractors, as items."""
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

    items: list[Item] = []
    short: defaultdict[str, int] = defaultdict(int)
    far_counts: defaultdict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
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
                (d for s in distance if (d := by_synset[lang].get(s)) is not None),
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
    return items
