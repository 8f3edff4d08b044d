"""Replay of past schedules: what another schedule would have achieved on a logged study.

Off-policy evaluation weights each logged push by how much more (or less)
likely the target schedule was to push at that slot than the schedule that
produced the log. That needs the *logging propensities*: the probability the
logged slot had of being chosen that day. They travel with the pushes, as a
column of the push table or a mapping keyed by ``push_id``, never by position
(a re-sorted log would silently pair pushes with other pushes' weights).

* Given propensities must be in (0, 1] and cover every push.
* Without them, a log is accepted only if it looks like a randomised rotation
  with fixed allocation (slots drawn day by day, shares stable over time); its
  propensities are then the observed shares (said in the result). A rotation
  held in stretches (no overlap with other schedules) and an adaptive log
  (allocation drifting as a bandit learns) are refused with the reason.

Estimators: IPS (Horvitz & Thompson 1952), self-normalised IPS (Swaminathan &
Joachims 2015) and, for adaptive targets, the replay method (Li et al. 2011),
which is unbiased only for uniformly randomised logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..counts import counts as resolve_counts
from ..errors import InputError, Problem, PushDataError
from .state import State

__all__ = ["ReplayResult", "logging_propensities", "replay_evaluate"]

ADAPTIVE_P = 0.01  # allocation shares that differ between the log's halves at this level: adaptive


def _adaptive(code: np.ndarray, slots: int) -> float:
    """p-value of 'the allocation did not change between the first and second half of the log'."""
    half = len(code) // 2
    table = np.stack([np.bincount(code[:half], minlength=slots), np.bincount(code[half:], minlength=slots)])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or half < 4:
        return 1.0
    from .._stats import chi2_contingency

    return chi2_contingency(table)[1]


def logging_propensities(pushes: pd.DataFrame, propensities=None, *, source: str | None = None):
    """The logging probability of each push's slot, aligned with the rows of ``pushes``.

    Returns ``(propensities, note)``. Raises PushDataError for bad values and
    ValueError for logs whose propensities cannot be known (see the module docstring).
    """
    source = source or "<pushes>"
    ids = pushes["push_id"].astype(str).to_numpy()
    if propensities is None:
        c = resolve_counts(pushes, "open") if "opened" in pushes.columns else None
        design = c.design if c is not None else "randomized"
        if design != "randomized":
            raise PushDataError(
                source,
                [
                    Problem(
                        None,
                        "slot",
                        f"the log is a {design} rotation: its slots were not drawn at random, so other "
                        "schedules have no overlap with it and cannot be evaluated by weighting; pass "
                        "propensities= if the slots were in fact drawn at random",
                    )
                ],
                line_offset=None,
            )
        codes, uniques = pd.factorize(
            pushes.sort_values("sent_at")["slot"] if "sent_at" in pushes else pushes["slot"]
        )
        p_value = _adaptive(np.asarray(codes), len(uniques))
        if p_value < ADAPTIVE_P:
            raise PushDataError(
                source,
                [
                    Problem(
                        None,
                        "slot",
                        f"the slots' shares changed over the log (chi-square p = {p_value:.2g}), "
                        "as when a bandit chooses the slots: the logging probabilities changed from "
                        "day to day and must be given "
                        "(a propensity column, or a mapping by push_id)",
                    )
                ],
                line_offset=None,
            )
        shares = pushes["slot"].value_counts(normalize=True)
        return pushes["slot"].map(shares).to_numpy(float), (
            "propensities: the observed share of each slot (a randomised rotation with fixed allocation)"
        )
    if isinstance(propensities, str) and propensities == "uniform":
        return np.full(len(pushes), 1.0 / pushes["slot"].nunique()), "propensities: uniform over the slots"
    if isinstance(propensities, str):
        if propensities not in pushes.columns:
            raise PushDataError(
                source,
                [
                    Problem(
                        None,
                        propensities,
                        "is not a column of the log, so the logging probabilities are unknown "
                        f"(columns: {', '.join(map(str, pushes.columns))})",
                    )
                ],
                line_offset=None,
            )
        values = pd.to_numeric(pushes[propensities], errors="coerce").to_numpy(float)
        name, note = propensities, f"propensities: column {propensities!r}"
    elif isinstance(propensities, Mapping):
        lookup = {str(k): v for k, v in propensities.items()}
        missing = [i for i in ids if i not in lookup]
        if missing:
            raise PushDataError(
                source,
                [Problem(None, "push_id", f"no propensity for push(es) {', '.join(missing[:5])}")],
                line_offset=None,
            )
        values = np.array([lookup[i] for i in ids], float)
        name, note = "propensity", "propensities: a mapping by push_id"
    else:
        raise TypeError(
            "propensities travel with the pushes: pass a column name or a mapping by push_id, "
            "not a positional array (a re-sorted log would pair pushes with other pushes' weights)"
        )
    bad = ~(np.isfinite(values) & (values > 0) & (values <= 1))
    if bad.any():
        problems = [
            Problem(int(i) + 1, name, f"{values[i]!r} is not a probability in (0, 1] (push {ids[i]})")
            for i in np.flatnonzero(bad)
        ]
        raise PushDataError(source, problems, line_offset=None)
    return values, note


def _target_distribution(target, order: list) -> dict:
    dist = {target: 1.0} if isinstance(target, str) else {str(k): float(v) for k, v in target.items()}
    missing = set(dist) - set(order)
    if missing:
        raise InputError(f"target slot(s) {', '.join(sorted(missing))} never appear in the log: no overlap")
    if any(v < 0 for v in dist.values()) or not np.isclose(sum(dist.values()), 1.0):
        raise InputError(f"a target distribution's probabilities must be >= 0 and sum to 1 (got {dist})")
    return dist


@dataclass
class ReplayResult:
    """What :func:`replay_evaluate` found.

    Attributes
    ----------
    summary : DataFrame
        One row per estimator: ``estimator, value, se, matched, effective_n``.
    propensities : str
        Where the logging probabilities came from.
    target : str
        The schedule evaluated, as given.
    seed : int
    """

    summary: pd.DataFrame
    propensities: str
    target: str
    seed: int

    def to_dict(self) -> dict:
        from .._display import json_ready

        return json_ready(
            {
                "target": self.target,
                "propensities": self.propensities,
                "seed": self.seed,
                "estimates": self.summary.to_dict(orient="records"),
            }
        )

    def plot(self, ax=None, lang: str = "en"):
        """Each estimate with a 95% interval (1.96 standard errors)."""
        from ..plots import plot_replay

        return plot_replay(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        from .._display import frame_html

        return frame_html(
            self.summary, caption=f"replay of {self.target}: {self.propensities}; seed {self.seed}"
        )


def replay_evaluate(
    pushes,
    target,
    *,
    metric: str = "open",
    propensities=None,
    seed: int = 0,
) -> ReplayResult:
    """Estimate what a different schedule would have achieved, from a logged study.

    Parameters
    ----------
    pushes : PushTable or DataFrame
        The logged push table (one push a day).
    target : str, dict or policy
        A slot (``"20:00"``: always push then), a fixed distribution over slots
        (``{"12:00": 0.5, "21:00": 0.5}``), or an adaptive policy
        (:class:`~wxtime.bandits.Thompson`...), evaluated by the replay method.
    metric : str
    propensities : None, "uniform", str or mapping
        The logging probability of each push's slot: a column name of ``pushes``,
        a mapping ``push_id -> probability``, or ``"uniform"``. None: the table's own
        propensity column when it has one (a schedule's CSV writes it), else see
        :func:`logging_propensities`.
    seed : int
        For adaptive targets.

    Returns
    -------
    ReplayResult
        ``summary`` has one row per estimator (``ips``, ``snips``, ``replay``):
        ``estimator, value`` (the mean per-push rate the target would have had), ``se``,
        ``matched`` (logged pushes the target could have made) and ``effective_n``;
        ``propensities`` says where the weights came from.

    Examples
    --------
    >>> import wxtime
    >>> log = wxtime.simulate_rotation(design="randomized", days=100, seed=4).pushes
    >>> result = replay_evaluate(log, "12:00")
    >>> list(result.summary["estimator"])
    ['ips', 'snips', 'replay']
    """
    from ..io.table import as_table

    table_in = as_table(pushes)
    if propensities is None and table_in.propensities:
        propensities = table_in.propensities
    c = resolve_counts(table_in, metric, design="randomized")
    data = c.frame
    logging_p, note = logging_propensities(data, propensities, source=table_in.source)
    name = (
        target
        if isinstance(target, str)
        else (
            ", ".join(f"{k}={v:g}" for k, v in target.items())
            if isinstance(target, Mapping)
            else getattr(target, "name", str(target))
        )
    )
    order = c.slots
    arms = c.code
    reward = c.successes / c.trials
    n = len(data)
    if isinstance(target, (str, Mapping)):
        dist = _target_distribution(target, order)
        target_p = np.array([dist.get(order[a], 0.0) for a in arms])
        weights = target_p / logging_p
        ips = reward * weights
        snips = ips.sum() / weights.sum()
        linear = weights * (reward - snips)
        matched = int((target_p > 0).sum())
        ess = weights.sum() ** 2 / (weights**2).sum() if (weights > 0).any() else 0.0
        exact = target_p == 1
        table = pd.DataFrame(
            {
                "estimator": ["ips", "snips", "replay"],
                "value": [
                    ips.mean(),
                    snips,
                    reward[exact].mean() if exact.any() else np.nan,
                ],
                "se": [
                    ips.std(ddof=1) / np.sqrt(n),
                    np.sqrt((linear**2).sum()) / weights.sum(),
                    reward[exact].std(ddof=1) / np.sqrt(exact.sum()) if exact.sum() > 1 else np.nan,
                ],
                "matched": [matched, matched, int(exact.sum())],
                "effective_n": [ess, ess, float(exact.sum())],
            }
        )
        return ReplayResult(table, note, name, seed)
    if not np.allclose(logging_p, logging_p[0]):
        raise InputError(
            "the replay method evaluates an adaptive policy only on a uniformly randomised log; "
            "these propensities differ between pushes"
        )
    rng = np.random.default_rng(seed)
    state = State.empty(1, len(order))
    accepted = []
    for t in range(n):
        arm = int(target.choose(state, rng, len(accepted))[0])
        if arm == arms[t]:
            accepted.append(reward[t])
            state.add_sparse(np.array([0]), np.array([arm]), np.array([c.successes[t]]), c.trials[t])
    accepted = np.asarray(accepted)
    table = pd.DataFrame(
        {
            "estimator": ["replay"],
            "value": [accepted.mean() if len(accepted) else np.nan],
            "se": [accepted.std(ddof=1) / np.sqrt(len(accepted)) if len(accepted) > 1 else np.nan],
            "matched": [len(accepted)],
            "effective_n": [float(len(accepted))],
        }
    )
    return ReplayResult(table, note, name, seed)
