"""wxtime: when should a WeChat official account push?

Models open and read rates by send hour, compares push slots with A/B tests
that treat the push as the unit, and chooses slots with bandits.
"""

__version__ = "0.1.0"

from . import abtest, bandits, datasets, planning, plots, rates, report, schema, simulate
from .schema import PushDataError, read_pushes, validate_pushes
from .simulate import (
    Audience,
    Study,
    campus_jobs,
    night_owl,
    null_audience,
    simulate_rotation,
    simulate_split,
)

__all__ = [
    "Audience",
    "PushDataError",
    "Study",
    "__version__",
    "abtest",
    "bandits",
    "campus_jobs",
    "datasets",
    "night_owl",
    "null_audience",
    "planning",
    "plots",
    "rates",
    "read_pushes",
    "report",
    "schema",
    "simulate",
    "simulate_rotation",
    "simulate_split",
    "validate_pushes",
]
