"""Synthetic push studies whose true effects are parameters.

The audience model
------------------
Followers glance at their phones following an **attention curve** ``A(h)``
(a sum of von Mises bumps on the 24-hour circle: waking, lunch break, after
dinner, before sleep, over a small floor). A push sent at hour ``h0`` sits at
the top of the chat list and is gradually **buried** by other messages (time
constant ``burial_hours``). A follower who has not yet opened it opens at
hazard ``lambda * A(h0 + t) * K(t)`` with
``K(t) = exp(-t / burial_hours) + tail_weight * exp(-t / tail_hours)``, so the chance of
opening within the window is::

    p_open(h0) = 1 - exp(-lambda * q * w(day) * (1 - s * crowd(h0)) * I(h0))
    I(h0)      = integral_0^window A(h0 + t) K(t) dt

where ``q`` is the push's **content quality** (log-normal, mean 1, sd of log
``content_sigma``: the dominant source of push-to-push variance in real
accounts), ``w(day)`` a weekday multiplier and ``crowd(h0)`` the
**competition** from other accounts' pushes (a bump around 17:00-20:00,
where most accounts post), which buries a push faster. Opened pushes are
read through with a logit-normal probability (slightly higher in the
evening: "evening pushes suit reading"); readers click and share at fixed
rates.

The **true rate** of a slot is the expectation over content quality
(Gauss-Hermite quadrature) and weekdays (uniform), i.e. what the mean of
many pushes at that slot converges to. Every simulated study carries its seed
and this truth.

Default magnitudes (``campus_jobs()``, computed by :meth:`Audience.truth`):
open rate 7.76% at 12:00; among the seed study's other slots 6.49% at 22:30
(noon +20% over this runner-up), 6.19% at 21:00, 5.70% at 07:30 and 4.53% at
18:00 (the crowded slot); the best other whole hour is 22:00 at 7.26% (+7%);
03:00 gets 2.47%. 98% of a noon push's 72-hour opens arrive within 24 hours.
``night_owl()`` moves the best slot to 22:30.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from .io.times import DEFAULT_TZ, format_slot, parse_slot

__all__ = [
    "Audience",
    "Study",
    "blocked_schedule",
    "campus_jobs",
    "night_owl",
    "null_audience",
    "randomized_schedule",
    "simulate_rotation",
    "simulate_split",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_STEPS_PER_HOUR = 12  # 5-minute grid for the read-curve integrals


def _von_mises(hour, centre, concentration):
    """A bump on the 24-hour circle, 1 at ``centre`` (so 23:00 and 00:00 are neighbours)."""
    return np.exp(concentration * (np.cos(2 * np.pi * (np.asarray(hour) - centre) / 24) - 1))


@dataclass(frozen=True)
class Audience:
    """Parameters of a follower base: when they look, how pushes compete, how content varies.

    All fields are plain numbers or tuples, so an audience is hashable and can
    be changed with :meth:`replace`. See the module docstring for the model.

    Parameters
    ----------
    peaks : tuple of (hour, weight, concentration)
        Attention bumps. Concentration 40 is about +-35 minutes wide, 12 about
        +-1 h.
    floor, floor_daytime : float
        Background attention, and the share of it that follows the day
        (0 makes it flat around the clock).
    open_intensity : float
        ``lambda``: scales every open rate.
    burial_hours : float
        How fast a push sinks in the chat list.
    crowd_peak, crowd_strength, crowd_concentration : float
        Where other accounts' pushes cluster, and how much they bury yours.
    weekday_effect : tuple of 7 floats
        Multipliers on the open intensity, Monday first.
    content_sigma : float
        Standard deviation of log content quality per push.
    read_through, read_through_evening, read_through_sigma : float
        Base read/opened, its logit bump for evening pushes, and its per-push
        logit noise.
    click_rate, share_rate : float
        Clicked/read and shared/read.
    delivery_rate : float
        Delivered / followers.
    window_hours : float
        Opens are counted up to this age.
    tail_weight, tail_hours : float
        A slow second channel (the history page, shares): the hazard kernel is
        ``exp(-t / burial_hours) + tail_weight * exp(-t / tail_hours)``, so
        opens keep arriving for a day or two.
    column_effects : tuple of (name, multiplier)
        Content columns and their effect on content quality.

    Examples
    --------
    >>> audience = campus_jobs()
    >>> truth = audience.truth(["07:30", "12:00", "18:00", "21:00", "22:30"])
    >>> truth.loc[truth["open_rate"].idxmax(), "slot"]
    '12:00'
    >>> audience.replace(peaks=((22.8, 1.0, 30.0),)).best_slot(range(24))
    '22:00'
    """

    name: str = "campus_jobs"
    peaks: tuple = ((7.4, 0.6, 12.0), (12.6, 1.0, 40.0), (20.0, 0.85, 25.0), (22.8, 0.98, 40.0))
    floor: float = 0.04
    floor_daytime: float = 0.7
    open_intensity: float = 0.075
    burial_hours: float = 2.0
    crowd_peak: float = 18.5
    crowd_strength: float = 0.35
    crowd_concentration: float = 12.0
    weekday_effect: tuple = (1.04, 1.03, 1.02, 1.0, 0.97, 0.92, 1.02)
    content_sigma: float = 0.30
    read_through: float = 0.55
    read_through_evening: float = 0.15
    read_through_sigma: float = 0.20
    click_rate: float = 0.08
    share_rate: float = 0.05
    delivery_rate: float = 0.95
    window_hours: float = 72.0
    tail_weight: float = 0.015
    tail_hours: float = 18.0
    column_effects: tuple = (("面经", 1.10), ("内推", 1.05), ("简历", 0.95), ("行业观察", 0.90))

    def replace(self, **changes) -> Audience:
        """A copy with some parameters changed."""
        return dataclasses.replace(self, **changes)

    # -- the deterministic model -------------------------------------------------
    def attention(self, hour) -> np.ndarray:
        """Relative attention of followers at an hour of day (0-24, fractional)."""
        hour = np.asarray(hour, dtype=float)
        total = self.floor * (1 - self.floor_daytime + self.floor_daytime * _von_mises(hour, 14.0, 1.5))
        for centre, weight, concentration in self.peaks:
            total = total + weight * _von_mises(hour, centre, concentration)
        return total

    def crowding(self, hour) -> np.ndarray:
        """Competition from other accounts' pushes, 1 at ``crowd_peak``."""
        return _von_mises(hour, self.crowd_peak, self.crowd_concentration)

    def kernel(self, age) -> np.ndarray:
        """How visible a push still is at ``age`` hours: fast burial plus a slow tail."""
        age = np.asarray(age, dtype=float)
        return np.exp(-age / self.burial_hours) + self.tail_weight * np.exp(-age / self.tail_hours)

    def exposure(self, hour) -> np.ndarray:
        """``(1 - s crowd(h0)) * I(h0)``: the open hazard integrated over the window."""
        return _exposure_table(self)(np.asarray(hour, dtype=float) % 24)

    def open_probability(self, hour, quality=1.0, weekday_multiplier=1.0) -> np.ndarray:
        """Open probability of one push given its content quality and weekday multiplier."""
        rate = self.open_intensity * np.asarray(quality) * np.asarray(weekday_multiplier)
        return -np.expm1(-rate * self.exposure(hour))

    def read_through_logit(self, hour) -> np.ndarray:
        """Logit of the median read-through for a push sent at ``hour``."""
        evening = _von_mises(hour, 21.0, 6.0)
        return logit(self.read_through) + self.read_through_evening * evening

    def read_curve(self, hour, ages) -> np.ndarray:
        """Share of the window's opens that have arrived by each age (hours since the push).

        Exact in the small-rate limit (open probability well under 1), which
        is every realistic open rate.
        """
        hours = np.atleast_1d(np.asarray(hour, dtype=float))
        ages = np.asarray(ages, dtype=float)
        t = np.arange(0, self.window_hours, 1 / _STEPS_PER_HOUR) + 0.5 / _STEPS_PER_HOUR
        density = self.attention(hours[:, None] + t[None, :]) * self.kernel(t)
        cumulative = np.cumsum(density, axis=1)
        cumulative /= cumulative[:, -1:]
        grid = np.concatenate([[0.0], t + 0.5 / _STEPS_PER_HOUR])
        cumulative = np.concatenate([np.zeros((len(hours), 1)), cumulative], axis=1)
        out = np.stack([np.interp(np.minimum(ages, self.window_hours), grid, row) for row in cumulative])
        return out if np.ndim(hour) else out[0]

    # -- truth -------------------------------------------------------------------
    def truth(self, slots) -> pd.DataFrame:
        """True per-slot rates: expectations over content quality and weekdays.

        Returns columns ``slot, slot_hour, open_rate, read_through, read_rate,
        click_rate, share_rate, is_best_open, is_best_read``.
        """
        hours = np.array([parse_slot(s) for s in slots], dtype=float)
        nodes, weights = np.polynomial.hermite_e.hermegauss(40)
        weights = weights / weights.sum()
        quality = np.exp(self.content_sigma * nodes - self.content_sigma**2 / 2)
        weekday = np.asarray(self.weekday_effect, dtype=float)
        p = self.open_probability(hours[:, None, None], quality[None, :, None], weekday[None, None, :])
        open_rate = (p * weights[None, :, None]).sum(axis=1).mean(axis=1)
        rt = (
            expit(self.read_through_logit(hours)[:, None] + self.read_through_sigma * nodes[None, :])
            * weights[None, :]
        ).sum(axis=1)
        frame = pd.DataFrame(
            {
                "slot": [format_slot(h) for h in hours],
                "slot_hour": hours,
                "open_rate": open_rate,
                "read_through": rt,
                "read_rate": open_rate * rt,
                "click_rate": open_rate * rt * self.click_rate,
                "share_rate": open_rate * rt * self.share_rate,
            }
        )
        frame["is_best_open"] = frame["open_rate"] == frame["open_rate"].max()
        frame["is_best_read"] = frame["read_rate"] == frame["read_rate"].max()
        return frame

    def best_slot(self, slots, metric: str = "open_rate") -> str:
        """The slot with the highest true ``metric`` among ``slots``."""
        truth = self.truth(slots)
        return str(truth.loc[truth[metric].idxmax(), "slot"])

    # -- random draws ------------------------------------------------------------
    def draw_counts(self, rng, hours, delivered, weekday, quality_z=None, column_multiplier=1.0):
        """Draw the funnel counts of pushes (any array shape, vectorised).

        Parameters
        ----------
        rng : numpy.random.Generator
        hours, delivered, weekday : array_like
            Send hour, deliveries and weekday (0 = Monday), broadcast together.
        quality_z : array_like, optional
            Standard-normal content draws; pushes sharing one (the same article
            to several groups in a split design) share its quality.
        column_multiplier : array_like
            Content-column effect on quality.

        Returns
        -------
        dict of arrays
            ``opened, read, clicked, shared``, and ``p_open`` (the push's own
            open probability, for checks).
        """
        hours, delivered, weekday = np.broadcast_arrays(
            np.asarray(hours, float), np.asarray(delivered, np.int64), np.asarray(weekday, int)
        )
        if quality_z is None:
            quality_z = rng.standard_normal(hours.shape)
        quality_z = np.broadcast_to(quality_z, hours.shape)
        quality = np.exp(self.content_sigma * quality_z - self.content_sigma**2 / 2)
        quality = quality * np.asarray(column_multiplier, dtype=float)
        multiplier = np.asarray(self.weekday_effect, dtype=float)[weekday]
        p_open = self.open_probability(hours, quality, multiplier)
        opened = rng.binomial(delivered, p_open)
        rt = expit(
            self.read_through_logit(hours) + self.read_through_sigma * rng.standard_normal(hours.shape)
        )
        read = rng.binomial(opened, rt)
        clicked = rng.binomial(read, self.click_rate)
        shared = rng.binomial(read, self.share_rate)
        return {"opened": opened, "read": read, "clicked": clicked, "shared": shared, "p_open": p_open}


