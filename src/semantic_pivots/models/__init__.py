"""Causal language models and what the analyses read from them.

Causal language models: loading any spec with its architecture adapter, tiny random models,
the joint tokenization of prompt and answer, shared-prefix caches and the logit lens.
"""
