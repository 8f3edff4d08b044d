"""Uploads: streamed into a private folder under names the server chooses, within limits.

:func:`receive_files` parses a ``multipart/form-data`` body as it arrives
(python-multipart's streaming parser) and writes each file part straight to a file in the
job's private folder (mode 0700, :func:`tempfile.mkdtemp`), named ``f1-<random>.csv``: only
a suffix from :data:`SUFFIXES` is kept from the operator's name, so the reader's notes read
naturally; the operator's name is kept as text, for display only, and is never a path.

The limits are checked before anything is written: the declared ``Content-Length``, then
the bytes as they arrive (the body is never read past the limit), the number of files and
of fields. The form's CSRF token must come before any file (browsers send fields in page
order, and the upload form puts it first), so a forged request writes nothing. On any
failure the partial files are removed.

Nothing here imports the web framework: the body arrives as an async iterator of chunks.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "SUFFIXES",
    "BadUpload",
    "CsrfRefused",
    "StoredFile",
    "TooLarge",
    "TooManyFiles",
    "Upload",
    "display_name",
    "read_small_form",
    "receive_files",
    "stored_name",
]

#: Suffixes kept on stored files (what the reader's notes mention); the reader recognises a
#: file by its bytes, not its name.
SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".json", ".parquet"}
MAX_FIELDS = 20
MAX_FIELD_BYTES = 16 * 1024


class BadUpload(Exception):
    """A body that is not the upload form (no boundary, a broken part, a field too long)."""


class TooLarge(BadUpload):
    """The body is over the size limit."""


class TooManyFiles(BadUpload):
    """More files than the limit."""


class CsrfRefused(BadUpload):
    """No CSRF token before the files, or the wrong one."""


@dataclass(frozen=True)
class StoredFile:
    """One uploaded file: where the server put it, and the operator's name for it (text)."""

    path: Path
    name: str
    size: int


@dataclass
class Upload:
    """What a form upload held: its text fields and its files."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[StoredFile] = field(default_factory=list)


def display_name(raw: str, index: int) -> str:
    """The operator's file name as text to show: its last path component, without control
    characters, at most 100 characters (``file 3`` when nothing is left).

    Examples
    --------
    >>> display_name("C:\\\\Users\\\\me\\\\六月 推送.xlsx", 1), display_name("../../etc/passwd", 2)
    ('六月 推送.xlsx', 'passwd')
    >>> display_name("\\x00\\x1b", 3)
    'file 3'
    """
    last = re.split(r"[\\/]", raw)[-1]
    text = "".join(ch for ch in last if unicodedata.category(ch)[0] != "C").strip()
    return text[:100] or f"file {index}"


def stored_name(shown: str, index: int) -> str:
    """A server-chosen file name: ``f<index>-<random>`` and a known suffix of ``shown``.

    Examples
    --------
    >>> name = stored_name("六月.XLSX", 2)
    >>> name.startswith("f2-"), name.endswith(".xlsx")
    (True, True)
    >>> stored_name("../../etc/passwd", 1).count("/"), Path(stored_name("a.sh", 1)).suffix
    (0, '')
    """
    suffix = Path(shown).suffix.lower()
    return f"f{index}-{secrets.token_hex(6)}" + (suffix if suffix in SUFFIXES else "")


def _options(header: bytes) -> dict[str, str]:
    from python_multipart.multipart import parse_options_header

    _, options = parse_options_header(header)
    return {k.decode("latin-1").lower(): v.decode("utf-8", "replace") for k, v in options.items()}


class _Parts:
    """The streaming parser's callbacks: fields into memory (small), files onto disk."""

    def __init__(self, folder: Path, *, max_files: int, check_csrf: Callable[[str], bool]):
        self.folder = folder
        self.max_files = max_files
        self.check_csrf = check_csrf
        self.upload = Upload()
        self.csrf_ok = False
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field: bytearray | None = None
        self._name = ""
        self._file = None
        self._file_info: tuple[Path, str] | None = None
        self._file_size = 0

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.part_begin,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_header_field": lambda data, start, end: self._add_header_name(data[start:end]),
            "on_header_value": lambda data, start, end: self._add_header_value(data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
        }

    def _add_header_name(self, data: bytes) -> None:
        self._header_name += data

    def _add_header_value(self, data: bytes) -> None:
        self._header_value += data

    def part_begin(self) -> None:
        self._disposition, self._field, self._file, self._file_info = b"", None, None, None

    def header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def headers_finished(self) -> None:
        options = _options(self._disposition)
        if "name" not in options:
            raise BadUpload("a form part without a name")
        self._name = options["name"]
        if "filename" not in options:
            if len(self.upload.fields) >= MAX_FIELDS:
                raise BadUpload("too many form fields")
            self._field = bytearray()
            return
        if not self.csrf_ok:
            raise CsrfRefused("the form's token must come before its files")
        if not options["filename"]:
            return  # a file input left empty: browsers still send the part
        index = len(self.upload.files) + 1
        if index > self.max_files:
            raise TooManyFiles(f"more than {self.max_files} files")
        shown = display_name(options["filename"], index)
        path = self.folder / stored_name(shown, index)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(descriptor, "wb")
        self._file_info, self._file_size = (path, shown), 0

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._field is not None:
            if len(self._field) + end - start > MAX_FIELD_BYTES:
                raise BadUpload(f"the form field {self._name!r} is too long")
            self._field.extend(data[start:end])
        elif self._file is not None:
            self._file.write(data[start:end])
            self._file_size += end - start

    def part_end(self) -> None:
        if self._field is not None:
            value = self._field.decode("utf-8", "replace")
            self.upload.fields[self._name] = value
            if self._name == "csrf":
                if not self.check_csrf(value):
                    raise CsrfRefused("wrong form token")
                self.csrf_ok = True
            self._field = None
        elif self._file is not None:
            self._file.close()
            path, shown = self._file_info
            if self._file_size == 0:
                path.unlink()  # an empty file is nothing to read; say so below if nothing else came
            else:
                self.upload.files.append(StoredFile(path, shown, self._file_size))
            self._file = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