@functools.lru_cache(maxsize=64)
def _exposure_table(audience: Audience):
    """Tabulate the exposure integral on a 1-minute grid once per audience; interpolate after."""
    grid = np.arange(0, 24 * 60 + 1) / 60
    t = np.arange(0, audience.window_hours, 1 / _STEPS_PER_HOUR) + 0.5 / _STEPS_PER_HOUR
    kernel = audience.kernel(t) / _STEPS_PER_HOUR
    # Chunked to keep the (minutes x time-steps) matrix small.
    integral = np.concatenate(
        [audience.attention(chunk[:, None] + t[None, :]) @ kernel for chunk in np.array_split(grid, 8)]
    )
    values = (1 - audience.crowd_strength * audience.crowding(grid)) * integral

    def lookup(hour):
        return np.interp(hour, grid, values)

    return lookup


def campus_jobs() -> Audience:
    """The default audience: university students looking for internet jobs (noon is best)."""
    return Audience()


def night_owl() -> Audience:
    """An audience that reads late at night: the true best slot among the seed slots is 22:30.

    Examples
    --------
    >>> night_owl().best_slot(["07:30", "12:00", "18:00", "21:00", "22:30"])
    '22:30'
    """
    return Audience(
        name="night_owl",
        peaks=((8.5, 0.3, 12.0), (12.6, 0.45, 40.0), (20.0, 0.7, 25.0), (23.2, 1.0, 30.0)),
    )


