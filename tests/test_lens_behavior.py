"""The logit lens on every supported architecture, and the behaviour rules on hand-built traces."""

import pytest
import torch

from semantic_pivots.analyses import behaviour as b
from semantic_pivots.models import lens, loading, tiny

PROMPT = (
    "Please translate words from English to French.\n\n"
    "English: dog\nFrench: chien\n\nEnglish: cat\nFrench:"
)


@pytest.mark.parametrize("arch", sorted(tiny.CONFIGS))
def test_last_layer_lens_is_the_models_next_token_distribution(arch, tmp_path):
    lm = loading.load_model(str(tiny.save(arch, tmp_path)), device="cpu")
    torch.manual_seed(1)
    with torch.no_grad():  # random norm weights, so a double norm could not hide
        for p in lm.adapter.final_norm.parameters():
            p.copy_(torch.randn_like(p))
    target = lens.token_variants(lm.tokenizer, "chat")
    short = PROMPT.split("\n\n", 1)[0] + "\n\nEnglish: cat\nFrench:"
    texts = [PROMPT, short, PROMPT.replace("cat", "dog")]  # two lengths; one batch of two
    encoded = [lm.tokenizer(t)["input_ids"] for t in texts]
    traces = lens.trace_batch(lm, encoded, [{"target": target}] * 3, top_k=3)
    for prompt, trace in zip(texts, traces, strict=True):
        assert len(trace.layers) == lm.adapter.n_layers + 1 and trace.layers[0].layer == 0
        ids = lm.tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            probs = torch.softmax(lm.model(**ids).logits[0, -1], dim=-1)
        last = trace.layers[-1]
        top = probs.topk(3)
        assert last.top_tokens == top.indices.tolist()
        assert last.top_probs == pytest.approx(top.values.tolist(), abs=1e-4)
        assert last.masses["target"] == pytest.approx(float(probs[target].sum()), abs=1e-4)


def test_token_variants_cover_prefixes_with_and_without_space():
    lm = loading.load_model("tiny-llama", device="cpu")
    tok = lm.tokenizer
    ids = lens.token_variants(tok, "chien")
    assert tok(" chien", add_special_tokens=False)["input_ids"][0] in ids
    assert tok("chien", add_special_tokens=False)["input_ids"][0] in ids
    assert tok(" ", add_special_tokens=False)["input_ids"][0] not in ids
    assert lens.layer_label(0) == "emb" and lens.layer_label(3) == "3"


@pytest.fixture(scope="module")
def dummy_prefix_llama(tmp_path_factory):
    folder = tiny.save("llama", tmp_path_factory.mktemp("sp"), tokenizer_style="sentencepiece")
    return loading.load_model(str(folder), device="cpu")


def test_lens_reads_the_word_after_a_leading_blank(
    dataset, dummy_prefix_llama, tmp_path, monkeypatch
):
    """Where the answer starts with a bare blank token, the lens reads the position that
    predicts the word after it, and S and T hold no blank token."""
    from semantic_pivots import prompts
    from semantic_pivots.analyses import tracing
    from semantic_pivots.models import encoding

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    lm, tok = dummy_prefix_llama, dummy_prefix_llama.tokenizer
    pair = prompts.Pair("en", "ja")
    planned = prompts.plan(pair, dataset.items, 2, 1, "shared", 0, 12)
    traces = tracing.trace_pair(lm, planned, pair, top_k=3)
    stepped = [(p, t) for p, t in zip(planned, traces, strict=True) if t.blanks]
    assert stepped and len(stepped) < len(traces)  # the premise: some answers start blank
    blank = encoding.blank_ids(tok, range(len(tok)))
    for p, t in stepped:
        prompt = prompts.query(pair, p.shots[0], t.source)
        joint = tok(prompt + prompts.answer(t.target))["input_ids"]
        first_word = len(joint) - len(t.target_tokens)
        assert t.trace.ids == joint[:first_word] and joint[first_word - 1] in blank
        with torch.no_grad():
            probs = torch.softmax(lm.model(input_ids=torch.tensor([joint])).logits[0], -1)
        assert t.trace.layers[-1].top_tokens == probs[first_word - 1].topk(3).indices.tolist()
        assert not (set(t.source_tokens) | set(t.target_tokens)) & blank
    at_blank = tracing.trace_pair(lm, [p for p, _ in stepped], pair, top_k=3, skip_blanks=False)
    assert all(
        len(b.trace.ids) == len(t.trace.ids) - t.blanks
        for b, (_, t) in zip(at_blank, stepped, strict=True)
    )


def test_paper_mode_traces_each_item_with_its_own_shots(dataset, tmp_path, monkeypatch):
    from semantic_pivots import prompts
    from semantic_pivots.analyses import tracing

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    lm = loading.load_model("tiny-gpt2", device="cpu")
    pair = prompts.Pair("en", "fr")
    planned = prompts.plan(pair, dataset.items, 3, 2, "paper", 0, 6)
    traces = tracing.trace_pair(lm, planned, pair, top_k=1)
    for p, t in zip(planned, traces, strict=True):
        text = lm.tokenizer.decode(t.trace.ids)
        assert text == prompts.query(pair, p.shots[0], t.source)
        shots = text.split("\n\n")[1:-1]
        assert f"English: {t.source}\nFrench: {t.target}" not in shots


S, T = {10, 11}, {20, 21}


