"""Run profiles (``profiles.yaml``) resolved with per-run overrides."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from semantic_pivots import languages
from semantic_pivots.data import clwtd
from semantic_pivots.errors import UserError
from semantic_pivots.prompts import MODES

PROFILES_FILE = Path(__file__).with_name("profiles.yaml")


@dataclass(frozen=True)
class Settings:
    profile: str
    description: str
    models: list[str]
    languages: list[str]
    n_items: int
    k: int
    shot_sets: int
    seed: int
    mode: str = "shared"  # shot sets: "shared" (held-out pool) or "paper" (per item)
    k_values: list[int] = field(default_factory=lambda: [0, 1, 3, 5])
    k_items: int = 15  # items per pair in the few-shot (k) comparison
    k_pairs: list[str] = field(default_factory=lambda: ["en-fr", "fr-en", "en-zh", "zh-en"])
    checkpoints: list[str] = field(default_factory=list)  # model specs scored in order
    dataset: str | None = None
    distractors: str = "list"  # "list" (the list's own) or "random" (clwtd.DISTRACTOR_RULES)


# What each setting must be: list settings accept a list, or a string holding a JSON or YAML
# list (papermill passes `-p languages '["de", "es"]'` as a string); a plain string is a list
# of one for the model lists.
LISTS = {"models": str, "languages": str, "k_values": int, "k_pairs": str, "checkpoints": str}
ONE_IS_A_LIST = {"models", "checkpoints"}
INTEGERS = {"n_items": 1, "k": 0, "shot_sets": 1, "seed": None, "k_items": 1}  # -> minimum
CHOICES = {"mode": MODES}


def profiles() -> dict[str, dict]:
    return yaml.safe_load(PROFILES_FILE.read_text(encoding="utf-8"))


def _integer(name: str, value, minimum: int | None) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(f"setting {name}: expected an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise UserError(f"setting {name}: expected an integer of at least {minimum}, got {value}")
    return value


def as_list(name: str, value, kind: type) -> list:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = yaml.safe_load(text)
            except yaml.YAMLError:
                raise UserError(f"setting {name}: {value!r} is not a valid list") from None
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
    if name in LISTS:
        return as_list(name, value, LISTS[name])
    if name in INTEGERS:
        return _integer(name, value, INTEGERS[name])
    if name in CHOICES and value not in CHOICES[name]:
        raise UserError(
            f"setting {name}: expected one of {', '.join(CHOICES[name])}, got {value!r}"
        )
    if name == "distractors":
        return clwtd.check_rule(value)
    return value


def settings(profile: str = "default", **overrides) -> Settings:
    """The profile's settings with every override that is not None applied, each checked.

    ``models`` may be one spec or a list; a single ``model`` replaces the list.
    """
    table = profiles()
    if profile not in table:
        raise UserError(f"unknown profile {profile!r}: expected one of {', '.join(table)}")
    model = overrides.pop("model", None)
    if model:
        overrides["models"] = [model]
    known = {f.name for f in fields(Settings)}
    unknown = set(overrides) - known
    if unknown:
        raise UserError(
            f"unknown setting {sorted(unknown)[0]!r}: expected one of {', '.join(sorted(known))}"
        )
    chosen = {**table[profile], **{k: v for k, v in overrides.items() if v is not None}}
    result = Settings(profile=profile, **{k: check(k, v) for k, v in chosen.items()})
    languages.check_codes(result.languages)
    if len(set(result.languages)) < 2:
        raise UserError(f"setting languages: at least two are needed, got {result.languages}")
    for pair in result.k_pairs:
        if pair.count("-") != 1:
            raise UserError(f"setting k_pairs: expected pairs like en-fr, got {pair!r}")
        languages.check_codes(pair.split("-"))
    return result


# Names a notebook's kernel holds besides its parameters.
_KERNEL_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}


def from_notebook(namespace: dict, extra: tuple[str, ...] = ()) -> Settings:
    """The settings of a notebook run: its parameters cell and what papermill injected, read
    from the kernel's ``namespace`` (``globals()``). A parameter the notebook does not know, a
    misspelt ``-p`` name say, stops the run with the valid names."""
    from types import ModuleType

    values = {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_")
        and k not in _KERNEL_NAMES
        and not isinstance(v, ModuleType | type)
        and not callable(v)
    }
    valid = {f.name for f in fields(Settings)} - {"profile", "description"}
    valid |= {"profile", "model", *extra}
    unknown = sorted(set(values) - valid)
    if unknown:
        raise UserError(
            f"unknown parameter {unknown[0]!r}: this notebook takes {', '.join(sorted(valid))}"
        )
    values.pop("profile", None)
    return settings(
        namespace.get("profile", "default"),
        **{k: v for k, v in values.items() if k not in extra},
    )