def null_audience(open_rate: float = 0.065, base: Audience | None = None) -> Audience:
    """An audience for which every slot is truly equal (A/A studies).

    Attention is flat around the clock, nobody else's pushes compete, and
    read-through does not depend on the hour; content noise, weekday effects
    and follower growth stay as in ``base`` (default :func:`campus_jobs`), so
    A/A studies are as noisy as real ones.

    Examples
    --------
    >>> truth = null_audience().truth(["07:30", "12:00", "21:00"])
    >>> truth["open_rate"].round(4).tolist()
    [0.065, 0.065, 0.065]
    """
    base = base or campus_jobs()
    flat = base.replace(
        name="null",
        peaks=(),
        floor=1.0,
        floor_daytime=0.0,
        crowd_strength=0.0,
        read_through_evening=0.0,
        open_intensity=1.0,
    )
    # Solve the intensity for the requested mean open rate (expectation over content and weekdays).
    from scipy.optimize import brentq

    def gap(log_intensity):
        return (
            flat.replace(open_intensity=float(np.exp(log_intensity))).truth(["12:00"])["open_rate"].iloc[0]
            - open_rate
        )

    return flat.replace(open_intensity=float(np.exp(brentq(gap, -12, 2))))


# -- schedules ---------------------------------------------------------------------
def blocked_schedule(slots, days_per_slot: int = 7, rounds: int = 1) -> list[str]:
    """Rotation in stretches, as the seed account ran it: each slot kept for a block of days.

    Examples
    --------
    >>> blocked_schedule(["12:00", "21:00"], days_per_slot=2, rounds=2)
    ['12:00', '12:00', '21:00', '21:00', '12:00', '12:00', '21:00', '21:00']
    """
    return [format_slot(parse_slot(s)) for _ in range(rounds) for s in slots for _ in range(days_per_slot)]


