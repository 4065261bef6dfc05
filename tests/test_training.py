"""Glass-box models: the tokenizer, the mixture and its order, the token stream, training
runs and their checkpoints, exact counts, determinism, and several processes."""

import pytest
from transformers import AutoTokenizer

from semantic_pivots.errors import UserError
from semantic_pivots.training import tokenizer

TEXTS = [
    "The dog sees the cat. Le chien voit le chat.",
    "狗看见猫。犬が猫を見る。",
    "The dog and the cat sleep. Le chien et le chat dorment.",
] * 20


def test_trained_tokenizer_saves_loads_and_round_trips(tmp_path):
    tok = tokenizer.train(TEXTS, 600, tmp_path / "tok")
    loaded = AutoTokenizer.from_pretrained(tmp_path / "tok")
    for text in ["Le chien voit le chat.", "犬が猫を見る", "ünïcode ✓ never seen"]:
        ids = loaded(text)["input_ids"]
        assert loaded.decode(ids) == text  # byte-level: nothing is unknown
    assert len(loaded(" chien")["input_ids"]) == 1  # frequent words become one token
    assert loaded.eos_token == tokenizer.EOS and loaded.pad_token == tokenizer.PAD
    assert tok.get_vocab() == loaded.get_vocab()
    again = tokenizer.train(TEXTS, 600, tmp_path / "again")
    assert again.get_vocab() == tok.get_vocab()  # the same text gives the same merges


def test_too_small_a_vocabulary_is_refused(tmp_path):
    with pytest.raises(UserError, match="vocab_size 300: expected at least 512"):
        tokenizer.train(TEXTS, 300, tmp_path / "tok")
    assert not (tmp_path / "tok").exists()


# -- the mixture, the training run, its checkpoints and exact counts ------------------------

WORDS = ["dog", "cat", "house", "water", "bread", "tree", "river", "stone"]
FRENCH = ["chien", "chat", "maison", "eau", "pain", "arbre", "rivière", "pierre"]


def _docs():
    from semantic_pivots.data.corpus import Document

    docs = []
    for i in range(60):
        en = " ".join(WORDS[(i + j) % 8] for j in range(i % 4 + 2))
        fr = " ".join(FRENCH[(i + j) % 8] for j in range(i % 4 + 2))
        docs.append(Document(f"u{i}/en", "en", "smoke", f"the {en}\nand {en}", f"u{i}"))
        docs.append(Document(f"u{i}/fr", "fr", "smoke", f"le {fr}\net {fr}", f"u{i}"))
    docs.append(Document("solo/fr", "fr", "smoke", "une maison sans chien", None))
    docs.append(Document("u0/en-2", "en", "smoke", "a second English version", "u0"))
    docs.append(Document("other/en", "en", "elsewhere", "never in the mixture", None))
    # monolingual documents without the list's words: the pool of the pivot and random arms
    for i in range(40):
        filler = " ".join(FILLER[(i * 3 + j) % len(FILLER)] for j in range(4 + i % 5))
        docs += [Document(f"f{i}/{lang}", lang, "smoke", filler, None) for lang in ("en", "fr")]
    return docs


FILLER = ["kalo", "minu", "pera", "soti", "vuze", "lomi", "nupe", "raso", "tivu", "zeka", "moru"]
FILLERS = {f"f{i}/{lang}" for i in range(40) for lang in ("en", "fr")}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The smoke profile's glass-box model, trained on a small aligned corpus (seconds)."""
    from semantic_pivots import config
    from semantic_pivots.data import corpus
    from semantic_pivots.training import glass

    env = {
        "SEMANTIC_PIVOTS_CORPUS": str(
            corpus.write(tmp_path_factory.mktemp("corpus") / "corpus", _docs())
        ),
        "SEMANTIC_PIVOTS_CACHE": str(tmp_path_factory.mktemp("cache")),
    }
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    try:
        yield glass.train(config.settings("smoke"), progress=False), env
    finally:
        mp.undo()


