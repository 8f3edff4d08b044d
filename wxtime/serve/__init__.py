"""``wxtime serve``: a local web app where operators upload their exports and get the decision page.

The page an operator opens instead of a terminal: drop the files (or take the shipped
sample), see what was read (pushes, dates, slots, which header became which column, rows
left out and why, where send times came from), fix a column the reader could not find
with a dropdown, choose the account type, the metric and the language, and get the same
decision page ``wxtime report`` writes, with its schedule (CSV, .ics) and JSON.

=====================  ================================================================
module                 concern
=====================  ================================================================
``serve/app.py``       the pages and forms (Starlette), :func:`create_app`
``serve/security.py``  access token, CSRF, content security policy, headers, paths
``serve/uploads.py``   streamed uploads into a private folder, within limits
``serve/jobs.py``      jobs and results in memory, the analysis in worker threads
``serve/adapters.py``  the only contact with the analysis (read, decide, render, schedule)
``serve/run.py``       :func:`serve`: bind, print the address (and token link), run uvicorn
=====================  ================================================================

It needs the ``[serve]`` extra (Starlette, uvicorn, python-multipart); importing this
package does not import them.
"""

from __future__ import annotations

__all__ = ["ServeConfig", "create_app", "serve"]


def __getattr__(name):
    if name in ("ServeConfig", "create_app"):
        from . import app

        return getattr(app, name)
    if name == "serve":
        from .run import serve

        return serve
    raise AttributeError(f"module 'wxtime.serve' has no attribute {name!r}")
