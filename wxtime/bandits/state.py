"""Sufficient statistics of a bandit study, per replication x slot, and the policies' posteriors."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["State", "beta_posterior", "push_logits"]


def push_logits(opened, delivered) -> tuple[np.ndarray, np.ndarray]:
    """Empirical logit of each push's rate and its binomial variance (as in :mod:`wxtime.models`)."""
    s = np.asarray(opened, float)
    n = np.asarray(delivered, float)
    return np.log((s + 0.5) / (n - s + 0.5)), 1 / (s + 0.5) + 1 / (n - s + 0.5)


@dataclass
class State:
    """Counts per replication x slot, updated as pushes come in.

    ``successes, trials, pushes`` feed the policies' Beta posteriors; ``square``
    (sum of y^2/n) their dispersion; ``logit_sum, logit_square`` (sums of the
    pushes' empirical logits and their squares) the stopping rule.
    """

    successes: np.ndarray
    trials: np.ndarray
    pushes: np.ndarray
    square: np.ndarray
    logit_sum: np.ndarray
    logit_square: np.ndarray
    version: int = 0
    cache: dict = field(default_factory=dict)

    @classmethod
    def empty(cls, replications: int, slots: int) -> State:
        z = np.zeros((replications, slots))
        return cls(*(z.copy() for _ in range(6)))

    @property
    def shape(self) -> tuple[int, int]:
        return self.trials.shape

    def _touch(self) -> None:
        self.version += 1
        self.cache.clear()

    def add(self, successes: np.ndarray, trials: np.ndarray, pushed: np.ndarray) -> None:
        """Add one day's (R, S) counts (split designs); ``pushed`` marks slots that got a push."""
        self._touch()
        self.successes += successes
        self.trials += trials
        self.pushes += pushed
        with np.errstate(divide="ignore", invalid="ignore"):
            self.square += np.where(trials > 0, successes**2 / np.maximum(trials, 1), 0.0)
        y, _ = push_logits(successes, np.maximum(trials, 1))
        on = pushed > 0
        self.logit_sum += np.where(on, y, 0.0)
        self.logit_square += np.where(on, y**2, 0.0)

    def add_sparse(self, rows: np.ndarray, arm: np.ndarray, opened: np.ndarray, delivered) -> None:
        """Add one push per replication (rotation): slot ``arm[r]`` got ``opened[r]`` of ``delivered``."""
        self._touch()
        delivered = np.broadcast_to(np.asarray(delivered, float), opened.shape)
        self.successes[rows, arm] += opened
        self.trials[rows, arm] += delivered
        self.pushes[rows, arm] += 1
        self.square[rows, arm] += opened.astype(float) ** 2 / delivered
        y, _ = push_logits(opened, delivered)
        self.logit_sum[rows, arm] += y
        self.logit_square[rows, arm] += y**2

    def mean_and_sd(self, a, b):
        """Posterior mean and sd of Beta(a, b), cached with the posterior."""
        key = ("moments", id(a))
        if key not in self.cache:
            total = a + b
            mean = a / total
            # In place: these run on every cell every simulated day.
            sd = np.subtract(1.0, mean)
            sd *= mean
            total += 1.0
            sd /= total
            np.sqrt(sd, out=sd)
            self.cache[key] = (mean, sd)
        return self.cache[key]

    def dispersion(self, initial: float) -> np.ndarray:
        """Per-slot dispersion (R, S) under multiplicative content noise, floored at 1.

        A push's rate is its slot's rate times a content factor with squared
        coefficient of variation ``c2``, so its variance is
        ``p (1 - p) / n + c2 p^2`` and the slot's dispersion is
        ``phi_s = 1 + c2 p_s n_s / (1 - p_s)`` with ``n_s`` the mean deliveries per
        push. ``c2`` is pooled over slots (the noise is the account's). ``initial``
        is used until three pushes' worth of residual df exist. Cached per update.
        """
        key = ("dispersion", initial)
        if key in self.cache:
            return self.cache[key]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(self.trials > 0, self.successes / np.maximum(self.trials, 1), 0.0)
            mean_n = np.where(self.pushes > 0, self.trials / np.maximum(self.pushes, 1), 0.0)
            spread = self.square - rate * self.successes
            excess = spread - np.maximum(self.pushes - 1, 0) * rate * (1 - rate)
            scale = np.maximum(self.pushes - 1, 0) * rate**2 * mean_n
            scale_total = scale.sum(axis=1)
            c2 = np.maximum(excess.sum(axis=1), 0) / np.where(scale_total > 0, scale_total, np.inf)
            phi = 1 + c2[:, None] * rate * mean_n / np.maximum(1 - rate, 1e-9)
        df = self.pushes.sum(axis=1) - (self.pushes > 0).sum(axis=1)
        phi = np.maximum(np.where(df[:, None] >= 3, phi, initial), 1.0)
        self.cache[key] = phi
        return phi


def beta_posterior(state: State, prior, dispersion, initial_dispersion):
    """Beta posterior ``(a, b)`` of each slot's rate on effective counts (counts / dispersion), cached."""
    key = ("posterior", tuple(prior), dispersion, initial_dispersion)
    if key not in state.cache:
        if dispersion == "estimate":
            phi = state.dispersion(initial_dispersion)
        else:
            phi = float(dispersion)
        if isinstance(phi, float) and phi == 1.0:  # reader-level: skip two passes over the arrays
            posterior = prior[0] + state.successes, prior[1] + (state.trials - state.successes)
        else:
            posterior = (
                prior[0] + state.successes / phi,
                prior[1] + (state.trials - state.successes) / phi,
            )
        state.cache[key] = posterior
    return state.cache[key]
