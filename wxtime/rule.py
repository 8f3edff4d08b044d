"""The decision rule, in one place: when do the data name a winner?

A slot is the **winner** when

1. every slot was tried in at least :data:`MIN_UNITS_PER_SLOT` randomised units (a slot
   seen in one stretch is confounded with its time);
2. the unit-level residual rests on at least :data:`MIN_DF` degrees of freedom;
3. the leader (the Bayes choice of :mod:`wxtime.posterior`, or the largest estimate)
   is ahead of every other slot; and
4. each t test of the leader against another slot rejects at ``level`` (two-sided,
   i.e. one-sided at ``level / 2`` in the direction claimed).

Step 4 is an intersection-union test (Berger 1982): the claim "the leader beats every
other slot" is the intersection of the pairwise claims, so each is tested at the full
level with no multiplicity adjustment. The leader is picked from the data, so the
guarantee is not the textbook one; what it costs is measured instead. In the
calibration worlds (``benchmarks/calibration.py``, a generator written apart from
wxtime) a winner is named in at most a few percent of studies where all slots are
equal, and a wrong winner (a slot that is not the best) in well under 1% where one
slot is better. The events "slot *i* beats every other slot" are disjoint, and a false
claim needs the named slot to beat a slot that is in truth at least as good: for a
rival materially better than the named slot that has probability at most ``level / 2``.

The rule is vectorised over replications: the decision (:func:`wxtime.decision.decide`),
the planner's power (:func:`wxtime.planning.decision_power`) and the stopping rule of
the bandits (:func:`wxtime.bandits.stop_check`) all call :func:`apply_rule`.

References
----------
* Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance sampling.
  *Technometrics* 24(4), 295-300 (intersection-union tests).
* Hsu, J. C. (1996). *Multiple Comparisons: Theory and Methods*, ch. 4 (comparisons
  with the best).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["MIN_DF", "MIN_UNITS_PER_SLOT", "RuleResult", "apply_rule", "pairwise_t"]

#: A winner needs at least this many residual degrees of freedom of the unit-level model.
MIN_DF = 3
#: ... and every slot tried in at least this many units (stretches in a blocked rotation).
MIN_UNITS_PER_SLOT = 2


def _contrasts(estimate, variance, df, leader, pooled_df, cov):
    """Differences (leader minus slot), standard errors and df; NaN in the leader's column."""
    estimate = np.atleast_2d(np.asarray(estimate, float))
    R, K = estimate.shape
    variance = np.broadcast_to(np.atleast_2d(np.asarray(variance, float)), (R, K))
    df = np.broadcast_to(np.atleast_2d(np.asarray(df, float)), (R, K))
    lead = np.broadcast_to(np.asarray(leader, dtype=np.int64), (R,))
    rows = np.arange(R)
    difference = estimate[rows, lead][:, None] - estimate
    va = variance[rows, lead][:, None]
    if cov is not None:
        cov = np.asarray(cov, float)
        l0 = int(lead[0])
        total = np.broadcast_to((cov[l0, l0] + np.diag(cov) - 2 * cov[l0, :])[None, :], (R, K))
    else:
        total = va + variance
    with np.errstate(divide="ignore", invalid="ignore"):
        if pooled_df is not None:
            dfc = np.broadcast_to(np.asarray(pooled_df, float).reshape(-1, 1), (R, K)).copy()
        else:
            dfc = total**2 / (va**2 / df[rows, lead][:, None] + variance**2 / df)
        se = np.sqrt(np.maximum(total, 0.0))
    for out in (difference, se, dfc):
        out[rows, lead] = np.nan
    return difference, se, dfc


def _two_sided_p(difference, se, df):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            (se > 0) & (df > 0),
            2 * special.stdtr(np.maximum(np.nan_to_num(df, nan=1.0), 1e-9), -np.abs(difference / se)),
            np.nan,
        )


def pairwise_t(estimate, variance, df, leader, *, pooled_df=None, cov=None):
    """The leader against every slot: differences, standard errors, df and two-sided p-values.

    Parameters
    ----------
    estimate, variance, df : array (R, K) or (K,)
        Each slot's estimate (logit scale), the variance of the estimate and the df that
        variance rests on.
    leader : array (R,) or int
    pooled_df : array (R,), optional
        When given, every contrast uses these df (one pooled variance); otherwise the
        Welch-Satterthwaite df of the two slots' variances.
    cov : array (K, K), optional
        Full covariance of the estimates (a split test's slot effects are correlated);
        only with one replication.

    Returns
    -------
    difference, se, df, p : arrays (R, K), NaN at the leader's own column

    Examples
    --------
    >>> d, se, df, p = pairwise_t([0.3, 0.0], [0.01, 0.01], [20, 20], 0, pooled_df=[40])
    >>> round(float(d[0, 1]), 2), round(float(se[0, 1]), 4), float(df[0, 1]), round(float(p[0, 1]), 4)
    (0.3, 0.1414, 40.0, 0.0401)
    """
    difference, se, dfc = _contrasts(estimate, variance, df, leader, pooled_df, cov)
    return difference, se, dfc, _two_sided_p(difference, se, dfc)


