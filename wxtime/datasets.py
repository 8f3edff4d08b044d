"""Data sets shipped with wxtime, and the command that regenerates the synthetic one.

========================= =====================================================
loader                    what
========================= =====================================================
:func:`load_noon_study`   replica of the seed account's rotation study (synthetic)
:func:`load_noon_curves`  its cumulative opens by hours since each push
:func:`load_noon_truth`   the true per-slot rates the replica was drawn from
:func:`load_facebook_metrics`  500 real Facebook posts of a cosmetics brand (2014)
========================= =====================================================

The files live in the repository's ``data/`` folder (``data/README.md`` has
their provenance); ``WXTIME_DATA`` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .io.files import atomic_write
from .simulate import Study, campus_jobs, simulate_rotation

__all__ = [
    "NOON_STUDY_SEED",
    "data_dir",
    "load_facebook_metrics",
    "load_noon_curves",
    "load_noon_study",
    "load_noon_truth",
    "make_noon_study",
    "write_study",
]

#: Seed of the shipped replica: the study's start date, fixed before the data
#: were first drawn (not searched for).
NOON_STUDY_SEED = 20240603
NOON_STUDY_SLOTS = ("07:30", "12:00", "18:00", "21:00", "22:30")


def data_dir() -> Path:
    """The folder holding the shipped data (``$WXTIME_DATA`` or the repository's ``data/``)."""
    env = os.environ.get("WXTIME_DATA")
    if env:
        return Path(env)
    for candidate in (Path(__file__).parent / "_data", Path(__file__).resolve().parents[1] / "data"):
        if (candidate / "noon_study.csv").exists():
            return candidate
    raise FileNotFoundError(
        "wxtime's data folder was not found; set WXTIME_DATA to the repository's data/ folder"
    )


def make_noon_study(seed: int = NOON_STUDY_SEED) -> Study:
    """Simulate the replica of the seed account's study.

    Five slots (07:30, 12:00, 18:00, 21:00, 22:30), each kept for a week, the
    whole rotation run twice (70 days from 2024-06-03), 3,000 followers
    growing to 6,000, campus-jobs audience (:func:`wxtime.simulate.campus_jobs`).

    Examples
    --------
    >>> study = make_noon_study()
    >>> study.seed, len(study.pushes)
    (20240603, 70)
    """
    return simulate_rotation(
        campus_jobs(),
        NOON_STUDY_SLOTS,
        design="blocked",
        days_per_slot=7,
        rounds=2,
        start="2024-06-03",
        followers=(3000, 6000),
        seed=seed,
    )


_PUSH_COLUMNS = [
    "push_id",
    "sent_at",
    "slot",
    "delivered",
    "opened",
    "read",
    "clicked",
    "shared",
    "title",
    "column",
    "position",
    "followers",
]


def write_study(study: Study, directory: str | os.PathLike, name: str = "noon_study") -> list[Path]:
    """Write a study as ``NAME.csv`` (pushes), ``NAME_curves.csv`` and ``NAME_truth.csv``.

    Each file is written to a temporary file and renamed, so an interrupted
    run leaves the previous files intact.
    """
    directory = Path(directory)
    pushes = study.pushes.copy()
    pushes["sent_at"] = (
        pushes["sent_at"]
        .dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        .str.replace(r"(\d{2})(\d{2})$", r"\1:\2", regex=True)
    )
    columns = [c for c in _PUSH_COLUMNS if c in pushes.columns]
    if "group" in pushes.columns:
        columns.insert(1, "group")
    truth = study.truth.drop(columns=["is_best_open", "is_best_read"])
    outputs = {
        directory / f"{name}.csv": pushes[columns].to_csv(index=False, lineterminator="\n"),
        directory / f"{name}_curves.csv": study.curves.to_csv(index=False, lineterminator="\n"),
        directory / f"{name}_truth.csv": truth.to_csv(index=False, float_format="%.6f", lineterminator="\n"),
    }
    for path, text in outputs.items():
        with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    return list(outputs)


def load_noon_study():
    """The replica rotation study as a push table (70 pushes, 5 slots), with its read curves.

    Synthetic: drawn by :func:`make_noon_study` (seed 20240603) to resemble the
    campus-jobs account "面试指南针", which rotated its push time and chose
    12:00. Regenerate with ``wxtime data regenerate``.

    Examples
    --------
    >>> table = load_noon_study()
    >>> table.frame.groupby("slot").size().to_dict()
    {'07:30': 14, '12:00': 14, '18:00': 14, '21:00': 14, '22:30': 14}
    >>> table.curves is not None
    True
    """
    from .io import read

    table = read(data_dir() / "noon_study.csv")
    table.curves = load_noon_curves()
    return table


def load_noon_curves() -> pd.DataFrame:
    """Cumulative opens of each replica push by hours since the push (1-72 h)."""
    return pd.read_csv(data_dir() / "noon_study_curves.csv", dtype={"push_id": str})


def load_noon_truth() -> pd.DataFrame:
    """The true per-slot rates behind the replica study (for recovery checks only)."""
    return pd.read_csv(data_dir() / "noon_study_truth.csv", dtype={"slot": str})


def load_facebook_metrics(as_pushes: bool = True):
    """500 posts of a cosmetics brand's Facebook page in 2014 (real data, CC BY 4.0).

    Source: UCI Machine Learning Repository, "Facebook metrics"; Moro, S.,
    Rita, P., & Vala, B. (2016). Predicting social media performance metrics
    and evaluation of the impact on brand building: A data mining approach.
    Journal of Business Research, 69(9), 3341-3351.

    Parameters
    ----------
    as_pushes : bool
        True (default): a push table (:class:`~wxtime.io.table.PushTable`) with ``slot`` = post
        hour, ``delivered`` =
        lifetime reach, ``opened`` = lifetime engaged users (engaged / reach
        plays the open rate), and the covariates ``column`` (post type),
        ``paid``, ``month``, ``weekday``. False: the raw 19 columns.

    Notes
    -----
    Hours are very unevenly covered (105 posts at 3:00, several hours with
    three posts or fewer); 139 paid posts have inflated reach; one post lacks
    its ``paid`` flag (kept as missing). The timezone of "Post Hour" is not
    documented.

    Examples
    --------
    >>> posts = load_facebook_metrics()
    >>> len(posts), int(posts.frame["slot"].nunique())
    (500, 22)
    """
    raw = pd.read_csv(data_dir() / "facebook_metrics.csv", sep=";")
    if not as_pushes:
        return raw
    table = pd.DataFrame(
        {
            "push_id": [f"FB{i:03d}" for i in range(1, len(raw) + 1)],
            "slot": raw["Post Hour"],
            "delivered": raw["Lifetime Post Total Reach"],
            "opened": raw["Lifetime Engaged Users"],
            "column": raw["Type"],
            "paid": raw["Paid"],
            "month": raw["Post Month"],
            "weekday": raw["Post Weekday"],
        }
    )
    from .io import validate

    return validate(table, source="facebook_metrics.csv")
