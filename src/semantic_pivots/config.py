"""The one configuration: run profiles, a section per analysis, typed and overridable.

The profiles live in ``profiles.yaml`` and are read into typed settings, overridden per run.

A profile holds the study-wide settings (models, languages, word list, distractor rule, seed)
and one section per analysis (``scoring``, ``tracing``, ``frequency``). An override names a
setting as ``section.key`` (``tracing.rule``), as a key that only one section has (``rule``), or
as a section given whole as a mapping (``tracing={"rule": "threshold"}``). An unknown name stops
with the valid ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from semantic_pivots import languages
from semantic_pivots.data import clwtd, function_words
from semantic_pivots.errors import UserError
from semantic_pivots.prompts import MODES

PROFILES_FILE = Path(__file__).with_name("profiles.yaml")


@dataclass(frozen=True)
class Scoring:
    """CLWTD scoring; layer tracing traces the same items with the same shots."""

    n_items: int | None = 30  # items per ordered pair (None: all)
    glass_n_items: int | None = None  # the same for glass-box models (None: all they can have)
    k: int = 5  # shots per prompt
    shot_sets: int = 2  # shot sets per item (S)
    mode: str = "shared"  # "shared" (held-out pool) or "paper" (per item)
    k_values: list[int] = field(default_factory=lambda: [0, 1, 3, 5])
    k_items: int = 15  # items per pair in the few-shot (k) comparison
    k_pairs: list[str] = field(default_factory=lambda: ["en-fr", "fr-en", "en-zh", "zh-en"])
    checkpoints: list[str] = field(default_factory=list)  # model specs scored in order


@dataclass(frozen=True)
class Tracing:
    """Layer tracing and the behaviour rules."""

    rule: str = "peak"  # "peak" (the authors' rule) or "threshold"
    threshold: float = 0.1  # for the threshold rule
    top_k: int = 5  # tokens kept per layer
    lens: str = "logit"  # "logit", or "tuned": a tuned lens is trained and read beside it
    lens_tokens: int = 24576  # the tuned lens's training tokens (models.tuned)
    lens_steps: int = 96  # its optimiser steps
    lens_lr: float = 4e-4  # its learning rate (Adam, falling linearly to zero)
    lens_vocab: int = 4096  # its sampled vocabulary per step (0: the whole vocabulary)


# The x definitions analysis 3 can set against behaviour (analyses.frequency computes them).
XS = (
    "log count(target)",
    "log count(source)",
    "log co-occurrence",
    "PMI",
    "log documents(target)",
    "log documents(source)",
    "log documents together",
)


@dataclass(frozen=True)
class Frequency:
    """Corpus frequency against behaviour."""

    backend: str = "corpus"  # "corpus", "wordfreq" or "infini-gram"
    xs: list[str] | None = None  # x definitions (None: all of XS)
    cooccurrence: str = "windows"  # "windows" (100-token windows) or "units" (aligned units)
    view: str = "aligned"  # corpus units: "aligned" translations together, or "documents"


@dataclass(frozen=True)
class Training:
    """The glass-box model of this profile (``glass-<profile>``): its data, sizes and schedule."""

    languages: list[str] = field(default_factory=lambda: ["en", "fr"])  # monolingual documents
    sources: list[str] = field(default_factory=lambda: ["wesnoth", "libreoffice-help"])
    pairs: list[str] = field(default_factory=lambda: ["en-fr"])  # aligned units to interleave
    interleaved: float = 1.0  # the share of those aligned units shown interleaved
    tags: bool = True  # interleaved lines begin with the language's name
    # "interleaved", or "exposure": the word list's items assigned at random to be shown
    # together or apart, `interleaved` then the share of the other units (training.mixture)
    design: str = "interleaved"
    cooccurring: float = 0.5  # exposure: the share of evaluated items shown together
    vocab: int = 8000  # the tokenizer's vocabulary (trained on the whole corpus)
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    intermediate: int = 512
    seq_len: int = 128
    batch: int = 64  # sequences per step, over all processes
    lr: float = 3e-3
    warmup: int = 30  # steps
    tokens: int = 6_400_000  # seen in training, over all epochs
    n_checkpoints: int = 8  # log-spaced, step 0 and the last included
    clip: float = 1.0  # the gradient norm's bound; 0: no clipping
    weight_decay: float = 0.1
    precision: str = "no"  # accelerate's mixed precision: no, bf16 or fp16


@dataclass(frozen=True)
class Pivots:
    """Semantic-pivot discovery (document samples, the background) and the control sets."""

    n_docs: int = 500  # documents sampled per word, and background documents
    min_docs: int = 10  # fewer documents with the source or the target word: no pivots
    n_pivots: int = 50  # pivots kept per item (k)
    stop: int = 100  # the corpus's most frequent words, never pivots
    tolerance: float = 1.5  # a control word's frequency is within this factor of its pivot's
    engine: str = "infini-gram"  # document retrieval: "infini-gram" or "in-house"
    # the study corpus's documents the samples come from (pretrained models): each language's
    # own documents, as the authors drew them, or the aligned units (translations together)
    samples: str = "documents"
    # words that are never pivots: the function-word lists with the functionwords package's
    # added ("extended"), the lists without them ("base"), or no filter ("none")
    function_words: str = "extended"


# the continued-training arms: the mixture, its bilingual documents, the pivot-aware selection,
# a random selection matched to it, and (the exposure design) the separated items' parallel
# units, the positive control (training.continued)
ARMS = ("original", "multilingual", "pivot", "random", "parallel")


@dataclass(frozen=True)
class Continuation:
    """Pivot-aware data: continued pre-training of the glass-box model, arm against arm."""

    start: float = 0.5  # continue from the checkpoint nearest this share of the run's steps
    arms: list[str] = field(default_factory=lambda: ["original", "multilingual", "pivot", "random"])
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    continue_tokens: int = 262_144  # per arm and seed
    continue_lr: float = 1e-3
    continue_warmup: int = 3  # steps
    budget: float = 0.25  # a selection holds this share of the mixture's tokens
    window: int = 5  # graph edges join tokens less than this far apart
    weighting: str = "ppmi"  # edge weights: "ppmi" or "count"
    set_size: int = 500  # tokens in the pivot set
    share: float = 1.0  # the arm's share of a continued run's tokens; the rest: the mixture
    parallel_lines: int = 3  # the parallel arm: the shortest line pairs per separated item
    # the measure of the primary contrast (pivot - random, all pairs), set before any run
    primary: str = "log ratio"


SECTIONS = {
    "scoring": Scoring,
    "tracing": Tracing,
    "frequency": Frequency,
    "pivots": Pivots,
    "training": Training,
    "continuation": Continuation,
}


@dataclass(frozen=True)
class Settings:
    """A run's settings: the study-wide ones and a section per analysis (typed, checked)."""

    profile: str
    description: str
    models: list[str]
    languages: list[str]
    seed: int = 0
    dataset: str | None = None  # a word list (native JSONL, the authors' JSONL, or CSV)
    distractors: str = "list"  # "list" (the list's own) or "random" (clwtd.DISTRACTOR_RULES)
    scoring: Scoring = field(default_factory=Scoring)
    tracing: Tracing = field(default_factory=Tracing)
    frequency: Frequency = field(default_factory=Frequency)
    pivots: Pivots = field(default_factory=Pivots)
    training: Training = field(default_factory=Training)
    continuation: Continuation = field(default_factory=Continuation)


