"""The study: settings, word list, ordered pairs, models and the shared results, built once.

Every notebook starts with ``study = Study.from_notebook(globals())``; the analyses share what
they need through it (scores, behaviour, counts), each computed once per study and cached on
disk by the analyses themselves.
"""

from __future__ import annotations

from functools import cached_property

from semantic_pivots import config
from semantic_pivots.data import clwtd
from semantic_pivots.prompts import Pair, ordered_pairs


class Study:
    def __init__(self, settings: config.Settings):
        self.settings = settings
        self.dataset = clwtd.study_list(
            settings.dataset,
            settings.distractors,
            settings.seed,
            settings.languages,
            settings.scoring.k + 1,
        )
        self.pairs: list[Pair] = ordered_pairs(settings.languages)

    @classmethod
    def from_profile(cls, profile: str = "default", **overrides) -> Study:
        return cls(config.settings(profile, **overrides))

    @classmethod
    def from_notebook(cls, namespace: dict) -> Study:
        """The study of a notebook run: its parameters and what papermill injected."""
        return cls(config.from_notebook(namespace))

    def header(self) -> str:
        """The run's settings in one sentence, for the top of every notebook."""
        from semantic_pivots.report.tables import settings_line

        return settings_line(self.settings, self.dataset)

    @cached_property
    def models(self) -> list:
        """The profile's models, loaded on first use."""
        from semantic_pivots.models.loading import load_model

        return [load_model(spec) for spec in self.settings.models]

    @cached_property
    def n_layers(self) -> dict[str, int]:
        return {lm.info.name: lm.adapter.n_layers for lm in self.models}

    @cached_property
    def scores(self):
        """CLWTD item scores of every model and ordered pair (a DataFrame)."""
        import pandas as pd

        from semantic_pivots.analyses import scoring

        s = self.settings
        frame = pd.DataFrame(
            scoring.study_scores(self.models, self.dataset.items, self.pairs, s.scoring, s.seed)
        )
        frame["rank accuracy"] = (frame["rank"] == 1).astype(float)
        return self.mark_same_string(frame)

    def mark_same_string(self, frame):
        """``frame`` with a column saying whether the item's source and target are one string."""
        by_id = {it.id: it for it in self.dataset.items}
        pairs = frame["pair"].str.split("-")
        same = [by_id[i].same_string(*p) for i, p in zip(frame["item"], pairs, strict=True)]
        return frame.assign(**{"same string": same})

    @cached_property
    def _behaviour(self):
        from semantic_pivots.analyses import tracing

        s = self.settings
        return tracing.study_behaviour(
            self.models, self.dataset.items, self.pairs, s.scoring, s.tracing, s.seed
        )

    @property
    def behaviour(self):
        """Each traced item's behaviour under the tracing rule (a DataFrame)."""
        import pandas as pd

        return self.mark_same_string(pd.DataFrame(self._behaviour[0]))

    @property
    def traces(self) -> dict:
        """The lens traces by (model, pair, item)."""
        return self._behaviour[1]

    @cached_property
    def counts(self):
        """Word and pair counts of the scored items' words, from the frequency backend."""
        from semantic_pivots.data import counts

        f = self.settings.frequency
        scored = set(self.scores["item"])  # only the items the analyses use
        items = [it for it in self.dataset.items if it.id in scored]
        words, word_pairs = counts.count_requests(items, self.pairs)
        options = {"view": f.view} if f.backend == "corpus" else {}
        return counts.get_counts(f.backend, words, word_pairs, **options)
