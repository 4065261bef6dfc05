"""The tuned lens: the logit lens when untrained, the model's logits at the last layer, and
lower held-out KL once trained; its artefact is reused and rebuilt with the model."""

from types import SimpleNamespace

import pytest
import torch

from semantic_pivots.models import lens, loading, tiny, tuned

PROMPT = "English: dog\nFrench: chien\n\nEnglish: cat\nFrench:"
TEXT = (
    "the river runs past the old mill and the stone bridge into the town where the market "
    "opens at dawn and the bakers sell bread to the farmers who come down from the hills "
)


@pytest.fixture()
def lm():
    return loading.load_model("tiny-llama", device="cpu")


def _texts(n: int) -> dict[str, list[str]]:
    """``n`` documents of TEXT's words, each in its own seeded order (no two alike)."""
    import random

    words, rng = TEXT.split(), random.Random(0)
    return {"en": [" ".join(rng.sample(words, len(words)) * 4) for _ in range(n)]}


def _traces(lm, decoder):
    encoded = [lm.tokenizer(PROMPT)["input_ids"]]
    return lens.trace_batch(lm, encoded, [{"cat": [5, 6]}], top_k=3, decoder=decoder)[0]


def test_an_untrained_tuned_lens_is_the_logit_lens(lm):
    width = lm.model.config.hidden_size
    untrained = tuned.Lens("tuned", tuned.Translators(lm.adapter.n_layers, width))
    assert _traces(lm, untrained) == _traces(lm, tuned.LOGIT)


def test_the_last_layer_of_a_tuned_lens_is_the_models_own_logits(lm):
    width = lm.model.config.hidden_size
    translators = tuned.Translators(lm.adapter.n_layers, width)
    torch.manual_seed(0)
    with torch.no_grad():
        translators.weight.normal_(0, 0.1)
        translators.bias.normal_(0, 0.1)
    trace = _traces(lm, tuned.Lens("tuned", translators))
    ids = lm.tokenizer(PROMPT, return_tensors="pt")
    with torch.no_grad():
        probs = torch.softmax(lm.model(**ids).logits[0, -1], dim=-1)
    last = trace.layers[-1]
    assert last.top_tokens == probs.topk(3).indices.tolist()
    assert last.top_probs == pytest.approx(probs.topk(3).values.tolist(), abs=1e-5)
    # an earlier layer does move: the translators are not the identity there
    assert trace.layers[1] != _traces(lm, tuned.LOGIT).layers[1]


@pytest.mark.parametrize("model", ["tiny-llama", "tiny-gemma3"])
@pytest.mark.parametrize("kind", ["logit", "tuned"])
def test_every_layer_in_one_product_decodes_as_each_layer_alone(model, kind):
    lm = loading.load_model(model, device="cpu")
    decoder = tuned.LOGIT
    if kind == "tuned":
        translators = tuned.Translators(lm.adapter.n_layers, lm.model.config.hidden_size)
        torch.manual_seed(0)
        with torch.no_grad():
            translators.weight.normal_(0, 0.1)
            translators.bias.normal_(0, 0.1)
        decoder = tuned.Lens("tuned", translators)
    ids = lm.tokenizer([PROMPT, PROMPT.upper()], return_tensors="pt", padding=True)["input_ids"]
    with torch.no_grad():
        hidden = lm.model.base_model(input_ids=ids, output_hidden_states=True).hidden_states
        last = [h[:, -1] for h in hidden]
        together = decoder.every_layer(lm.adapter, last)
        alone = [decoder.logits(lm.adapter, h, i) for i, h in enumerate(last)]
    assert together.shape == (2, lm.adapter.n_layers + 1, alone[0].shape[-1])
    for i, logits in enumerate(alone):
        torch.testing.assert_close(together[:, i], logits, rtol=1e-5, atol=1e-5)
    # the last layer is the model's own logits, read in the same product
    with torch.no_grad():
        own = lm.model(input_ids=ids).logits[:, -1]
    torch.testing.assert_close(together[:, -1], own, rtol=1e-5, atol=1e-5)


HELD = (
    "a quiet harbour under grey skies where fishing boats rest on the tide and gulls circle "
    "the nets while old sailors mend ropes and tell of storms far out at sea "
)