TOP = [f.name for f in fields(Settings) if f.name not in {*SECTIONS, "profile", "description"}]
KEYS = {name: [f.name for f in fields(cls)] for name, cls in SECTIONS.items()}

# What each setting must be. Lists accept a list, or a string holding a JSON or YAML list
# (papermill passes `-p languages '["de", "es"]'` as a string); a plain string is a list of one
# for the model lists.
LISTS = {
    "models": str,
    "languages": str,
    "k_values": int,
    "k_pairs": str,
    "checkpoints": str,
    "sources": str,
    "pairs": str,
    "arms": str,
    "seeds": int,
}
ONE_IS_A_LIST = {"models", "checkpoints"}
INTEGERS = {  # -> minimum
    "k": 0,
    "shot_sets": 1,
    "seed": 0,
    "k_items": 1,
    "top_k": 1,
    "vocab": 512,
    "hidden": 8,
    "layers": 1,
    "heads": 1,
    "intermediate": 8,
    "seq_len": 8,
    "batch": 1,
    "warmup": 0,
    "tokens": 1,
    "n_checkpoints": 2,
    "n_docs": 1,
    "min_docs": 1,
    "n_pivots": 1,
    "stop": 0,
    "continue_tokens": 1,
    "continue_warmup": 0,
    "window": 2,
    "set_size": 1,
    "parallel_lines": 1,
    "lens_tokens": 128,
    "lens_steps": 1,
    "lens_vocab": 0,
}
FLOATS: dict[str, tuple[float, float]] = {"threshold": (0, 1), "interleaved": (0, 1)}
FLOATS.update(lr=(0, 0.1), clip=(0, 1e9))  # AdamW above 0.1 diverges here
FLOATS["weight_decay"] = (0, 1)
FLOATS["tolerance"] = (1, 1e9)
FLOATS["lens_lr"] = (0, 1.0)
FLOATS.update(start=(0, 1), continue_lr=(0, 0.1), budget=(0, 1), cooccurring=(0, 1), share=(0, 1))
# Rates at 0 would train nothing and say nothing: they must be above their lower bound.
ABOVE_LOW = {"lr", "continue_lr", "lens_lr"}
# Settings for which None is a value (all items, all x definitions, the default word list).
NONE_IS_A_VALUE = {"n_items", "glass_n_items", "xs", "dataset"}
OPTIONAL_INTEGERS = {"n_items": 1, "glass_n_items": 1}
CHOICES = {
    "mode": MODES,
    "rule": ("peak", "threshold"),
    "backend": ("corpus", "wordfreq", "infini-gram"),
    "cooccurrence": ("windows", "units"),
    "view": ("aligned", "documents"),
    "samples": ("aligned", "documents"),
    "precision": ("no", "bf16", "fp16"),
    "engine": ("infini-gram", "in-house"),
    "weighting": ("ppmi", "count"),
    "primary": ("score", "rank accuracy", "log ratio"),
    "design": ("interleaved", "exposure"),
    "lens": ("logit", "tuned"),
    "function_words": function_words.EXTENTS,
}