@pytest.fixture
def tiny_env(tiny_run, monkeypatch):
    """The tiny run's corpus and cache in the environment; its run folder."""
    folder, env = tiny_run
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return folder


def test_mixture_interleaves_a_share_of_aligned_units_in_a_seeded_order():
    from semantic_pivots.data import corpus
    from semantic_pivots.training import mixture

    docs = _docs()
    fake = type("C", (), {"languages": ["en", "fr"], "documents": lambda self, langs: iter(docs)})()
    mix = mixture.Mixture(("en", "fr"), ("smoke",), (("en", "fr"),), 0.5, True)
    first = mixture.documents(fake, mix, 0)
    assert first == mixture.documents(fake, mix, 0)  # a pure function of the seed
    pairs = [d for d in first if len(d.parts) == 2]
    assert 15 < len(pairs) < 45  # about half of the 60 aligned units
    assert [d.id for d in first] != [d.id for d in mixture.documents(fake, mix, 1)]
    assert "other/en" not in {d.id for d in first}  # another source
    # every corpus document of the mixture is read once: alone or in its interleaved unit
    parts = sorted(p.id for d in first for p in d.parts)
    assert parts == sorted(d.id for d in docs if d.source == "smoke")
    unit = pairs[0]
    en, fr = (p.text.splitlines() for p in unit.parts)
    assert unit.text.splitlines() == [
        f"English: {en[0]}",
        f"French: {fr[0]}",
        f"English: {en[1]}",
        f"French: {fr[1]}",
    ]
    assert list(corpus.interleave(unit.parts)) == [
        ("en", en[0]),
        ("fr", fr[0]),
        ("en", en[1]),
        ("fr", fr[1]),
    ]
    # the order is a fixed function of (seed, epoch), the same on any machine
    assert mixture.epoch_order(6, 0, 0) == [4, 2, 5, 1, 0, 3]
    assert mixture.epoch_order(6, 0, 1) == [0, 2, 4, 1, 3, 5]
    assert mixture.epoch_order(6, 1, 0) == [5, 1, 0, 4, 2, 3]


def test_the_smoke_source_is_made_where_the_corpus_has_none(dataset):
    from semantic_pivots.data import corpus
    from semantic_pivots.training import mixture

    docs = [corpus.Document("x/en", "en", "wesnoth", "a real document", None)]
    fake = type("C", (), {"languages": ["en", "fr"], "documents": lambda self, langs: iter(docs)})()
    mix = mixture.Mixture(("en", "fr"), ("smoke",), (("en", "fr"),), 0.5, True)
    made = {p.id for d in mixture.documents(fake, mix, 0) for p in d.parts}
    expected = {d.id for d in mixture.smoke_documents(dataset.items) if d.lang in ("en", "fr")}
    assert made == expected and "x/en" not in made


def test_stream_and_manifest_account_for_every_token():
    from semantic_pivots.training import train

    ids = [[1, 2, 3], [4, 5], [6, 7, 8, 9]]
    docs = [type("D", (), {"id": f"d{i}"})() for i in range(3)]
    stream = train.build_stream(ids, 0, seed=0, n_tokens=20, seq_len=4)
    assert stream.sequences.shape == (5, 4)
    flat = stream.sequences.ravel().tolist()
    # the stream is the documents in the recorded order, each followed by EOS (0), cut at 20
    assert flat == [t for i in stream.doc_index.tolist() for t in [*ids[i], 0]][:20]
    for tokens in (8, 15, 20):  # inside the first epoch, past its end (12 tokens), the end
        seen = train.manifest(stream, docs, tokens)
        read = sum(len(ids[int(d[1:])]) + 1 for d in seen["documents"])
        assert read + (seen["partial"]["tokens read"] if seen["partial"] else 0) == tokens
    assert len(stream.doc_index) > len(ids)  # the stream runs into a second epoch
    assert train.save_steps(550, 8)[0] == 0 and train.save_steps(550, 8)[-1] == 550
    assert len(train.save_steps(550, 8)) == 8