@pytest.mark.parametrize("vocab", [0, 64])
def test_training_lowers_the_held_out_kl(lm, vocab):
    texts = _texts(46)["en"]  # the same kind of text, its last documents held out
    data = tuned.windows(lm, {"en": texts[:40]}, 40 * tuned.SEQ_LEN)
    held = tuned.windows(lm, {"en": texts[40:]}, 2 * tuned.SEQ_LEN)
    assert data and held and all(len(w) == tuned.SEQ_LEN for w in data + held)
    budget = tuned.Budget(tokens=20 * tuned.SEQ_LEN, steps=20, lr=3e-3, vocab=vocab)
    translators, losses = tuned.train(lm, data, budget)
    if vocab == 0:  # a sampled vocabulary's loss is an estimate, as noisy as the KL is small
        assert losses[-1] < losses[0]
    before = tuned.held_out_kl(lm, tuned.LOGIT, held)
    after = tuned.held_out_kl(lm, tuned.Lens("tuned", translators), held)
    n = lm.adapter.n_layers
    # on windows it never saw, over the layers before the last (a tiny random model's layers
    # need not each improve in 20 steps), and not at all at the last, the model's own output
    assert sum(after[:n]) < sum(before[:n])
    assert before[n] == pytest.approx(0, abs=1e-5) and after[n] == pytest.approx(0, abs=1e-5)


def test_a_sampled_vocabulary_holds_every_positions_best_tokens():
    final = torch.log_softmax(torch.randn(2, 1, 1000), dim=-1)  # two positions: 128 best
    ids, weight = tuned._sampled_vocabulary(final, 500, 1000, torch.Generator().manual_seed(0))
    assert len(ids) == 500 == len(set(ids.tolist()))
    best = final.reshape(-1, 1000).topk(tuned.TOP).indices
    kept = len(best.unique())
    assert set(best.flatten().tolist()) == set(ids[:kept].tolist())
    # the kept tokens stand for themselves, each drawn one for its share of the others
    assert weight[:kept].tolist() == [1.0] * kept
    assert weight.sum().item() == pytest.approx(1000)
    assert tuned._sampled_vocabulary(final, 0, 1000, None) == (None, None)
    # more best tokens than half the sample: those of highest probability at any position
    few, _ = tuned._sampled_vocabulary(final, 40, 1000, torch.Generator().manual_seed(0))
    highest = final.reshape(-1, 1000).max(dim=0).values
    assert highest[few[:20]].min() >= highest[best.flatten().unique()].sort().values[-20]


def test_the_sampled_kl_estimates_the_whole_vocabularys_kl():
    torch.manual_seed(0)
    target = torch.log_softmax(torch.randn(4, 2000) * 2, dim=-1)
    logits = torch.randn(4, 2000) * 2
    exact = tuned._kl(target, logits).item()
    draws = []
    for seed in range(200):
        ids, weight = tuned._sampled_vocabulary(
            target, 600, 2000, torch.Generator().manual_seed(seed)
        )
        draws.append(tuned._kl(target[..., ids], logits[..., ids], weight).item())
    assert sum(draws) / len(draws) == pytest.approx(exact, rel=0.05)
    # a lens that moves mass onto tokens outside the best ones is charged for it
    raised = logits.clone()
    raised[:, target.topk(tuned.TOP).indices.flatten().unique()] -= 5
    ids, weight = tuned._sampled_vocabulary(target, 600, 2000, torch.Generator().manual_seed(0))
    assert tuned._kl(target[..., ids], raised[..., ids], weight) > tuned._kl(
        target[..., ids], logits[..., ids], weight
    )


