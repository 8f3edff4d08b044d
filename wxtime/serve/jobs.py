"""Jobs and results: what the server holds, where, for how long, and the work done off the event loop.

A **job** is one upload (or the sample): its files in a private folder, then the push table
read from them. The files stay until the decision is built (so that the operator can still
change the column mapping), and go at once when reading fails in a way no mapping can fix;
a job older than :attr:`Jobs.ttl` (30 minutes), or beyond the bound on jobs, is forgotten
with its files, and the shutdown removes the whole folder. A **result** is one decision
page with its downloads, kept in memory under an unguessable id for the server's lifetime,
the oldest forgotten beyond a bound.

The analysis (reading, deciding, rendering) runs in worker threads, at most
``workers`` at a time (:class:`Runner`), so a slow file does not hold up other pages; the
page rendering, which draws with matplotlib's pyplot (not thread-safe), takes one lock.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from . import adapters

__all__ = ["Job", "Jobs", "ReadOutcome", "Result", "Results", "Runner", "Workspace", "decide_job", "read_job"]

_RENDER_LOCK = threading.Lock()


def new_id() -> str:
    """An unguessable id for a job or a result (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class Workspace:
    """The server's private temporary folder (mode 0700) and one private folder per job in it.

    Examples
    --------
    >>> space = Workspace()
    >>> folder = space.new_folder()
    >>> oct(space.root.stat().st_mode & 0o777), oct(folder.stat().st_mode & 0o777)
    ('0o700', '0o700')
    >>> space.close(); space.root.exists()
    False
    """

    def __init__(self, parent: str | Path | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="wxtime-serve-", dir=parent))
        # Removed on close(), when the workspace is dropped, or when the process exits.
        self._remove = weakref.finalize(self, shutil.rmtree, str(self.root), True)

    def new_folder(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="job-", dir=self.root))

    @staticmethod
    def remove(folder: Path | None) -> None:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def files(self) -> list[Path]:
        """Every file still in the workspace (empty after each finished request)."""
        return [p for p in self.root.rglob("*") if p.is_file()] if self.root.exists() else []

    def close(self) -> None:
        self._remove()


@dataclass
class Job:
    """One upload, from its files to the table that was read."""

    id: str
    names: dict[str, str]  # stored path -> the operator's file name
    folder: Path | None = None
    sample: bool = False
    table: object = None  # PushTable once read
    read: dict | None = None  # what was read (adapters.what_was_read)
    columns: dict = field(default_factory=dict)  # the operator's mapping, {column: header}
    missing: list[str] = field(default_factory=list)  # required columns not found
    headers: list[str] = field(default_factory=list)  # the file's headers, for the mapping form
    found: dict = field(default_factory=dict)  # {column: header} the reader matched by itself
    error: str = ""  # the reader's message, in the operator's file names
    created: float = field(default_factory=time.monotonic)

    @property
    def paths(self) -> list[Path]:
        return [Path(p) for p in self.names]


@dataclass
class Result:
    """One decision page and its downloads: text and bytes only (a few hundred kB), so that
    keeping results for the server's lifetime costs little; the decision and the table are
    not kept (the job keeps the table while it lives, for another metric or language)."""

    id: str
    source: str  # the operator's file name(s), as the page names them
    sample: bool
    account: str
    metric: str
    lang: str
    pages: dict[str, str]  # lang -> the page, as wxtime report writes it
    json: bytes
    downloads: dict  # "csv"/"ics" -> adapters.Download
    job_id: str = ""  # the upload it came from
    created: float = field(default_factory=time.monotonic)


