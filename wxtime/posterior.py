"""The one posterior: P(best), shrunk rates, expected loss and their intervals.

Every probability wxtime reports about slots comes from :func:`slot_posterior`,
computed from a :class:`wxtime.models.SlotModel` (so it carries the design: the
stretch as the unit of a blocked rotation, day blocks in a split test).

The model (hierarchical normal, on the logit scale)
---------------------------------------------------
* slot estimates ``theta_hat ~ N(theta, Sigma)``, ``Sigma`` the model's covariance:
  ``sigma^2 * cov`` with one pooled variance, or ``diag(sigma_k^2 * cov_kk)``
  with slot-specific variances;
* the residual variances are uncertain: ``sigma^2 ~ df * s^2 / chi2(df)`` (the
  posterior of a variance under the usual ``1/sigma^2`` prior), per slot with
  their own df when the variances are slot-specific;
* slot effects are exchangeable: ``theta_k ~ N(mu, tau^2)``, ``mu`` flat, and
  the between-slot spread ``tau`` with density ``p(tau) ∝ tau / (1 + (tau /
  prior_scale)^2)``: a half-Cauchy with scale ``prior_scale`` (0.5 on the logit
  scale: a factor of about 1.6 between a typical good and a typical bad slot;
  Gelman 2006) times ``tau``, the boundary-avoiding factor of a gamma(2) prior
  (Chung et al. 2013). Without it the posterior of ``tau`` piles up near 0 when
  one slot is better and the rest are tied, and shrinks that slot most of the way
  back to the others: the expected loss came out at about half the realised loss.

``mu`` and ``theta`` are integrated analytically; ``tau`` on a grid; the
variances by draws weighted by the marginal likelihood of ``theta_hat``
(importance sampling), so the uncertainty of both the between-slot spread and
the dispersion reaches every number. Draws of ``theta`` are turned into rates
by :meth:`wxtime.models.SlotModel.rate` (the average rate of a push at that
slot over the study's observed content), and every summary is a functional of
those draws: P(best) = share of draws in which a slot has the highest rate;
expected loss = E[max rate] - E[rate of the slot]; the best slot is the one
with the smallest expected loss (the largest posterior mean).

Calibration, measured (``benchmarks/calibration.py``; ``benchmarks/README.md``)
-------------------------------------------------------------------------------
On the calibration's 37 worlds (500 studies each, seeds 10000-10499), the mean expected
loss over the mean realised loss went from 0.52-0.60 (half-Cauchy alone) to 0.67-0.97
where one slot is better and the others tied, and is 1.06-1.14 where effects are spread
out; it stays too high (1.3-1.7) where the losers' data are thin (split tests,
Thompson-sampled logs, stretches of independent days, operating years). P(best) >= 0.95
was right in 945 of 952 studies of stable power worlds; per decile, P(best) is still
under-confident where one slot is better and the others tied (up to 0.42 below the
share right). Tried and rejected: Student-t
priors on the effects (3 and 1 df: no change beyond 0.05), a spike-and-slab prior (a
share of slots exactly at the common level; Mitchell & Beauchamp 1988: loss 0.28-0.81 of
the realised; both on 4,500 studies), a floor on ``tau`` (0.05: 0.56-0.96) and no
pooling (a flat prior on the effects: 0.67-1.94, and P(best) no better; both on 13
worlds x 200 studies).

References
----------
* Mitchell, T. J. & Beauchamp, J. J. (1988). Bayesian variable selection in linear
  regression. *JASA* 83, 1023-1032 (the spike-and-slab prior that was tried).
* Gelman, A. (2006). Prior distributions for variance parameters in hierarchical
  models. *Bayesian Analysis* 1(3), 515-534.
* Chung, Y., Rabe-Hesketh, S., Dorie, V., Gelman, A. & Liu, J. (2013). A
  nondegenerate penalized likelihood estimator for variance parameters in multilevel
  models. *Psychometrika* 78(4), 685-709.
* Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., ch. 5 (the
  hierarchical normal model and its marginal posterior of tau).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from . import _stats
from .errors import InputError
from .models import SlotModel

__all__ = ["SlotPosterior", "slot_posterior"]

_VARIANCE_STRATA = 64  # quantiles of a pooled variance's posterior
_VARIANCE_PROPOSALS = 768  # draws of slot-specific variances, weighted by the likelihood


@dataclass
class SlotPosterior:
    """Posterior of the slots' rates.

    Attributes
    ----------
    summary : DataFrame
        One row per slot: ``slot, pushes, units, rate, ci_low, ci_high`` (the
        slot's own estimate with a t interval on its df), ``rate_shrunk,
        shrunk_low, shrunk_high`` (posterior mean and equal-tailed interval),
        ``p_best, expected_loss`` (rate units). NaN where ``available`` is False.
    draws : ndarray (n_draws, slots)
        Posterior draws of the rates.
    best_slot, runner_up : str
        Smallest and second-smallest expected loss.
    lift : dict
        ``mean, low, high``: the best slot's rate over the runner-up's, minus 1.
    tau : dict
        Posterior median and interval of the between-slot sd (logit scale).
    available : bool
        False when the model has no residual degrees of freedom (e.g. every slot
        tried in a single stretch): the data then say nothing about noise, and no
        probability can honestly be given.
    level, n_draws, seed, prior_scale, metric
    """

    summary: pd.DataFrame
    draws: np.ndarray
    best_slot: str
    runner_up: str | None
    lift: dict
    tau: dict
    available: bool
    level: float
    n_draws: int
    seed: int
    prior_scale: float
    metric: str
    notes: list = field(default_factory=list)

    def p_best(self, slot: str) -> float:
        return float(self.summary.set_index("slot").loc[slot, "p_best"])

    def plot(self, ax=None, lang: str = "en"):
        """Posterior densities of the slots' rates (from the draws)."""
        from .plots import plot_posteriors

        return plot_posteriors(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        from ._display import frame_html

        return frame_html(self.summary, caption=f"posterior ({self.metric}); seed {self.seed}")


def _unavailable(model: SlotModel, level, n_draws, seed, prior_scale, reason: str) -> SlotPosterior:
    rates = model.rate(model.theta)
    order = np.argsort(-rates, kind="stable")
    nan = np.full(len(rates), np.nan)
    summary = _table(model, rates, nan, nan, nan, nan, nan, nan, nan)
    return SlotPosterior(
        summary=summary,
        draws=np.empty((0, len(rates))),
        best_slot=model.slots[order[0]],
        runner_up=model.slots[order[1]] if len(order) > 1 else None,
        lift={"mean": float(rates[order[0]] / rates[order[1]] - 1), "low": np.nan, "high": np.nan},
        tau={"median": np.nan, "low": np.nan, "high": np.nan},
        available=False,
        level=level,
        n_draws=0,
        seed=seed,
        prior_scale=prior_scale,
        metric=model.counts.metric,
        notes=[reason],
    )


def _table(model, rate, low, high, shrunk, shrunk_low, shrunk_high, p_best, loss) -> pd.DataFrame:
    c = model.counts
    return pd.DataFrame(
        {
            "slot": model.slots,
            "pushes": c.pushes_per_slot,
            "units": c.units_per_slot,
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
            "rate_shrunk": shrunk,
            "shrunk_low": shrunk_low,
            "shrunk_high": shrunk_high,
            "p_best": p_best,
            "expected_loss": loss,
        }
    )


def _own_interval(model: SlotModel, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Each slot's own (unshrunk) interval for its mean rate: t on the slot's df."""
    quantile = _stats.t_ppf(0.5 + level / 2, np.maximum(model.slot_df, 1e-9))
    if model.variance_model == "pooled":
        if model.identified_level:
            se = np.sqrt(model.slot_var)
        else:  # the level's uncertainty too (its df are fewer: the days), conservatively on them
            se = np.sqrt(model.slot_var + model.level_var)
            quantile = _stats.t_ppf(0.5 + level / 2, max(model.level_df, 1.0))
        return model.rate(model.theta - quantile * se), model.rate(model.theta + quantile * se)
    location, se = model.mean_logit, np.sqrt(model.mean_logit_var)
    return special.expit(location - quantile * se), special.expit(location + quantile * se)


def _log_likelihood(z, u, data_var, tau2, identified_level):
    """log p(theta_hat | tau, variances) with mu integrated out, in the eigenbasis of cov.

    ``z``: coordinates of theta_hat (K,); ``u``: of the ones vector; ``data_var``:
    (M, K) data variances per coordinate; ``tau2``: (T,) grid. Returns (M, T).
    """
    V = tau2[None, :, None] + data_var[:, None, :]
    log_det = np.log(V).sum(axis=2)
    c = np.sum(z**2 / V, axis=2)
    if not identified_level:
        return -0.5 * (log_det + c)
    a = np.sum(u**2 / V, axis=2)
    b = np.sum(u * z / V, axis=2)
    return -0.5 * (log_det + np.log(a) + c - b**2 / a)


def slot_posterior(
    model: SlotModel,
    *,
    level: float = 0.95,
    n_draws: int = 10_000,
    seed=0,
    prior_scale: float = 0.5,
) -> SlotPosterior:
    """Posterior of the slots' rates under the hierarchical model (see the module docstring).

    Parameters
    ----------
    model : SlotModel
        From :func:`wxtime.models.fit_slot_model`.
    level : float
        Level of the intervals (``ci_*`` and ``shrunk_*``).
    n_draws : int
        Posterior draws (the Monte Carlo error of P(best) is at most
        ``0.5 / sqrt(n_draws)``).
    seed : int or numpy Generator
        Echoed in the result (as given).
    prior_scale : float
        Scale of the half-Cauchy prior on the between-slot sd (logit scale).

    Returns
    -------
    SlotPosterior

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> from wxtime.models import fit_slot_model
    >>> post = slot_posterior(fit_slot_model(load_noon_study()), seed=1)
    >>> post.best_slot, post.runner_up
    ('12:00', '21:00')
    >>> bool(post.summary["p_best"].sum().round(6) == 1)
    True
    """
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}")
    K = len(model.theta)
    if not model.df > 0 or not np.isfinite(model.scale):
        return _unavailable(
            model,
            level,
            n_draws,
            seed,
            prior_scale,
            "no residual degrees of freedom: every slot was tried in one unit "
            f"({model.counts.unit_kind}), so slot and time cannot be separated",
        )
    if not model.scale > 0:
        return _unavailable(
            model, level, n_draws, seed, prior_scale, "the units fit their slots exactly: no noise estimate"
        )
    rng = np.random.default_rng(seed)
    if model.variance_model == "pooled":
        # Slot effects with one pooled variance: rates standardised over the study's content.
        # The variance is one number, so its posterior is covered by stratified quantiles.
        estimate, mapping = model.theta, model.rate
        diagonal = np.allclose(model.cov, np.diag(np.diag(model.cov)))
        lam, Q = (np.diag(model.cov).copy(), np.eye(K)) if diagonal else np.linalg.eigh(model.cov)
        strata = (np.arange(_VARIANCE_STRATA) + 0.5) / _VARIANCE_STRATA
        sigma2 = model.df * model.scale / _stats.chi2_ppf(strata, model.df)
        data_var = sigma2[:, None] * lam[None, :]
    else:
        # Slot-specific spreads: the exchangeable quantity is each slot's mean rate (its logit,
        # with Cox's variance); a noisy slot is not promoted for its spread.
        estimate, mapping = model.mean_logit, special.expit
        lam, Q = model.mean_logit_var.copy(), np.eye(K)
        data_var = lam[None, :] * model.slot_df / rng.chisquare(model.slot_df, (_VARIANCE_PROPOSALS, K))
    proposals = len(data_var)
    keep = lam > 1e-10 * lam.max()
    z = Q.T @ estimate
    u = Q.T @ np.ones(K)
    if not model.identified_level:
        z, u, data_var, Q = z[keep], u[keep], data_var[:, keep], Q[:, keep]
    spread = max(float(np.std(estimate)), float(np.sqrt(np.median(data_var))), 1e-3)
    # Far enough for the upper tail: with the factor tau the posterior falls off about as
    # tau^-K, so 5 x the spread (the old bound) cut a few per cent of it.
    tau = np.linspace(0.0, 20 * spread, 241)[1:]
    # Half-Cauchy times tau: the boundary-avoiding factor of Chung et al. (2013).
    log_prior = np.log(tau) - (np.log1p((tau / prior_scale) ** 2) if np.isfinite(prior_scale) else 0.0)
    log_post = np.empty((proposals, len(tau)))
    for start in range(0, proposals, 256):
        rows = slice(start, start + 256)
        log_post[rows] = (
            _log_likelihood(z, u, data_var[rows], tau**2, model.identified_level) + log_prior[None, :]
        )
    # Joint draws of (variance proposal, tau) from the discrete posterior, tau jittered within
    # its grid cell.
    joint = np.exp(log_post - log_post.max()).ravel()
    cell = rng.choice(joint.size, size=n_draws, p=joint / joint.sum())
    chosen, tau_index = np.divmod(cell, len(tau))
    step = tau[1] - tau[0]
    tau2 = np.clip(tau[tau_index] + step * (rng.random(n_draws) - 0.5), 0.0, None) ** 2
    D = data_var[chosen]
    V = tau2[:, None] + D
    shrink = np.divide(D, V, out=np.ones_like(D), where=V > 0)  # B = D / (tau^2 + D)
    if model.identified_level:
        a = np.sum(u**2 / V, axis=1)
        mu = np.sum(u * z / V, axis=1) / a + rng.standard_normal(n_draws) / np.sqrt(a)
        centre = mu[:, None] * u[None, :]
    else:
        centre = np.zeros_like(D)
    eta = centre + (1 - shrink) * (z[None, :] - centre)
    eta = eta + np.sqrt((1 - shrink) * D) * rng.standard_normal(eta.shape)
    theta = eta @ Q.T
    if not model.identified_level:
        # Split designs: the slots' common level is the mean of the sampled days' articles.
        shift = np.sqrt(model.level_var) * rng.standard_t(max(model.level_df, 1.0), n_draws)
        theta = theta + estimate.mean() + shift[:, None]
    draws = mapping(theta)
    mean = draws.mean(axis=0)
    alpha = 1 - level
    order = np.argsort(-mean, kind="stable")
    best, runner = order[0], order[1] if K > 1 else None
    p_best = np.bincount(draws.argmax(axis=1), minlength=K) / n_draws
    loss = np.maximum(draws.max(axis=1).mean() - mean, 0.0)
    low, high = _own_interval(model, level)
    summary = _table(
        model,
        model.rate(model.theta),
        low,
        high,
        mean,
        np.quantile(draws, alpha / 2, axis=0),
        np.quantile(draws, 1 - alpha / 2, axis=0),
        p_best,
        loss,
    )
    lift = {"mean": np.nan, "low": np.nan, "high": np.nan}
    if runner is not None:
        ratio = draws[:, best] / draws[:, runner] - 1
        lift = {
            "mean": float(ratio.mean()),
            "low": float(np.quantile(ratio, alpha / 2)),
            "high": float(np.quantile(ratio, 1 - alpha / 2)),
        }
    tau_draws = np.sqrt(tau2)
    return SlotPosterior(
        summary=summary,
        draws=draws,
        best_slot=model.slots[best],
        runner_up=model.slots[runner] if runner is not None else None,
        lift=lift,
        tau={
            "median": float(np.median(tau_draws)),
            "low": float(np.quantile(tau_draws, alpha / 2)),
            "high": float(np.quantile(tau_draws, 1 - alpha / 2)),
        },
        available=True,
        level=level,
        n_draws=n_draws,
        seed=seed if isinstance(seed, (int, np.integer)) else None,
        prior_scale=prior_scale,
        metric=model.counts.metric,
    )
