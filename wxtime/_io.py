"""Small I/O helpers shared by the loaders, the CLI and the reports."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_many", "file_sha256", "json_ready"]


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
