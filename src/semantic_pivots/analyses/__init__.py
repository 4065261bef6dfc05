"""The analyses of the study, one module each, over planned items (``Study.plan``).

- ``scoring``: CLWTD scores (analysis 1);
- ``tracing`` with its behaviour rules in ``behaviour``: layer tracing (analysis 2);
- ``frequency``: corpus counts against behaviour (analysis 3);
- ``pivots``: semantic pivots and their lens mass (analysis 4);
- ``transfer``: what continued pre-training on each arm gains (analysis 5);
- ``translation``: greedy translation, the sanity check beside the scores.

An analysis imports no other analysis, except tracing its behaviour rules.
"""