def test_checkpoints_load_as_model_specs(tiny_env):
    import torch

    from semantic_pivots.models.loading import load_model
    from semantic_pivots.training import glass

    found = glass.checkpoints("glass-smoke")
    assert [c.step for c in found] == sorted(c.step for c in found) and found[0].step == 0
    assert glass.expand(["glass-smoke@all", "tiny-llama"]) == [c.spec for c in found] + [
        "tiny-llama"
    ]
    last = load_model("glass-smoke", device="cpu")
    assert last.info.model_type == "llama" and last.info.n_layers == 2
    again = load_model(found[-1].spec, device="cpu")
    assert again.info.fingerprint == last.info.fingerprint  # the final checkpoint
    first = load_model(found[0].spec, device="cpu")
    assert first.info.fingerprint != last.info.fingerprint
    ids = last.tokenizer("English: dog\nFrench:", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        assert torch.isfinite(last.model(ids).logits).all()
    with pytest.raises(UserError, match="no such checkpoint"):
        glass.checkpoint("glass-smoke@step-999999")
    with pytest.raises(UserError, match="unknown glass-box model"):
        glass.checkpoint("glass-nonesuch")


def test_loss_falls_and_the_run_records_what_it_saw(tiny_env):
    from semantic_pivots.training import glass

    run = glass.run_summary("glass-smoke")
    loss = glass.loss_curve("glass-smoke")
    assert len(loss) == run["steps"] and loss["tokens"].iloc[-1] == run["tokens"]
    assert loss["loss"].iloc[-5:].mean() < loss["loss"].iloc[:5].mean()
    final = glass.checkpoint("glass-smoke")
    seen = glass.seen(final.folder)
    assert seen["tokens"] == run["tokens"] == final.tokens
    assert len(seen["documents"]) > run["mixture documents"]  # more than one epoch
    # the recorded documents, tokenized again with the checkpoint's tokenizer, fill exactly
    # the tokens the model was fed
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(final.folder)
    for c in glass.checkpoints("glass-smoke"):
        record = glass.seen(c.folder)
        docs = glass.seen_documents(c.folder)
        read = sum(len(tok(d.text, add_special_tokens=False)["input_ids"]) + 1 for d in docs)
        cut = record["partial"]["tokens read"] if record["partial"] else 0
        assert read + cut == c.tokens, c.spec


def _brute(docs, words, pairs):
    """Occurrences, units and unit co-occurrences by direct enumeration of token runs."""
    from semantic_pivots.data import counts

    occ, units, both = {w: 0 for w in words}, {w: 0 for w in words}, {p: 0 for p in pairs}
    for doc in docs:
        stream = [(lang, t) for lang, line in doc.lines() for t in counts.tokens(line, lang)]
        hits = {}
        for lang, word in words:
            form = counts.match_form(word, lang).split(" ")
            hits[lang, word] = sum(
                1
                for i in range(len(stream))
                if [t for _, t in stream[i : i + len(form)]] == form
                and all(lg == lang for lg, _ in stream[i : i + len(form)])
            )
            occ[lang, word] += hits[lang, word]
            units[lang, word] += hits[lang, word] > 0
        for p in pairs:
            both[p] += hits[p[:2]] > 0 and hits[p[2:]] > 0
    return occ, units, both


def test_exact_counts_equal_a_brute_force_count_over_the_recorded_documents(tiny_env):
    from semantic_pivots.training import glass

    words = [("en", w) for w in WORDS] + [("fr", w) for w in FRENCH] + [("en", "the dog")]
    pairs = [("en", a, "fr", b) for a in WORDS[:4] for b in FRENCH[:4]]
    for c in glass.checkpoints("glass-smoke")[1:]:
        docs = glass.seen_documents(c.folder)
        found = glass.exact_counts(c.folder, words, pairs)
        occ, units, both = _brute(docs, words, pairs)
        for w in words:
            assert found.word(*w) == occ[w], (c.step, w)
            assert found.word(*w, measure="units") == units[w], (c.step, w)
        for p in pairs:
            assert found.pair(*p) == both[p], (c.step, p)
    first, last = glass.checkpoints("glass-smoke")[1], glass.checkpoints("glass-smoke")[-1]
    assert glass.exact_counts(first.folder, words, []).word("en", "dog") < glass.exact_counts(
        last.folder, words, []
    ).word("en", "dog")


@pytest.mark.slow  # trains
def test_the_same_seed_gives_the_same_data_order_and_loss_curve(tiny_env, tmp_path, monkeypatch):
    import pandas as pd

    from semantic_pivots import config
    from semantic_pivots.training import glass

    tiny_run = tiny_env
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))  # trained anew
    again = glass.train(config.settings("smoke"), progress=False)
    assert again.name == tiny_run.name  # the same key
    columns = ["step", "tokens", "loss", "lr"]
    first = pd.read_csv(tiny_run / "loss.csv")[columns]
    second = pd.read_csv(again / "loss.csv")[columns]
    assert first.equals(second)
    for a, b in zip(
        sorted((tiny_run / "checkpoints").iterdir()),
        sorted((again / "checkpoints").iterdir()),
        strict=True,
    ):
        assert glass.seen(a) == glass.seen(b)
    other = glass.train(
        config.settings("smoke", seed=1, training={"interleaved": 1.0, "design": "interleaved"}),
        progress=False,
    )
    # its documents are rebuilt from its own mixture and seed, not the profile's
    read = glass.seen_documents(sorted((other / "checkpoints").iterdir())[-1])
    # every aligned unit interleaved; alone: the unaligned document and the second English one
    assert read and {d.id for d in read if len(d.parts) == 1} <= {"solo/fr", "u0/en-2"} | FILLERS
    assert (
        glass.seen(sorted((other / "checkpoints").iterdir())[-1])["documents"]
        != glass.seen(sorted((tiny_run / "checkpoints").iterdir())[-1])["documents"]
    )


