"""The posterior against an independent computation of the same model."""

import numpy as np
import pandas as pd
from scipy import stats

import wxtime
from wxtime.models import fit_slot_model
from wxtime.posterior import slot_posterior


def test_tau_s_posterior_matches_a_two_dimensional_quadrature_of_the_model():
    """The between-slot sd's posterior (median, 2.5% and 97.5% points) from wxtime's draws
    equals a brute-force quadrature written here: a fine grid over (tau, sigma^2) of
    p(tau) p(sigma^2 | s^2, df) N(theta_hat | mu 1, diag(tau^2 + sigma^2 c_k)) with mu
    integrated out, p(tau) = tau / (1 + (tau / 0.5)^2) (the module docstring's prior) and
    sigma^2's posterior scaled-inverse-chi-square (SciPy's invgamma(df / 2, df s^2 / 2))."""
    slots = ["07:30", "12:00", "18:00", "21:00", "22:30"]
    effect = dict(zip(slots, [0.0, 0.12, 0.0, 0.05, -0.03]))
    rng = np.random.default_rng(0)
    slot = rng.choice(slots, 150)
    sent = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(150), "D")
    logit = np.log(0.065 / 0.935) + np.array([effect[s] for s in slot]) + rng.normal(0, 0.3, 150)
    opened = rng.binomial(5000, 1 / (1 + np.exp(-logit)))
    table = wxtime.validate(
        pd.DataFrame({"sent_at": sent.strftime("%Y-%m-%d ") + slot, "delivered": 5000, "opened": opened})
    )
    model = fit_slot_model(table)
    assert model.variance_model == "pooled" and np.allclose(model.cov, np.diag(np.diag(model.cov)))
    tau = slot_posterior(model, n_draws=100_000, seed=1).tau

    z, c = model.theta, np.diag(model.cov)
    taus = np.linspace(1e-4, 3.0, 6000)
    s2 = np.linspace(0.4 * model.scale, 2.5 * model.scale, 400)
    T, S = np.meshgrid(taus, s2, indexing="ij")
    V = T[..., None] ** 2 + S[..., None] * c
    a, b = np.sum(1 / V, -1), np.sum(z / V, -1)
    log_lik = -0.5 * (np.sum(np.log(V), -1) + np.log(a) + np.sum(z**2 / V, -1) - b**2 / a)
    log_prior = np.log(T) - np.log1p((T / 0.5) ** 2)
    log_s2 = stats.invgamma.logpdf(s2, a=model.df / 2, scale=model.df * model.scale / 2)
    joint = np.exp(log_lik + log_prior + log_s2[None, :] - (log_lik + log_prior + log_s2[None, :]).max())
    cdf = np.cumsum(np.trapezoid(joint, s2, axis=1))
    cdf /= cdf[-1]
    reference = {
        q: float(np.interp(p, cdf, taus)) for q, p in (("low", 0.025), ("median", 0.5), ("high", 0.975))
    }
    for q, value in reference.items():
        assert abs(tau[q] - value) < 0.05 * value, (q, tau[q], value)
