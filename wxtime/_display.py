"""HTML display shared by every result object (the bottom of the import graph).

Result objects in wxtime hold DataFrames; in Jupyter they render through
:func:`frame_html`, which escapes everything from the data, drops the index,
formats numbers with sensible digits and never shows ``NaN``/``None`` (a dash
instead).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # only annotations here: json_ready is used where pandas is not loaded
    import pandas as pd

__all__ = ["DisplayMixin", "format_number", "frame_html", "json_ready"]


def format_number(value, digits: int = 4) -> str:
    """A number as a reader wants it: ``—`` for missing, integers without decimals.

    Examples
    --------
    >>> format_number(float("nan")), format_number(3), format_number(0.123456)
    ('—', '3', '0.1235')
    """
    if value is None or (isinstance(value, (float, np.floating)) and not np.isfinite(value)):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{digits}g}" if abs(value) >= 10**digits else f"{float(value):.{digits}f}"
    return str(value)


def frame_html(
    frame: pd.DataFrame, *, caption: str | None = None, digits: int = 4, max_rows: int = 60
) -> str:
    """An escaped HTML table without the index, missing values as dashes.

    Examples
    --------
    >>> import pandas as pd
    >>> print(frame_html(pd.DataFrame({"title": ["<script>x</script>"], "p": [float("nan")]})))
    ... # doctest: +ELLIPSIS
    <table class="wx">...&lt;script&gt;x&lt;/script&gt;...—...
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.head(max_rows).itertuples(index=False):
        cells = "".join(f"<td>{html.escape(format_number(v, digits))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    more = (
        f"<tr><td colspan='{len(frame.columns)}'>… {len(frame) - max_rows} more rows</td></tr>"
        if len(frame) > max_rows
        else ""
    )
    return (
        f'<table class="wx">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}{more}</tbody></table>'
    )


class DisplayMixin:
    """``to_pandas``, ``to_html`` and ``_repr_html_`` for a result with a ``summary`` DataFrame."""

    def to_pandas(self) -> pd.DataFrame:
        return self.summary.copy()

    def _caption(self) -> str | None:
        return None

    def to_html(self) -> str:
        return frame_html(self.summary, caption=self._caption())

    def _repr_html_(self) -> str:
        return self.to_html()


def json_ready(value):
    """``value`` with NumPy scalars as Python numbers and NaN/inf as None (JSON has no NaN).

    Examples
    --------
    >>> import json, numpy as np
    >>> json.dumps(json_ready({"p_best": np.float64(0.5), "loss": float("nan"), "n": [np.int64(3)]}),
    ...            allow_nan=False)
    '{"p_best": 0.5, "loss": null, "n": [3]}'
    """
    import math

    import numpy as np

    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_ready(item) for item in value]
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value
