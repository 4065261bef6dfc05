"""Run profiles (``profiles.yaml``) resolved with per-run overrides."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from . import clwtd, languages
from .errors import UserError

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


def profiles() -> dict[str, dict]:
    return yaml.safe_load(PROFILES_FILE.read_text(encoding="utf-8"))


def settings(profile: str = "default", **overrides) -> Settings:
    """The profile's settings with every override that is not None applied.

    ``models`` may be one spec or a list; a single ``model`` replaces the list.
    """
    table = profiles()
    if profile not in table:
        raise UserError(f"unknown profile {profile!r}: expected one of {', '.join(table)}")
    base = Settings(profile=profile, **table[profile])
    model = overrides.pop("model", None)
    if model:
        overrides["models"] = [model]
    if isinstance(overrides.get("models"), str):
        overrides["models"] = [overrides["models"]]
    known = {f.name for f in fields(Settings)}
    unknown = set(overrides) - known
    if unknown:
        raise UserError(f"unknown setting {sorted(unknown)[0]!r}: expected one of {sorted(known)}")
    result = replace(base, **{k: v for k, v in overrides.items() if v is not None})
    languages.check_codes(result.languages)
    clwtd.check_rule(result.distractors)
    return result