def test_the_lens_is_trained_once_and_again_when_the_model_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_PIVOTS_CACHE", str(tmp_path / "cache"))
    texts = (_texts(20), {"en": [TEXT * 6]})
    budget = tuned.Budget(tokens=4 * tuned.SEQ_LEN, steps=2, lr=1e-3, vocab=0)
    folder = tiny.save("llama", tmp_path / "model")
    first = loading.load_model(str(folder), device="cpu")
    calls = []
    train = tuned.train
    monkeypatch.setattr(tuned, "train", lambda *a: calls.append(1) or train(*a))
    lens_a, record = tuned.tuned_lens(first, texts, {"texts": 1}, budget)
    again, _ = tuned.tuned_lens(
        loading.load_model(str(folder), device="cpu"), texts, {"texts": 1}, budget
    )
    assert len(calls) == 1 and again.key == lens_a.key
    assert torch.equal(again.translators.weight, lens_a.translators.weight)
    assert len(record["kl"]["logit"]) == len(record["kl"]["tuned"]) == first.adapter.n_layers + 1
    other = tiny.save("llama", tmp_path / "other", seed=1)
    changed, _ = tuned.tuned_lens(
        loading.load_model(str(other), device="cpu"), texts, {"texts": 1}, budget
    )
    assert len(calls) == 2 and changed.key != lens_a.key


def test_corpus_texts_hold_out_the_first_documents_of_each_language():
    docs = [
        SimpleNamespace(lang=lang, text=f"{lang} {i} " + TEXT * 2)
        for lang in ("en", "zh")
        for i in range(30)
    ]
    docs.append(SimpleNamespace(lang="fr", text="not asked for"))
    docs.append(SimpleNamespace(lang="en", text="a one-line string"))  # not running text
    train, held = tuned.corpus_texts(docs, ["en", "zh"], seed=0)
    assert set(train) == set(held) == {"en", "zh"}
    # enough held-out words for a window: three documents of 74 words; one of 380 characters
    assert len(held["en"]) == 3 and len(held["zh"]) == 1
    assert not set(train["en"]) & set(held["en"]) and len(train["en"]) + len(held["en"]) == 30
    # a language of one-line strings only keeps them (there is no running text to prefer)
    short = [SimpleNamespace(lang="fr", text=f"une ligne {i}") for i in range(300)]
    train, held = tuned.corpus_texts(short, ["fr"], seed=0)
    assert len(held["fr"]) == 67 and len(train["fr"]) == 233


def test_junk_peaks_are_blanks_punctuation_byte_fragments_and_single_letters():
    from semantic_pivots.analyses import tracing

    for token in [" ", "", "\n", ",", "42", "\ufffd", " s", "é"]:
        assert tracing.junk(token), token
    for token in [" dog", "chien", "猫", "ね", " 水"]:
        assert not tracing.junk(token), token


def test_the_lens_crosstab_pairs_each_items_two_labels():
    import pandas as pd

    from semantic_pivots.analyses import tracing

    keys = {"model": ["m", "m", "m"], "pair": ["en-fr"] * 3, "item": ["a", "b", "c"]}
    logit = pd.DataFrame({**keys, "label": ["semantic pivot", "semantic pivot", "co-occurrence"]})
    tuned_ = pd.DataFrame({**keys, "label": ["co-occurrence", "semantic pivot", "co-occurrence"]})
    table = tracing.lens_crosstab(logit, tuned_)
    assert table.loc[("m", "semantic pivot"), "co-occurrence"] == 1
    assert table.loc[("m", "semantic pivot"), "semantic pivot"] == 1
    assert table.loc[("m", "co-occurrence"), "co-occurrence"] == 1


def test_artefact_shares_of_a_run_without_semantic_pivot_items_are_an_empty_table():
    import pandas as pd

    from semantic_pivots.analyses import tracing
    from semantic_pivots.report import readings

    frame = pd.DataFrame(
        {"model": ["m"], "lens": ["logit"], "item": ["a"], "label": ["co-occurrence"],
         "peak token": [" s"], "peak layer": [1]}
    )  # fmt: skip
    junk = tracing.artefact_shares(frame, {"m": 4}, ("model", "lens"))
    assert junk.empty and {"junk", "early", "artefact high"} <= set(junk.columns)
    assert readings.junk_reading(junk) == "No model has semantic-pivot items."


