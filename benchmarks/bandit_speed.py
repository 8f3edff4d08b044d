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

Usage: .venv/bin/python benchmarks/bandit_speed.py [--replications 4000] [--mab-replications 5] [--repeats 7]
(mabwiser: pip install -e ".[bench]")
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


def kl_bisection(mean, n, log_t, steps=25):
    """The reference KL-UCB index: bisection on (mean, 1), as wxtime computed it before Newton."""
    p = np.clip(mean, 1e-12, 1 - 1e-12)
    low, high = p.copy(), np.ones_like(p)
    for _ in range(steps):
        mid = (low + high) / 2
        kl = p * np.log(p / mid) + (1 - p) * np.log((1 - p) / (1 - mid))
        above = n * kl > log_t
        high = np.where(above, mid, high)
        low = np.where(above, low, mid)
    return low


def time_kl(replications, slots, seed, repeats):
    """Milliseconds per KL-UCB index call on (replications x slots): Newton and bisection, alternating."""
    from wxtime.bandits.policies import kl_ucb_index

    rng = np.random.default_rng(seed)
    mean = rng.uniform(0.01, 0.2, (replications, slots))
    n = rng.uniform(10, 5000, (replications, slots))
    log_t = np.log(120.0)
    newton, bisection = [], []
    for i in range(repeats):
        order = [(kl_ucb_index, newton), (kl_bisection, bisection)]
        for fn, out in order if i % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            fn(mean, n, log_t)
            out.append(1000 * (time.perf_counter() - start))
    same = np.mean(np.argmax(kl_ucb_index(mean, n, log_t), 1) == np.argmax(kl_bisection(mean, n, log_t), 1))
    return newton, bisection, same


def spread(values, digits=1):
    values = np.asarray(values, float)
    return (
        f"median {np.median(values):.{digits}f} (range {values.min():.{digits}f}-{values.max():.{digits}f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4000, help="wxtime replications per run")
    parser.add_argument("--mab-replications", type=int, default=5, help="mabwiser replications (slow)")
    parser.add_argument("--days", type=int, default=120, help="days per replication")
    parser.add_argument("--audience", type=int, default=10_000, help="deliveries per daily push")
    parser.add_argument("--seed", type=int, default=0, help="seed of everything")
    parser.add_argument("--repeats", type=int, default=7, help="alternating runs of wxtime and the bound")
    args = parser.parse_args()
    rates = wxtime.campus_jobs().truth(range(24))["open_rate"].to_numpy()
    # Warm-up: one full-size run of each side, untimed (the first run pays for page faults).
    run_wxtime(rates, args.replications, args.days, args.audience, args.seed)
    numpy_bound(rates, args.replications, args.days, args.audience, args.seed)
    wx_runs, bound_runs, ratios = [], [], []
    for i in range(args.repeats):  # alternate which goes first; the ratio is taken within a pair
        pair = {}
        steps = [("wx", run_wxtime), ("bound", numpy_bound)]
        for name, fn in steps if i % 2 == 0 else steps[::-1]:
            pair[name] = fn(rates, args.replications, args.days, args.audience, args.seed)
        wx_runs.append(pair["wx"])
        bound_runs.append(pair["bound"])
        ratios.append(pair["wx"][0] / pair["bound"][0])
    sim = wx_runs[0][1]
    draws = bound_runs[0][1]
    mab_rate, mab_pcs = run_mabwiser(rates, args.mab_replications, args.days, args.audience, args.seed)
    wx_rates = [r for r, _ in wx_runs]
    print(f"instance: 24 slots x {args.days} days x {args.audience} deliveries, Thompson sampling")
    print(
        f"wxtime:      {spread(wx_rates)} replications/s ({args.replications} replications; "
        f"final PCS {sim.summary['p_correct'].iloc[-1]:.3f})"
    )
    print(
        f"NumPy bound: {spread([r for r, _ in bound_runs])} replications/s "
        f"({draws / args.replications:.0f} Beta draws per replication)"
    )
    print(f"wxtime / bound, run by run: {spread(ratios, 2)}")
    print(f"  ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(
        f"mabwiser:    {mab_rate:.2f} replications/s ({args.mab_replications} replications; "
        f"final PCS {mab_pcs:.2f}); wxtime (median) / mabwiser = {np.median(wx_rates) / mab_rate:.0f}x"
    )
    full = replications_per_second_full_draws(args.replications, args.days, len(rates), args.seed)
    print(f"for reference, NumPy drawing all 24 Betas every day (no pruning): {full:.1f} replications/s")
    newton, bisection, same = time_kl(args.replications, len(rates), args.seed, args.repeats)
    print(
        f"KL-UCB index on {args.replications} x 24: Newton (8 steps) {spread(newton)} ms, "
        f"bisection (25 steps) {spread(bisection)} ms; same choice in {same:.1%} of rows"
    )


if __name__ == "__main__":
    main()
