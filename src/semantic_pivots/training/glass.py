"""Glass-box models: trained here on the study corpus, so what each checkpoint saw is known.

``glass-<profile>`` names the model that the profile's ``training`` section defines (trained by
``make train``, cached by a hash of everything it depends on); ``glass-<profile>@step-N`` one of
its checkpoints, and ``glass-<profile>@all`` (in checkpoint lists) every checkpoint in order.
Each checkpoint is a Hugging Face folder that also records the documents it has seen.
"""

from __future__ import annotations

import gzip
import json
import platform
import re
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from semantic_pivots import config, languages
from semantic_pivots.cache import key_digest, source_digest
from semantic_pivots.data import corpus as corpus_module
from semantic_pivots.data import counts as counts_module
from semantic_pivots.errors import UserError
from semantic_pivots.models import loading
from semantic_pivots.models.loading import model_name
from semantic_pivots.paths import cache_dir, sweep_stale
from semantic_pivots.training import mixture, tokenizer
from semantic_pivots.training import train as train_module

PREFIX = "glass-"
ALL = "all"


def is_glass(spec: str) -> bool:
    """A glass-box spec (a local folder that happens to be named glass-... is not one)."""
    return spec.startswith(PREFIX) and "/" not in spec


def mixture_of(t: config.Training) -> mixture.Mixture:
    """A run's mixture from its training settings (the exposure design: with the word list)."""
    from semantic_pivots.data import clwtd

    # the exposure design assigns the list's items, and the smoke source is made from them
    uses_list = t.design == "exposure" or mixture.SMOKE in t.sources
    word_list = clwtd.load().digest() if uses_list else ""
    return mixture.Mixture.of(
        t.languages, t.sources, t.pairs, t.interleaved, t.tags, t.design, t.cooccurring, word_list
    )


def exposure_groups(name: str) -> dict[str, str]:
    """The evaluated items' groups of a glass-box run of the exposure design (else empty)."""
    return groups_of(checkpoint(name).folder)


def groups_of(folder: Path) -> dict[str, str]:
    """The evaluated items' groups of the run a checkpoint folder belongs to (else empty)."""
    meta = json.loads((folder / train_module.META).read_text())
    mix = mixture.Mixture.of(**meta["mixture"])  # the run's own
    plan, _ = mixture.exposure_of(corpus_module.load(), mix, meta["seed"])
    return plan.groups if plan else {}


def tokenizer_key(vocab: int, corpus) -> str:
    """What a trained tokenizer depends on: size, corpus, code and library version."""
    import tokenizers

    return key_digest(
        [vocab, corpus.digest(), source_digest(tokenizer.train), tokenizers.__version__]
    )[:16]


def tokenizer_for(vocab: int, corpus) -> Path:
    """The byte-level BPE of ``vocab`` tokens trained on the whole corpus, once."""
    folder = cache_dir("glass", "tokenizers") / f"bpe-{vocab}-{tokenizer_key(vocab, corpus)}"
    if not (folder / "tokenizer.json").exists():
        texts = (doc.text for doc in corpus.documents())
        tokenizer.train(texts, vocab, folder)
    return folder


# the code that decides what a run reads and how it trains
RUN_CODE = (
    corpus_module.interleave,
    languages.name,
    mixture.units_of,
    mixture.smoke_documents,
    mixture.documents,
    mixture.word_vocab,
    mixture.found_in,
    mixture.held_items,
    mixture.exposure,
    mixture.Exposure.interleaved,
    mixture.epoch_order,
    mixture.TrainDoc.lines,
    train_module.build_stream,
    train_module.manifest,
    train_module.save_steps,
    train_module.train,
    train_module.steps_for,
    train_module.token_loader,
    train_module.prepare,
    train_module.train_loop,
    train_module.save_checkpoint,
    train_module.write_summary,
    train_module.llama_config,
)


def run_key(settings: config.Settings, corpus) -> dict:
    """Everything a run depends on: settings, seed, corpus, code and library versions."""
    import accelerate
    import torch
    import transformers

    return {
        "training": asdict(settings.training),
        "seed": settings.seed,
        "corpus": corpus.digest(),
        "code": source_digest(*RUN_CODE),
        "tokenizer": tokenizer_key(settings.training.vocab, corpus),
        "versions": [torch.__version__, transformers.__version__, accelerate.__version__],
        "machine": platform.machine(),
    }


def _run_folder(profile: str, digest: str) -> Path:
    return cache_dir("glass", "runs") / f"{profile}-{digest[:12]}"


def run_dir(settings: config.Settings, corpus=None) -> Path:
    digest = key_digest(run_key(settings, corpus or corpus_module.load()))
    return _run_folder(settings.profile, digest)


