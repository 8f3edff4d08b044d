"""Bandits for push slots: adaptive allocation, strategy comparison by simulation, replay of past schedules.

========================  ============================================================
module                    what it holds
========================  ============================================================
``bandits.policies``      the :class:`Policy` protocol, the policies and their registry
``bandits.engine``        :func:`simulate`: many replications at once, delayed batches
``bandits.stopping``      :func:`stop_check`: the one stopping rule (advisor and engine)
``bandits.advisor``       :func:`recommend`: tomorrow's slot from the pushes so far
``bandits.replay``        :func:`replay_evaluate`: off-policy evaluation of a logged study
========================  ============================================================

Overdispersion
--------------
A push is one draw of its slot's rate times that day's content quality, so
10,000 deliveries of one push are worth far fewer than 10,000 independent
readers. With ``dispersion="estimate"`` a policy's Beta posterior uses
*effective* counts (successes and trials divided by each slot's dispersion,
see :meth:`State.dispersion`); ``dispersion=1.0`` is the reader-level
Beta-Bernoulli model (right only when pushes vary binomially).
"""

from .advisor import Recommendation, recommend
from .engine import BanditSimulation, simulate
from .policies import (
    POLICIES,
    UCB,
    EpsilonGreedy,
    ExplorationSampling,
    ExploreFocus,
    Policy,
    Rotation,
    Thompson,
    TopTwoThompson,
    make_policy,
    register,
)
from .replay import logging_propensities, replay_evaluate
from .state import State
from .stopping import StopCheck, stop_check

__all__ = [
    "POLICIES",
    "UCB",
    "BanditSimulation",
    "EpsilonGreedy",
    "ExplorationSampling",
    "ExploreFocus",
    "Policy",
    "Recommendation",
    "Rotation",
    "State",
    "StopCheck",
    "Thompson",
    "TopTwoThompson",
    "logging_propensities",
    "make_policy",
    "recommend",
    "register",
    "replay_evaluate",
    "simulate",
    "stop_check",
]
