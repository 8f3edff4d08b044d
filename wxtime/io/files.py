"""Files: what a file is (from its bytes), its encoding, the table in it; and writing files atomically.

Reading here stops at a raw table: the cells as the file holds them, each row with the line
(CSV) or sheet row (Excel) the user would look at. Naming the columns is
:mod:`wxtime.io.headers`; checking the values is :mod:`wxtime.io.validation`.

* CSV and other delimited text in UTF-8, UTF-16 or GBK/GB18030 (sniffed; ``--encoding``
  overrides), any delimiter, a title line above the header; a line longer than
  :data:`MAX_LINE_BYTES` is refused by number before anything is parsed.
* Excel workbooks, ``.xlsx`` (openpyxl) and the old BIFF ``.xls`` the MP backend still
  downloads (``total_xxx.xls``: sheet "New Sheet1", a blank column A, the header on row 3;
  read with xlrd): every sheet whose header matches the push table's is read, a notes
  sheet is skipped and said, sheets with different push tables are refused by name.
  Formulas are never evaluated (cached values only).
* Parquet, and JSON arrays of records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "MAX_LINE_BYTES",
    "Table",
    "atomic_write",
    "atomic_write_many",
    "check_encoding",
    "file_sha256",
    "load_json",
    "read_table",
    "sniff",
    "text_encoding",
]


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **kwargs) -> Iterator:
    """Open a temporary file beside ``path`` and move it into place on success.

    A crash or an exception inside the ``with`` block leaves ``path`` untouched
    (no half-written report or data file), because the final step is an
    ``os.replace``, which is atomic on POSIX and Windows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as fh:
    ...     _ = fh.write("hello")
    >>> target.read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes (used to stamp reports with their data)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write_many(files: dict) -> None:
    """Write several text files so that they appear together: every file is written to a
    temporary file first, and only when all have been written are they moved into place.

    ``files`` maps a path to ``(text, encoding)`` or to bytes. A failure while writing
    leaves none of them changed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_many({folder / "a.html": ("<p>", "utf-8"), folder / "a.json": ("{}", "utf-8")})
    >>> sorted(p.name for p in folder.iterdir())
    ['a.html', 'a.json']
    """
    staged = []
    try:
        for path, content in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            if isinstance(content, bytes):
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
            else:
                text, encoding = content
                with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
                    fh.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)


# -- what a file is ----------------------------------------------------------------------------
#: A physical line longer than this is not a row of a push table (a row is well under 1 KB;
#: a CSV whose second line is 200 MB was once read as one push, with 1 GB of memory).
MAX_LINE_BYTES = 1 << 20
_SNIFF_BYTES = 4 << 20


def sniff(path: Path) -> str:
    """What a path holds, from its bytes (not its name): ``"folder"``, ``"missing"``,
    ``"empty"``, ``"xlsx"`` (a zip), ``"xls"`` (an OLE compound file: BIFF Excel),
    ``"parquet"``, ``"json"``, ``"html"`` or ``"text"``; ``"binary"`` otherwise.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pushes.xlsx"
    >>> _ = path.write_text("date,sent,opened\\n")
    >>> sniff(path)
    'text'
    """
    path = Path(path)
    if path.is_dir():
        return "folder"
    if not path.exists():
        return "missing"
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "json"
    if stripped[:1] == b"<":
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def _whole_file_error(path, message: str):
    from ..errors import Problem, PushDataError

    return PushDataError(str(path), [Problem(None, None, message)])


# -- text ----------------------------------------------------------------------------------
def check_encoding(encoding: str | None) -> None:
    """Raise :class:`~wxtime.errors.InputError` when ``encoding`` is not a text encoding Python knows."""
    import codecs

    from ..errors import InputError

    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            f"--encoding {encoding!r} is not a text encoding; use e.g. utf-8, utf-8-sig, gbk or utf-16"
        ) from None


def text_encoding(path: Path, encoding: str | None) -> str:
    """The encoding to read a text file with: the one given, or sniffed from its first bytes.

    A byte-order mark says UTF-16 or UTF-8; otherwise UTF-8 when the start decodes as
    UTF-8, else GB18030 (a superset of GBK, what Excel saves on Chinese Windows) when it
    decodes as that. Anything else is left to UTF-8 and fails with the line named.
    """
    import codecs

    check_encoding(encoding)
    if encoding is not None:
        return encoding
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(head, final=len(head) < _SNIFF_BYTES)
        except UnicodeDecodeError:
            continue
        return candidate
    return "utf-8-sig"


