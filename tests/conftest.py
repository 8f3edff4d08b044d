import importlib.util
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _load_scenarios():
    """The calibration worlds of benchmarks/scenarios.py: written apart from wxtime.simulate."""
    if "scenarios" in sys.modules:
        return sys.modules["scenarios"]
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "scenarios.py"
    spec = importlib.util.spec_from_file_location("scenarios", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scenarios"] = module  # dataclasses look the module up while building Scenario
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def worlds():
    return _load_scenarios()


def world_pushes(worlds, name, seed, **changes):
    """The push table of one world of the independent generator (validated as a user's file is)."""
    import dataclasses

    import wxtime

    scenario = worlds.SCENARIOS[name]
    if changes:
        scenario = dataclasses.replace(scenario, **changes)
    world = worlds.World(scenario, seed)
    return wxtime.validate(world.run()).frame, world


# Fixture generators are data provenance, run by hand; pytest's doctest collection must not import them.
collect_ignore_glob = ["fixtures/*"]
