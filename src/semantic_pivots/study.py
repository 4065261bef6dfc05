"""The study: settings, word list, ordered pairs, models and the shared results, built once.

Every notebook starts with ``study = Study.from_notebook(globals())``; the analyses share what
they need through it (scores, behaviour, counts), each computed once per study and cached on
disk by the analyses themselves.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache, cached_property

from semantic_pivots import config, prompts
from semantic_pivots.data import clwtd
from semantic_pivots.data.clwtd import Item
from semantic_pivots.errors import UserError
from semantic_pivots.models.loading import model_name
from semantic_pivots.prompts import Pair, Planned, ordered_pairs
from semantic_pivots.training import glass


class Study:
    """One run of the study: its settings, word list, pairs and models, and every result.

    The study alone plans what is evaluated (:meth:`plan`); every analysis takes the planned
    items, so scores, traces, translations and pivots of one study join one-to-one on
    (model, pair, item, shots).
    """

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
        """The study of a profile of ``profiles.yaml`` with settings overridden."""
        return cls(config.settings(profile, **overrides))

    @classmethod
    def from_notebook(cls, namespace: dict) -> Study:
        """The study of a notebook run: its parameters and what papermill injected.

        Its tables render as the book's (:mod:`report.frames`).
        """
        from semantic_pivots.report import frames

        frames.use()
        return cls(config.from_notebook(namespace))

    def header(self) -> str:
        """The run's settings in one sentence, for the top of every notebook."""
        from semantic_pivots.report.tables import settings_line

        n = len(self.plan(self.pairs[0], self.dataset.items, self.settings.scoring))
        return settings_line(self.settings, self.dataset, n)

    @cached_property
    def models(self) -> list:
        """The profile's models, loaded on first use."""
        from semantic_pivots.models.loading import load_model

        return [load_model(spec) for spec in self.settings.models]

    @cached_property
    def glass_names(self) -> list[str]:
        """The glass-box models of the profile's models and checkpoints, each once."""
        specs = [*self.settings.models, *self.settings.scoring.checkpoints]
        return list(dict.fromkeys(model_name(s) for s in specs if glass.is_glass(s)))

    @property
    def quantized(self) -> list[str]:
        """The models loaded from a quantized release, with its format."""
        return [
            f"{lm.info.name} ({lm.info.quantization})"
            for lm in self.models
            if lm.info.quantization != "none"
        ]

    @cached_property
    def n_layers(self) -> dict[str, int]:
        """Each model's number of layers, by name."""
        return {lm.info.name: lm.adapter.n_layers for lm in self.models}

    def ordered(self, table):
        """``table`` with its models and ordered pairs in the run's order, not the alphabet's.

        Where either is a level of its index or columns, or a column (``frames.in_order``).
        """
        from semantic_pivots.report import frames

        table = frames.in_order(table, [lm.info.name for lm in self.models], "model")
        return frames.in_order(table, [str(p) for p in self.pairs], "pair")

    def scope(self, spec: str) -> tuple[list[Item], list[Pair]]:
        """The items and ordered pairs a model is evaluated on.

        Every item and pair, except for a glass-box model (any of its checkpoints): the pairs
        of the run's languages that its data holds, and the items whose words in those
        languages its final checkpoint has seen (so every checkpoint has the same items).
        """
        if not glass.is_glass(spec):
            return self.dataset.items, self.pairs
        return self._glass_scope(model_name(spec))

    @cache  # noqa: B019 - one study per notebook; the scope is asked for many times
    def _glass_scope(self, name: str) -> tuple[list[Item], list[Pair]]:
        final = glass.checkpoint(name)
        held = glass.languages_of(name)
        langs = [lang for lang in self.settings.languages if lang in held]
        if len(langs) < 2:
            return [], []
        return glass.items_seen(final.folder, self.dataset.items, langs), ordered_pairs(langs)

    def scoring_for(self, spec: str) -> config.Scoring:
        """The scoring settings of a model: a glass-box model's own number of items."""
        s = self.settings.scoring
        return replace(s, n_items=s.glass_n_items) if glass.is_glass(spec) else s

    def plan(
        self, pair: Pair, items: list[Item], scoring: config.Scoring, pool: int | None = None
    ) -> list[Planned]:
        """The items evaluated for ``pair`` and their shots, under ``scoring``.

        The study's one planning function (``prompts.plan`` with the run's seed); ``pool``
        fixes the held-out shot pool so that every ``k`` of a sweep scores the same items.
        """
        return prompts.plan(
            pair,
            items,
            scoring.k,
            scoring.shot_sets,
            scoring.mode,
            self.settings.seed,
            scoring.n_items,
            pool,
        )

    @cache  # noqa: B019 - one study per notebook; plans are asked for by every analysis
    def plans(self, spec: str) -> dict[Pair, list[Planned]]:
        """A model's planned items per ordered pair: its scope under its scoring settings."""
        items, pairs = self.scope(spec)
        scoring = self.scoring_for(spec)
        return {pair: self.plan(pair, items, scoring) for pair in pairs}

    def each_model(self):
        """(model, its items, its pairs) for every model with enough items to evaluate."""
        for lm in self.models:
            items, pairs = self.scope(lm.info.name)
            if len(items) > self.settings.scoring.k and pairs:
                yield lm, items, pairs

    def scope_note(self) -> str:
        """A sentence per model whose items or pairs are not the run's."""
        lines = []
        for lm in self.models:
            items, pairs = self.scope(lm.info.name)
            if (items, pairs) != (self.dataset.items, self.pairs):
                n = self.scoring_for(lm.info.name).n_items
                lines.append(
                    f"**{lm.info.name}** is evaluated in the pairs of its languages "
                    f"({', '.join(map(str, pairs)) or 'none'}) on the items whose words its "
                    f"training data contains: {len(items)} of the list's "
                    f"{len(self.dataset.items)}"
                    + (f", of which {n} per pair are scored." if n else " (shots held out).")
                )
        return " ".join(lines)

    @cached_property
    def scores(self):
        """CLWTD item scores of every model and ordered pair (a DataFrame)."""
        from semantic_pivots.analyses import scoring

        rows = [
            row
            for lm, _, _ in self.each_model()
            for row in scoring.score_pairs(lm, self.plans(lm.info.name))
        ]
        return self.score_frame(rows)

    def score_frame(self, rows: list[dict]):
        """Score records as a DataFrame with rank accuracy, log ratio and same string."""
        import pandas as pd

        from semantic_pivots.analyses import scoring

        return self.mark_same_string(scoring.with_measures(pd.DataFrame(rows)))

    def mark_same_string(self, frame):
        """``frame`` with a column saying whether the item's source and target are one string."""
        by_id = {it.id: it for it in self.dataset.items}
        pairs = frame["pair"].str.split("-")
        same = [by_id[i].same_string(*p) for i, p in zip(frame["item"], pairs, strict=True)]
        return frame.assign(**{"same string": same})

    @cached_property
    def _behaviour(self):
        from semantic_pivots.analyses import tracing

        rows, traces = [], {}
        for lm, _, _ in self.each_model():
            name = lm.info.name
            r, t = tracing.study_behaviour(
                lm, self.plans(name), self.settings.tracing, extra=self.pivot_extra(lm, name)
            )
            rows += r
            traces.update(t)
        return rows, traces

    @property
    def behaviour(self):
        """Each traced item's behaviour under the tracing rule (a DataFrame)."""
        import pandas as pd

        return self.mark_same_string(pd.DataFrame(self._behaviour[0]))

    @property
    def traces(self) -> dict:
        """The lens traces by (model, pair, item)."""
        return self._behaviour[1]

    @property
    def tuned(self) -> bool:
        """Whether the profile reads a tuned lens beside the logit lens (``tracing.lens``)."""
        return self.settings.tracing.lens == "tuned"

    @cache  # noqa: B019 - one study per notebook; a lens is trained once per model
    def tuned_lens(self, spec: str):
        """A model's tuned lens and its record (``models.tuned``), trained on first use.

        On the study corpus's documents in the profile's languages, with the profile's budget.
        """
        from semantic_pivots.data import corpus
        from semantic_pivots.models import tuned

        t, langs = self.settings.tracing, self.settings.languages
        lm = next(m for m in self.models if m.info.name == spec)
        documents = corpus.load()
        texts = tuned.corpus_texts(documents.documents(langs), langs, self.settings.seed)
        budget = tuned.Budget(
            t.lens_tokens, t.lens_steps, t.lens_lr, t.lens_vocab, self.settings.seed
        )
        key = {"corpus": documents.digest(), "languages": sorted(langs), "seed": self.settings.seed}
        return tuned.tuned_lens(lm, texts, key, budget)

    @cached_property
    def tuned_behaviour(self):
        """Behaviour rows read with each model's tuned lens (a DataFrame) and their traces.

        Empty where the profile does not turn the tuned lens on.
        """
        import pandas as pd

        from semantic_pivots.analyses import tracing

        rows, traces = [], {}
        for lm, _, _ in self.each_model() if self.tuned else []:
            name = lm.info.name
            decoder, _ = self.tuned_lens(name)
            extra = self.pivot_extra(lm, name)
            r, t = tracing.study_behaviour(
                lm, self.plans(name), self.settings.tracing, decoder, extra
            )
            rows += r
            traces.update(t)
        return self.mark_same_string(pd.DataFrame(rows)) if rows else pd.DataFrame(), traces

    @cached_property
    def labels(self):
        """The behaviour rows the findings read (a DataFrame) and the name of their lens.

        The tuned lens's where the profile reads one, the logit lens's otherwise: analysis 3
        groups items by the labels that analysis 2's finding counts (analysis 4 groups each
        lens's rows by that lens's labels: :meth:`pivots`, :meth:`tuned_pivot_mass`).
        """
        tuned = self.tuned_behaviour[0]
        return (tuned, "tuned") if len(tuned) else (self.behaviour, "logit")

    @cached_property
    def artefacts(self):
        """Per model and lens, the share of semantic-pivot peaks that are lens artefacts.

        :func:`tracing.artefact_shares` of each lens's behaviour rows (the logit lens's, and the
        tuned lens's where the profile reads one), once for every section that reads them.
        """
        from semantic_pivots.analyses import tracing

        rows = tracing.by_lens({"logit": self.behaviour, "tuned": self.tuned_behaviour[0]})
        by = ("model", "lens")
        return tracing.artefact_shares(rows, self.n_layers, by, self.settings.seed)

    def lens_artefacts(self, lens: str):
        """:attr:`artefacts` of one lens ("logit" or "tuned"), a row per model."""
        shares = self.artefacts
        return shares[shares["lens"] == lens].drop(columns="lens")

    @cached_property
    def translations(self):
        """Greedy translations of every model's planned items (a DataFrame)."""
        import pandas as pd

        from semantic_pivots.analyses import translation

        rows = [
            r.__dict__
            for lm, _, _ in self.each_model()
            for r in translation.translate_pairs(lm, self.plans(lm.info.name))
        ]
        return pd.DataFrame(rows).assign(**{"exact match": lambda f: f["correct"].astype(float)})

    @cached_property
    def scores_with_generation(self):
        """The scores with each item's greedy exact match joined on (model, pair, item, shots)."""
        keys = ["model", "pair", "item", "shots"]
        generated = self.translations[[*keys, "exact match"]]
        both = self.scores.merge(generated, on=keys, validate="one_to_one")
        if not len(both) == len(self.scores) == len(generated):
            raise AssertionError("scores and translations are not of the same planned items")
        return both

    def blank_relabelling(self):
        """Per model and pair, the labels that move when the lens reads a leading blank."""
        from semantic_pivots.analyses import tracing

        at_blank = [
            row
            for lm, _, _ in self.each_model()
            for row in tracing.blank_position_labels(
                lm, self.plans(lm.info.name), self.settings.tracing, self.traces
            )
        ]
        return tracing.relabelling(self._behaviour[0], at_blank)

    @cached_property
    def k_pairs(self) -> list[Pair]:
        """The pairs of the profile's ``k_pairs`` that the run's languages allow (else two)."""
        langs = set(self.settings.languages)
        chosen = [Pair(*p.split("-")) for p in self.settings.scoring.k_pairs]
        return [p for p in chosen if {p.src, p.tgt} <= langs] or self.pairs[:2]

    @cached_property
    def k_pool(self) -> int:
        """One held-out shot pool for every ``k`` of the sweep, so each scores the same items."""
        s = self.settings.scoring
        return max([*s.k_values, s.k])

    @cached_property
    def k_sweep(self):
        """Scores of the ``k_pairs`` with each ``k`` of ``k_values`` (one shot set, a column k)."""
        import pandas as pd

        from semantic_pivots.analyses import scoring

        s = self.settings.scoring
        rows = []
        for lm, items, pairs in self.each_model():
            for k in s.k_values:
                sweep = replace(s, k=k, shot_sets=1, n_items=s.k_items)
                plans = {
                    p: self.plan(p, items, sweep, self.k_pool) for p in self.k_pairs if p in pairs
                }
                rows += [dict(row, k=k) for row in scoring.score_pairs(lm, plans)]
        frame = pd.DataFrame(rows)
        if len(frame):  # the one held-out pool: every k scores the same items
            same = frame.groupby(["model", "k"]).item.apply(frozenset).groupby("model").nunique()
            if not (same == 1).all():
                raise AssertionError("the k sweep scored different items for different k")
        return frame

    def checkpoint_plans(self, spec: str) -> tuple[dict[Pair, list[Planned]], float]:
        """A checkpoint's plans and where it stands in training.

        A glass-box checkpoint: its model's plans, at the tokens it has seen. Any other:
        the few-shot sweep's pairs and items with the run's shots, at its place in the list.
        """
        if glass.is_glass(spec):
            return self.plans(spec), glass.checkpoint(spec).tokens
        s = self.settings.scoring
        sc = replace(s, n_items=s.k_items)
        items = self.dataset.items
        place = self.checkpoint_specs.index(spec)
        return {p: self.plan(p, items, sc, self.k_pool) for p in self.k_pairs}, place

    @cached_property
    def checkpoint_specs(self) -> list[str]:
        """The profile's ``checkpoints``, each glass-box ``@all`` expanded, in training order."""
        return glass.expand(self.settings.scoring.checkpoints)

    @cached_property
    def checkpoint_scores(self):
        """Scores of every checkpoint (columns checkpoint, model and seen added)."""
        from semantic_pivots.analyses import scoring
        from semantic_pivots.models.loading import load_model

        rows = []
        for spec in self.checkpoint_specs:
            plans, seen = self.checkpoint_plans(spec)
            lm = load_model(spec)
            rows += [
                dict(row, checkpoint=spec, model=model_name(spec), seen=seen)
                for row in scoring.score_pairs(lm, plans)
            ]
        return self.score_frame(rows) if rows else None

    @cached_property
    def checkpoint_behaviour(self):
        """Behaviour labels of the glass-box checkpoints' items (columns model and seen)."""
        import pandas as pd

        from semantic_pivots.analyses import tracing
        from semantic_pivots.models.loading import load_model

        rows = []
        for spec in filter(glass.is_glass, self.checkpoint_specs):
            plans, seen = self.checkpoint_plans(spec)
            found, _ = tracing.study_behaviour(load_model(spec), plans, self.settings.tracing)
            rows += [dict(r, model=model_name(spec), seen=seen) for r in found]
        return pd.DataFrame(rows)

    def counts(self, spec: str):
        """Counts of the words a model is scored on.

        Exact counts over what a glass-box checkpoint read; else the profile's backend.
        """
        from semantic_pivots.data import counts

        f = self.settings.frequency
        scored = set(self.scores.loc[self.scores["model"] == spec, "item"])
        items, pairs = self.scope(spec)
        words, word_pairs = counts.count_requests([it for it in items if it.id in scored], pairs)
        if glass.is_glass(spec):
            return glass.exact_counts(glass.checkpoint(spec).folder, words, word_pairs)
        options = {"view": f.view} if f.backend == "corpus" else {}
        return counts.get_counts(f.backend, words, word_pairs, **options)

    @cached_property
    def frequency(self):
        """Analysis 3's items: (count features per item, counts by model, items left out).

        Each traced item with its behaviour label (:attr:`labels`), CLWTD score and the count
        features of ``frequency.xs``; items whose two words are one string are left out (copying
        answers them), and their number is the third value.
        """
        return self.frequency_items(self.labels[0])

    @cached_property
    def _counts(self) -> dict:
        return {lm.info.name: self.counts(lm.info.name) for lm, _, _ in self.each_model()}

    def frequency_items(self, behaviour):
        """:attr:`frequency` with the labels of ``behaviour``'s rows (another lens's, say)."""
        import pandas as pd

        from semantic_pivots.analyses import frequency

        f = self.settings.frequency
        xs = f.xs or list(frequency.XS)
        scored = self.scores[["model", "pair", "item", "score", "rank accuracy", "log ratio"]]
        items = behaviour.merge(scored, on=["model", "pair", "item"])
        copied = items["same string"]
        items = items[~copied]
        counts = self._counts
        frame = pd.concat(
            [
                frequency.features(counts[m], g, xs, f.cooccurrence)
                for m, g in items.groupby("model", sort=False)
            ],
            ignore_index=True,
        )
        return frame, counts, int(copied.sum())

    @property
    def separated_items(self) -> set[str]:
        """The profile's glass-box model's separated items (empty without the exposure design)."""
        groups = self.exposure_groups(self.glass_spec)
        return {item for item, group in groups.items() if group == "separated"}

    def exposure_groups(self, spec: str) -> dict[str, str]:
        """A glass-box model's exposure groups by item (empty for any other model or design)."""
        return glass.exposure_groups(model_name(spec)) if glass.is_glass(spec) else {}

    def collection(self, spec: str):
        """The documents in which a model's pivots are sought.

        A glass-box model's own training documents (those its checkpoint read); for any other
        model the study corpus (``pivots.samples``: its documents, or its aligned units), a
        proxy for its unknown pre-training data.
        """
        from semantic_pivots.data import corpus, retrieval

        if glass.is_glass(spec):
            return glass.training_collection(glass.checkpoint(spec).folder)
        view = self.settings.pivots.samples
        return retrieval.corpus_collection(corpus.load(), self.settings.languages, view)

    @cached_property
    def collections(self) -> dict:
        """Each evaluated model's pivot collection (:meth:`collection`), by name."""
        return {lm.info.name: self.collection(lm.info.name) for lm, _, _ in self.each_model()}

    @cache  # noqa: B019 - one study per notebook
    def found_pivots(self, spec: str) -> dict:
        """The pivots of every item a model is traced on, by (ordered pair, item id)."""
        from semantic_pivots.analyses import pivots
        from semantic_pivots.data import retrieval

        s = self.settings
        collection = self.collection(spec)
        docs = retrieval.Local(collection, s.pivots.engine)
        return pivots.pivots_by_pair(docs, collection.root.name, self.plans(spec), s.pivots, s.seed)

    @cached_property
    def collection_readers(self) -> dict[str, str]:
        """Each pivot collection's name as a reader knows it: what it is, for which models."""
        named: dict[str, list[str]] = {}
        for name, c in self.collections.items():
            named.setdefault(c.root.name, []).append(name)
        return {
            root: ("training documents" if glass.is_glass(names[0]) else "study corpus")
            + f" ({', '.join(names)})"
            for root, names in named.items()
        }

    def audited_pivots(self) -> dict:
        """Per pivot collection, the pivots of the first model that searches it.

        What the pivot audit (``data.pivot_audit``) draws its sample from, and checks it by.
        """
        found: dict = {}
        for name, c in self.collections.items():
            if c.root.name not in found:
                found[c.root.name] = self.found_pivots(name)
        return found

    def pivot_sets(self, lm, spec: str) -> dict:
        """Each item's pivot and control token sets, by (ordered pair, item id).

        On the items and shots of ``spec``, whose pivots they are (a checkpoint of the same
        tokenizer, a continued run say, shares them).
        """
        from semantic_pivots.analyses import pivots

        in_prompt = {
            (str(pair), p.item.id): lm.tokenizer(
                prompts.query(pair, p.shots[0], p.item.words[pair.src]), add_special_tokens=False
            )["input_ids"]
            for pair, planned in self.plans(spec).items()
            for p in planned
        }
        return pivots.model_sets(lm.tokenizer, self.found_pivots(spec), in_prompt)

    def pivot_extra(self, lm, spec: str) -> dict[str, dict]:
        """:meth:`pivot_sets` as traces take them (:func:`by_pair`).

        Layer tracing reads them too, so that its traces are the pivot chapter's: one forward
        and one decoding per item and lens, not two.
        """
        return by_pair(self.pivot_sets(lm, spec))

    def pivot_traces(self, lm, spec: str, decoder=None) -> tuple[list, dict]:
        """A model's traces with the pivot and control sets read too, and the sets.

        On the items and shots of ``spec`` (:meth:`pivot_sets`); read with ``decoder``
        (default: the logit lens).
        """
        from semantic_pivots.analyses import tracing
        from semantic_pivots.models.tuned import LOGIT

        sets = self.pivot_sets(lm, spec)
        extra = by_pair(sets)
        traces = [
            t
            for pair, planned in self.plans(spec).items()
            for t in tracing.trace_pair(
                lm,
                planned,
                pair,
                self.settings.tracing.top_k,
                extra=extra.get(str(pair), {}),
                decoder=decoder or LOGIT,
            )
        ]
        return traces, sets

    @cache  # noqa: B019 - one study per notebook
    def pivots(self, spec: str):
        """Analysis 4 for one model: (its pivots by (pair, item), lens mass rows, peak rows)."""
        import pandas as pd

        from semantic_pivots.analyses import pivots

        lm = next(m for m in self.models if m.info.name == spec)
        traces, sets = self.pivot_traces(lm, spec)
        mass = pd.DataFrame(
            pivots.mass_rows(traces, sets, lm.adapter.n_layers), columns=pivots.MASS_COLUMNS
        )
        own = self.behaviour[self.behaviour["model"] == spec]
        peaks = pd.DataFrame(
            pivots.peak_rows(lm.tokenizer, self.traces, sets, own), columns=pivots.PEAK_COLUMNS
        )
        return self.found_pivots(spec), mass, peaks

    @cache  # noqa: B019 - one study per notebook
    def tuned_pivot_mass(self, spec: str):
        """Analysis 4 for one model read with its tuned lens: (lens mass rows, peak rows).

        The peak rows carry the items' tuned-lens labels and peaks, so that each lens groups the
        items by its own labels. Both empty where the profile does not turn the tuned lens on.
        """
        import pandas as pd

        from semantic_pivots.analyses import pivots

        if not self.tuned:
            return (
                pd.DataFrame(columns=pivots.MASS_COLUMNS),
                pd.DataFrame(columns=pivots.PEAK_COLUMNS),
            )
        lm = next(m for m in self.models if m.info.name == spec)
        traces, sets = self.pivot_traces(lm, spec, self.tuned_lens(spec)[0])
        mass = pivots.mass_rows(traces, sets, lm.adapter.n_layers)
        labelled, lens_traces = self.tuned_behaviour
        own = labelled[labelled["model"] == spec] if len(labelled) else labelled
        peaks = pivots.peak_rows(lm.tokenizer, lens_traces, sets, own)
        return (
            pd.DataFrame(mass, columns=pivots.MASS_COLUMNS),
            pd.DataFrame(peaks, columns=pivots.PEAK_COLUMNS),
        )

    def evaluate_checkpoint(self, folder, spec: str) -> dict:
        """Scores, behaviour labels and pivot mass of a checkpoint folder on ``spec``'s items."""
        import pandas as pd

        from semantic_pivots.analyses import pivots, scoring, tracing
        from semantic_pivots.models.loading import load_model

        lm = load_model(str(folder))
        s = self.settings
        scores = self.score_frame(scoring.score_pairs(lm, self.plans(spec)))
        traces, sets = self.pivot_traces(lm, spec)
        columns = ["model", "pair", "item", "label"]
        labels = pd.DataFrame(
            [tracing.behaviour_row(t, lm, s.tracing.rule, s.tracing.threshold) for t in traces],
            columns=columns,
        )
        mass = pd.DataFrame(
            pivots.mass_rows(traces, sets, lm.adapter.n_layers), columns=pivots.MASS_COLUMNS
        )
        return {"scores": scores, "labels": labels, "mass": mass}

    @property
    def glass_spec(self) -> str:
        """The profile's own glass-box model, ``glass-<profile>``."""
        return f"{glass.PREFIX}{self.settings.profile}"

    @property
    def glass_run(self) -> dict:
        """The summary of the profile's glass-box run (``glass-<profile>``)."""
        return glass.run_summary(self.glass_spec)

    @cached_property
    def continuation_gains(self):
        """Analysis 5's gains over the start checkpoint (:func:`transfer.gains`).

        Of the items whose two words differ (copying answers the others) and, under the
        exposure design, of the separated items only, whose words the base run never showed
        together.
        """
        from semantic_pivots.analyses import transfer

        scores = self.continuation["scores"]
        scores = scores[~scores["same string"]]
        if self.separated_items:
            scores = scores[scores["item"].isin(self.separated_items)]
        return transfer.gains(scores[scores["arm"] == "start"], scores[scores["arm"] != "start"])

    @cached_property
    def _selection(self):
        """The base run's start checkpoint, its tokenizer, and analysis 5's selection."""
        from transformers import AutoTokenizer

        from semantic_pivots.training import continued

        start = continued.start_checkpoint(self.settings)
        tokenizer = AutoTokenizer.from_pretrained(start.folder)
        return start, tokenizer, continued.select_arms(self.settings, tokenizer)

    def pivot_set_words(self) -> tuple[list[str], dict[str, int]]:
        """Analysis 5's pivot set, and the words its audit draws controls from with their counts.

        From the selection alone (``continued.select_arms``), without the continued runs.
        """
        from semantic_pivots.training import continued

        return self._selection[2].pivots, continued.set_candidates(self.settings)

    @cached_property
    def continuation(self) -> dict:
        """Analysis 5: the profile's glass-box model continued on each arm's data, per seed.

        The selection, what each arm trains on (``exposure``: :func:`continued.composition`,
        the random arm per seed), and for the start checkpoint and every arm and seed its
        scores, behaviour labels and pivot mass, and every run's loss (frames with ``arm`` and
        ``seed``).
        """
        import pandas as pd
        from tqdm import tqdm

        from semantic_pivots.data import counts
        from semantic_pivots.training import continued

        spec = self.glass_spec
        items, pairs = self.scope(spec)
        if len(items) <= self.settings.scoring.k or not pairs:
            raise UserError(
                f"{spec}: {len(items)} items in {len(pairs)} pairs of the run's languages "
                f"({', '.join(self.settings.languages)}); expected at least two of its "
                f"languages ({', '.join(self.settings.training.languages)}) and more items "
                "than shots"
            )
        c = self.settings.continuation
        start, tokenizer, chosen = self._selection
        runs = [("start", None, start.folder)] + [
            (arm, seed, None) for arm in c.arms for seed in c.seeds
        ]
        frames: dict[str, list] = {"scores": [], "labels": [], "mass": [], "loss": []}
        for arm, seed, folder in tqdm(runs, desc="continued pre-training", unit=" runs"):
            if folder is None:
                folder = continued.continue_run(self.settings, arm, seed)
                loss = pd.read_csv(folder.parent.parent / "loss.csv")
                frames["loss"].append(loss.assign(arm=arm, seed=seed))
            for name, frame in self.evaluate_checkpoint(folder, spec).items():
                frames[name].append(frame.assign(arm=arm, seed=seed))
        documents = {
            f"{arm}, seed {seed}" if arm == "random" else arm: continued.arm_documents(
                self.settings, chosen, arm, seed
            )
            for arm in c.arms
            for seed in (c.seeds if arm == "random" else c.seeds[:1])
        }
        words, word_pairs = counts.count_requests(items, pairs)
        separated = [it for it in items if it.id in self.separated_items]
        exposure = continued.composition(
            documents,
            chosen,
            tokenizer,
            set(glass.seen(start.folder)["documents"]),
            words,
            word_pairs,
            counts.count_requests(separated, pairs)[1] if separated else None,
        )
        return {
            "start": start,
            "selection": chosen,
            "exposure": exposure,
            **{name: pd.concat(f, ignore_index=True) for name, f in frames.items()},
        }


def by_pair(sets: dict[tuple[str, str], dict]) -> dict[str, dict]:
    """Token sets by (ordered pair, item) regrouped by ordered pair, then item."""
    out: dict[str, dict] = {}
    for (pair, item), chosen in sets.items():
        out.setdefault(pair, {})[item] = chosen
    return out