def _decode_problem(path: Path, encoding: str) -> str:
    """Where a file stops being ``encoding`` text: the line, and a likely fix."""
    import codecs

    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 4].hex(" ")
    else:  # pragma: no cover - read_csv failed on a file that decodes
        line, bad = None, ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        hint = "it is UTF-16 text: pass --encoding utf-16"
    else:
        hint = next(
            (
                f"it decodes as {other}: pass --encoding {other}"
                for other in ("utf-8-sig", "gb18030")
                if codecs.lookup(other).name != codecs.lookup(encoding).name and _decodes(data, other)
            ),
            "save it again as CSV (UTF-8) or pass the right --encoding",
        )
    where = f"line {line}" if line is not None else "the file"
    return f"{where} is not {encoding} text (bytes {bad}); {hint}"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _check_line_lengths(path: Path, limit: int | None = None) -> None:
    """Refuse a text file with a line longer than ``limit`` bytes (:data:`MAX_LINE_BYTES`), by its
    line number, before any parser holds it in memory."""
    import numpy as np

    limit = MAX_LINE_BYTES if limit is None else limit
    line, run = 1, 0  # the current line's number and its length so far
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            ends = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10)
            if not len(ends):
                run += len(chunk)
                if run > limit:
                    break
                continue
            lengths = np.diff(ends, prepend=-1) - 1  # line lengths in this chunk, without the \n
            lengths[0] += run
            if lengths.max() > limit:
                line += int(np.argmax(lengths > limit))
                run = int(lengths.max())
                break
            line += len(ends)
            run = len(chunk) - int(ends[-1]) - 1
            if run > limit:
                break
    if run > limit:
        size = path.stat().st_size
        raise _whole_file_error(
            path,
            f"line {line} is longer than {limit / (1 << 20):g} MB (the file is {size / (1 << 20):.1f} MB): "
            "not a row of a push table; check the export or its line endings",
        )


def _unclosed_quote_line(path: Path, encoding: str) -> int | None:
    """The line where a quoted field opens and never closes (None if quotes balance)."""
    opened_at = None
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            if line.count('"') % 2:
                opened_at = number if opened_at is None else None
    return opened_at


def _header_line(path: Path, sep: str | None, encoding: str) -> tuple[int, list[str], str]:
    """``(line index, header, delimiter)``: the header is the first non-blank line, or a later one
    among the first ten when it names more known columns (a title line above the header)."""
    import csv

    from .headers import known_header_score

    lines = []
    with open(path, encoding=encoding, newline="") as fh:
        for index, line in enumerate(fh):
            if line.strip():
                lines.append((index, line))
            if len(lines) >= 10 or index > 200:
                break
    if not lines:
        return 0, [], sep or ","
    best = None
    for index, line in lines:
        delimiter = sep or (
            csv.Sniffer().sniff(line, delimiters=",;\t|").delimiter
            if any(d in line for d in ",;\t|")
            else ","
        )
        header = next(csv.reader([line], delimiter=delimiter))
        score = known_header_score(header)
        if best is None or score > best[0]:
            best = (score, index, header, delimiter)
    score, index, header, delimiter = best
    if score < 2:  # nothing recognisable: the first line is the header, as the file says
        index, line = lines[0]
        delimiter = sep or (
            csv.Sniffer().sniff(line, delimiters=",;\t|").delimiter
            if any(d in line for d in ",;\t|")
            else ","
        )
        header = next(csv.reader([line], delimiter=delimiter))
    return index, header, delimiter


def _csv_error():
    import csv

    return csv.Error


