"""Reading: every file an operator downloads becomes one push table, or a clear error.

:func:`read` is the one entry point (the CLI, the report, the notebooks and the web page
use it); :func:`validate` checks a DataFrame already in memory the same way. Both return a
:class:`PushTable`: the pushes and what reading found (source, level, load summary, read
curves, the propensity column), as fields.

One module per concern, each at the bottom of the package (nothing here imports the
analysis):

======================  ==============================================================
module                  concern
======================  ==============================================================
``io/files.py``         what a file is, its encoding and the table in it; atomic writes
``io/headers.py``       header aliases (送达人数 -> delivered), ``--columns``, hints
``io/times.py``         times of day, dates, date-times and slots, as people write them
``io/validation.py``      cells into typed pushes: counts, funnel, ids, duplicates, slots
``io/sendtimes.py``     send times from a send log, a stated slot or hourly reads
``io/payloads.py``      datacube API payloads (getarticletotal, ...detail, getuserreadhour)
``io/exports.py``       MP-backend exports (已通知内容, 流量分析 by hour)
``io/events.py``        raw delivery logs (one row per delivery) aggregated by DuckDB/Spark
``io/client.py``        the optional datacube API client (``wxtime fetch``)
``io/table.py``         the push table's columns and :class:`PushTable`
``io/reader.py``        :func:`read`: files sorted by what they hold, combined
======================  ==============================================================

Examples
--------
>>> from wxtime.io import read
>>> from wxtime.datasets import data_dir
>>> table = read(data_dir() / "noon_study.csv")
>>> len(table), table.level, table.load["slots"]
(70, 'push', ['07:30', '12:00', '18:00', '21:00', '22:30'])
"""

from __future__ import annotations

__all__ = ["PushTable", "as_frame", "read", "validate"]


def __getattr__(name):
    if name == "read":
        from .reader import read

        return read
    if name == "validate":
        from .validation import validate

        return validate
    if name in ("PushTable", "as_frame"):
        from . import table

        return getattr(table, name)
    raise AttributeError(f"module 'wxtime.io' has no attribute {name!r}")
