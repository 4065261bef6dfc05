"""The analyses of the study, one module each.

One module per analysis: CLWTD scoring, layer tracing (with its behaviour rules), frequency
against behaviour, and greedy translation. An analysis never imports another analysis.
"""