def train(settings: config.Settings, progress: bool = True) -> Path:
    """The profile's glass-box run, trained unless it is in the cache; returns its folder."""
    from accelerate import PartialState
    from transformers import AutoTokenizer

    corpus = corpus_module.load()
    digest = key_digest(run_key(settings, corpus))
    folder = _run_folder(settings.profile, digest)
    sweep_stale(folder.parent)  # what killed processes left, even when the run is cached
    state = PartialState()
    if folder.exists():
        bad = train_module.damaged(folder)
        if bad is None:
            return folder
        if state.is_main_process:
            print(
                f"{folder.name}: {bad} is missing or damaged; training the run again",
                file=sys.stderr,
                flush=True,
            )
    with state.main_process_first():
        tok = AutoTokenizer.from_pretrained(tokenizer_for(settings.training.vocab, corpus))
    mix = mixture_of(settings.training)
    docs = mixture.documents(corpus, mix, settings.seed)
    describe = {
        "glass": f"{PREFIX}{settings.profile}",
        "profile": settings.profile,
        "seed": settings.seed,
        "mixture": asdict(mix),
        "corpus": corpus.digest(),
        "key": digest,
    }
    # the run trains in a folder of its own that an interrupt leaves in place: the next
    # attempt resumes from its saved state (train_module.train_loop)
    partial = folder.with_name(f"{folder.name}.partial")
    if state.is_main_process:
        partial.mkdir(parents=True, exist_ok=True)
    state.wait_for_everyone()
    if train_module.damaged(partial) is not None:  # else finished, only not yet in place
        train_module.train(
            settings.training, docs, tok, settings.seed, partial, describe, progress, resumable=True
        )
    state.wait_for_everyone()
    if state.is_main_process:
        shutil.rmtree(folder, ignore_errors=True)  # a damaged run being replaced
        partial.replace(folder)
    state.wait_for_everyone()
    return folder


def train_named(settings: config.Settings) -> list[Path]:
    """Train (or find in the cache) every glass-box model a run's settings name.

    ``glass-<profile>`` always means the profile's own training section and seed: a run whose
    overrides change them is refused rather than silently given the profile's model.
    """
    names = check_named(settings)
    return [train(config.settings(_split(name)[0])) for name in names]


def check_named(settings: config.Settings) -> list[str]:
    """The glass-box models a run's settings name; refused if the run changes their training.

    ``glass-<profile>`` always means the profile's own training section and seed.
    """
    specs = [*settings.models, *settings.scoring.checkpoints]
    names = list(dict.fromkeys(model_name(s) for s in specs if is_glass(s)))
    own = config.settings(settings.profile)
    if names and (settings.training, settings.seed) != (own.training, own.seed):
        raise UserError(
            f"{', '.join(names)}: glass-box models keep their profile's training settings and "
            "seed; to try others, train a variant with python -m semantic_pivots train --set "
            "... and pass one of its checkpoint folders as the model"
        )
    return names


@dataclass(frozen=True)
class Checkpoint:
    spec: str  # glass-<profile>@step-N
    folder: Path
    step: int
    tokens: int


def _split(spec: str) -> tuple[str, str | None]:
    name, _, revision = spec.partition("@")
    profile = name.removeprefix(PREFIX)
    if profile not in config.profiles():
        raise UserError(
            f"unknown glass-box model {spec!r}: expected glass-<profile> with a profile of "
            f"{', '.join(config.profiles())}"
        )
    return profile, revision or None


def _trained(name: str) -> Path:
    """The run folder of a trained glass-box model, else a one-line error."""
    profile, _ = _split(name)
    folder = run_dir(config.settings(profile))
    if not (folder / "run.json").exists():
        raise UserError(
            f"{name} has not been trained with the current settings and corpus: run "
            f"make train PROFILE={profile}"
        )
    bad = train_module.damaged(folder, full=False)  # sizes: a stat per file, at every use
    if bad is not None:
        raise UserError(f"{name}: {bad} is missing or damaged: run make train PROFILE={profile}")
    return folder


def checkpoints(name: str) -> list[Checkpoint]:
    """Every checkpoint of a glass-box model (trained, else a one-line error), by step."""
    profile, _ = _split(name)
    found = []
    for sub in (_trained(name) / "checkpoints").glob("step-*"):
        match = re.fullmatch(r"step-(\d+)", sub.name)
        if match and (sub / train_module.META).exists():
            meta = json.loads((sub / train_module.META).read_text())
            spec = f"{PREFIX}{profile}@{sub.name}"
            found.append(Checkpoint(spec, sub, int(match.group(1)), meta["tokens"]))
    return sorted(found, key=lambda c: c.step)


