"""wxtime: when should a WeChat official account push?

Models open and read rates by send hour, compares push slots with A/B tests
that treat the push (or the stretch of days, or the day) as the unit, chooses
slots with bandits, and writes the decision as a page a team can share.

Everything loads on first use (``wxtime.decision``, ``wxtime.read_pushes``...),
so ``import wxtime`` and ``wxtime --help`` cost almost nothing.
"""

__version__ = "0.1.0"

# Names at the top level, and the module each comes from.
_NAMES = {
    "PushDataError": "schema",
    "read_pushes": "schema",
    "validate_pushes": "schema",
    "decide": "decision",
    "explore": "interactive",
    "Audience": "simulate",
    "Study": "simulate",
    "campus_jobs": "simulate",
    "night_owl": "simulate",
    "null_audience": "simulate",
    "simulate_rotation": "simulate",
    "simulate_split": "simulate",
}
_SUBMODULES = (
    "abtest",
    "aggregate",
    "bandits",
    "counts",
    "datasets",
    "decision",
    "fetch",
    "i18n",
    "interactive",
    "loaders",
    "models",
    "notebooks",
    "planning",
    "plots",
    "posterior",
    "rates",
    "report",
    "schema",
    "sequential",
    "simulate",
    "slots",
)


def __getattr__(name):
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'wxtime' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_NAMES, *_SUBMODULES])


__all__ = ["__version__", *_NAMES, *_SUBMODULES]