def test_an_interrupted_run_resumes_into_the_run_never_interrupted(tiny_env, tmp_path, monkeypatch):
    import pandas as pd

    from semantic_pivots import config
    from semantic_pivots.training import glass, train

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    save, t = train.save_checkpoint, config.settings("smoke").training
    last_but_one = train.save_steps(train.steps_for(t), t.n_checkpoints)[-2]

    def interrupted(run, model, step, loss):
        if step == last_but_one:  # past a few saved states, before the last checkpoint
            raise KeyboardInterrupt
        save(run, model, step, loss)

    monkeypatch.setattr(train, "save_checkpoint", interrupted)
    with pytest.raises(KeyboardInterrupt):
        glass.train(config.settings("smoke"), progress=False)
    (partial,) = (tmp_path / "cache" / "glass" / "runs").iterdir()
    assert partial.name.endswith(".partial") and (partial / train.STATE).is_dir()
    monkeypatch.setattr(train, "save_checkpoint", save)
    resumed = glass.train(config.settings("smoke"), progress=False)
    assert resumed.name == tiny_env.name and not (resumed / train.STATE).exists()
    columns = ["step", "tokens", "loss", "lr"]
    assert pd.read_csv(resumed / "loss.csv")[columns].equals(
        pd.read_csv(tiny_env / "loss.csv")[columns]
    )
    ours, theirs = train.records(resumed), train.records(tiny_env)
    assert ours.keys() == theirs.keys()
    for name in ours:  # the weights byte for byte, the records but for their timings
        if name.endswith(".safetensors"):
            assert ours[name] == theirs[name], name