@pytest.mark.parametrize(
    "top1, label",
    [
        ([(5, 0.1), (7, 0.6), (20, 0.3)], b.PIVOT),  # an intermediate token peaks
        ([(5, 0.1), (7, 0.3), (20, 0.6)], b.COOCCURRENCE),  # the output itself peaks
        ([(10, 0.9), (7, 0.2), (20, 0.5)], b.COOCCURRENCE),  # the peak is a source token
        ([(7, 0.5), (20, 0.5)], b.COOCCURRENCE),  # tie -> later layer (the output)
        ([(20, 0.5), (7, 0.5), (20, 0.4)], b.PIVOT),  # tie -> later layer (token 7)
    ],
)
def test_peak_rule(top1, label):
    assert b.classify(top1, S, T) == label


def test_exclusions_and_threshold_rule():
    assert b.classify([(7, 0.9)], {10, 30}, {30, 20}) == b.EXCLUDED  # a shared token
    assert b.classify([(7, 0.9)], S, T, same_word=True) == b.EXCLUDED
    assert b.classify([(7, 0.09), (20, 0.8)], S, T, rule="threshold") == b.COOCCURRENCE
    assert b.classify([(7, 0.1), (20, 0.8)], S, T, rule="threshold") == b.PIVOT
    assert b.classify([(10, 0.9), (20, 0.8)], S, T, rule="threshold") == b.COOCCURRENCE
    with pytest.raises(ValueError, match="unknown behaviour rule 'vote'"):
        b.classify([(7, 0.9)], S, T, rule="vote")


def test_scores_traces_and_translations_of_a_study_join_one_to_one(tmp_path, monkeypatch):
    """One plan: every analysis of a study sees the same items with the same shots."""

    from semantic_pivots.study import Study

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    study = Study.from_profile("smoke", models=["tiny-gpt2"], languages=["en", "fr"])
    keys = ["model", "pair", "item", "shots"]
    scores = study.scores[keys]
    traces = study.behaviour[keys]  # one row per trace, duplicates included
    translations = study.translations[keys]
    assert len(scores) == 6 * 2 and scores["shots"].str.count(r"\|").eq(1).all()  # 2 shot sets
    assert len(study.traces) == len(traces)  # no trace of one key hides another
    for other in (traces, translations):
        joined = scores.merge(other, on=keys, validate="one_to_one")
        assert len(joined) == len(scores) == len(other)


def test_behaviour_rows_carry_both_rules(dataset, tmp_path, monkeypatch):
    from semantic_pivots import prompts
    from semantic_pivots.analyses import tracing

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    lm = loading.load_model("tiny-gpt2", device="cpu")
    pair = prompts.Pair("en", "fr")
    for t in tracing.trace_pair(
        lm, prompts.plan(pair, dataset.items, 2, 1, "shared", 0, 4), pair, 2
    ):
        row = tracing.behaviour_row(t, lm, "threshold", 0.05)
        top1 = t.trace.top1()
        assert row["peak prob"] == max(p for _, p in top1[1:])
        assert row["label"] == b.LABELS[t.label("threshold", 0.05)]
        assert row["label (peak rule)"] == b.LABELS[t.label("peak")]


def test_relabelling_counts_items_whose_label_moves_at_the_blank():
    from semantic_pivots.analyses import tracing

    rows = [
        {"model": "m", "pair": "en-zh", "item": i, "blanks": b, "label": label}
        for i, b, label in [
            ("a", 1, "semantic pivot"),
            ("b", 1, "co-occurrence"),
            ("c", 0, "co-occurrence"),
            ("d", 2, "excluded"),
        ]
    ]
    at_blank = [
        {"model": "m", "pair": "en-zh", "item": "a", "label at the blank": "co-occurrence"},
        {"model": "m", "pair": "en-zh", "item": "b", "label at the blank": "co-occurrence"},
        {"model": "m", "pair": "en-zh", "item": "d", "label at the blank": "excluded"},
    ]
    row = tracing.relabelling(rows, at_blank).loc[("m", "en-zh")]
    assert (row["items"], row["answer starts with a blank"], row["label changed"]) == (4, 3, 1)


def test_peak_note_names_blank_and_letter_peaks():
    import pandas as pd

    from semantic_pivots.analyses import tracing

    def rows(tokens, layers):
        return pd.DataFrame({"label": "semantic pivot", "peak token": tokens, "peak layer": layers})

    blank = tracing.peak_note("m", rows([" ", " ", "x"], [10, 11, 12]), 12)
    assert "0% of its semantic-pivot items peak in the first quarter" in blank
    assert "' ' (67% of them), white space" in blank
    letter = tracing.peak_note("m", rows(["s", "s", "犬"], [1, 2, 12]), 12)
    assert "67% of its" in letter and "a single Latin letter" in letter
    assert tracing.peak_note("m", rows(["猫", "猫"], [6, 6]), 12).endswith("(100% of them).")
    assert "no item" in tracing.peak_note("m", rows([], []), 12)


def test_the_pivot_chapter_reuses_the_tracing_chapters_traces(tmp_path, monkeypatch):
    """Layer tracing reads the pivot sets too, so the pivot chapter traces nothing again."""
    from semantic_pivots.analyses import tracing
    from semantic_pivots.study import Study

    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path))
    study = Study.from_profile("smoke", models=["tiny-gpt2"], languages=["en", "fr"])
    calls = []
    real = lens.trace_batch
    monkeypatch.setattr(lens, "trace_batch", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert len(study.behaviour) and calls
    traced = len(calls)
    study.pivots("tiny-gpt2")
    assert len(calls) == traced  # every trace of the pivot chapter came from the cache
    shown = set(tracing.token_set_curves(study.traces)["token set"])
    assert shown <= set(tracing.OWN_SETS) and "target" in shown  # the chapter's own sets only