def randomized_schedule(slots, days: int, rng) -> list[str]:
    """Daily randomised rotation, balanced: each run of ``len(slots)`` days is a random permutation.

    Examples
    --------
    >>> sorted(randomized_schedule(["12:00", "21:00"], 4, np.random.default_rng(0)))
    ['12:00', '12:00', '21:00', '21:00']
    """
    labels = [format_slot(parse_slot(s)) for s in slots]
    blocks = -(-days // len(labels))
    order = np.concatenate([rng.permutation(len(labels)) for _ in range(blocks)])[:days]
    return [labels[i] for i in order]


# -- studies -----------------------------------------------------------------------
@dataclass
class Study:
    """A simulated study: the push table, the hourly read curves, and the truth behind them.

    Attributes
    ----------
    pushes : DataFrame
        The push table (same columns as the push table of :mod:`wxtime.io.table`).
    curves : DataFrame
        Cumulative opens by age: ``push_id, group, age_hours, opened_cum``.
    truth : DataFrame
        :meth:`Audience.truth` for the study's slots.
    audience : Audience
    design : str
        ``"blocked"``, ``"randomized"`` or ``"split"``.
    seed : int
    """

    pushes: pd.DataFrame
    curves: pd.DataFrame
    truth: pd.DataFrame
    audience: Audience
    design: str
    seed: int
    params: dict = field(default_factory=dict)

    @property
    def summary(self) -> pd.DataFrame:
        """Per slot: pushes, delivered, opened, observed and true open rate."""
        grouped = self.pushes.groupby("slot", sort=True)[["delivered", "opened"]].sum()
        grouped.insert(0, "pushes", self.pushes.groupby("slot").size())
        grouped["open_rate"] = grouped["opened"] / grouped["delivered"]
        truth = self.truth.set_index("slot")["open_rate"].rename("true_open_rate")
        return grouped.join(truth).reset_index()

    def plot(self, ax=None):
        """Observed push open rates by slot over the true curve."""
        from .plots import plot_study

        return plot_study(self, ax=ax)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Simulated {self.design} study</b>, audience <code>{self.audience.name}</code>, "
            f"seed {self.seed}, {len(self.pushes)} pushes</p>"
        )
        return head + self.summary.to_html(index=False, float_format=lambda v: f"{v:.4f}")