class _Bounded:
    """An insertion-ordered dict that forgets its oldest entries beyond ``limit``."""

    def __init__(self, limit: int):
        self.limit = limit
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, value) -> list:
        with self._lock:
            self._items[key] = value
            evicted = []
            while len(self._items) > self.limit:
                evicted.append(self._items.popitem(last=False)[1])
            return evicted

    def pop(self, key: str):
        with self._lock:
            return self._items.pop(key, None)

    def values(self) -> list:
        with self._lock:
            return list(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


class Jobs(_Bounded):
    """Jobs by id; a job forgotten (too many, or older than ``ttl``) loses its files and its table.

    Once decided, a job keeps its table only while it is among the ``keep_tables`` most
    recently decided (for another metric or the other language); after that its page shows
    what was read and asks for the files again. So what the server holds after a busy hour is
    bounded by the tables of the undecided jobs and of a few decided ones, and by the results'
    pages.
    """

    def __init__(self, limit: int, workspace: Workspace, ttl: float = 1800.0, keep_tables: int = 8):
        super().__init__(limit)
        self.workspace = workspace
        self.ttl = ttl
        self.keep_tables = keep_tables
        self._decided: OrderedDict[str, Job] = OrderedDict()

    def decided(self, job: Job) -> None:
        """The job's result is built: its files go, and the oldest decided tables beyond
        ``keep_tables`` are let go."""
        self.drop_files(job)
        with self._lock:
            self._decided[job.id] = job
            self._decided.move_to_end(job.id)
            while len(self._decided) > self.keep_tables:
                self._decided.popitem(last=False)[1].table = None

    def add(self, job: Job) -> None:
        self.sweep()
        for old in self.put(job.id, job):
            self.workspace.remove(old.folder)

    def sweep(self) -> None:
        """Forget jobs older than ``ttl`` (their files and their table; results stay)."""
        now = time.monotonic()
        for job in self.values():
            if now - job.created > self.ttl:
                self.workspace.remove(job.folder)
                self.pop(job.id)

    def drop_files(self, job: Job) -> None:
        self.workspace.remove(job.folder)
        job.folder = None


class Results(_Bounded):
    """Results by id, the oldest forgotten beyond the limit."""


class Runner:
    """Runs blocking analysis in worker threads, at most ``workers`` at a time."""

    def __init__(self, workers: int = 2):
        import anyio

        self.limiter = anyio.CapacityLimiter(workers)

    async def run(self, function, *args, **kwargs):
        import functools

        import anyio.to_thread

        return await anyio.to_thread.run_sync(
            functools.partial(function, *args, **kwargs), limiter=self.limiter
        )


# -- the work (in a worker thread) --------------------------------------------------------
@dataclass
class ReadOutcome:
    """A read: the table and what was read, or the reader's message (and, when a required
    column was not found, which ones and the file's headers, for the mapping form)."""

    table: object = None
    read: dict | None = None
    error: str = ""
    missing: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    found: dict = field(default_factory=dict)


def read_job(names: dict[str, str], columns: dict | None = None) -> ReadOutcome:
    """Read the stored files with :func:`wxtime.io.read` (and ``columns``), as the CLI does."""
    from ..errors import InputError, PushDataError
    from ..io import read

    paths = [Path(p) for p in names]
    try:
        table = read(paths, columns=columns or None)
    except PushDataError as exc:
        missing = adapters.missing_columns(exc)
        headers = _headers_of(exc.source, paths) if missing or columns else []
        # What the reader did recognise sets the form's other dropdowns.
        found = {m["column"]: m["header"] for m in adapters.header_mapping(paths, columns) if m["column"]}
        return ReadOutcome(
            error=adapters.user_words(str(exc), names), missing=missing, headers=headers, found=found
        )
    except InputError as exc:
        return ReadOutcome(error=adapters.user_words(str(exc), names))
    mapping = adapters.header_mapping(paths, columns)
    for row in mapping:
        row["file"] = names.get(row["file"], row["file"])
    table = adapters.with_user_names(table, names)
    return ReadOutcome(table=table, read=adapters.what_was_read(table, mapping))


def sample_job():
    """The shipped replica (:func:`wxtime.datasets.load_noon_study`), named by its file name."""
    from ..datasets import load_noon_study

    table = load_noon_study()
    paths = [f["file"] for f in table.load.get("files", [])]
    names = {str(p): Path(p).name for p in paths}
    mapping = adapters.header_mapping(paths)
    for row in mapping:
        row["file"] = names.get(row["file"], row["file"])
    table = adapters.with_user_names(table, names)
    return ReadOutcome(table=table, read=adapters.what_was_read(table, mapping))


def _headers_of(source: str, paths: list[Path]) -> list[str]:
    """The headers of the file a missing-column message is about (for the dropdowns)."""
    from ..errors import PushDataError
    from ..io.files import read_table

    path = next((p for p in paths if str(p) == source), paths[0] if len(paths) == 1 else None)
    if path is None:
        return []
    try:
        return [str(h) for h in read_table(path).frame.columns]
    except PushDataError:
        return []


def decide_job(table, *, metric: str, account: str, lang: str, sample: bool) -> Result:
    """Decide and render, as ``wxtime report`` does (seed 0)."""
    decision = adapters.decide_for(table, metric, account=account, seed=0)
    with _RENDER_LOCK:
        page = adapters.report_page(decision, table, lang=lang, sample=sample)
    result = Result(
        id=new_id(),
        source=table.source,
        sample=sample,
        account=account,
        metric=metric,
        lang=lang,
        pages={lang: page},
        json=adapters.decision_json(decision),
        downloads=adapters.schedule_downloads(decision, lang),
    )
    del decision
    give_back_memory()
    return result


def render_other(result: Result, table, lang: str) -> str:
    """The result's page in another language: the same decision (seed 0) made again from the
    job's table and rendered; kept with the result."""
    if lang not in result.pages:
        decision = adapters.decide_for(table, result.metric, account=result.account, seed=0)
        with _RENDER_LOCK:
            result.pages[lang] = adapters.report_page(decision, table, lang=lang, sample=result.sample)
        del decision
        give_back_memory()
    return result.pages[lang]


def give_back_memory() -> None:
    """Hand memory freed by an analysis back to the system (glibc keeps it in its arenas
    otherwise), so the server's size follows the results it keeps, not its busiest minute."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