def _read_text(path: Path, sep: str | None, encoding: str | None) -> Table:
    import pandas as pd

    from ..errors import Problem, PushDataError

    source = str(path)
    _check_line_lengths(path)
    enc = text_encoding(path, encoding)
    notes = []
    try:
        index, header, delimiter = _header_line(path, sep, enc)
        if not header:
            raise _whole_file_error(path, "has no header row (only blank lines)")
        duplicates = _duplicate_headers(header)
        if duplicates:
            raise PushDataError(
                source, [Problem(None, d, "appears twice in the header row") for d in duplicates]
            )
        # Text everywhere (ids keep their zeros, dates their spelling), except columns whose header
        # names a count: the C parser reads those as numbers in the same pass, and anything it
        # cannot (7,816人) stays text for the validator.
        from .headers import ALIASES, COUNT_COLUMNS, header_key

        counts = {h for h in header if ALIASES.get(header_key(h), header_key(h)) in COUNT_COLUMNS}
        frame = _read_csv_arrow(path, header, index, delimiter, enc, counts)
    except UnicodeDecodeError:
        raise _whole_file_error(path, _decode_problem(path, enc)) from None
    try:
        if frame is None:  # the C parser: its errors name the line
            frame = _read_csv_c(path, header, index, delimiter, enc, counts)
    except UnicodeDecodeError:
        raise _whole_file_error(path, _decode_problem(path, enc)) from None
    except (pd.errors.ParserError, _csv_error()) as exc:
        line = _unclosed_quote_line(path, enc)
        if line is not None:
            raise _whole_file_error(path, f'line {line} opens a quoted field (") that never closes') from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _whole_file_error(path, f"cannot be read as a table: {first}") from None
    except pd.errors.EmptyDataError:
        raise _whole_file_error(path, "has no header row (only blank lines)") from None
    if frame.empty:
        raise _whole_file_error(path, f"has a header (line {index + 1}) but no rows")
    if index:
        notes.append(f"the header is line {index + 1}: the lines above it were skipped")
    if encoding is None and enc != "utf-8-sig":
        notes.append(f"read as {enc} text (no --encoding given; sniffed from the bytes)")
    frame.columns = [str(c) for c in header] if len(header) == frame.shape[1] else frame.columns
    import numpy as np

    table = Table(frame, source, "text", line=np.arange(len(frame)) + index + 2, notes=notes)
    return _drop_blank_columns(table)


def _read_csv_arrow(path: Path, header, index: int, delimiter: str, encoding: str, counts: set):
    """Arrow's multi-threaded CSV reader (ten times pandas' C parser on large files), or None
    when it cannot read the file as it stands (the C parser then reads it, or says why not)."""
    if index or len(set(header)) != len(header):
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(header)]
    codec = {"utf-8-sig": "utf8", "utf-8": "utf8"}.get(encoding.lower(), encoding)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=codec),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n, h in zip(names, header) if h not in counts},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, LookupError):
        return None
    return table.to_pandas()


def _read_csv_c(path: Path, header, index: int, delimiter: str, encoding: str, counts: set):
    import pandas as pd

    return pd.read_csv(
        path,
        sep=delimiter,
        engine="c",
        encoding=encoding,
        dtype={h: str for h in header if h not in counts} if len(set(header)) == len(header) else str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=True,
        skiprows=index,
    )


def _duplicate_headers(headers) -> list[str]:
    seen, duplicates = set(), []
    for header in headers:
        key = str(header).strip()
        if not key:
            continue  # blank headers (trailing empty columns) are dealt with by their contents
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
    return duplicates


# -- tables ----------------------------------------------------------------------------------
class Table:
    """A table as a file holds it: ``frame`` (cells as read; headers as written), ``source``
    (the file), ``kind``, ``line`` (per row, the line or sheet row a user would look at; None
    when the format has none), ``sheet`` (per row, the sheet it came from, for workbooks
    read across several sheets) and ``notes`` (what reading decided, in words)."""

    def __init__(self, frame, source: str, kind: str, *, line=None, sheet=None, row=None, notes=None):
        self.frame = frame
        self.source = source
        self.kind = kind
        self.line = line
        self.sheet = sheet
        self.row = row
        self.notes = list(notes or [])

    def where(self, index: int) -> dict:
        """Keyword arguments for a :class:`~wxtime.errors.Problem` at row ``index`` (0-based): a
        workbook row is named by its sheet and the row number Excel shows; a text row by its
        data row and its line."""
        if self.sheet is not None:
            return {
                "row": int(self.row[index]),
                "line": int(self.line[index]),
                "sheet": str(self.sheet[index]),
            }
        place = {"row": int(index) + 1}
        if self.line is not None:
            place["line"] = int(self.line[index])
        return place

    def name(self, index: int) -> str:
        """A row as a message names it: ``row 4 (line 5)`` or ``row 5 of sheet 'Sheet1'``."""
        place = self.where(index)
        if "sheet" in place:
            return f"row {place['row']} (sheet row {place['line']}) of sheet {place['sheet']!r}"
        return f"row {place['row']}" + (f" (line {place['line']})" if "line" in place else "")

    def take(self, keep) -> Table:
        """The rows where ``keep`` is True (their places kept)."""
        return Table(
            self.frame[keep].reset_index(drop=True),
            self.source,
            self.kind,
            line=None if self.line is None else self.line[keep],
            sheet=None if self.sheet is None else self.sheet[keep],
            row=None if self.row is None else self.row[keep],
            notes=self.notes,
        )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _drop_blank_columns(table: Table) -> Table:
    """Columns without a header: dropped when empty (trailing blank columns, Excel's blank column
    A), kept under the name ``(column C)`` when they hold something."""
    frame = table.frame
    blank = [c for c in frame.columns if not str(c).strip() or str(c).startswith("Unnamed: ")]
    if not blank:
        return table
    keep, rename = [], {}
    for position, column in enumerate(frame.columns):
        if column in blank:
            values = frame.iloc[:, position]
            empty = values.isna() | (values.astype(str).str.strip() == "")
            if empty.all():
                continue
            rename[position] = f"(column {_column_letter(position)})"
        keep.append(position)
    dropped = len(frame.columns) - len(keep)
    out = frame.iloc[:, keep].copy()
    out.columns = [rename.get(p, str(frame.columns[p])) for p in keep]
    table.frame = out
    if dropped:
        table.notes.append(f"{dropped} empty column{'s' if dropped > 1 else ''} without a header ignored")
    return table