@dataclass(frozen=True)
class RuleResult:
    """Outcome of :func:`apply_rule`, one entry per replication.

    Attributes
    ----------
    decision : ndarray of str
        ``"winner"``, ``"inconclusive"`` (keep learning) or ``"not_enough_data"``.
    reason : ndarray of str
        ``winner``, ``no_residual_df``, ``single_unit_slots``, ``few_df``,
        ``best_not_ahead`` or ``pairwise``.
    leader : ndarray of int
    difference, se, df, p_value : ndarray (R, K)
        The leader against each slot (:func:`pairwise_t`; NaN in the leader's column).
    level : float
    """

    decision: np.ndarray
    reason: np.ndarray
    leader: np.ndarray
    difference: np.ndarray
    se: np.ndarray
    df: np.ndarray
    level: float

    @property
    def p_value(self) -> np.ndarray:
        """Two-sided p-values of the leader against each slot (computed when asked for)."""
        return _two_sided_p(self.difference, self.se, self.df)

    @property
    def winner(self) -> np.ndarray:
        return self.decision == "winner"

    @property
    def p_hardest(self) -> np.ndarray:
        """The largest p-value of the leader's comparisons (1 where none can be computed)."""
        p = self.p_value
        p = np.where(np.isnan(p), -1.0, p)
        hardest = p.max(axis=1)
        return np.where(hardest < 0, 1.0, hardest)


def apply_rule(
    estimate,
    variance,
    df,
    units,
    *,
    residual_df,
    leader=None,
    level: float = 0.05,
    pooled: bool = True,
    cov=None,
    min_units: int = MIN_UNITS_PER_SLOT,
) -> RuleResult:
    """The decision rule (module docstring) on ``R`` studies at once.

    Parameters
    ----------
    estimate, variance, df : array (R, K) or (K,)
        Slot estimates (logit scale), their variances and the df behind them.
    units : array (R, K) or (K,)
        Randomised units per slot.
    residual_df : array (R,) or float
        Degrees of freedom of the unit-level residual.
    leader : array (R,) or int, optional
        The slot the rule is about (default: the largest estimate).
    level : float
        Two-sided level of each pairwise test.
    pooled : bool
        One pooled variance (contrasts on ``residual_df``), or slot-specific variances
        (Welch-Satterthwaite df).
    cov : array (K, K), optional
        Full covariance of the estimates, for one replication.
    min_units : int
        Units every slot needs (step 1). :data:`MIN_UNITS_PER_SLOT` where units can be
        stretches; the bandits' stopping rule, whose units are randomised pushes, uses 1 (a
        slot tried once and far below can be left behind).

    Returns
    -------
    RuleResult

    Examples
    --------
    Two studies of three slots, 20 pushes each; only in the first does the leader stand out:

    >>> est = [[0.30, 0.0, 0.02], [0.05, 0.0, 0.02]]
    >>> out = apply_rule(est, [[0.004] * 3] * 2, [[57] * 3] * 2, [[20] * 3] * 2, residual_df=57)
    >>> out.decision.tolist(), out.reason.tolist()
    (['winner', 'inconclusive'], ['winner', 'pairwise'])
    """
    estimate = np.atleast_2d(np.asarray(estimate, float))
    R, K = estimate.shape
    variance = np.broadcast_to(np.atleast_2d(np.asarray(variance, float)), (R, K))
    df = np.broadcast_to(np.atleast_2d(np.asarray(df, float)), (R, K))
    units = np.broadcast_to(np.atleast_2d(np.asarray(units, float)), (R, K))
    residual = np.broadcast_to(np.asarray(residual_df, float).reshape(-1), (R,))
    lead = np.argmax(estimate, axis=1) if leader is None else np.broadcast_to(np.asarray(leader), (R,))
    difference, se, dfc = _contrasts(estimate, variance, df, lead, residual if pooled else None, cov)
    ahead = np.all(np.isnan(difference) | (difference > 0), axis=1)
    # Each test against its critical value (no tail probabilities on the hot path: the
    # planner and the bandits' stopping rule run this on thousands of studies).
    with np.errstate(divide="ignore", invalid="ignore"):
        if pooled:
            critical = special.stdtrit(np.maximum(residual, 1e-9), 1 - level / 2)[:, None]
        else:
            critical = special.stdtrit(np.maximum(np.nan_to_num(dfc, nan=1.0), 1e-9), 1 - level / 2)
        passed = np.isnan(difference) | ((se > 0) & (difference / se > critical))
    significant = ahead & np.all(passed, axis=1) & ~np.all(np.isnan(difference), axis=1)
    decision = np.full(R, "inconclusive", dtype=object)
    reason = np.full(R, "pairwise", dtype=object)
    won = significant
    decision[won], reason[won] = "winner", "winner"
    behind = ~ahead
    reason[behind] = "best_not_ahead"
    few = residual < MIN_DF
    decision[few], reason[few] = "not_enough_data", "few_df"
    single = units.min(axis=1) < min_units
    decision[single], reason[single] = "inconclusive", "single_unit_slots"
    none = ~(residual > 0)
    decision[none], reason[none] = "not_enough_data", "no_residual_df"
    return RuleResult(
        decision=decision,
        reason=reason,
        leader=np.asarray(lead, dtype=np.int64),
        difference=difference,
        se=se,
        df=dfc,
        level=level,
    )