def test_every_window_opens_with_what_the_tokenizer_puts_before_text():
    class Tokenizer:  # words as ids; a beginning-of-text token 1 where special tokens are asked
        eos_token_id = 2

        def __call__(self, text, add_special_tokens=True):
            ids = [10 + len(w) for w in text.split()]
            return {"input_ids": ([1] if add_special_tokens else []) + ids}

    fake = SimpleNamespace(tokenizer=Tokenizer())
    found = tuned.windows(fake, {"en": [TEXT * 20], "fr": [HELD * 20]}, 4 * tuned.SEQ_LEN)
    assert len(found) == 4 and all(len(w) == tuned.SEQ_LEN and w[0] == 1 for w in found)
    assert found[0][1:4] == [13, 15, 14]  # "the river runs": no token of the text is lost


def test_an_artefact_is_a_junk_peak_or_one_in_the_first_quarter_of_the_layers():
    import pandas as pd

    from semantic_pivots.analyses import tracing
    from semantic_pivots.report import readings

    frame = pd.DataFrame(
        {
            "model": "m",
            "lens": "tuned",
            "item": [f"i{i}" for i in range(8)],
            "label": "semantic pivot",
            # a word late, a word at layer 3 of 12 (early), junk late, junk early
            "peak token": ["chat", "chat", "tikz", "tikz", " ", " ", "!", "!"],
            "peak layer": [8, 9, 3, 2, 8, 7, 1, 3],
        }
    )
    (row,) = tracing.artefact_shares(frame, {"m": 12}, ("model", "lens")).to_dict("records")
    assert (row["junk"], row["early"], row["artefact"]) == (0.5, 0.5, 0.75)
    text = readings.junk_reading(pd.DataFrame([row]))
    assert text.startswith("- **m**: semantic-pivot items whose peak is an artefact, under the ")
    assert "tuned lens, 75% [" in text and "(junk 50% [" in text


def test_artefact_shares_of_several_lenses_are_each_lens_read_alone():
    """``Study.artefacts`` reads every lens in one table: a lens's rows in it are its own."""
    import numpy as np
    import pandas as pd

    from semantic_pivots.analyses import tracing

    rng = np.random.default_rng(0)

    def rows(model: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "model": model,
                "item": [f"i{i}" for i in range(30)],
                "label": rng.choice(["semantic pivot", "co-occurrence"], 30),
                "peak token": rng.choice(["chat", "tikz", " ", "!"], 30),
                "peak layer": rng.integers(0, 12, 30),
            }
        )

    logit, tuned_ = pd.concat([rows("m"), rows("n")]), pd.concat([rows("m"), rows("n")])
    both = tracing.artefact_shares(
        tracing.by_lens({"logit": logit, "tuned": tuned_}), {"m": 12, "n": 12}, ("model", "lens")
    )
    for name, frame in (("logit", logit), ("tuned", tuned_)):
        alone = tracing.artefact_shares(frame, {"m": 12, "n": 12}, ("model",))
        read = both[both.lens == name].drop(columns="lens").reset_index(drop=True)
        pd.testing.assert_frame_equal(read, alone)
    nothing = tracing.by_lens({"logit": logit.iloc[:0], "tuned": tuned_.iloc[:0]})
    assert tracing.artefact_shares(nothing, {"m": 12}, ("model", "lens")).empty


def test_a_typical_example_names_why_its_peak_is_an_artefact():
    import pandas as pd

    from semantic_pivots.analyses import tracing

    def frame(tokens, layers, label="semantic pivot"):
        return pd.DataFrame(
            {"model": "m", "pair": "en-fr", "item": ["a", "b", "c"], "label": label,
             "peak prob": [0.1, 0.2, 0.3], "peak token": tokens, "peak layer": layers}
        )  # fmt: skip

    traces = {("m", "en-fr", i): i for i in "abc"}  # the median item is b

    def why(rows) -> str:
        ((_, example),) = tracing.examples(rows, traces, "m", [rows["label"][0]], {"m": 12})
        assert example.traced == "b"
        return example.artefact

    assert (
        why(frame(["chat", "chat", "chat"], [6, 2, 6])) == "peak in the first quarter of the layers"
    )
    assert why(frame(["chat", " ", "chat"], [6, 8, 6])) == "peak token not a word"
    assert why(frame(["chat", "chat", "chat"], [6, 8, 6])) == ""
    assert why(frame(["chat", " ", "chat"], [6, 2, 6], "co-occurrence")) == ""  # its own output