def checkpoint(spec: str) -> Checkpoint:
    """The checkpoint a spec names: ``glass-<profile>`` (the last) or ``...@step-N``."""
    _, revision = _split(spec)
    found = checkpoints(model_name(spec))
    if not found:
        raise UserError(f"{spec}: its run folder holds no checkpoint; train it again")
    if revision is None:
        return found[-1]
    for c in found:
        if c.spec.partition("@")[2] == revision:
            return c
    raise UserError(
        f"{spec}: no such checkpoint; expected one of {', '.join(c.spec for c in found)}"
    )


def expand(specs: list[str]) -> list[str]:
    """Model specs with every ``glass-<profile>@all`` replaced by its checkpoints in order."""
    out = []
    for spec in specs:
        if is_glass(spec) and spec.endswith(f"@{ALL}"):
            out += [c.spec for c in checkpoints(model_name(spec))]
        else:
            out.append(spec)
    return out


def run_summary(name: str) -> dict:
    return json.loads((_trained(name) / "run.json").read_text())


def loss_curve(name: str):
    import pandas as pd

    return pd.read_csv(_trained(name) / "loss.csv")


def seen(folder: Path) -> dict:
    """A checkpoint's record of what it saw: tokens, document ids in order, the cut one."""
    path = Path(folder) / train_module.SEEN
    if not path.exists():
        raise UserError(f"{folder}: no {train_module.SEEN}; expected a glass-box checkpoint")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def seen_documents(folder: Path) -> list[mixture.TrainDoc]:
    """The training documents a checkpoint has read whole, in order (repeats included)."""
    meta = json.loads((Path(folder) / train_module.META).read_text())
    corpus = corpus_module.load()
    if corpus.digest() != meta["corpus"]:
        raise UserError(
            f"{folder}: trained on corpus {meta['corpus']}, but the corpus is now "
            f"{corpus.digest()}; train again (make train)"
        )
    mix = mixture.Mixture.of(**meta["mixture"])  # the run's own, whatever its overrides
    by_id = {d.id: d for d in mixture.documents(corpus, mix, meta["seed"])}
    return [by_id[i] for i in seen(folder)["documents"]]


def training_collection(folder: Path):
    """The distinct documents a checkpoint has read, as a retrieval collection."""
    from semantic_pivots.data import retrieval

    folder = Path(folder)
    key = {
        "run": json.loads((folder / train_module.META).read_text())["key"],
        "tokens": seen(folder)["tokens"],
    }

    def documents():
        distinct = {d.id: d for d in seen_documents(folder)}
        return ((d.id, d.lines()) for d in distinct.values())

    return retrieval.build(f"{folder.parent.parent.name}-{folder.name}", key, documents)


def exact_counts(folder: Path, words, pairs, window: int = counts_module.WINDOW):
    """Word and pair counts over exactly the documents a checkpoint has read (each a unit).

    The same matching rules as the corpus backend; a unit is one training document as the
    model read it (an interleaved aligned unit, tags included, or a monolingual document).
    """
    folder = Path(folder)
    key = {
        "checkpoint": seen(folder)["tokens"],
        "run": json.loads((folder / train_module.META).read_text())["key"],
        "words": words,
        "pairs": pairs,
        "window": window,
        "segmenters": counts_module.segmenters(),
    }

    def compute() -> dict:
        docs = seen_documents(folder)
        units = (
            ((lang, counts_module.tokens(line, lang)) for lang, line in d.lines()) for d in docs
        )
        return counts_module.count_units(units, words, pairs, window)

    value = counts_module.cached_json(EXACT, key, compute)
    return counts_module.from_rows(f"exact ({folder.name})", value)


EXACT = counts_module.Kind(
    "exact-counts", 1, (*counts_module.COUNTS.code, *RUN_CODE, seen_documents, exact_counts)
)


def languages_of(name: str) -> list[str]:
    """The languages a glass-box model's data holds: its monolingual ones and its pairs'."""
    profile, _ = _split(name)
    t = config.settings(profile).training
    return list(dict.fromkeys([*t.languages, *(lang for p in t.pairs for lang in p.split("-"))]))


def items_seen(folder: Path, items: list, langs: list[str]) -> list:
    """The items whose word in each of ``langs`` occurs in what the checkpoint has read."""
    words = list(dict.fromkeys((lang, it.words[lang]) for lang in langs for it in items))
    found = exact_counts(folder, words, [])
    return [it for it in items if all(found.word(lang, it.words[lang]) > 0 for lang in langs)]


def _resolve(spec: str) -> tuple[Path, str]:
    found = checkpoint(spec)
    return found.folder, f"trained here ({found.tokens:,} tokens seen)"


loading.register(PREFIX, _resolve)
