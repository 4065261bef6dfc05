"""The book is published by the workflow that builds it: its file parses, and every make
target it runs exists."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, flags=re.M))


def test_the_pages_workflow_builds_the_book_with_existing_targets():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    steps = [s for job in flow["jobs"].values() for s in job.get("steps", [])]
    runs = " ".join(s.get("run", "") for s in steps)
    made = re.findall(r"\bmake ([\w-]+)", runs)
    assert made == ["reproduce"] and set(made) <= _targets()
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "book/_build/html"
    assert flow[True]["push"]["branches"] == ["main"]  # YAML reads the key `on` as True


def test_publish_pushes_the_built_book_with_ghp_import():
    text = (ROOT / "Makefile").read_text()
    assert {"publish", "book"} <= _targets()
    recipe = text.split("\npublish:", 1)[1].split("\n\n", 1)[0]
    assert "ghp-import" in recipe and "book/_build/html" in recipe
    assert "ghp-import==" in (ROOT / "requirements.txt").read_text()


def test_an_analysis_never_imports_another():
    """What analyses share goes through the Study or a lower layer (tracing's behaviour rules
    are part of the tracing analysis)."""
    folder = ROOT / "src" / "semantic_pivots" / "analyses"
    own = {"tracing": {"behaviour"}, "behaviour": set()}
    for path in folder.glob("*.py"):
        if path.stem == "__init__":
            continue
        imported = set(
            re.findall(r"semantic_pivots\.analyses(?:\.(\w+)| import (\w+))", path.read_text())
        )
        names = {a or b for a, b in imported}
        assert names <= own.get(path.stem, set()), (path.name, names)