def _yaml(what: str, text: str):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise UserError(f"{what}: {text!r} is not valid YAML") from None


def profiles() -> dict[str, dict]:
    """Every profile of ``profiles.yaml``, as written."""
    return yaml.safe_load(PROFILES_FILE.read_text(encoding="utf-8"))


def _integer(name: str, value, minimum: int | None) -> int:
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(f"setting {name}: expected an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise UserError(f"setting {name}: expected an integer of at least {minimum}, got {value}")
    return value


def as_list(name: str, value, kind: type) -> list:
    """A list setting, its elements of ``kind`` (int, or non-empty strings).

    Given as a list or as text: a YAML list, or one element where one is a list.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = _yaml(f"setting {name}", text)
        elif name in ONE_IS_A_LIST:
            value = [text]
    if not isinstance(value, list | tuple):
        raise UserError(f"setting {name}: expected a list, got {value!r}")
    if kind is int:
        return [_integer(f"{name} item", v, 0) for v in value]
    if not all(isinstance(v, str) and v for v in value):
        raise UserError(f"setting {name}: expected a list of non-empty strings, got {value!r}")
    return list(value)


def check(name: str, value):
    """``value`` as setting ``name`` must be, or a one-line error."""
    if name == "models":
        value = as_list(name, value, str)
        if not value or len(set(value)) != len(value):
            raise UserError(f"setting models: expected one or more distinct specs, got {value}")
        return value
    if name in LISTS:
        return as_list(name, value, LISTS[name])
    if name in INTEGERS:
        return _integer(name, value, INTEGERS[name])
    if name in OPTIONAL_INTEGERS:
        return None if value is None else _integer(name, value, OPTIONAL_INTEGERS[name])
    if name in CHOICES and value not in CHOICES[name]:
        raise UserError(
            f"setting {name}: expected one of {', '.join(CHOICES[name])}, got {value!r}"
        )
    if name == "dataset" and value is not None and not isinstance(value, str):
        raise UserError(f"setting dataset: expected a path, got {value!r}")
    if name in FLOATS:
        low, high = FLOATS[name]
        if isinstance(value, bool):
            raise UserError(f"setting {name}: expected a number, got {value!r}")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise UserError(f"setting {name}: expected a number, got {value!r}") from None
        if name in ABOVE_LOW and not low < value <= high:
            raise UserError(f"setting {name}: expected a number in ({low}, {high}], got {value}")
        if not low <= value <= high:
            raise UserError(f"setting {name}: expected a number in [{low}, {high}], got {value}")
    if name == "tags" and not isinstance(value, bool):
        raise UserError(f"setting tags: expected true or false, got {value!r}")
    if name == "xs" and value is not None:
        value = as_list("xs", value, str)
        unknown = [x for x in value if x not in XS]
        if unknown:
            raise UserError(f"setting xs: unknown {unknown[0]!r}: expected some of {list(XS)}")
    if name == "distractors":
        return clwtd.check_rule(value)
    return value


def valid_names() -> list[str]:
    """Every name a setting can be given by, for the error that lists them."""
    return [*TOP, "model", *SECTIONS, *(f"{s}.{k}" for s, keys in KEYS.items() for k in keys)]


def _place(name: str) -> tuple[str | None, str]:
    """(section or None, key) of an override's name."""
    if name in TOP or name == "model" or name in SECTIONS:
        return None, name
    section, dot, key = name.partition(".")
    if dot and section in KEYS and key in KEYS[section]:
        return section, key
    owners = [s for s, keys in KEYS.items() if name in keys]
    if len(owners) == 1:
        return owners[0], name
    raise UserError(f"unknown setting {name!r}: expected one of {', '.join(valid_names())}")


def settings(profile: str = "default", /, **overrides) -> Settings:
    """The profile's settings with every override that is not None applied, each checked.

    ``models`` may be one spec or a list; a single ``model`` replaces the list. Models given
    without ``checkpoints`` mean those models alone: the profile's checkpoints are dropped.
    """
    table = profiles()
    if profile not in table:
        raise UserError(f"unknown profile {profile!r}: expected one of {', '.join(table)}")
    top = {k: v for k, v in table[profile].items() if k not in SECTIONS}
    sections = {s: dict(table[profile].get(s) or {}) for s in SECTIONS}
    if overrides.get("model") is not None and overrides.get("models") is not None:
        raise UserError("settings model and models: give one (model is a single spec)")
    for name, value in overrides.items():
        section, key = _place(name)
        if value is None and key not in NONE_IS_A_VALUE:
            continue  # not given
        if key == "model":
            if not isinstance(value, str) or not value:
                raise UserError(f"setting model: expected one model spec, got {value!r}")
            top["models"] = [value]
        elif section is None and key in SECTIONS:
            if isinstance(value, str):
                value = _yaml(f"setting {key}", value)
            if not isinstance(value, dict):
                raise UserError(f"setting {key}: expected a mapping of its keys, got {value!r}")
            for k, v in value.items():
                sections[key][_place(f"{key}.{k}")[1]] = v
        elif section is None:
            top[key] = value
        else:
            sections[section][key] = value
    given = {_place(name)[1] for name, value in overrides.items() if value is not None}
    given |= {k for s in SECTIONS if isinstance(overrides.get(s), dict) for k in overrides[s]}
    if given & {"model", "models"} and "checkpoints" not in given:
        sections["scoring"]["checkpoints"] = []
    built = {}
    for s, cls in SECTIONS.items():
        unknown = set(sections[s]) - set(KEYS[s])
        if unknown:
            _place(f"{s}.{sorted(unknown)[0]}")  # raises with the valid names
        built[s] = replace(cls(), **{k: check(k, v) for k, v in sections[s].items()})
    result = Settings(profile=profile, **{k: check(k, v) for k, v in top.items()}, **built)
    languages.check_codes(result.languages)
    if len(set(result.languages)) < 2:
        raise UserError(f"setting languages: at least two are needed, got {result.languages}")
    languages.check_codes(result.training.languages)
    if result.training.hidden % result.training.heads:
        raise UserError(
            f"settings hidden {result.training.hidden} and heads {result.training.heads}: "
            "expected a hidden size that the number of heads divides"
        )
    unknown_arms = [a for a in result.continuation.arms if a not in ARMS]
    if unknown_arms or not result.continuation.arms or not result.continuation.seeds:
        raise UserError(
            f"settings arms {result.continuation.arms} and seeds {result.continuation.seeds}: "
            f"expected some of {', '.join(ARMS)} and at least one seed"
        )
    for name, pairs in (("k_pairs", result.scoring.k_pairs), ("pairs", result.training.pairs)):
        for pair in pairs:
            if pair.count("-") != 1:
                raise UserError(f"setting {name}: expected pairs like en-fr, got {pair!r}")
            languages.check_codes(pair.split("-"))
    return result


def parse_assignments(text: str) -> dict:
    """Read make's SET assignments as overrides.

    ``"scoring.k=3 tracing.rule=threshold"`` (``make reproduce SET=...``) as overrides; each
    value is read as YAML (numbers, lists, strings). An assignment ends where the next
    ``NAME=`` begins, so values may hold blanks: ``"languages=[en, fr] scoring.k=3"``.
    """
    import re

    out = {}
    for part in re.split(r"\s+(?=[A-Za-z_][\w.]*=)", text.strip()) if text.strip() else []:
        name, eq, value = part.partition("=")
        if not eq or not name:
            raise UserError(
                f"SET: expected NAME=VALUE pairs such as scoring.k=3 (a value may hold blanks: "
                f'"languages=[en, fr]"), got {part!r}'
            )
        _place(name)
        out[name] = _yaml(f"SET {name}", value)
    return out


# Names a notebook's kernel holds besides its parameters.
_KERNEL_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}
_LITERALS = (str, int, float, bool, list, dict, type(None))


def from_notebook(namespace: dict) -> Settings:
    """The settings of a notebook run, read from the kernel's ``namespace`` (``globals()``).

    They are its parameters cell (``profile`` and ``overrides``, a mapping of setting names to
    values) and every parameter papermill injected: the literal values (strings, numbers, lists,
    mappings, None) the kernel holds before the notebook imports or computes anything. A name
    that is no setting, a misspelt ``-p`` name say, stops the run with the valid names.
    """
    values = {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and k not in _KERNEL_NAMES and isinstance(v, _LITERALS)
    }
    profile = values.pop("profile", "default")
    if not isinstance(profile, str):
        raise UserError(f"parameter profile: expected a profile name, got {profile!r}")
    overrides = values.pop("overrides", None) or {}
    if isinstance(overrides, str):
        overrides = _yaml("parameter overrides", overrides)
    if not isinstance(overrides, dict):
        raise UserError(f"parameter overrides: expected a mapping of settings, got {overrides!r}")
    for name in values:
        try:
            _place(name)
        except UserError:
            raise UserError(
                f"unknown parameter {name!r}: notebooks take profile, overrides and "
                f"{', '.join(valid_names())}"
            ) from None
    return settings(profile, **{**overrides, **values})