async def receive_files(
    content_type: str,
    content_length: str | None,
    chunks: AsyncIterator[bytes],
    folder: Path,
    *,
    max_bytes: int,
    max_files: int,
    check_csrf: Callable[[str], bool],
) -> Upload:
    """Parse an upload form into ``folder``, or raise (leaving ``folder`` as it was).

    Parameters
    ----------
    content_type, content_length : str
        The request's headers.
    chunks : async iterator of bytes
        The body as it arrives (``request.stream()``); read no further than ``max_bytes``.
    folder : Path
        The job's private folder.
    max_bytes, max_files : int
        Limits: the whole body, and the number of files.
    check_csrf : callable
        Whether the form's ``csrf`` field is right (compared in constant time).

    Raises
    ------
    TooLarge, TooManyFiles, CsrfRefused, BadUpload
    """
    from python_multipart.multipart import MultipartParser, parse_options_header

    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise BadUpload("a Content-Length that is not a number") from None
        if declared > max_bytes:
            raise TooLarge(f"{declared} bytes declared")
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise BadUpload("not a multipart form")
    parts = _Parts(folder, max_files=max_files, check_csrf=check_csrf)
    before = set(folder.iterdir())
    try:
        parser = MultipartParser(options[b"boundary"], parts.callbacks())
        received = 0
        async for chunk in chunks:
            received += len(chunk)
            if received > max_bytes:
                raise TooLarge(f"over {max_bytes} bytes")
            parser.write(chunk)
        parser.finalize()
    except BaseException as exc:
        parts.close()
        for path in set(folder.iterdir()) - before:
            path.unlink(missing_ok=True)
        if isinstance(exc, ValueError) and not isinstance(exc, BadUpload):
            raise BadUpload(str(exc)) from None  # python-multipart's parse errors
        raise
    return parts.upload


async def read_small_form(content_length: str | None, chunks: AsyncIterator[bytes], limit: int) -> dict:
    """A urlencoded form of at most ``limit`` bytes (the app's small forms), or BadUpload."""
    from urllib.parse import parse_qsl

    if content_length is not None and content_length.isdigit() and int(content_length) > limit:
        raise TooLarge("form too long")
    body = bytearray()
    async for chunk in chunks:
        body.extend(chunk)
        if len(body) > limit:
            raise TooLarge("form too long")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS * 2)
    except (UnicodeDecodeError, ValueError):
        raise BadUpload("not a form") from None
    return dict(pairs)