def _excel_error(path: Path, exc: Exception):
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _whole_file_error(
        path,
        f"is not an Excel workbook that can be read ({first}); download the export again, or save it as "
        "CSV (UTF-8)",
    )


def _open_book(path: Path):
    """The workbook, read by calamine (Rust; both BIFF .xls and .xlsx; formulas are never
    evaluated: their cached values are read), or a PushDataError naming the file."""
    import python_calamine

    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise _excel_error(path, exc) from None


def _sheet_rows(book, path: Path, name: str, nrows: int | None = None) -> list[list]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
    except Exception as exc:
        raise _excel_error(path, exc) from None


def _layout(rows: list[list]) -> tuple[int, int]:
    """``(score, header row index)`` of a sheet's first rows: the row naming most known columns."""
    from .headers import known_header_score

    best = (0, 0)
    for index, row in enumerate(rows):
        score = known_header_score(row)
        if score > best[0]:
            best = (score, index)
    return best


def _cell_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_sheet(book, path: Path, kind: str, name: str, header_row: int):
    import numpy as np
    import pandas as pd

    rows = _sheet_rows(book, path, name)
    width = max((len(r) for r in rows), default=0)
    first = rows[header_row] if len(rows) > header_row else []
    header = [("" if _cell_empty(v) else str(v).strip()) for v in first]
    header += [""] * (width - len(header))
    duplicates = _duplicate_headers(header)
    if duplicates:
        from ..errors import Problem, PushDataError

        raise PushDataError(
            str(path),
            [Problem(None, d, f"appears twice in the header row of sheet {name!r}") for d in duplicates],
        )
    body = [list(r) + [None] * (width - len(r)) for r in rows[header_row + 1 :]]
    sheet_row = np.arange(len(body)) + header_row + 2
    # Rows that are entirely empty (between or after the data) are not pushes and not data.
    filled = np.array([not all(_cell_empty(v) for v in r) for r in body], dtype=bool)
    body = [[None if _cell_empty(v) else v for v in r] for r, keep in zip(body, filled) if keep]
    columns = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    data = pd.DataFrame(body, columns=columns, dtype=object)
    data = _midnight_cells(path, kind, name, data, sheet_row[filled])
    return data, sheet_row[filled], header


