"""Interactive analysis in Jupyter: ``wxtime.explore(pushes)``.

A small widget over the one decision path: pick the metric, the slots, the date range,
the comparison age (when the data carry read curves) and the controls; the rates plot and
the decision follow. The logic lives in :class:`Explorer`, which works without widgets
(and is what the tests drive); :meth:`Explorer.widget` only wires ipywidgets controls
to :meth:`Explorer.update`. Widgets need ``pip install 'wxtime[lab]'`` (JupyterLab and
ipywidgets).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .counts import METRICS, slot_order
from .errors import InputError, PushDataError

__all__ = ["ExploreResult", "Explorer", "explore"]

CONTROLS = ("trend", "weekday")


@dataclass
class ExploreResult:
    """What one update shows: the decision (or why there is none) and the axes drawn on.

    Attributes
    ----------
    decision : Decision or None
        :func:`wxtime.decide` on the selection; None when it cannot be computed.
    message : str
        The headline and verdict, or the reason there is no decision.
    pushes : int
        Pushes in the selection.
    settings : dict
        The selection: metric, slots, start, end, age_hours, controls.
    ax : matplotlib Axes or None
    """

    decision: object
    message: str
    pushes: int
    settings: dict
    ax: object = None


class Explorer:
    """The state and callbacks behind :func:`explore`, usable without widgets.

    Parameters
    ----------
    pushes : PushTable or DataFrame
        A push table (:func:`wxtime.io.read`). Its read curves (from hourly reads, or the
        shipped replica's) enable the age choice.
    lang : {"en", "zh"}
    seed : int
        Seed of the decision's posterior draws (echoed in every result).

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> explorer = Explorer(load_noon_study())
    >>> explorer.metrics, explorer.slots[:2]
    (['open', 'read', 'read_through', 'click', 'share'], ['07:30', '12:00'])
    >>> result = explorer.update(slots=["12:00", "21:00"], ax=False)
    >>> result.pushes, result.decision.best_slot
    (28, '12:00')
    >>> explorer.update(slots=["12:00"], ax=False).message
    'Choose at least two slots.'
    """

    def __init__(self, pushes, *, lang: str = "en", seed: int = 0):
        from .io.table import as_table

        self.table = as_table(pushes)
        frame = self.table.frame
        self.pushes = frame
        self.lang = lang
        self.seed = seed
        self.curves = self.table.curves
        self.metrics = [m for m, (s, t, _) in METRICS.items() if {s, t} <= set(frame.columns)]
        self.slots = slot_order(frame)
        timed = "sent_at" in frame.columns
        self.dates = sorted(frame["sent_at"].dt.date.unique()) if timed else []
        self.last: ExploreResult | None = None

    # -- the callbacks -------------------------------------------------------------------
    def select(self, slots=None, start=None, end=None, age_hours=None):
        """The pushes of the chosen slots and dates (a push table), counted at ``age_hours`` when given."""
        pushes = self.pushes
        if slots is not None:
            unknown = sorted(set(slots) - set(self.slots))
            if unknown:
                raise InputError(
                    f"slot(s) {', '.join(unknown)} not in the data (slots: {', '.join(self.slots)})"
                )
            pushes = pushes[pushes["slot"].isin(list(slots))]
        if (start is not None or end is not None) and "sent_at" in pushes.columns:
            day = pushes["sent_at"].dt.date
            keep = pd.Series(True, index=pushes.index)
            if start is not None:
                keep &= day >= pd.Timestamp(start).date()
            if end is not None:
                keep &= day <= pd.Timestamp(end).date()
            pushes = pushes[keep]
        if age_hours is not None:
            if self.curves is None:
                raise InputError("these data carry no read curves: the comparison age is fixed by the file")
            from .rates import counts_at_age

            return counts_at_age(self.curves, self.table.with_frame(pushes), age_hours)
        return self.table.with_frame(pushes.copy())

    def update(
        self, metric="open", slots=None, start=None, end=None, age_hours=None, controls=(), ax=None
    ) -> ExploreResult:
        """Recompute the decision for a selection and draw its rates (``ax=False``: no plot).

        Never raises for a selection the data cannot support (one slot, no pushes, a metric
        without its columns): the result's ``message`` says why, and ``decision`` is None.
        """
        from .decision import decide

        settings = {
            "metric": metric,
            "slots": list(slots) if slots is not None else list(self.slots),
            "start": start,
            "end": end,
            "age_hours": age_hours,
            "controls": list(controls),
            "seed": self.seed,
        }
        decision, message, n = None, "", 0
        if len(settings["slots"]) < 2:
            message = "Choose at least two slots." if self.lang == "en" else "请至少选择两个时段。"
        else:
            try:
                selection = self.select(settings["slots"], start, end, age_hours)
                n = len(selection)
                decision = decide(
                    selection,
                    metric,
                    controls=tuple(controls),
                    plan=False,
                    n_permutations=0,
                    bayes_draws=4000,
                    seed=self.seed,
                )
                message = decision.headline(self.lang) + "\n" + decision.verdict(self.lang)
            except (InputError, PushDataError) as exc:
                decision, message = None, str(exc)
        drawn = None
        if decision is not None and ax is not False:
            drawn = decision.plot(ax=ax, lang=self.lang)
        self.last = ExploreResult(decision, message, n, settings, drawn)
        return self.last

    # -- the widget ----------------------------------------------------------------------
    def widget(self):
        """The ipywidgets controls and outputs, wired to :meth:`update`."""
        try:
            import ipywidgets as w
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError(
                "wxtime.explore needs ipywidgets: pip install 'wxtime[lab]' (JupyterLab and ipywidgets)"
            ) from None
        metric = w.Dropdown(options=self.metrics, value=self.metrics[0], description="metric")
        slots = w.SelectMultiple(options=self.slots, value=tuple(self.slots), description="slots")
        dates = (
            w.SelectionRangeSlider(
                options=[(d.isoformat(), d) for d in self.dates],
                index=(0, len(self.dates) - 1),
                description="dates",
                layout=w.Layout(width="95%"),
            )
            if len(self.dates) > 1
            else None
        )
        age = w.BoundedFloatText(
            value=48, min=1, max=168, step=1, description="age (h)", disabled=self.curves is None
        )
        use_age = w.Checkbox(value=False, description="count at this age", disabled=self.curves is None)
        controls = w.SelectMultiple(options=CONTROLS, value=(), description="controls")
        plot = w.Output()
        verdict = w.HTML()
        inputs = [metric, slots, controls, use_age, age] + ([dates] if dates is not None else [])

        def refresh(_change=None):
            import matplotlib.pyplot as plt

            start, end = dates.value if dates is not None else (None, None)
            fig, ax = plt.subplots(figsize=(7, 3.6))
            result = self.update(
                metric.value,
                slots.value,
                start,
                end,
                age.value if use_age.value else None,
                controls.value,
                ax=ax,
            )
            verdict.value = "<br>".join(_escape(line) for line in result.message.split("\n"))
            plot.clear_output(wait=True)
            with plot:
                if result.ax is not None:
                    from IPython.display import display

                    display(fig)
            plt.close(fig)

        for control in inputs:
            control.observe(refresh, names="value")
        box = w.VBox([w.HBox([metric, controls]), slots, w.HBox([use_age, age]), *inputs[5:], verdict, plot])
        box.refresh = refresh
        box.explorer = self
        refresh()
        return box


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def explore(pushes, *, lang: str = "en", seed: int = 0):
    """An interactive look at a push table in Jupyter: metric, slots, dates, age, controls.

    Returns an ipywidgets box; its ``explorer`` attribute is the :class:`Explorer` whose
    ``last`` result holds the current decision. Needs ``pip install 'wxtime[lab]'``.

    Examples
    --------
    >>> import wxtime
    >>> from wxtime.datasets import load_noon_study
    >>> box = wxtime.explore(load_noon_study())  # doctest: +SKIP
    """
    return Explorer(pushes, lang=lang, seed=seed).widget()
