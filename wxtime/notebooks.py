"""The analyst's study: the notebooks in ``notebooks/``, executed on a push file and exported.

The shareable decision page is :mod:`wxtime.report`; the notebooks are the
study behind it, for analysts. ``wxtime notebooks FILE --html out/`` executes
all five on a file in fresh kernels (the file, metric, seed and language reach
them through the kernel's environment, read by :func:`parameters`) and writes
each as a self-contained HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .io.files import atomic_write

__all__ = [
    "NOTEBOOKS",
    "NotebookError",
    "StudyParameters",
    "execute_notebook",
    "export_notebooks",
    "parameters",
]

NOTEBOOKS = ("01_the_question", "02_rates_by_hour", "03_ab_test", "04_bandits", "05_decision")


class NotebookError(RuntimeError):
    """A notebook failed (names the notebook and the cell)."""


@dataclass(frozen=True)
class StudyParameters:
    """What every study notebook analyses: ``data`` (paths, empty = the shipped replica),
    ``read_options`` (as :func:`wxtime.io.read` takes them: send times, stated slots...),
    ``metric``, ``seed`` and ``lang``."""

    data: tuple
    metric: str
    seed: int
    lang: str
    read_options: dict

    def read(self):
        """The push table the study analyses, read exactly as ``wxtime report`` reads it."""
        if not self.data:
            from .datasets import load_noon_study

            return load_noon_study()
        from .io import read

        return read(list(self.data), **self.read_options)


_ENVIRONMENT = {
    "data": "WXTIME_STUDY_FILES",
    "metric": "WXTIME_STUDY_METRIC",
    "seed": "WXTIME_STUDY_SEED",
    "lang": "WXTIME_STUDY_LANG",
    "read_options": "WXTIME_STUDY_READ",
}


def parameters(**defaults) -> StudyParameters:
    """The study's parameters: from the environment (``wxtime notebooks`` sets ``WXTIME_STUDY_FILES``,
    ``WXTIME_STUDY_READ``, ``_METRIC``, ``_SEED``, ``_LANG`` for the kernel, as JSON where they are
    lists or mappings), else ``defaults``, else the replica study, the open rate, seed 0, English.
    One helper for the five notebooks.

    Examples
    --------
    >>> parameters(metric="read").metric
    'read'
    """
    import json
    import os

    base = {"data": [], "metric": "open", "seed": 0, "lang": "en", "read_options": {}} | defaults
    values = dict(base)
    for key, env in _ENVIRONMENT.items():
        if env in os.environ:
            text = os.environ[env]
            values[key] = json.loads(text) if key in ("data", "read_options") else text
    data = values["data"]
    data = (data,) if isinstance(data, str) else tuple(str(d) for d in data or ())
    return StudyParameters(
        data=data,
        metric=values["metric"],
        seed=int(values["seed"]),
        lang=values["lang"],
        read_options=dict(values["read_options"] or {}),
    )


def _notebook_dir() -> Path:
    import os

    env = os.environ.get("WXTIME_NOTEBOOKS")
    candidates = [Path(env)] if env else []
    candidates += [Path(__file__).parent / "_notebooks", Path(__file__).resolve().parents[1] / "notebooks"]
    for candidate in candidates:
        if (candidate / f"{NOTEBOOKS[0]}.ipynb").exists():
            return candidate
    raise FileNotFoundError(
        "wxtime's notebooks were not found; set WXTIME_NOTEBOOKS to the notebooks/ folder"
    )


def execute_notebook(name: str, parameters: dict, *, progress=None, timeout: int = 900):
    """Execute one study notebook with ``parameters`` in a fresh kernel; returns the executed notebook.

    Raises :class:`NotebookError` naming the notebook and the cell on failure.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = _notebook_dir() / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    import json

    env.update(
        {
            _ENVIRONMENT[key]: json.dumps(value, ensure_ascii=False)
            if key in ("data", "read_options")
            else str(value)
            for key, value in parameters.items()
            if value is not None
        }
    )

    # Kernels run in a scratch folder: whatever they write never lands in the repository.
    workdir = tempfile.mkdtemp(prefix="wxtime-report-")
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": workdir}}
    )
    # The kernel process's own stderr carries only its start-up log lines (cell output and
    # errors arrive as Jupyter messages), so it is discarded to keep the terminal readable.
    try:
        with client.setup_kernel(stderr=subprocess.DEVNULL, env=env):
            for index, cell in enumerate(notebook.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as exc:
                    raise NotebookError(
                        f"notebook {name}.ipynb, cell {index + 1} failed: {exc.ename}: {exc.evalue}"
                    ) from None
                if progress is not None:
                    progress.update(1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return notebook


def export_notebooks(
    files,
    output: str | Path,
    *,
    metric: str = "open",
    lang: str = "en",
    seed: int = 0,
    show_code: bool = True,
    quiet: bool = False,
    read_options: dict | None = None,
) -> list[Path]:
    """Execute every study notebook on ``files`` (None: the shipped replica) and write each as HTML
    into the folder ``output``.

    The files are read first, with ``read_options`` (:func:`wxtime.io.read`), so a file that cannot
    be read is said before any kernel starts, in the same words as ``wxtime report``.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from tqdm.auto import tqdm

    paths = [str(Path(f).resolve()) for f in ([files] if isinstance(files, str | Path) else files or [])]
    options = {k: v for k, v in (read_options or {}).items() if v is not None}
    study = StudyParameters(tuple(paths), metric, seed, lang, options)
    study.read()  # bad input is the user's to fix: said now, not from inside a kernel
    parameters = {"data": paths, "metric": metric, "seed": seed, "lang": lang, "read_options": options}
    exporter = HTMLExporter(template_name="lab", exclude_input=not show_code)
    total = sum(len(nbformat.read(_notebook_dir() / f"{n}.ipynb", as_version=4).cells) + 1 for n in NOTEBOOKS)
    written = []
    with tqdm(total=total, desc="notebooks", unit="cell", disable=quiet) as progress:
        for name in NOTEBOOKS:
            executed = execute_notebook(name, parameters, progress=progress)
            body, _ = exporter.from_notebook_node(executed)
            target = Path(output) / f"{name}.html"
            with atomic_write(target, "w", encoding="utf-8") as fh:
                fh.write(body)
            progress.update(1)  # the export: the "+ 1" of each notebook in the total
            written.append(target)
    return written