def _midnight_cells(path: Path, kind: str, sheet: str, frame, sheet_rows):
    """Calamine reads every midnight date-time cell as a date. In a column that also holds times of
    day, a midnight cell formatted with hours (``yyyy-mm-dd hh:mm``) is a push at 00:00, not a date
    alone: .xlsx number formats say which (openpyxl); in .xls such cells are taken as 00:00."""
    mixed = []
    for position, column in enumerate(frame.columns):
        values = frame[column]
        dates = values.map(lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime))
        timed = values.map(lambda v: isinstance(v, dt.datetime) and bool(v.hour or v.minute or v.second))
        if dates.any() and timed.any():
            mixed.append((position, dates.to_numpy(bool)))
    if not mixed:
        return frame
    if kind == "xls":
        for position, dates in mixed:
            for index in dates.nonzero()[0]:
                day = frame.iat[index, position]
                frame.iat[index, position] = dt.datetime(day.year, day.month, day.day)
        return frame
    from openpyxl import load_workbook

    targets = {int(r): i for i, r in enumerate(sheet_rows)}
    book = load_workbook(path, read_only=True)
    try:
        for number, row in enumerate(book[sheet].iter_rows(values_only=False), start=1):
            index = targets.get(number)
            if index is None:
                continue
            for position, dates in mixed:
                if dates[index] and position < len(row):
                    fmt = str(getattr(row[position], "number_format", "") or "").lower()
                    if "h" in fmt:
                        day = frame.iat[index, position]
                        frame.iat[index, position] = dt.datetime(day.year, day.month, day.day)
    finally:
        book.close()
    return frame


def _read_workbook(path: Path, kind: str, sheet: str | None) -> Table:
    import numpy as np
    import pandas as pd

    from ..errors import Problem, PushDataError
    from .headers import header_key

    book = _open_book(path)
    names = list(book.sheet_names)
    firsts = {name: _sheet_rows(book, path, name, nrows=10) for name in names}
    if not names:
        raise _whole_file_error(path, "has no sheets")
    if sheet is not None:
        if sheet not in firsts:
            raise _whole_file_error(path, f"has no sheet {sheet!r} (sheets: {', '.join(names)})")
        candidates = [sheet]
    else:
        candidates = names
    scored = {name: _layout(firsts[name]) for name in candidates}
    data_sheets = [name for name in candidates if scored[name][0] >= 2]
    if not data_sheets:
        # Nothing recognisable anywhere: the first sheet as it is, and the validator's message.
        data_sheets, scored = candidates[:1], {candidates[0]: (0, 0)}
    frames, lines, sheets, data_rows, notes = [], [], [], [], []
    headers = {}
    for name in data_sheets:
        data, sheet_row, header = _read_sheet(book, path, kind, name, scored[name][1])
        headers[name] = header
        frames.append(data)
        lines.append(sheet_row)
        data_rows.append(sheet_row - scored[name][1] - 1)
        sheets.append(np.full(len(data), name, dtype=object))
    keys = {name: tuple(k for k in (header_key(h) for h in headers[name]) if k) for name in data_sheets}
    if len(set(keys.values())) > 1:
        listing = "; ".join(f"{name!r}: {', '.join(h for h in headers[name] if h)}" for name in data_sheets)
        raise PushDataError(
            str(path),
            [
                Problem(
                    None,
                    None,
                    f"has push tables with different columns on several sheets ({listing}): read one "
                    "with --sheet NAME, or give the sheets the same header",
                )
            ],
        )
    skipped = [name for name in names if name not in data_sheets and (sheet is None or name == sheet)]
    if skipped:
        notes.append(
            f"sheet{'s' if len(skipped) > 1 else ''} {', '.join(map(repr, skipped))} skipped: no push table"
        )
    if len(data_sheets) > 1:
        counts = ", ".join(f"{name!r} {len(f)}" for name, f in zip(data_sheets, frames))
        notes.append(f"read {len(data_sheets)} sheets with the same header ({counts} rows)")
    header_rows = {scored[name][1] for name in data_sheets}
    if header_rows != {0}:
        notes.append(f"the header is row {min(header_rows) + 1} of the sheet: the rows above it were skipped")
    # One frame; columns aligned by name (sheets share the header, perhaps in another order).
    frame = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
    if frame.empty:
        raise _whole_file_error(path, "has a header but no rows")
    duplicates = _duplicate_headers(headers[data_sheets[0]])
    if duplicates:
        raise PushDataError(
            str(path), [Problem(None, d, "appears twice in the header row") for d in duplicates]
        )
    table = Table(
        frame,
        str(path),
        kind,
        line=np.concatenate(lines),
        sheet=np.concatenate(sheets),
        row=np.concatenate(data_rows),
        notes=notes,
    )
    return _drop_blank_columns(table)


