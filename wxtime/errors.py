"""The errors wxtime reports to users: light to import (no pandas), shared by every layer.

:class:`InputError` is a bad option or argument; :class:`PushDataError` is a data file that
cannot become a push table, with a :class:`Problem` for each place (file, row, column or
JSON path). The command line turns both into one message and exit status 2; anything else
is an internal error and is not disguised as the user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["InputError", "Problem", "PushDataError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what it is."""

    row: int | None  # 1-based data row (header excluded); None for whole-file problems
    column: str | None
    message: str
    file: str | None = None  # the file inside a folder of inputs, when the source is the folder
    header: str | None = None  # the file's own header for ``column``, when it differs (送达人数)
    line: int | None = None  # the line (CSV) or sheet row (Excel) as the user sees it, when known
    sheet: str | None = None  # the workbook sheet holding the row
    kind: str | None = None  # what kind of problem, for programs ("missing_column"); None otherwise


class InputError(ValueError):
    """A bad option or argument value from the user (not a problem inside a data file): the CLI
    reports it in one line and exits with status 2."""


class PushDataError(ValueError):
    """Input that cannot become a push table.

    The message names the file, the row and the column of every problem found
    (up to ten are listed). ``problems`` holds them all as :class:`Problem`.
    """

    def __init__(self, source: str, problems: list[Problem], *, line_offset: int | None = 1):
        self.source = source
        self.problems = problems
        whole = len(problems) == 1 and problems[0].row is None and problems[0].column is None
        if whole and not problems[0].file:  # one thing wrong with the whole file: one sentence
            super().__init__(f"{source} {problems[0].message}")
            return
        shown = [self._describe(p, line_offset, source) for p in problems[:10]]
        more = len(problems) - len(shown)
        head = f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''} in the push data"
        tail = f"\n  ... and {more} more" if more else ""
        super().__init__(head + ":\n  " + "\n  ".join(shown) + tail)

    @staticmethod
    def _describe(problem: Problem, line_offset: int | None, source: str = "") -> str:
        where = []
        if problem.file and Path(source).name != problem.file:
            where.append(problem.file)
        if problem.sheet is not None:
            where.append(f"sheet {problem.sheet!r}")
        if problem.row is not None:
            row = f"row {problem.row}"
            line = problem.line
            if line is None and line_offset is not None:
                line = problem.row + line_offset
            if line is not None:
                row += f" ({'sheet row' if problem.sheet is not None else 'line'} {line})"
            where.append(row)
        if problem.column is not None:
            # JSON payload problems carry a JSON path ($.list[0].msgid) instead of a column.
            kind = "field" if str(problem.column).startswith("$") else "column"
            if problem.header and problem.header != problem.column:
                where.append(f"{kind} '{problem.header}' ({problem.column})")
            else:
                where.append(f"{kind} '{problem.column}'")
        return (", ".join(where) + ": " if where else "") + problem.message