def test_a_damaged_run_is_trained_again_with_a_notice(tiny_env, tmp_path, monkeypatch, capsys):
    import shutil

    from semantic_pivots import config
    from semantic_pivots.training import glass, train

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "glass" / "runs" / tiny_env.name
    shutil.copytree(tiny_env, folder)
    weights = sorted(folder.glob("checkpoints/*/model.safetensors"))[-1]
    weights.write_bytes(weights.read_bytes()[:100])  # truncated
    with pytest.raises(UserError, match="is missing or damaged: run make train"):
        glass.checkpoint("glass-smoke")
    assert glass.train(config.settings("smoke"), progress=False) == folder
    notices = capsys.readouterr()
    assert "model.safetensors is missing or damaged; training the run again" in notices.err
    # the run's notices (what it will take) go where progress goes, never to a chapter's page
    assert "the token stream needs about" in notices.err and "training:" not in notices.out
    assert train.damaged(folder) is None
    (folder / "checkpoints" / "step-0" / train.META).unlink()  # a record lost
    assert train.damaged(folder) == "checkpoints/step-0/semantic_pivots.json"


@pytest.mark.slow
def test_two_processes_train_the_same_model_as_one(tiny_env, tmp_path):
    """accelerate launch (DDP, here on the CPU) splits each batch: same data, same losses."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pandas as pd

    launcher = Path(sys.executable).with_name("accelerate")
    env = {**os.environ, "SEMANTIC_PIVOTS_CACHE": str(tmp_path / "cache")}
    subprocess.run(
        [str(launcher), "launch", "--cpu", "--num_processes", "2", "--num_machines", "1"]
        + ["--mixed_precision", "no", "--dynamo_backend", "no"]
        + ["-m", "semantic_pivots", "train", "--profile", "smoke"],
        env=env,
        check=True,
        capture_output=True,
    )
    (run,) = (tmp_path / "cache" / "glass" / "runs").iterdir()
    assert run.name == tiny_env.name
    columns = ["step", "tokens", "loss"]
    one = pd.read_csv(tiny_env / "loss.csv")[columns]
    two = pd.read_csv(run / "loss.csv")[columns]
    assert (one[["step", "tokens"]] == two[["step", "tokens"]]).all().all()
    assert (one["loss"] - two["loss"]).abs().max() < 1e-4


@pytest.mark.slow  # trains
def test_continued_runs_start_from_the_checkpoint_with_equal_budgets_and_repeat(
    tiny_env, tmp_path, monkeypatch
):
    """Every arm continues the same checkpoint for the same tokens; selections fill their budget
    to within one sequence; the same seed gives the same selection and loss curve."""
    import json

    import pandas as pd
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from semantic_pivots import config
    from semantic_pivots.data import clwtd
    from semantic_pivots.training import continued, glass, mixture
    from semantic_pivots.training import train as train_module

    settings = config.settings("smoke", continuation={"seeds": [0]})
    start = continued.start_checkpoint(settings)
    tok = AutoTokenizer.from_pretrained(start.folder)
    chosen = continued.select_arms(settings, tok)
    docs, _ = continued._mixture("smoke")
    length = dict(zip([d.id for d in docs], continued.token_lengths(docs, tok), strict=True))
    pool = continued.evaluated_free(settings, docs)  # what the pivot and random arms draw from
    assert FILLERS <= set(pool) and "solo/fr" not in pool  # "une maison sans chien"
    budget = int(settings.continuation.budget * sum(length[i] for i in pool))
    total = sum(length[i] for i in chosen.arms["pivot"])
    assert budget - 3 * settings.training.seq_len <= total <= budget
    drawn = continued.arm_ids(settings, chosen, "random", 0)  # matched stratum by stratum
    assert len(drawn) == len(chosen.arms["pivot"])
    assert abs(sum(length[i] for i in drawn) - total) <= 0.25 * total
    best = sorted(chosen.scores.values(), reverse=True)
    picked = sorted((chosen.scores[i] for i in chosen.arms["pivot"]), reverse=True)
    assert picked[0] == best[0]  # the richest document first
    parallel = continued.parallel_documents(settings)  # units the base run kept apart
    length.update(
        zip([d.id for d in parallel], continued.token_lengths(parallel, tok), strict=True)
    )
    assert parallel and all(len(d.parts) == 2 for d in parallel)
    plan, _ = continued._exposure("smoke")
    separated = [it for it in clwtd.load().items if plan.groups.get(it.id) == "separated"]
    vocab = {lang: mixture.word_vocab(separated, lang) for lang in ("en", "fr")}
    held = [
        set.intersection(*(mixture.found_in([p], p.lang, vocab[p.lang]) for p in d.parts))
        for d in parallel
    ]
    # each a line pair whose lines hold one separated item's two words, a few per item
    assert all("\n" not in p.text for d in parallel for p in d.parts) and all(held)
    assert len(parallel) <= settings.continuation.parallel_lines * len(separated)
    for arm in continued.ARMS:  # what each run read adds up to one budget, to the token
        seen = glass.seen(continued.continue_run(settings, arm, 0))
        partial = seen["partial"] or {"tokens read": 0}  # none when a document ends the run
        read = sum(length[i] for i in seen["documents"]) + partial["tokens read"]
        assert read == settings.continuation.continue_tokens, arm
    original = continued.continue_run(settings, "original", 0)
    meta = json.loads((original / train_module.META).read_text())
    assert meta["training seed"] == continued.continued_seed(settings, 0) != settings.seed
    base = glass.seen(glass.checkpoint("glass-smoke").folder)["documents"]
    assert glass.seen(original)["documents"][:10] != base[:10]  # the base run is not replayed
    first = continued.continue_run(settings, "pivot", 0)
    step0 = AutoModelForCausalLM.from_pretrained(first.parent / "step-0")
    begun = AutoModelForCausalLM.from_pretrained(start.folder)
    for a, b in zip(step0.parameters(), begun.parameters(), strict=True):
        assert torch.equal(a, b)  # continued from the checkpoint's weights
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "again"))  # all anew
    glass.train(config.settings("smoke"), progress=False)
    assert continued.select_arms(settings, tok) == chosen
    again = continued.continue_run(settings, "pivot", 0)
    columns = ["step", "tokens", "loss", "lr"]
    assert pd.read_csv(first.parent.parent / "loss.csv")[columns].equals(
        pd.read_csv(again.parent.parent / "loss.csv")[columns]
    )


def test_the_exposure_design_shows_each_group_as_assigned():
    """Co-occurring items' units interleaved, separated items' never (separation wins in a unit
    holding both), other units left to chance; groups balanced and drawn by the seed."""
    from semantic_pivots.data import clwtd
    from semantic_pivots.data.corpus import Document
    from semantic_pivots.training import mixture

    dataset = clwtd.load()
    items = [it for it in dataset.items if "en" in it.words and "fr" in it.words][:40]

    def unit(name, en, fr):
        return {
            "en": [Document(f"{name}-en", "en", "s", f"here is the {en} today", name)],
            "fr": [Document(f"{name}-fr", "fr", "s", f"voici le {fr} du jour", name)],
        }

    units = {f"u{k}": unit(f"u{k}", it.words["en"], it.words["fr"]) for k, it in enumerate(items)}
    a, b = items[0], items[1]
    units["both"] = unit("both", f"{a.words['en']} and {b.words['en']}", b.words["fr"])
    units["none"] = unit("none", "nothing", "rien")
    mix = mixture.Mixture.of(["en", "fr"], ["s"], ["en-fr"], 0.0, True, "exposure", 0.5,
                             dataset.digest())  # fmt: skip
    plan = mixture.exposure(units, mix, 0)
    assert set(plan.groups) == {it.id for it in items}
    assert sorted(plan.groups.values()).count(mixture.COOCCURRING) == 20
    for k, it in enumerate(items):
        assert plan.interleaved(f"u{k}") is (plan.groups[it.id] == mixture.COOCCURRING)
    assert plan.units["both"] == [b.id]  # a's French word is not in this unit
    assert plan.interleaved("none") is None
    other = mixture.exposure(units, mixture.Mixture.of(**{**mix.__dict__, "cooccurring": 0.5}), 1)
    assert other.groups != plan.groups  # another seed, another draw
    with pytest.raises(UserError, match="expected the list the design was made with"):
        mixture.exposure(units, mixture.Mixture.of(**{**mix.__dict__, "word_list": "x"}), 0)


def test_line_pairs_are_each_items_shortest_aligned_lines_that_translate():
    from semantic_pivots.data.clwtd import Item
    from semantic_pivots.data.corpus import Document
    from semantic_pivots.training import mixture

    def unit(align: str, en: list[str], fr: list[str]) -> dict:
        return {
            "en": [Document(f"{align}/en", "en", "s", "\n".join(en), align)],
            "fr": [Document(f"{align}/fr", "fr", "s", "\n".join(fr), align)],
        }

    units = {
        "u1": unit("u1", ["the red cat sleeps here", "a dog", "cat"], ["le chat roux dort ici",
                                                                       "un chien", "chat"]),
        "u2": unit("u2", ["cat"], ["chat"]),  # the same line pair again: once
        "u3": unit("u3", ["the cat", "dog"], ["chat"]),  # unequal line counts: left out
        "u4": unit("u4", ["dog", "cat and dog"], ["dog", "chat et chien"]),  # untranslated "dog"
    }  # fmt: skip
    items = [Item("cat", {"en": "cat", "fr": "chat"}), Item("dog", {"en": "dog", "fr": "chien"})]
    docs = mixture.line_pairs(units, items, ("en", "fr"), 2, tags=True)
    texts = [d.text for d in docs]
    assert texts == [
        "English: a dog\nFrench: un chien",
        "English: cat\nFrench: chat",
        "English: cat and dog\nFrench: chat et chien",
    ]
    assert [d.id for d in docs] == ["u1|en+fr|1", "u1|en+fr|2", "u4|en+fr|1"]
    one = mixture.line_pairs(units, items, ("en", "fr"), 1, tags=False)
    assert [d.text for d in one] == ["a dog\nun chien", "cat\nchat"]  # each item's shortest


EDGES = [  # every numeric training setting at the edge of its range
    {"lr": 0.1},
    {"clip": 0},
    {"warmup": 0},
    {"weight_decay": 0},
    {"weight_decay": 1},
    {"batch": 1, "tokens": 4000},
    {"seq_len": 8},
    {"hidden": 8, "heads": 1, "intermediate": 8, "layers": 1},
    {"vocab": 512},
    {"n_checkpoints": 2},
    {"interleaved": 0},
    {"interleaved": 1},
    {"cooccurring": 0},
    {"cooccurring": 1},
]
REFUSED = [
    ({"lr": 0}, r"lr: expected a number in \(0"),
    ({"lr": 0.5}, r"lr: expected a number in \(0, 0.1\]"),
    ({"clip": -1}, "clip: expected a number in"),
    ({"tokens": 100}, "expected at least one step"),
    ({"batch": 0}, "batch: expected an integer of at least 1"),
    ({"hidden": 12, "heads": 8}, "expected a hidden size that the number of heads divides"),
    ({"n_checkpoints": 1}, "n_checkpoints: expected an integer of at least 2"),
]


@pytest.mark.slow  # trains fifteen small models
def test_each_training_setting_at_its_edge_trains_or_is_refused(tmp_path, monkeypatch):
    import pandas as pd

    from semantic_pivots import config
    from semantic_pivots.training import glass

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    for edge in EDGES:
        folder = glass.train(config.settings("smoke", training=edge), progress=False)
        loss = pd.read_csv(folder / "loss.csv")["loss"]
        assert loss.iloc[-5:].mean() < loss.iloc[:5].mean() - 0.1, edge
    for edge, message in REFUSED:
        with pytest.raises(UserError, match=message):
            glass.train(config.settings("smoke", training=edge), progress=False)
