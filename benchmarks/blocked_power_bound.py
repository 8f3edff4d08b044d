"""How much power can any test have on a blocked rotation? An oracle bound for power_blocked_30.

The world (``benchmarks/scenarios.py``, ``power_blocked_30``): five slots, each held for
7 days, twice (70 pushes); one slot 30% better; article quality log-normal with AR(1)
correlation 0.5 from day to day. wxtime's decision names the better slot as the winner in
about 5% of these studies (``benchmarks/calibration.py``). Is that the test's fault?

The oracle knows what no analyst can: the full 70 x 70 covariance of the push logits
around their true slot means, estimated here from 4,000 worlds of the same scenario with
the truth subtracted. With it, the best linear test is GLS with a known covariance: a
Wald chi-square test that all slots are equal and Holm-adjusted z tests of the leader
against each other slot, the same decision rule as wxtime's but with nothing estimated.
Its power is an upper bound for any test that must estimate the autocorrelation from 70
pushes.

Usage: .venv/bin/python benchmarks/blocked_power_bound.py [--studies 500] [--calibration-worlds 4000]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np
from scipy import special, stats

HERE = Path(__file__).resolve().parent


def _scenarios():
    spec = importlib.util.spec_from_file_location("scenarios", HERE / "scenarios.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["scenarios"] = module
    spec.loader.exec_module(module)
    return module


def world_logits(sc, name: str, seed: int):
    """Push logits in time order, each push's slot index, the true slot logits and the best slot."""
    world = sc.World(name, seed)
    pushes = world.run().sort_values("sent_at")
    y = special.logit((pushes["opened"] + 0.5) / (pushes["delivered"] + 1.0)).to_numpy()
    slot = pushes["slot"].map({s: i for i, s in enumerate(world.slots)}).to_numpy()
    truth = special.logit(world.truth.set_index("slot").loc[world.slots, "rate"].to_numpy())
    return y, slot, truth, world.slots.index(world.best_slot)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="power_blocked_30", help="a power scenario of scenarios.py")
    parser.add_argument("--studies", type=int, default=500, help="studies tested (seeds 10000 on)")
    parser.add_argument(
        "--calibration-worlds", type=int, default=4000, help="worlds for the oracle's covariance"
    )
    parser.add_argument("--alpha", type=float, default=0.05, help="level of the tests")
    args = parser.parse_args()
    sc = _scenarios()
    # The oracle covariance: residuals around the true slot logits, over many worlds.
    residuals = []
    for seed in range(500_000, 500_000 + args.calibration_worlds):
        y, slot, truth, _ = world_logits(sc, args.scenario, seed)
        residuals.append(y - truth[slot])
    residuals = np.array(residuals)
    sigma = np.cov(residuals, rowvar=False)
    precision = np.linalg.inv(sigma)
    lag1 = np.mean([np.corrcoef(r[:-1], r[1:])[0, 1] for r in residuals])
    correct = wrong = 0
    for seed in range(10_000, 10_000 + args.studies):
        y, slot, _, best = world_logits(sc, args.scenario, seed)
        K = slot.max() + 1
        X = np.eye(K)[slot]
        info = X.T @ precision @ X
        cov = np.linalg.inv(info)
        beta = cov @ X.T @ precision @ y
        # Wald test that all slot means are equal (contrasts against the first slot).
        C = np.hstack([-np.ones((K - 1, 1)), np.eye(K - 1)])
        diff = C @ beta
        wald = diff @ np.linalg.solve(C @ cov @ C.T, diff)
        p_omnibus = stats.chi2.sf(wald, K - 1)
        leader = int(np.argmax(beta))
        others = [k for k in range(K) if k != leader]
        se = np.sqrt([cov[leader, leader] + cov[k, k] - 2 * cov[leader, k] for k in others])
        p = np.sort(2 * stats.norm.sf((beta[leader] - beta[others]) / se))
        holm = bool((p < args.alpha / (len(p) - np.arange(len(p)))).all())
        winner = p_omnibus < args.alpha and holm
        correct += winner and leader == best
        wrong += winner and leader != best
    print(
        f"{args.scenario}: oracle GLS (known covariance from {args.calibration_worlds} worlds; mean lag-1 "
        f"residual correlation {lag1:.2f}) names the better slot the winner in "
        f"{correct / args.studies:.1%} of {args.studies} studies (wrong winner {wrong / args.studies:.1%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
