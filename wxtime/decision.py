"""The decision: which slot to push at, how sure that is, and what to do next.

:func:`decide` is the one place a recommendation is made. The CLI
(``wxtime analyze``, ``wxtime report``), the notebooks and the HTML report all
show a :class:`Decision`, so every number (P(best), expected loss, the lift,
the plan) is the same wherever it appears.

The path: the push table and the metric are resolved once
(:func:`wxtime.counts.counts`); the slot model is fitted on the randomised
units (:func:`wxtime.models.fit_slot_model`); the posterior gives the best
slot, P(best) and expected loss (:func:`wxtime.posterior.slot_posterior`); the
tests and the decision rule run on the same model
(:func:`wxtime.abtest.compare_slots`); the plan simulates that rule
(:func:`wxtime.planning.plan_study`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import __version__
from ._display import frame_html
from .counts import Counts, counts
from .i18n import metric_label, percent, t, unit_word

__all__ = ["Decision", "data_summary", "decide"]

#: A plan needing more days than this is reported as out of reach for its design.
OUT_OF_REACH_DAYS = 365
#: The schedule shown as the next step covers at most this many days.
SCHEDULE_DAYS = 28


def data_summary(c: Counts) -> dict:
    """What the decision rests on: ``source, pushes, rows, articles_grouped, first, last, days,
    slots, age_hours, skipped, time_sources, notes, sha256`` (of the file, when read from one)."""
    summary = dict(c.load or {})
    sent = c.sent_at
    first = last = None
    days = None
    if sent is not None and len(sent):
        first, last = sent.min(), sent.max()
        days = int((last.normalize() - first.normalize()).days) + 1
    skipped = dict(summary.get("skipped") or {})
    for reason, n in c.dropped.items():
        skipped[reason] = skipped.get(reason, 0) + n
    return {
        "source": summary.get("source", c.source),
        "pushes": int(c.frame["push_id"].nunique()) if "group" in c.frame.columns else c.n_rows,
        "rows": c.n_rows,
        "articles_grouped": summary.get("articles_grouped", 0),
        "first": first.date().isoformat() if first is not None else None,
        "last": last.date().isoformat() if last is not None else None,
        "days": days,
        "slots": list(c.slots),
        "age_hours": summary.get("age_hours"),
        "skipped": skipped,
        "time_sources": summary.get("time_sources", {}),
        "notes": summary.get("notes", []),
        "sha256": summary.get("sha256"),
    }


@dataclass
class Decision:
    """The recommendation and everything behind it.

    Attributes
    ----------
    decision : {"winner", "inconclusive", "not_enough_data"}
        ``"winner"``: push at ``best_slot``. ``"inconclusive"``: keep testing.
    reason : str
        Why (a code; see :func:`wxtime.abtest.decision_rule`).
    best_slot, runner_up : str
        Smallest and second-smallest expected loss (the posterior's ranking).
    closest_rival : str
        The slot whose test against the best is least clear (largest p).
    p_best, expected_loss : float
        Of ``best_slot`` (NaN when no probability can be given).
    lift : dict
        ``mean, low, high``: best over runner-up, minus 1 (posterior).
    slots : DataFrame
        One row per slot: ``slot, pushes, units, <trials>, <successes>,
        pooled_rate, rate, ci_low, ci_high, rate_shrunk, shrunk_low,
        shrunk_high, p_best, expected_loss``.
    comparisons, tests, health : DataFrame
        From :class:`wxtime.abtest.ABResult` (empty when no test is possible).
    omnibus : dict
    plan : Plan or None
        What the current design needs (:func:`wxtime.planning.plan_study`).
    options : DataFrame
        Ways to go on and the days each needs (:func:`wxtime.planning.design_options`).
    next_step : NextStep or None
        What to do next: the operating schedule (:func:`wxtime.nextstep.operating_schedule`),
        the same in every command; None with ``diagnostics=False``.
    weekend : dict or None
        Whether the slots rank differently on weekends (:func:`wxtime.abtest.weekend_check`;
        None when it cannot run). The next step acts on it only when the gain beats the risk.
    data : dict
        :func:`data_summary`.
    metric, design, unit_kind, alpha, seed, version, generated_at
    result : ABResult or None
        The full comparison (model, posterior) for analysts.
    """

    decision: str
    reason: str
    best_slot: str
    runner_up: str | None
    closest_rival: str | None
    p_best: float
    expected_loss: float
    lift: dict
    slots: pd.DataFrame
    comparisons: pd.DataFrame
    tests: pd.DataFrame
    health: pd.DataFrame
    omnibus: dict
    plan: object
    options: pd.DataFrame
    next_step: object
    data: dict
    metric: str
    design: str
    unit_kind: str
    alpha: float
    seed: int
    version: str = __version__
    generated_at: str = ""
    result: object = None
    notes: list = field(default_factory=list)
    weekend: dict | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """The per-slot table (:attr:`slots`)."""
        return self.slots

    @property
    def available(self) -> bool:
        """Whether probabilities (P(best), expected loss, shrunk intervals) could be given."""
        return bool(np.isfinite(self.p_best))

    @property
    def level(self) -> float:
        return 1 - self.alpha

    def headline(self, lang: str = "en") -> str:
        """The first line of the report: what to do (the next step's), else the test's outcome."""
        if self.next_step is not None:
            return self.next_step.headline(lang)
        if self.decision == "winner":
            return t("push_at", lang, slot=self.best_slot)
        if self.decision == "inconclusive":
            return t("keep_testing", lang, best=self.best_slot, rival=self.runner_up)
        return t("not_enough", lang)

    def test_sentence(self, lang: str = "en") -> str:
        """What the test says, with the interval it rests on (the leader against its closest
        rival) and the data behind it; no next step."""
        metric = metric_label(self.metric, lang)
        if self.decision == "not_enough_data":
            return t("verdict.not_enough_data", lang, why=self._why(lang))
        rival = self.closest_rival or self.runner_up
        # Each slot's own estimate: the numbers the test and its interval rest on (the shrunk
        # ones belong to P(best) and the loss, and the page labels them).
        own = self.slots.set_index("slot")["rate"] if "rate" in self.slots else None

        def rate_of(slot):
            if own is None or slot not in own.index or not np.isfinite(own[slot]):
                return "—"
            return percent(own[slot], 2 if own[slot] < 0.01 else 1)

        lift, low, high = np.nan, np.nan, np.nan
        if len(self.comparisons) and rival in set(self.comparisons["slot"]):
            row = self.comparisons.set_index("slot").loc[rival]
            # The test compares the rival with the leader: turn its interval into the leader's lift.
            lift, low, high = (1 / (1 + row[c]) - 1 for c in ("lift", "lift_high", "lift_low"))
        values = {
            "best": self.best_slot,
            "rival": rival,
            "best_rate": rate_of(self.best_slot),
            "rival_rate": rate_of(rival),
            "metric": metric,
            "lift": percent(lift, 1),
            "level": percent(self.level, 0),
            "low": percent(low, 1),
            "high": percent(high, 1),
            "p_best": percent(self.p_best, 0) if self.available else "—",
        }
        joiner = "" if lang == "zh" else " "
        based = (
            t("based_on_days", lang, pushes=self.data["pushes"], days=self.data["days"])
            if self.data["days"] is not None
            else t("based_on", lang, pushes=self.data["pushes"])
        )
        parts = [
            t(f"verdict.{self.decision}", lang, **values),
            based,
            self._thin_note(lang),
            self._disagreement(lang),
        ]
        return joiner.join(p for p in parts if p)

    def _disagreement(self, lang: str) -> str:
        """A word when the test and the chance to be best seem to disagree (issue 20): a winner
        with P(best) below 0.8, or no winner with P(best) of 0.95 or more."""
        if not self.available or not np.isfinite(self.p_best):
            return ""
        if self.decision == "winner" and self.p_best < 0.8:
            return t("disagree.winner", lang, slot=self.best_slot, p_best=percent(self.p_best, 0))
        if self.decision == "inconclusive" and self.p_best >= 0.95:
            return t("disagree.inconclusive", lang, slot=self.best_slot, p_best=percent(self.p_best, 0))
        return ""

    def verdict(self, lang: str = "en") -> str:
        """The recommendation in plain words: what the test says, then the next step."""
        joiner = "" if lang == "zh" else " "
        parts = [self.test_sentence(lang)]
        if self.next_step is not None:
            parts.append(self.next_step.explain(lang))
        return joiner.join(parts)

    def _why(self, lang: str) -> str:
        if self.reason == "single_unit_slots":
            single = [s for s, n in zip(self.slots["slot"], self.slots["units"]) if n < 2]
            return t("why.single_unit_slots", lang, slots=", ".join(single))
        if self.reason == "few_df":
            return t("why.few_df", lang, df=int(self.omnibus.get("df2", 0) or 0))
        return t(f"why.{self.reason}", lang, best=self.best_slot)

    def _thin_note(self, lang: str) -> str:
        table = self.slots.set_index("slot")
        raw_leader = str(table["rate"].idxmax())
        if raw_leader == self.best_slot or not self.available:
            return ""
        n = int(table.loc[raw_leader, "units"])
        unit = t(f"unit.{self.unit_kind}.one", lang) if n == 1 else unit_word(self.unit_kind, lang)
        return t("thin_rival", lang, slot=raw_leader, n=n, unit=unit)

    def to_dict(self) -> dict:
        """JSON-ready: the decision, the per-slot table, tests, checks, plan and data summary."""
        from ._display import json_ready

        return json_ready(
            {
                "decision": self.decision,
                "reason": self.reason,
                "best_slot": self.best_slot,
                "runner_up": self.runner_up,
                "closest_rival": self.closest_rival,
                "p_best": self.p_best,
                "expected_loss": self.expected_loss,
                "lift": self.lift,
                "metric": self.metric,
                "design": self.design,
                "unit": self.unit_kind,
                "alpha": self.alpha,
                "headline": self.headline("en"),
                "finding": self.test_sentence("en"),
                "verdict": self.verdict("en"),
                "slots": self.slots.to_dict(orient="records"),
                "tests": self.tests.to_dict(orient="records"),
                "health": self.health.to_dict(orient="records"),
                "plan": self.plan.to_dict() if self.plan is not None else None,
                "options": self.options.to_dict(orient="records"),
                "next_step": self.next_step.to_dict() if self.next_step is not None else None,
                "weekend": self.weekend,
                "data": self.data,
                "seed": self.seed,
                "wxtime_version": self.version,
            }
        )

    def plot(self, ax=None, lang: str = "en"):
        """Rates by slot with intervals, shrunk estimates and P(best)."""
        from .plots import plot_decision

        return plot_decision(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        import html

        return (
            f"<p><b>{html.escape(self.headline())}</b></p><p>{html.escape(self.verdict())}</p>"
            + frame_html(self.slots)
        )


def _changed(health: pd.DataFrame) -> bool:
    """Whether the change check fired (:func:`wxtime.abtest.change_check`)."""
    rows = health[health["check"] == "change"]
    return bool(len(rows) and (rows["status"] == "warn").any())


def _descriptive(c: Counts, table, reason: str, alpha: float, seed: int, step_options: dict) -> Decision:
    """Slot-level or single-slot data: pooled rates with reader-level (Wilson) intervals, no test."""
    from statsmodels.stats.proportion import proportion_confint

    totals = c.totals
    low, high = proportion_confint(
        totals[c.successes_column], totals[c.trials_column], alpha=alpha, method="wilson"
    )
    from .rates import reader_level_shrinkage

    nan = np.full(len(totals), np.nan)
    # Descriptive ranking only: reader-level shrinkage keeps a thin lucky slot from leading.
    shrunk = (
        reader_level_shrinkage(totals[c.successes_column], totals[c.trials_column])
        if len(totals) > 1
        else totals["pooled_rate"]
    )
    slots = totals.assign(
        rate=totals["pooled_rate"],
        ci_low=low,
        ci_high=high,
        rate_shrunk=shrunk,
        shrunk_low=nan,
        shrunk_high=nan,
        p_best=nan,
        expected_loss=nan,
    )
    order = slots.sort_values("rate_shrunk", ascending=False, kind="stable")["slot"].tolist()
    empty = pd.DataFrame()
    return Decision(
        decision="not_enough_data",
        reason=reason,
        best_slot=order[0],
        runner_up=order[1] if len(order) > 1 else None,
        closest_rival=order[1] if len(order) > 1 else None,
        p_best=np.nan,
        expected_loss=np.nan,
        lift={"mean": np.nan, "low": np.nan, "high": np.nan},
        slots=slots,
        comparisons=empty,
        tests=pd.DataFrame(
            columns=[
                "name",
                "comparison",
                "estimate",
                "ci_low",
                "ci_high",
                "p_value",
                "p_adjusted",
                "recommended",
            ]
        ),
        health=pd.DataFrame(columns=["check", "status", "detail", "meaning"]),
        omnibus={},
        plan=None,
        options=pd.DataFrame(columns=["design", "slots", "units_per_slot", "days", "note"]),
        next_step=_next_step_for(c, table, "not_enough_data", slots, None, seed=seed, **step_options),
        data=data_summary(c),
        metric=c.metric,
        design=c.design,
        unit_kind=c.unit_kind,
        alpha=alpha,
        seed=seed,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def next_start(c: Counts | None) -> str:
    """The first day of the next step: tomorrow (in the data's time zone), or the day after the
    data end when that is later (a file dated in the future, or a run on the last day)."""
    sent = c.sent_at if c is not None else None
    tz = sent.dt.tz if sent is not None else "Asia/Shanghai"
    tomorrow = pd.Timestamp.now(tz=tz).normalize() + pd.Timedelta(days=1)
    if sent is not None and len(sent):
        tomorrow = max(tomorrow, sent.max().normalize() + pd.Timedelta(days=1))
    return tomorrow.strftime("%Y-%m-%d")


def feasible_tests(options: pd.DataFrame | None, account_kind) -> dict:
    """Days each deliberate test between the leaders would take, for the designs the account
    can run (a split only for an account that may split its audience, its push days spread
    over the month); None where out of reach within :data:`OUT_OF_REACH_DAYS`."""
    from .account import account

    acct = account(account_kind)
    out: dict = {}
    if options is None or not len(options):
        return out
    for row in options.itertuples():
        if row.design == "split" and not acct.split_possible:
            continue
        days = None if row.days is None or not np.isfinite(float(row.days)) else int(row.days)
        if days is not None and (row.design == "split" or not acct.daily):
            days = acct.days_for(days)  # push days at the account's pace
        out[str(row.design)] = days if days is not None and days <= OUT_OF_REACH_DAYS else None
    return out


def _next_step_for(
    c: Counts,
    table,
    decision,
    slots_table,
    options,
    *,
    account_kind,
    max_loss,
    start,
    days,
    seed,
    changed=False,
    weekend=None,
):
    """The operating schedule (:func:`wxtime.nextstep.operating_schedule`) from a decision's numbers."""
    from .nextstep import operating_schedule

    frame = slots_table.set_index("slot")
    best = (
        str(frame["rate_shrunk"].idxmax())
        if frame["rate_shrunk"].notna().any()
        else str(frame["rate"].idxmax())
    )
    p_best = frame["p_best"].to_dict() if "p_best" in frame else {}
    loss = frame["expected_loss"].to_dict() if "expected_loss" in frame else {}
    if np.isfinite(frame["expected_loss"]).any():
        best = str(frame["expected_loss"].idxmin())
    rate = (
        frame.loc[best, "rate_shrunk"]
        if np.isfinite(frame.loc[best, "rate_shrunk"])
        else frame.loc[best, "rate"]
    )
    recent = c.frame.tail(28)
    deliveries = float(np.median(recent[c.trials_column])) if len(recent) else np.nan
    return operating_schedule(
        list(c.slots),
        choice=best,
        p_best=p_best,
        expected_loss=loss,
        decision=decision,
        max_loss=max_loss,
        leader_rate=float(rate),
        deliveries=deliveries,
        current=str(c.frame["slot"].iloc[-1]),
        hourly=getattr(table, "hourly", None),
        changed=changed,
        weekend=weekend,
        test_days=feasible_tests(options, account_kind),
        account_kind=account_kind,
        start=start or next_start(c),
        days=days,
        seed=seed,
        metric=c.metric,
    )


def decide(
    pushes,
    metric: str = "open",
    *,
    design: str = "auto",
    controls=(),
    alpha: float = 0.05,
    target_lift: float | None = None,
    power: float = 0.8,
    plan: bool = True,
    as_of=None,
    n_permutations: int = 2000,
    naive: bool = False,
    bayes_draws: int = 10_000,
    seed: int = 0,
    diagnostics: bool = True,
    account: str = "subscription",
    max_loss: float | None = None,
    start=None,
    schedule_days: int = 28,
) -> Decision:
    """Decide when to push, from a push table (the one decision path of wxtime).

    Parameters
    ----------
    pushes : DataFrame or Counts
        A push table (:func:`wxtime.read_pushes`, a loader, or
        :func:`wxtime.validate_pushes`).
    metric : {"open", "read", "read_through", "click", "share"}
    design : {"auto", "randomized", "blocked", "split"}
    controls : sequence of str
        Unit-level controls for rotations (``"trend"``, ``"weekday"``).
    alpha : float
        Level of the tests; intervals are ``1 - alpha``.
    target_lift : float, optional
        The lift the plan is for; default the current lift of the leader over the
        runner-up.
    power : float
        Power the plan aims at.
    plan : bool
        Compute the plan (what it would take to decide).
    as_of : time, optional
        For the young-pushes check.
    n_permutations, naive, bayes_draws, seed, diagnostics
        See :func:`wxtime.abtest.compare_slots`. ``diagnostics=False`` also leaves out
        the next step's schedule; the decision and its numbers are unchanged.
    account : {"subscription", "service"}
        The kind of account (:mod:`wxtime.account`): which designs and schedules it can run.
    max_loss : float, optional
        The risk accepted when choosing a slot that is not yet settled: the expected loss,
        in rate units (default 5% of the leader's rate, :func:`wxtime.nextstep.default_max_loss`).
    start : date, optional
        First day of the schedule (default tomorrow, Beijing time).
    schedule_days : int
        Days the schedule covers.

    Returns
    -------
    Decision

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> d = decide(load_noon_study(), n_permutations=200)
    >>> d.best_slot, d.decision, d.headline()
    ('12:00', 'inconclusive', 'Push at 12:00; tomorrow is a check day at 18:00')
    >>> print(d.headline("zh"))
    在 12:00 推送；明天是探索日，改在 18:00
    >>> d.next_step.kind, d.next_step.account.kind  # the choice under the risk, still exploring
    ('choose', 'subscription')
    """
    from .abtest import compare_slots, weekend_check
    from .account import account as resolve_account
    from .io.table import as_table
    from .planning import design_options, plan_study

    acct = resolve_account(account)
    c = counts(pushes, metric, design=design)
    table_in = pushes if not isinstance(pushes, Counts) else None
    hourly_source = as_table(table_in) if table_in is not None else None
    step_options = {"account_kind": acct, "max_loss": max_loss, "start": start, "days": schedule_days}
    if c.design == "slot-level":
        return _descriptive(c, hourly_source, "slot_level", alpha, seed, step_options)
    if c.design == "single-slot":
        return _descriptive(c, hourly_source, "single_slot", alpha, seed, step_options)
    result = compare_slots(
        c,
        metric,
        controls=controls,
        alpha=alpha,
        n_permutations=n_permutations,
        naive=naive,
        as_of=as_of,
        bayes_draws=bayes_draws,
        seed=seed,
        diagnostics=diagnostics,
    )
    posterior = result.posterior
    table = c.totals.merge(posterior.summary.drop(columns=["pushes", "units"]), on="slot")
    best = posterior.best_slot
    row = table.set_index("slot").loc[best]
    decision, reason = result.decision, result.reason
    if not posterior.available and decision != "not_enough_data":
        decision, reason = "not_enough_data", "no_residual_df"
    if reason == "no_residual_df" and result.model.df > 0:
        reason = "no_noise"
    weekend = weekend_check(result.model) if diagnostics else None
    the_plan, options = None, None
    if plan and decision == "inconclusive":
        lift = target_lift if target_lift is not None else posterior.lift["mean"]
        if np.isfinite(lift) and lift > 0.005:
            try:
                the_plan = plan_study(result.model, lift=lift, power=power, alpha=alpha, seed=seed)
            except ValueError:
                the_plan = None
            options = design_options(result.model, lift=lift, power=power, alpha=alpha, seed=seed)
    return Decision(
        decision=decision,
        reason=reason,
        best_slot=best,
        runner_up=posterior.runner_up,
        closest_rival=result.closest_rival,
        p_best=float(row["p_best"]),
        expected_loss=float(row["expected_loss"]),
        lift=posterior.lift,
        slots=table,
        comparisons=result.summary,
        tests=result.tests,
        health=result.health,
        omnibus=result.omnibus,
        plan=the_plan,
        options=options
        if options is not None
        else pd.DataFrame(columns=["design", "slots", "units_per_slot", "days", "note"]),
        next_step=_next_step_for(
            c,
            hourly_source,
            decision,
            table,
            options,
            seed=seed,
            changed=_changed(result.health),
            weekend=weekend,
            **step_options,
        )
        if diagnostics
        else None,
        data=data_summary(c),
        metric=metric,
        design=c.design,
        unit_kind=c.unit_kind,
        alpha=alpha,
        seed=seed,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        result=result,
        notes=list(result.notes),
        weekend=weekend,
    )