def _read_parquet(path: Path) -> Table:
    import pandas as pd
    import pyarrow.parquet as pq

    from ..errors import Problem, PushDataError

    try:
        names = pq.read_schema(path).names
    except (OSError, ValueError) as exc:
        raise _whole_file_error(path, f"is not a Parquet file that can be read ({exc})") from None
    duplicates = _duplicate_headers(names)
    if duplicates:
        raise PushDataError(str(path), [Problem(None, d, "appears twice in the columns") for d in duplicates])
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise _whole_file_error(path, f"is not a Parquet file that can be read ({exc})") from None
    if frame.empty:
        raise _whole_file_error(path, "has columns but no rows")
    return Table(frame, str(path), "parquet")


def load_json(path: Path):
    """The JSON in ``path``, or a PushDataError saying what the file is instead."""
    import json

    from ..errors import Problem, PushDataError

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _whole_file_error(path, "is not UTF-8 text: not a saved API response") from None
    stripped = text.lstrip()
    if not stripped:
        raise _whole_file_error(path, "is empty: the download saved nothing")
    if stripped.startswith("<"):
        raise _whole_file_error(
            path, "is an HTML page, not a JSON API response (a login or error page was saved)"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PushDataError(
            str(path),
            [
                Problem(
                    None,
                    None,
                    f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                    "a truncated download?",
                )
            ],
            line_offset=None,
        ) from None


def _read_json_records(path: Path) -> Table:
    """A JSON array of push records (objects), with the JSON path of anything that is not one."""
    import json

    import pandas as pd

    from ..errors import Problem, PushDataError

    data = load_json(path)

    def fail(where: str, message: str):
        return PushDataError(str(path), [Problem(None, where, message)], line_offset=None)

    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        hint = f" (the records may be under '$.{lists[0]}')" if len(lists) == 1 else ""
        raise fail("$", f"is a JSON object, not an array of push records{hint}")
    if not isinstance(data, list):
        raise fail("$", f"is a JSON {type(data).__name__}, not an array of push records")
    if not data:
        raise fail("$", "is an empty array: no pushes")
    not_records = [i for i, record in enumerate(data) if not isinstance(record, dict) or not record]
    if not_records:
        raise PushDataError(
            str(path),
            [
                Problem(
                    None,
                    f"$[{i}]",
                    f"is {json.dumps(data[i])[:40]}, not a push record (an object with its counts)",
                )
                for i in not_records[:20]
            ],
            line_offset=None,
        )
    return Table(pd.DataFrame.from_records(data), str(path), "json")


def read_table(
    path, *, sep: str | None = None, encoding: str | None = None, sheet: str | None = None
) -> Table:
    """The table in a file, whatever its format (sniffed from the bytes), as a :class:`Table`.

    Raises :class:`~wxtime.errors.PushDataError` naming the file (and the line) when it is
    not a table: missing, empty, a folder, an HTML page saved as ``.xls``, undecodable
    text, a line over :data:`MAX_LINE_BYTES`, duplicate headers, no rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pushes.csv"
    >>> text = "推送数据 2024年6月\\n日期,时间,送达,阅读,,\\n2024-06-03,20:30,\\"7,816人\\",301,,\\n"
    >>> _ = path.write_text(text)
    >>> table = read_table(path)
    >>> list(table.frame.columns), table.line.tolist()
    (['日期', '时间', '送达', '阅读'], [3])
    >>> table.notes
    ['the header is line 2: the lines above it were skipped', '2 empty columns without a header ignored']
    """
    path = Path(path)
    kind = sniff(path)
    suffix = path.suffix.lower()
    if kind == "missing":
        raise _whole_file_error(path, "does not exist")
    if kind == "folder":
        raise _whole_file_error(path, "is a folder with no push data in it")
    if kind == "empty":
        raise _whole_file_error(path, "is empty")
    if kind in ("xlsx", "xls"):
        return _read_workbook(path, kind, sheet)
    if kind == "parquet":
        return _read_parquet(path)
    if kind == "json":
        return _read_json_records(path)
    if kind == "html":
        what = (
            "an HTML page (some backends save tables that way): open it in Excel or WPS and save it as .xlsx"
        )
        raise _whole_file_error(path, f"is {what}")
    if kind == "binary":
        if suffix in (".xls", ".xlsx", ".xlsm"):
            raise _whole_file_error(path, f"is not an Excel workbook despite its {suffix} name")
        raise _whole_file_error(path, "is not a table: its bytes are binary, not text, Excel or Parquet")
    table = _read_text(path, sep, encoding)
    if suffix in (".xls", ".xlsx", ".xlsm"):
        table.notes.insert(0, f"read as text (CSV) despite its {suffix} name")
    return table
