"""The next step: tomorrow's slot and the weeks after, as a schedule the account can keep.

Every command shows the same next step (``wxtime report``, ``analyze --json``, ``plan``,
``bandit recommend``, ``serve``): :func:`operating_schedule` makes it from a decision's
numbers, and nothing else draws a schedule for an operator.

The schedule is an **operating policy**: on most days the current choice, on some days
another slot drawn at random with known probabilities. Each day's probability is written
down, so the pushes it produces can be analysed later without bias (the slot model weights
them by it, :func:`wxtime.models.adaptive_weights`) and replayed off-policy.

* The choice is the slot with the smallest expected loss (the posterior's best).
* The share of exploration days grows with the choice's expected loss, from
  :data:`EXPLORE_FLOOR` (learning never stops: about 3 days a month) to :data:`EXPLORE_MAX`
  (the account keeps its rhythm) when that loss reaches the risk the operator accepts
  (:func:`exploration_share`); a change in the audience (:func:`wxtime.abtest.change_check`)
  raises it to the maximum.
* Exploration days go to the other slots in proportion to their chance of being the best
  (plus a small floor, so no slot is forgotten).
* Saturdays and Sundays get their own choice only when the slots rank differently on
  weekends (:func:`wxtime.abtest.weekend_check`, partially pooled) *and* following each
  kind of day's best is expected to gain more a push than the risk accepted
  (:func:`day_choices`); otherwise every day has the same choice.
* An account that has always pushed at one time gets candidate slots: from its own
  hourly reading curve when the hourly reads are given, otherwise the attention moments
  of the day (waking, lunch, after work, after dinner, before sleep) nearest its slot.
* A service account (four mass pushes a month per follower) pushes about weekly; a split
  test (one article to two random tag groups at two hours on one day) is offered only to
  it, with its monthly limit (:mod:`wxtime.account`).

What it costs is said in opens: the expected loss of each slot (posterior, rate units)
times the share of days it gets, times the account's typical deliveries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .account import Account, account
from .i18n import percent, pp, t

__all__ = [
    "ATTENTION_MOMENTS",
    "EXPLORE_FLOOR",
    "EXPLORE_MAX",
    "NextStep",
    "candidate_slots",
    "day_choices",
    "default_max_loss",
    "design_schedule",
    "exploration_share",
    "operating_schedule",
]

#: Smallest share of exploration days: learning never stops (about three days a month).
EXPLORE_FLOOR = 0.1
#: Largest share: on most days the account pushes at its current choice.
EXPLORE_MAX = 0.5
#: Each slot keeps at least this share of the exploration days.
SLOT_FLOOR = 0.02
#: When followers read (see ``../shared/DOMAIN.md``): waking, lunch, after work, after dinner,
#: before sleep.
ATTENTION_MOMENTS = ("07:30", "12:00", "18:30", "20:30", "22:30")
#: Pushes each new slot gets before the first comparison of a start from one slot.
FIRST_LOOK_PUSHES = 4
#: The relative shortfall of a new slot assumed when saying what a start can cost.
ASSUMED_SHORTFALL = 0.10
#: Days a schedule covers.
SCHEDULE_DAYS = 28


def default_max_loss(leader_rate: float) -> float:
    """The risk an operator accepts by default: 5% of the leader's rate, in rate units.

    Examples
    --------
    >>> round(default_max_loss(0.069), 5)
    0.00345
    """
    return 0.05 * float(leader_rate)


def _minutes(slot: str) -> int:
    hours, minutes = slot.split(":")
    return int(hours) * 60 + int(minutes)


def _circular(a: int, b: int) -> int:
    gap = abs(a - b) % 1440
    return min(gap, 1440 - gap)


def candidate_slots(current: str, hourly: pd.DataFrame | None = None, *, count: int = 3) -> tuple[list, str]:
    """Slots to try next to ``current`` for an account that has always pushed at one time.

    From the account's own reading curve when hourly reads are given (``date, hour,
    user_source, reads``: the hours when followers read through channels other than the
    push itself), otherwise the attention moments (:data:`ATTENTION_MOMENTS`) nearest the
    current slot. Candidates are at least 90 minutes from the current slot and from each
    other. Returns ``(slots, source)`` with ``source`` ``"reading_curve"`` or ``"moments"``.

    Examples
    --------
    >>> candidate_slots("20:30")
    (['18:30', '22:30', '12:00'], 'moments')
    """
    now = _minutes(current)
    pool: list[str] = []
    source = "moments"
    if hourly is not None and len(hourly):
        other = hourly[~hourly["user_source"].isin([0, 99999999])]
        if len(other):
            activity = other.groupby("hour")["reads"].mean().sort_values(ascending=False)
            pool = [f"{int(h):02d}:00" for h in activity.index]
            source = "reading_curve"
    if not pool:
        pool = sorted(ATTENTION_MOMENTS, key=lambda s: (_circular(_minutes(s), now), _minutes(s)))
    chosen: list[str] = []
    for slot in pool:
        if _circular(_minutes(slot), now) < 90 or any(
            _circular(_minutes(slot), _minutes(c)) < 90 for c in chosen
        ):
            continue
        chosen.append(slot)
        if len(chosen) == count:
            break
    return chosen, source


@dataclass
class NextStep:
    """Tomorrow's slot and the weeks after: the operating schedule every command shows.

    Attributes
    ----------
    kind : {"push", "choose", "learn", "start", "test"}
        ``push``: a winner (the test); ``choose``: the choice under the stated risk (its
        expected loss is below ``max_loss``); ``learn``: not settled, keep learning with more
        exploration; ``start``: one slot so far, try candidates; ``test``: a deliberate test
        asked for (:func:`design_schedule`).
    choice : str
        The slot pushed on non-exploration days.
    probabilities : dict
        Each slot's daily probability (they sum to 1).
    explore_share : float
        Share of exploration days (``1 - probabilities[choice]``).
    schedule : DataFrame
        ``date, weekday, slot, role, probability``: one row per push day (``role``
        ``choice`` or ``explore``; ``probability`` the drawn slot's, for later analysis).
    candidates : list
        New slots proposed (``start``), and where they came from (``candidates_from``).
    expected_loss, max_loss : float
        The choice's expected loss and the accepted risk (rate units; NaN when unknown).
    cost_per_push : float
        Expected opens lost per push by following the schedule, against always pushing at
        the (unknown) best slot.
    deliveries : float
        Typical deliveries of a push (the cost's scale).
    first_look_days : int or None
        ``start``: days until each new slot has been tried a few times.
    test_days : dict
        Days a deliberate test between the two leaders would take, per design the account
        can run (``None``: out of reach within a year).
    changed : bool
        Whether a change in the audience raised the exploration.
    weekend_choice : str or None
        The slot pushed on Saturdays and Sundays instead of ``choice`` (None: the same every
        day); ``weekend_gain`` the expected gain a push of the day-specific slots over
        ``overall`` on the days they change (rate units); ``overall`` the posterior's best
        over all days (``choice`` unless weekdays have their own).
    account : Account
    start, days, seed
    """

    kind: str
    choice: str
    probabilities: dict
    explore_share: float
    schedule: pd.DataFrame
    account: Account
    start: str
    days: int
    seed: int
    expected_loss: float = np.nan
    max_loss: float = np.nan
    cost_per_push: float = np.nan
    deliveries: float = np.nan
    candidates: list = field(default_factory=list)
    candidates_from: str = ""
    first_look_days: int | None = None
    test_days: dict = field(default_factory=dict)
    changed: bool = False
    weekend_choice: str | None = None
    weekend_gain: float = np.nan
    overall: str | None = None
    metric: str = "open"
    design: str = "operate"

    @property
    def tomorrow(self) -> dict:
        """The first row of the schedule: ``date, weekday, slot, role, probability``."""
        return self.schedule.iloc[0].to_dict()

    @property
    def day_shares(self) -> dict:
        """Each slot's expected share of push days over a week (with weekends of their own,
        five weekdays at ``probabilities`` and two with ``choice`` and ``weekend_choice``
        swapped)."""
        if not self.weekend_choice:
            return dict(self.probabilities)
        ends = dict(self.probabilities)
        ends[self.choice], ends[self.weekend_choice] = ends[self.weekend_choice], ends[self.choice]
        return {s: (5 * p + 2 * ends[s]) / 7 for s, p in self.probabilities.items()}

    @property
    def slots(self) -> list:
        """The slots the schedule uses, the choice first."""
        others = [s for s in self.probabilities if s != self.choice and self.probabilities[s] > 0]
        return [self.choice, *others]

    def headline(self, lang: str = "en") -> str:
        """What to do, in one sentence."""
        day = self.tomorrow
        kind = self.kind
        if kind in ("push", "choose") and day["role"] != "choice":
            kind = "check_day"  # the headline never contradicts the first row of the schedule
        slot = self.choice
        if self.weekend_choice:
            slot += t("step.headline.weekend", lang, slot=self.weekend_choice)
        text = t(f"step.headline.{kind}", lang, slot=slot, tomorrow=day["slot"])
        return text.replace("） ", "）") if lang == "zh" else text

    def explain(self, lang: str = "en") -> str:
        """Why this schedule, what it costs and how it keeps checking (plain words)."""
        joiner = "" if lang == "zh" else " "
        parts = []
        others = " / ".join(s for s in self.slots if s != self.choice)
        share = percent(self.explore_share, 0)
        every = max(1, round(1 / self.explore_share)) if self.explore_share > 0 else 0
        if self.weekend_choice:
            # The split is the news: it leads, and says why the overall ranking differs.
            lifted = "lifted" if self.overall == self.weekend_choice else "plain"
            parts.append(
                t(
                    f"step.weekend.{lifted}",
                    lang,
                    weekday=self.choice,
                    slot=self.weekend_choice,
                    choice=self.overall or self.choice,
                    gain=pp(self.weekend_gain, 1, lang),
                    limit=pp(self.max_loss, 2, lang),
                )
            )
        elif self.kind == "push":
            parts.append(t("step.why.push", lang, slot=self.overall or self.choice))
        elif self.kind in ("choose", "learn"):
            parts.append(
                t(
                    f"step.why.{self.kind}",
                    lang,
                    slot=self.overall or self.choice,
                    loss=pp(self.expected_loss, 2, lang),
                    limit=pp(self.max_loss, 2, lang),
                )
                if np.isfinite(self.expected_loss)
                else t("step.why.learn_unknown", lang, slot=self.overall or self.choice)
            )
        elif self.kind == "test":
            parts.append(
                t(f"step.why.test.{self.design}", lang, slots=" / ".join(self.slots), days=self.days)
            )
        else:
            parts.append(
                t(
                    f"step.why.start.{self.candidates_from or 'moments'}",
                    lang,
                    slot=self.choice,
                    candidates=" / ".join(self.candidates),
                    days=self.first_look_days,
                )
            )
        if self.changed:
            parts.append(t("step.changed", lang))
        if others and self.kind != "test":
            parts.append(t("step.explore", lang, share=share, every=every, others=others))
        if np.isfinite(self.cost_per_push):
            parts.append(
                t(
                    f"step.cost.{'assumed' if self.kind == 'start' else 'posterior'}",
                    lang,
                    opens=f"{self.cost_per_push * self.push_days_per_month:,.0f}",
                    shortfall=percent(ASSUMED_SHORTFALL, 0),
                )
            )
        parts.append(t("step.keeps_checking", lang))
        return joiner.join(parts)

    @property
    def push_days_per_month(self) -> int:
        return self.account.push_days(28)

    def to_dict(self) -> dict:
        """JSON-ready: the kind, choice, probabilities, costs and the schedule rows."""
        from ._display import json_ready

        return json_ready(
            {
                "kind": self.kind,
                "headline": self.headline("en"),
                "explain": self.explain("en"),
                "choice": self.choice,
                "tomorrow": self.tomorrow,
                "probabilities": self.probabilities,
                "explore_share": self.explore_share,
                "expected_loss": self.expected_loss,
                "max_loss": self.max_loss,
                "cost_per_push_opens": self.cost_per_push,
                "deliveries": self.deliveries,
                "candidates": self.candidates,
                "candidates_from": self.candidates_from,
                "first_look_days": self.first_look_days,
                "test_days": self.test_days,
                "changed": self.changed,
                "weekend_choice": self.weekend_choice,
                "weekend_gain": self.weekend_gain,
                "overall": self.overall,
                "account": self.account.kind,
                "start": self.start,
                "days": self.days,
                "seed": self.seed,
                "schedule": self.schedule.to_dict(orient="records"),
            }
        )

    def schedule_table(self, lang: str = "en") -> pd.DataFrame:
        """The schedule with headers and values in ``lang`` (what the CSV holds)."""
        table = self.schedule.copy()
        table["weekday"] = [t(f"weekday.{int(w)}", lang) for w in table["weekday"]]
        table["role"] = [t(f"step.role.{r}", lang) for r in table["role"]]
        if "group" in table.columns:
            table["group"] = [t("step.group", lang, group=g) for g in table["group"]]
        table["probability"] = table["probability"].round(4)
        return table.rename(columns={c: t(f"step.col.{c}", lang) for c in table.columns})

    def to_csv(self, lang: str = "en") -> str:
        """The schedule as CSV text (UTF-8 with a BOM in Chinese, so Excel opens it right)."""
        text = self.schedule_table(lang).to_csv(index=False, lineterminator="\r\n")
        return ("\ufeff" + text) if lang == "zh" else text

    def to_ics(self, lang: str = "en", *, tz: str = "Asia/Shanghai") -> bytes:
        """The schedule as an iCalendar file (RFC 5545, written with ``icalendar``): one event
        per push at its slot, with a reminder the evening before (定时群发 can be set only for
        today or tomorrow)."""
        import zoneinfo

        from icalendar import Alarm, Calendar, Event

        zone = zoneinfo.ZoneInfo(tz)
        calendar = Calendar()
        calendar.add("prodid", "-//wxtime//push schedule//" + lang.upper())
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", t("step.ics.calendar", lang))
        stamp = dt.datetime.now(dt.UTC)
        for i, row in enumerate(self.schedule.itertuples(index=False)):
            hour, minute = (int(x) for x in row.slot.split(":"))
            day = dt.date.fromisoformat(row.date)
            begin = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            event = Event()
            event.add("uid", f"wxtime-{row.date}-{row.slot.replace(':', '')}-{i}@wxtime")  # one per push
            event.add("dtstamp", stamp)
            event.add("dtstart", begin)
            event.add("dtend", begin + dt.timedelta(minutes=15))
            summary = t(f"step.ics.{row.role}", lang, slot=row.slot)
            if hasattr(row, "group"):
                summary += " · " + t("step.group", lang, group=row.group)
            event.add("summary", summary)
            event.add(
                "description",
                t("step.ics.description", lang, slot=row.slot, probability=percent(row.probability, 0)),
            )
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", t("step.ics.reminder", lang, slot=row.slot))
            # The evening before at 20:00: 定时群发 can be set then for the next day.
            evening = dt.datetime(day.year, day.month, day.day, 20, 0, tzinfo=zone) - dt.timedelta(days=1)
            alarm.add("trigger", evening - begin)
            event.add_component(alarm)
            calendar.add_component(event)
        calendar.add_missing_timezones()  # a VTIMEZONE for Asia/Shanghai, as RFC 5545 wants
        for zone_component in calendar.walk("VTIMEZONE"):
            zone_component.pop("COMMENT", None)  # icalendar's English note, not for the operator
        return calendar.to_ical()

    def _repr_html_(self) -> str:
        import html

        from ._display import frame_html

        return (
            f"<p><b>{html.escape(self.headline())}</b></p><p>{html.escape(self.explain())}</p>"
            + frame_html(self.schedule.head(14))
        )


def exploration_share(expected_loss: float, max_loss: float) -> float:
    """Share of exploration days: :data:`EXPLORE_FLOOR` plus the part of the accepted risk the
    choice uses, scaled up to :data:`EXPLORE_MAX` (reached when the choice's expected loss is
    at or above the risk accepted, or unknown).

    Examples
    --------
    >>> exploration_share(0.0, 0.0035), exploration_share(0.00175, 0.0035), exploration_share(0.01, 0.0035)
    (0.1, 0.3, 0.5)
    """
    if not (np.isfinite(expected_loss) and max_loss > 0):
        return EXPLORE_MAX
    used = min(1.0, max(0.0, expected_loss / max_loss))
    return float(EXPLORE_FLOOR + (EXPLORE_MAX - EXPLORE_FLOOR) * used)


def design_schedule(
    slots,
    days: int,
    *,
    design: str = "randomized",
    account_kind: str | Account = "subscription",
    start=None,
    stretch_days: int = 7,
    seed: int = 0,
) -> NextStep:
    """A deliberate test the account can run, as a :class:`NextStep` (kind ``test``): a
    weekday-balanced daily rotation, stretches in random order, or (service accounts only) a
    split by random tag groups (:func:`wxtime.planning.make_schedule`). The probability column
    is each slot's share of the design.

    Examples
    --------
    >>> step = design_schedule(["12:00", "21:00"], 14, start="2024-09-02", seed=1)
    >>> step.kind, step.schedule["slot"].value_counts().tolist()
    ('test', [7, 7])
    """
    from .errors import InputError
    from .planning import make_schedule

    acct = account(account_kind)
    if design == "split" and not acct.split_possible:
        raise InputError(
            "a subscription account (订阅号) can mass-send once a day, to everyone or to one tag, so it "
            "cannot send one article to two groups at two times on the same day: use a randomized or "
            "blocked design, or --account service if this is a service account (服务号)"
        )
    slots = [str(x) for x in slots]
    first = (
        pd.Timestamp(start).normalize()
        if start is not None
        else pd.Timestamp.now(tz="Asia/Shanghai").tz_localize(None).normalize() + pd.Timedelta(days=1)
    )
    push_days = acct.push_days(days) if not acct.daily else days
    table = make_schedule(slots, push_days, design=design, start=first, stretch_days=stretch_days, seed=seed)
    if not acct.daily:  # a service account pushes about weekly: spread the push days
        dates = pd.date_range(first, periods=push_days * acct.spacing_days, freq="D")[:: acct.spacing_days]
        day_of = {d: i for i, d in enumerate(sorted(table["date"].unique()))}
        table["date"] = [dates[day_of[d]].strftime("%Y-%m-%d") for d in table["date"]]
    table["weekday"] = pd.DatetimeIndex(table["date"]).day_of_week
    table["role"] = "test"
    table["probability"] = 1 / len(set(slots)) if design != "split" else 1.0
    columns = [
        "date",
        "weekday",
        *(["group"] if "group" in table.columns else []),
        "slot",
        "role",
        "probability",
    ]
    share = 1 / len(set(slots))
    return NextStep(
        kind="test",
        choice=slots[0],
        probabilities={s: share for s in dict.fromkeys(slots)},
        explore_share=1 - share,
        schedule=table[columns].reset_index(drop=True),
        account=acct,
        start=first.strftime("%Y-%m-%d"),
        days=days,
        seed=seed,
        design=design,
    )


def _probabilities(slots, choice, p_best, explore_share) -> dict:
    """Daily probabilities: the choice ``1 - explore_share``, the rest by chance to be best."""
    others = [s for s in slots if s != choice]
    if not others:
        return {choice: 1.0}
    weight = np.array([p_best.get(s, 0.0) for s in others], float)
    weight = np.where(np.isfinite(weight), weight, 0.0) + SLOT_FLOOR
    weight = weight / weight.sum() * explore_share
    return {choice: 1.0 - explore_share, **{s: float(w) for s, w in zip(others, weight)}}


def _draw(
    probabilities: dict, dates: pd.DatetimeIndex, choice: str, seed: int, weekend: str | None = None
) -> pd.DataFrame:
    """One seeded draw a day from ``probabilities`` (on Saturdays and Sundays the shares of
    ``choice`` and ``weekend`` swap, when ``weekend`` is given)."""
    slots = list(probabilities)
    p = np.array([probabilities[s] for s in slots], float)
    p = p / p.sum()
    P = np.tile(p, (len(dates), 1))
    chosen = np.full(len(dates), slots.index(choice))
    if weekend is not None:
        ends = np.asarray(dates.day_of_week >= 5)
        a, b = slots.index(choice), slots.index(weekend)
        P[np.ix_(ends, [a, b])] = P[np.ix_(ends, [b, a])]
        chosen[ends] = b
    # What Generator.choice(p=...) does, row by row: one uniform a day against the cumulated p.
    u = np.random.default_rng(seed).random(len(dates))
    cdf = np.cumsum(P, axis=1)
    picks = np.minimum((u[:, None] >= cdf / cdf[:, -1:]).sum(axis=1), len(slots) - 1)
    rows = np.arange(len(dates))
    return pd.DataFrame(
        {
            "date": dates.strftime("%Y-%m-%d"),
            "weekday": dates.day_of_week,
            "slot": [slots[i] for i in picks],
            "role": np.where(picks == chosen, "choice", "explore"),
            "probability": P[rows, picks],
        }
    )


def day_choices(weekend: dict | None, choice: str, max_loss: float) -> tuple[str, str | None, float]:
    """Weekdays' and weekends' own slots, when the data support them.

    Only when the slots rank differently on weekends (``weekend["differs"]``,
    :func:`wxtime.abtest.weekend_check`), the pooled weekday and weekend bests differ, and
    each kind of day whose slot would change from ``choice`` is expected to gain more than
    ``max_loss`` a push by it. The gain on a kind of day is ``choice``'s raw rate there times
    the pooled ratio of the two slots (the logit difference, close to the log ratio at open
    rates).

    Returns ``(weekday slot, weekend slot or None, smallest gain of a switched kind of day)``:
    ``(choice, None, nan)`` when every day keeps ``choice``.

    Examples
    --------
    >>> check = {"differs": True, "weekday_best": "12:00", "weekend_best": "21:00",
    ...          "weekday_rate": {"12:00": 0.07, "21:00": 0.06},
    ...          "weekend_rate": {"12:00": 0.06, "21:00": 0.08},
    ...          "weekday_lift": {"12:00": 0.0, "21:00": -0.15},
    ...          "weekend_lift": {"12:00": -0.2, "21:00": 0.0}}
    >>> days, ends, gain = day_choices(check, "12:00", max_loss=0.003)
    >>> days, ends, round(gain, 4)
    ('12:00', '21:00', 0.0133)
    >>> day_choices(check, "21:00", max_loss=0.003)[:2]  # weekdays switch to 12:00
    ('12:00', '21:00')
    >>> day_choices(check, "12:00", max_loss=0.02)  # the gain is below the risk accepted
    ('12:00', None, nan)
    """
    keep = (choice, None, np.nan)
    if not weekend or not weekend["differs"] or weekend["weekday_best"] == weekend["weekend_best"]:
        return keep
    gains = []
    for kind in ("weekday", "weekend"):
        if weekend[f"{kind}_best"] == choice:
            continue
        if choice not in weekend[f"{kind}_rate"]:
            return keep
        gains.append(weekend[f"{kind}_rate"][choice] * float(np.expm1(-weekend[f"{kind}_lift"][choice])))
    gain = min(gains)
    if not (np.isfinite(max_loss) and gain > max_loss):
        return keep
    return weekend["weekday_best"], weekend["weekend_best"], float(gain)


def operating_schedule(
    slots,
    *,
    choice: str,
    p_best=None,
    expected_loss=None,
    decision: str = "inconclusive",
    max_loss: float | None = None,
    leader_rate: float = np.nan,
    deliveries: float = np.nan,
    current: str | None = None,
    hourly: pd.DataFrame | None = None,
    changed: bool = False,
    weekend: dict | None = None,
    test_days: dict | None = None,
    account_kind: str | Account = "subscription",
    start=None,
    days: int = SCHEDULE_DAYS,
    seed: int = 0,
    metric: str = "open",
) -> NextStep:
    """The operating schedule from a decision's numbers (module docstring).

    Parameters
    ----------
    slots : list of str
        The slots in the data.
    choice : str
        The posterior's best slot (smallest expected loss).
    p_best, expected_loss : dict, optional
        Per slot (NaN or missing when no probability can be given).
    decision : {"winner", "inconclusive", "not_enough_data"}
        The test's outcome (:func:`wxtime.rule.apply_rule`).
    max_loss : float, optional
        The risk accepted (rate units; default :func:`default_max_loss` of the choice's rate).
    leader_rate, deliveries : float
        The choice's rate and a push's typical deliveries (for the cost in opens).
    current : str, optional
        The slot of the latest push (a start from one slot proposes candidates around it).
    hourly : DataFrame, optional
        Hourly reads, for candidates from the account's own reading curve.
    changed : bool
        A change in the audience was detected: exploration at its maximum.
    weekend : dict, optional
        :func:`wxtime.abtest.weekend_check`'s result: weekends get their own choice when
        :func:`day_choices` says so.
    test_days : dict, optional
        Days a deliberate test would take, per feasible design.
    account_kind : {"subscription", "service"} or Account
    start : date, optional
        First day (default tomorrow in Beijing time).
    days : int
        Calendar days covered.
    seed : int
        Seed of the draws (echoed).

    Returns
    -------
    NextStep

    Examples
    --------
    >>> step = operating_schedule(["12:00", "21:00"], choice="12:00", p_best={"12:00": 0.8, "21:00": 0.2},
    ...                           expected_loss={"12:00": 0.001, "21:00": 0.01}, leader_rate=0.07,
    ...                           deliveries=5000, start="2024-09-02", seed=1)
    >>> step.kind, step.probabilities, len(step.schedule)
    ('choose', {'12:00': 0.8, '21:00': 0.2}, 28)
    """
    acct = account(account_kind)
    p_best = dict(p_best or {})
    losses = dict(expected_loss or {})
    first = (
        pd.Timestamp(start).normalize()
        if start is not None
        else pd.Timestamp.now(tz="Asia/Shanghai").tz_localize(None).normalize() + pd.Timedelta(days=1)
    )
    calendar = pd.date_range(first, periods=days, freq="D")
    dates = calendar[:: acct.spacing_days]
    limit = max_loss if max_loss is not None else default_max_loss(leader_rate)
    choice_loss = float(losses.get(choice, np.nan))
    candidates, source, first_look = [], "", None
    slots = list(slots)
    if len(slots) == 1:
        kind = "start"
        current = current or slots[0]
        candidates, source = candidate_slots(current, hourly)
        explore = EXPLORE_MAX
        probabilities = {current: 1 - explore, **{s: explore / len(candidates) for s in candidates}}
        choice = current
        first_look = acct.days_for(int(np.ceil(FIRST_LOOK_PUSHES * len(candidates) / explore)))
    else:
        explore = exploration_share(choice_loss, limit)
        if changed:
            explore = EXPLORE_MAX
        if decision == "winner":
            kind = "push"
        elif np.isfinite(choice_loss) and choice_loss <= limit:
            kind = "choose"
        else:
            kind = "learn"
        probabilities = _probabilities(slots, choice, p_best, explore)
    overall = choice
    if kind != "start":
        choice, on_weekends, gain = day_choices(weekend, choice, limit)
        if on_weekends is not None:
            probabilities = _probabilities(slots, choice, p_best, explore)
    else:
        on_weekends, gain = None, np.nan
    schedule = _draw(probabilities, dates, choice, seed, on_weekends)
    if kind == "start":
        cost = explore * ASSUMED_SHORTFALL * leader_rate * deliveries
    else:
        loss = np.array([losses.get(s, np.nan) for s in probabilities], float)
        share = np.array(list(probabilities.values()), float)
        if on_weekends is not None:
            # Split weeks: each kind of day's own choice is expected to do at least as well as
            # the overall best on its days (that is why it was chosen), so only the days that
            # explore cost anything against it.
            keep = np.array([s not in (choice, on_weekends) for s in probabilities])
            loss, share = loss[keep], share[keep]
        cost = float(np.sum(share * loss) * deliveries) if np.isfinite(loss).all() else np.nan
    return NextStep(
        kind=kind,
        choice=choice,
        probabilities={s: round(float(v), 6) for s, v in probabilities.items()},
        explore_share=float(1 - probabilities[choice]),
        schedule=schedule,
        account=acct,
        start=first.strftime("%Y-%m-%d"),
        days=days,
        seed=seed,
        expected_loss=choice_loss,
        max_loss=float(limit),
        cost_per_push=float(cost),
        deliveries=float(deliveries),
        candidates=candidates,
        candidates_from=source,
        first_look_days=first_look,
        test_days=dict(test_days or {}),
        changed=changed,
        weekend_choice=on_weekends,
        weekend_gain=gain,
        overall=overall,
        metric=metric,
    )
