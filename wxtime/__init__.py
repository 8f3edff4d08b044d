"""wxtime: when should a WeChat official account push?

Models open and read rates by send hour, compares push slots with A/B tests
that treat the push (or the stretch of days, or the day) as the unit, chooses
slots with bandits, and writes the decision as a page a team can share.

Everything loads on first use (``wxtime.decide``, ``wxtime.read``...),
so ``import wxtime`` and ``wxtime --help`` cost almost nothing.
"""

__version__ = "0.1.0"

# Names at the top level, and the module each comes from.
_NAMES = {
    "InputError": "errors",
    "PushDataError": "errors",
    "PushTable": "io.table",
    "read": "io.reader",
    "validate": "io.validation",
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
    "bandits",
    "counts",
    "datasets",
    "decision",
    "i18n",
    "interactive",
    "io",
    "models",
    "notebooks",
    "planning",
    "plots",
    "posterior",
    "rates",
    "report",
    "sequential",
    "simulate",
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