def _followers(rng, days: int, start: int, end: int) -> np.ndarray:
    """Follower counts growing geometrically from ``start`` to ``end`` with daily noise."""
    trend = start * (end / start) ** (np.arange(days) / max(days - 1, 1))
    noise = rng.normal(0, 0.004, days).cumsum()
    return np.round(trend * np.exp(noise)).astype(np.int64)


def _assemble(rng, audience, day_index, dates, hours, followers, delivered, quality_z, groups, tz, design):
    weekday = pd.DatetimeIndex(dates).day_of_week.to_numpy()
    names = [c[0] for c in audience.column_effects]
    effects = np.array([c[1] for c in audience.column_effects])
    day_column = rng.integers(0, len(names), size=int(day_index.max()) + 1)
    column = day_column[day_index]
    counts = audience.draw_counts(
        rng, hours, delivered, weekday, quality_z=quality_z, column_multiplier=effects[column]
    )
    jitter = rng.integers(0, 4, size=len(hours))  # schedulers fire within a few minutes
    sent_at = pd.DatetimeIndex(dates).tz_localize(tz) + pd.to_timedelta(
        np.round(hours * 60) + jitter, unit="min"
    )
    frame = pd.DataFrame(
        {
            "push_id": [f"D{d + 1:03d}" for d in day_index],
            "sent_at": sent_at,
            "slot": [format_slot(h) for h in hours],
            "slot_hour": hours,
            "delivered": delivered.astype(np.int64),
            "opened": counts["opened"].astype(np.int64),
            "read": counts["read"].astype(np.int64),
            "clicked": counts["clicked"].astype(np.int64),
            "shared": counts["shared"].astype(np.int64),
        }
    )
    if groups is not None:
        frame["group"] = groups
    frame["title"] = [f"{names[c]} · 第{d + 1}期" for c, d in zip(column, day_index)]
    frame["column"] = [names[c] for c in column]
    frame["position"] = 1
    frame["followers"] = followers.astype(np.int64)

    # Read curves: split each push's opens over 1-hour age bins by the model's
    # arrival density at that send hour (a multinomial, vectorised over pushes).
    ages = np.arange(1, int(audience.window_hours) + 1)
    unique_hours, inverse = np.unique(hours, return_inverse=True)
    share = np.diff(audience.read_curve(unique_hours, np.concatenate([[0], ages])), axis=1)
    share = share / share.sum(axis=1, keepdims=True)
    per_bin = rng.multinomial(frame["opened"].to_numpy(), share[inverse])
    curves = pd.DataFrame(
        {
            "push_id": np.repeat(frame["push_id"].to_numpy(), len(ages)),
            "age_hours": np.tile(ages, len(frame)),
            "opened_cum": np.cumsum(per_bin, axis=1).ravel(),
        }
    )
    if groups is not None:
        curves.insert(1, "group", np.repeat(frame["group"].to_numpy(), len(ages)))
    return frame, curves


