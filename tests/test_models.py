"""The architecture adapter on tiny random models of every supported family (no downloads)."""

import subprocess
import sys

import pytest
import torch

from semantic_pivots.errors import UserError
from semantic_pivots.models import loading, tiny

PROMPT = (
    "Please translate words from English to Japanese.\n\n"
    "English: dog\nJapanese: 犬\n\nEnglish: cat\nJapanese:"
)


@pytest.fixture(scope="module", params=sorted(tiny.CONFIGS))
def tiny_model(request, tmp_path_factory):
    folder = tiny.save(request.param, tmp_path_factory.mktemp(request.param))
    lm = loading.load_model(str(folder), device="cpu")
    # Random final-norm weights: with the initial all-ones weights an RMSNorm applied twice
    # would equal one application, and a double norm would go unnoticed.
    torch.manual_seed(1)
    with torch.no_grad():
        for p in lm.adapter.final_norm.parameters():
            p.copy_(torch.randn_like(p))
    return lm


def test_last_layer_lens_equals_model_logits(tiny_model):
    lm = tiny_model
    ids = lm.tokenizer(PROMPT, return_tensors="pt")
    with torch.no_grad():
        out = lm.model(**ids, output_hidden_states=True)
        assert len(out.hidden_states) == lm.adapter.n_layers + 1  # [0] is the embeddings
        lens = lm.adapter.logits(out.hidden_states[-1], lm.adapter.n_layers)
        assert torch.allclose(lens, out.logits, atol=1e-4)
        # the property is not vacuous: normalising the last hidden state again changes it
        twice = lm.adapter.unembed(lm.adapter.final_norm(out.hidden_states[-1]))
        assert not torch.allclose(twice, out.logits, atol=1e-2)


def test_model_info(tiny_model):
    info = tiny_model.info
    assert info.n_layers == tiny.LAYERS and info.vocab_size == len(tiny_model.tokenizer)
    assert info.n_params == sum(p.numel() for p in tiny_model.model.parameters())
    assert info.quantization == "none" and len(info.fingerprint) == 16


def test_a_model_that_is_not_a_causal_lm_is_refused_before_its_weights(tmp_path):
    import transformers

    config = transformers.T5Config(vocab_size=64, d_model=16, num_layers=1, num_heads=2, d_ff=32)
    config.save_pretrained(tmp_path)
    with pytest.raises(UserError, match=r"model_type 't5'\) is not a causal language model"):
        loading.read_config("folder", tmp_path, None)


def test_a_logit_transform_the_config_does_not_declare_is_refused():
    import transformers

    config = transformers.LlamaConfig(
        vocab_size=64,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    model = transformers.AutoModelForCausalLM.from_config(config).eval()
    forward = model.forward

    def scaled(*args, **kwargs):  # logits scaled behind the config's back
        out = forward(*args, **kwargs)
        out.logits = out.logits * 2
        return out

    model.forward = scaled
    with pytest.raises(UserError, match="does not give its logits"):
        loading.Adapter.for_model(model)


def test_specs_are_checked_before_any_work():
    with pytest.raises(UserError, match="unknown model 'nonsense'"):
        loading.resolve("nonsense")


@pytest.mark.parametrize(
    "spec, message",
    [
        ("allenai/OLMo-1B-hf", "error: model 'allenai/OLMo-1B-hf' is not in the local"),
        ("allenai/OLMo-1B-hf@step20000*", "error: revision step20000* of allenai/OLMo-1B-hf"),
    ],
)
def test_uncached_hub_id_fails_offline_in_one_line(tmp_path, spec, message):
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "semantic_pivots", "model-info", spec],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(message) and "HF_HUB_OFFLINE" in result.stderr
    assert result.stderr.count("\n") == 1


def test_revision_prefix_matches_one_branch():
    branches = ["main", "step20000-tokens84B", "step2000-tokens8B", "step30000-tokens126B"]
    assert loading.match_revision("r", "step20000", branches) == "step20000-tokens84B"
    with pytest.raises(UserError, match="matches 2 branches"):
        loading.match_revision("r", "step2000", branches)
    with pytest.raises(UserError, match="matches 0 branches"):
        loading.match_revision("r", "step9", branches)


def test_the_fingerprint_follows_the_weights_not_the_folder(tmp_path):
    from semantic_pivots.models import tiny

    first = loading.load_model(str(tiny.save("llama", tmp_path / "a")), device="cpu")
    (tmp_path / "a").rename(tmp_path / "b")
    moved = loading.load_model(str(tmp_path / "b"), device="cpu")
    other = loading.load_model(str(tiny.save("llama", tmp_path / "c", seed=1)), device="cpu")
    assert first.info.fingerprint == moved.info.fingerprint != other.info.fingerprint
    assert first.key() == moved.key()
