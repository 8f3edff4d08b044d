"""wxtime: when should a WeChat official account push?

Models open and read rates by send hour, compares push slots with A/B tests
that treat the push as the unit, and chooses slots with bandits.
"""

__version__ = "0.1.0"

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

# Analysis modules load on first use (``wxtime.rates``...), so that light tasks such as
# aggregating an event log do not import statsmodels and matplotlib.
_SUBMODULES = (
    "abtest",
    "aggregate",
    "bandits",
    "datasets",
    "loaders",
    "planning",
    "plots",
    "rates",
    "report",
    "schema",
    "simulate",
)


def __getattr__(name):
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'wxtime' has no attribute {name!r}")


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
