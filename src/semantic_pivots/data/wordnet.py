"""Princeton WordNet 3.0 nouns, read from the database files of Debian's ``wordnet-base``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The lexicographer files (lexnames) in file-number order.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time"
).split()


@dataclass(frozen=True)
class Synset:
    """One noun synset: its id (``08-digit offset-n``), file, lemmas, hypernyms and gloss."""

    id: str
    lexname: str
    lemmas: tuple[str, ...]  # as WordNet spells them, underscores turned into spaces
    hypernyms: tuple[str, ...]
    gloss: str


@dataclass(frozen=True)
class Nouns:
    synsets: dict[str, Synset]
    senses: dict[str, tuple[str, ...]]  # lower-case lemma -> its synset ids, most frequent first
    other_senses: dict[str, int]  # lower-case lemma -> its number of verb, adjective, adverb senses
    # lower-case lemma -> (tagged uses as a noun, as anything else) in the SemCor counts
    uses: dict[str, tuple[int, int]] = field(default_factory=dict)
    # lower-case lemma -> tagged uses of each noun sense, in the order of ``senses``
    tagged: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def mainly_noun(self, lemma: str) -> bool:
        """Used as a noun at least as often as otherwise (SemCor counts; else sense counts)."""
        noun, other = self.uses.get(lemma, (0, 0))
        if noun or other:
            return noun >= other
        return self.other_senses.get(lemma, 0) < len(self.senses.get(lemma, ()))

    def hyponyms(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for synset in self.synsets.values():
            for parent in synset.hypernyms:
                out.setdefault(parent, []).append(synset.id)
        return out


def _data_lines(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(" "):  # the licence is indented
            yield line


def _read_data(path: Path) -> dict[str, Synset]:
    out = {}
    for line in _data_lines(path):
        head, _, gloss = line.partition(" | ")
        fields = head.split()
        offset, lexfile, n_words = fields[0], int(fields[1]), int(fields[3], 16)
        lemmas = tuple(fields[4 + 2 * i].replace("_", " ") for i in range(n_words))
        # an adjective marker such as (p) or (a) may follow a lemma
        lemmas = tuple(lemma.split("(")[0] for lemma in lemmas)
        at = 4 + 2 * n_words
        n_pointers = int(fields[at])
        pointers = [fields[at + 1 + 4 * i : at + 5 + 4 * i] for i in range(n_pointers)]
        hypernyms = tuple(f"{p[1]}-n" for p in pointers if p[0] in ("@", "@i"))
        out[f"{offset}-n"] = Synset(f"{offset}-n", LEXNAMES[lexfile], lemmas, hypernyms, gloss)
    return out


def _read_index(path: Path, pos: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for line in _data_lines(path):
        fields = line.split()
        n_synsets, n_pointers = int(fields[2]), int(fields[3])
        offsets = fields[6 + n_pointers : 6 + n_pointers + n_synsets]
        out[fields[0].replace("_", " ")] = tuple(f"{o}-{pos}" for o in offsets)
    return out


def read_nouns(root: Path) -> Nouns:
    """The noun database under ``root`` (the folder holding ``data.noun`` and ``index.*``)."""
    other: dict[str, int] = {}
    for pos in ("verb", "adj", "adv"):
        for lemma, synsets in _read_index(root / f"index.{pos}", pos[0]).items():
            other[lemma] = other.get(lemma, 0) + len(synsets)
    senses = _read_index(root / "index.noun", "n")
    uses, tagged = _read_counts(root / "cntlist.rev", senses)
    return Nouns(_read_data(root / "data.noun"), senses, other, uses, tagged)


def _read_counts(
    path: Path, senses: dict[str, tuple[str, ...]]
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, ...]]]:
    """Tagged uses from ``cntlist.rev`` (sense key, sense number, count).

    Per lemma, the uses as a noun and as anything else, and each noun sense's uses (sense
    numbers follow the order of ``index.noun``).
    """
    out: dict[str, list[int]] = {}
    by_sense: dict[str, dict[int, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, number, count = line.split()
        lemma, _, rest = key.partition("%")
        lemma = lemma.replace("_", " ").lower()
        uses = out.setdefault(lemma, [0, 0])
        uses[rest[0] != "1"] += int(count)
        if rest[0] == "1":
            by_sense.setdefault(lemma, {})[int(number)] = int(count)
    tagged = {
        lemma: tuple(counts.get(i + 1, 0) for i in range(len(senses.get(lemma, ()))))
        for lemma, counts in by_sense.items()
    }
    return {lemma: (noun, other) for lemma, (noun, other) in out.items()}, tagged
