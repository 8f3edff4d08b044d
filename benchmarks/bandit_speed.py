"""Speed of wxtime's bandit simulation against mabwiser and against NumPy's own sampling bound.

The instance (issue: bandit analyses): 24 slots, 120 daily batches of 10,000 deliveries,
one slot pushed per day, Bernoulli opens at the campus-jobs audience's true hourly rates
(no content noise, the model reader-level libraries assume), Thompson sampling with a
Beta(1, 1) prior.

* mabwiser: ``MAB(arms, LearningPolicy.ThompsonSampling(), seed=...)``; each day
  ``predict()`` picks the slot, ``partial_fit`` learns the day's 10,000 0/1 rewards (as its
  docs show), one replication after another.
* wxtime: ``wxtime.bandits.simulate(Thompson(dispersion=1.0), ...)``, all replications at
  once.
* NumPy bound: the time NumPy needs to draw the variates wxtime's run actually drew (the
  Beta draws of every day, at the parameters the run saw, and one Binomial per
  replication per day), with nothing else; replications per second at that speed is the
  ceiling for any simulation that needs those draws.

Usage: .venv/bin/python benchmarks/bandit_speed.py [--replications 4000] [--mab-replications 5]
Figures go to benchmarks/README.md by hand; this script prints them.
"""

import argparse
import time

import numpy as np

import wxtime
from wxtime import bandits


class CountingGenerator:
    """Wraps a Generator and records the Beta parameter arrays drawn, to replay them for the bound."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.beta_calls = []
        self.binomial_calls = []

    def beta(self, a, b, size=None):
        self.beta_calls.append((np.array(a, copy=True), np.array(b, copy=True)))
        return self.rng.beta(a, b, size=size)

    def binomial(self, n, p, size=None):
        self.binomial_calls.append((n, np.array(p, copy=True)))
        return self.rng.binomial(n, p, size=size)

    def __getattr__(self, name):
        return getattr(self.rng, name)


def simulate_instance(rates, replications, days, audience, seed):
    """The benchmark instance: reader-level Thompson sampling, Bernoulli opens, no stopping rule."""
    return bandits.simulate(
        bandits.Thompson(dispersion=1.0),
        rates,
        days=days,
        audience_size=audience,
        replications=replications,
        content_sigma=0.0,
        stop_threshold=None,
        seed=seed,
    )


def run_wxtime(rates, replications, days, audience, seed):
    start = time.perf_counter()
    sim = simulate_instance(rates, replications, days, audience, seed)
    return replications / (time.perf_counter() - start), sim


def numpy_bound(rates, replications, days, audience, seed):
    # Record the draws one run needs, then time NumPy making exactly those draws.
    recorder = CountingGenerator(seed)
    original = np.random.default_rng
    np.random.default_rng = lambda *_: recorder
    try:
        simulate_instance(rates, replications, days, audience, seed)
    finally:
        np.random.default_rng = original
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for a, b in recorder.beta_calls:
        rng.beta(a, b)
    for n, p in recorder.binomial_calls:
        rng.binomial(n, p)
    seconds = time.perf_counter() - start
    draws = sum(a.size for a, _ in recorder.beta_calls)
    return replications / seconds, draws


def replications_per_second_full_draws(replications, days, slots, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(100, 2000, (replications, slots))
    b = a * 13
    start = time.perf_counter()
    for _ in range(days):
        rng.beta(a, b)
        rng.binomial(10_000, np.full(replications, 0.07))
    return replications / (time.perf_counter() - start)


def run_mabwiser(rates, replications, days, audience, seed):
    from mabwiser.mab import MAB, LearningPolicy

    arms = list(range(len(rates)))
    rng = np.random.default_rng(seed)
    correct = 0
    start = time.perf_counter()
    for r in range(replications):
        mab = MAB(arms, LearningPolicy.ThompsonSampling(), seed=seed + r)
        # mabwiser needs a first fit before predicting: one delivery per arm, reward 0.
        mab.fit(decisions=arms, rewards=[0] * len(arms))
        for _ in range(days):
            arm = mab.predict()
            rewards = rng.random(audience) < rates[arm]
            mab.partial_fit(decisions=[arm] * audience, rewards=rewards.astype(int))
        correct += mab.predict() == int(np.argmax(rates))
    return replications / (time.perf_counter() - start), correct / replications


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4000)
    parser.add_argument("--mab-replications", type=int, default=5)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--audience", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5, help="best of this many timings (as timeit does)")
    args = parser.parse_args()
    rates = wxtime.campus_jobs().truth(range(24))["open_rate"].to_numpy()
    run_wxtime(rates, 200, args.days, args.audience, args.seed)  # warm-up
    wx_runs = [
        run_wxtime(rates, args.replications, args.days, args.audience, args.seed) for _ in range(args.repeats)
    ]
    wx_rate, sim = max(wx_runs, key=lambda run: run[0])
    bound_runs = [
        numpy_bound(rates, args.replications, args.days, args.audience, args.seed)
        for _ in range(args.repeats)
    ]
    bound_rate, draws = max(bound_runs)
    mab_rate, mab_pcs = run_mabwiser(rates, args.mab_replications, args.days, args.audience, args.seed)
    print(f"instance: 24 slots x {args.days} days x {args.audience} deliveries, Thompson sampling")
    print(
        f"wxtime:    {wx_rate:10.1f} replications/s ({args.replications} replications; "
        f"final PCS {sim.summary['p_correct'].iloc[-1]:.3f})"
    )
    print(
        f"NumPy bound: {bound_rate:8.1f} replications/s "
        f"({draws / args.replications:.0f} Beta draws per replication)"
    )
    print(
        f"mabwiser:  {mab_rate:10.2f} replications/s "
        f"({args.mab_replications} replications; final PCS {mab_pcs:.2f})"
    )
    print(f"wxtime / mabwiser = {wx_rate / mab_rate:.0f}x; wxtime / NumPy bound = {wx_rate / bound_rate:.2f}")
    print(
        f"(best of {args.repeats} timings each for wxtime and the bound; all wxtime runs: "
        f"{', '.join(f'{r:.0f}' for r, _ in wx_runs)}; "
        f"bound runs: {', '.join(f'{r:.0f}' for r, _ in bound_runs)})"
    )
    full = replications_per_second_full_draws(args.replications, args.days, len(rates), args.seed)
    print(f"for reference, NumPy drawing all 24 Betas every day (no pruning): {full:.1f} replications/s")


if __name__ == "__main__":
    main()