def simulate_rotation(
    audience: Audience | None = None,
    slots=("07:30", "12:00", "18:00", "21:00", "22:30"),
    *,
    design: str = "blocked",
    days_per_slot: int = 7,
    rounds: int = 2,
    days: int | None = None,
    start: str = "2024-06-03",
    followers: tuple[int, int] = (3000, 6000),
    tz: str = DEFAULT_TZ,
    seed: int = 0,
) -> Study:
    """Simulate a rotation study: one push a day to the whole audience, the slot changing.

    Parameters
    ----------
    audience : Audience, default :func:`campus_jobs`
    slots : sequence of slot labels or hours
    design : {"blocked", "randomized"}
        ``"blocked"`` keeps each slot for ``days_per_slot`` days, ``rounds``
        times over (the seed account's way); ``"randomized"`` draws the slot
        daily (balanced in runs of ``len(slots)`` days) for ``days`` days.
    days_per_slot, rounds : int
        Blocked design only.
    days : int, optional
        Randomized design: the study length (default ``len(slots) * days_per_slot * rounds``).
    start : str
        First day (a date).
    followers : (int, int)
        Followers on the first and the last day (geometric growth).
    seed : int
        Seeds everything; echoed in the result.

    Examples
    --------
    >>> study = simulate_rotation(seed=1)
    >>> study.pushes.groupby("slot").size().to_dict()
    {'07:30': 14, '12:00': 14, '18:00': 14, '21:00': 14, '22:30': 14}
    >>> simulate_rotation(seed=1).pushes.equals(study.pushes)
    True
    """
    audience = audience or campus_jobs()
    rng = np.random.default_rng(seed)
    if design == "blocked":
        schedule = blocked_schedule(slots, days_per_slot, rounds)
    elif design == "randomized":
        n_days = days or len(slots) * days_per_slot * rounds
        schedule = randomized_schedule(slots, n_days, rng)
    else:
        raise ValueError(f"design must be 'blocked' or 'randomized', not {design!r}")
    n = len(schedule)
    dates = pd.date_range(start, periods=n, freq="D")
    hours = np.array([parse_slot(s) for s in schedule])
    follower_counts = _followers(rng, n, *followers)
    delivered = rng.binomial(follower_counts, audience.delivery_rate)
    frame, curves = _assemble(
        rng, audience, np.arange(n), dates, hours, follower_counts, delivered, None, None, tz, design
    )
    return Study(
        pushes=frame,
        curves=curves,
        truth=audience.truth(sorted(set(schedule), key=parse_slot)),
        audience=audience,
        design=design,
        seed=seed,
        params={
            "slots": list(slots),
            "days_per_slot": days_per_slot,
            "rounds": rounds,
            "days": n,
            "start": start,
            "followers": followers,
        },
    )


def simulate_split(
    audience: Audience | None = None,
    slots=("12:00", "21:00"),
    *,
    days: int = 14,
    start: str = "2024-06-03",
    followers: tuple[int, int] = (3000, 6000),
    tz: str = DEFAULT_TZ,
    seed: int = 0,
) -> Study:
    """Simulate a split-audience study: followers split at random into one group per slot;
    each day the same article goes to every group, each at its own slot.

    Content quality is shared within a day (same article), so days are blocks.

    Examples
    --------
    >>> study = simulate_split(days=3, seed=2)
    >>> study.pushes[["push_id", "group", "slot"]].head(4)
      push_id  group   slot
    0    D001  12:00  12:00
    1    D001  21:00  21:00
    2    D002  12:00  12:00
    3    D002  21:00  21:00
    """
    audience = audience or campus_jobs()
    rng = np.random.default_rng(seed)
    labels = [format_slot(parse_slot(s)) for s in slots]
    k = len(labels)
    dates = pd.date_range(start, periods=days, freq="D")
    follower_counts = _followers(rng, days, *followers)
    delivered_total = rng.binomial(follower_counts, audience.delivery_rate)
    # Random assignment of followers to groups: a multinomial split of each day's deliveries.
    delivered = rng.multinomial(delivered_total, np.full(k, 1 / k)).ravel()
    day_index = np.repeat(np.arange(days), k)
    hours = np.tile([parse_slot(s) for s in labels], days)
    quality_z = np.repeat(rng.standard_normal(days), k)
    frame, curves = _assemble(
        rng,
        audience,
        day_index,
        dates[day_index],
        hours,
        np.repeat(follower_counts, k),
        delivered,
        quality_z,
        np.tile(labels, days),
        tz,
        "split",
    )
    return Study(
        pushes=frame,
        curves=curves,
        truth=audience.truth(labels),
        audience=audience,
        design="split",
        seed=seed,
        params={"slots": labels, "days": days, "start": start, "followers": followers},
    )
