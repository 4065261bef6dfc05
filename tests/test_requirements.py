"""The environment is pinned in one place and mirrored for conda users."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(path: Path) -> set[str]:
    return {
        line.strip().lower()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


def test_environment_yml_mirrors_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert {p.lower() for p in pip} == _pins(ROOT / "requirements.txt")


def test_direct_requirements_are_in_the_lock():
    lock = _pins(ROOT / "requirements.txt")
    direct = _pins(ROOT / "requirements.in")
    assert direct <= lock, sorted(direct - lock)
    assert "torch==2.13.0" in lock  # a CPU wheel; an unpinned torch pulls a CUDA build
    assert all("==" in p for p in lock)
