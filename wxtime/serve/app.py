"""The ASGI app: pages, forms and downloads (Starlette), in front of :mod:`wxtime.serve.jobs`.

======================================  ===================================================
request                                 answer
======================================  ===================================================
``GET /``                               the upload page (files, or the sample data)
``POST /upload``, ``POST /sample``      read the files (or the sample) -> ``/j/<job>``
``GET /j/<job>``                        what was read and the decision form, or the
                                        mapping form when a required column was not found
``POST /j/<job>/columns``               read again with the operator's column mapping
``POST /j/<job>/decide``                decide and render -> ``/r/<result>``
``POST /j/<job>/discard``               forget the job and delete its files
``GET /r/<result>``                     the decision page (``wxtime report``'s) under a bar
                                        of downloads and the share link
``GET /r/<result>/page.html``           the same page as a file (exactly ``wxtime report``'s)
``GET /r/<result>/decision.json``       its JSON (``wxtime analyze --json``)
``GET /r/<result>/schedule.csv|.ics``   the schedule (:func:`~wxtime.serve.adapters.schedule_downloads`)
``GET /static/<name>``                  the app's stylesheets and script (a fixed list)
======================================  ===================================================

Anything else is a 404. Errors in a file are shown with the reader's own message (the
command line's words, naming the operator's file, row and column); anything unexpected is
logged and answered with a plain 500 page, never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..i18n import LANGS, MESSAGES, metric_label, skipped_reason, t
from . import adapters, jobs, uploads
from .security import CSRF_COOKIE, SecurityMiddleware, cookie_header, csrf_ok, new_token, page_policy

__all__ = ["ServeConfig", "create_app"]

log = logging.getLogger("wxtime.serve")
LANG_COOKIE = "wxtime_lang"
_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SMALL_FORM = 64 * 1024
STATIC = {
    "serve.css": "text/css; charset=utf-8",
    "bar.css": "text/css; charset=utf-8",
    "serve.js": "text/javascript; charset=utf-8",
}


@dataclass
class ServeConfig:
    """How the app runs (``wxtime serve``'s options).

    Attributes
    ----------
    token : str or None
        The access token every request must carry; None serves loopback only (the ``Host``
        header must then be 127.0.0.1, localhost or ::1).
    max_upload_mb : float
        Limit of one upload, all files together.
    max_files : int
        Files in one upload.
    lang : {"en", "zh"} or None
        Language of the pages; None follows the browser (``Accept-Language``).
    max_results, max_jobs : int
        Results and uploads kept in memory; the oldest are forgotten beyond these.
    workers : int
        Analyses run at once (in worker threads); the rest wait their turn.
    temp_dir : str or None
        Where the private upload folder is made (default: the system's temporary folder).
    """

    token: str | None = None
    max_upload_mb: float = 50
    max_files: int = 10
    lang: str | None = None
    max_results: int = 100
    max_jobs: int = 50
    workers: int = 2
    temp_dir: str | None = None

    @property
    def max_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


class _State:
    """What the app holds: the workspace, jobs, results, the runner and the templates."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.workspace = jobs.Workspace(config.temp_dir)
        self.jobs = jobs.Jobs(config.max_jobs, self.workspace)
        self.results = jobs.Results(config.max_results)
        self.runner = jobs.Runner(config.workers)
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("wxtime.serve", "templates"), autoescape=True
        )
        folder = resources.files("wxtime.serve") / "static"
        self.static = {name: (folder / name).read_bytes() for name in STATIC}


# -- languages and pages ---------------------------------------------------------------
def accept_language(header: str | None) -> str:
    """The first of en/zh in an ``Accept-Language`` header, by preference (en if neither).

    Examples
    --------
    >>> accept_language("zh-CN,zh;q=0.9,en;q=0.8"), accept_language("en-US,en;q=0.9,zh;q=0.8")
    ('zh', 'en')
    >>> accept_language("fr;q=0.9, zh-TW;q=0.5, en;q=0.1"), accept_language(None)
    ('zh', 'en')
    """
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                q = float(match.group(1))
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0:
            ranked.append((-q, position, primary))
    return min(ranked)[2] if ranked else "en"


def _page_lang(request: Request, config: ServeConfig) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    if kept in LANGS:
        return kept
    return config.lang or accept_language(request.headers.get("accept-language"))


def _csrf(request: Request) -> tuple[str, bool]:
    """The browser's CSRF token, and whether it is new (to be set as a cookie)."""
    kept = request.cookies.get(CSRF_COOKIE, "")
    if re.fullmatch(r"[A-Za-z0-9_-]{40,64}", kept):
        return kept, False
    return new_token(), True


def _render(request: Request, template: str, *, status: int = 200, **context) -> HTMLResponse:
    state: _State = request.app.state.wx
    lang = _page_lang(request, state.config)
    csrf, new = _csrf(request)
    page = state.templates.get_template(template).render(
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        here=request.url.path if request.method == "GET" else "/",
        csrf=csrf,
        t=lambda key, **values: t(key, lang, **values),
        **context,
    )
    response = HTMLResponse(page, status_code=status)
    if new:
        response.raw_headers.append(cookie_header(CSRF_COOKIE, csrf))
    if request.query_params.get("lang") in LANGS:
        response.raw_headers.append(cookie_header(LANG_COOKIE, lang))
    return response


def _message(request: Request, status: int, heading: str, *, text: str = "", error: str = "") -> HTMLResponse:
    lang = _page_lang(request, request.app.state.wx.config)
    return _render(
        request, "message.html.j2", status=status, heading=t(heading, lang), text=text, error=error
    )


def _refusal(state: _State):
    """The page the security middleware answers a refused request with."""

    def refuse(scope, status: int, reason: str) -> tuple[bytes, str]:
        from .security import header_of

        lang = state.config.lang or accept_language(header_of(scope, b"accept-language"))
        heading, text = {
            "token": ("serve.error.token", "serve.error.token_text"),
            "host": ("serve.error.forbidden", "serve.error.host"),
        }.get(reason, ("serve.error.not_found", "serve.error.not_found_text"))
        page = state.templates.get_template("message.html.j2").render(
            lang=lang,
            html_lang="zh-CN" if lang == "zh" else "en",
            here="/",
            t=lambda key, **values: t(key, lang, **values),
            heading=t(heading, lang),
            text=t(text, lang, n=state.config.max_results),
        )
        return page.encode("utf-8"), "text/html; charset=utf-8"

    return refuse


def _origin_ok(request: Request) -> bool:
    """A form post comes from this app's own pages (when the browser says where from)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":  # "null": what a page under no-referrer sends; the token decides
        return True
    return urlsplit(origin).netloc == request.headers.get("host")


async def _small_form(request: Request) -> dict | None:
    """The posted form when its CSRF token is right, else None."""
    if not _origin_ok(request):
        return None
    try:
        form = await uploads.read_small_form(
            request.headers.get("content-length"), request.stream(), _SMALL_FORM
        )
    except uploads.BadUpload:
        return None
    return form if csrf_ok(form.get("csrf"), request.cookies.get(CSRF_COOKIE)) else None


def _forbidden(request: Request) -> HTMLResponse:
    lang = _page_lang(request, request.app.state.wx.config)
    return _message(request, 403, "serve.error.forbidden", text=t("serve.error.csrf", lang))


# -- upload and read -------------------------------------------------------------------
async def upload_page(request: Request) -> Response:
    config = request.app.state.wx.config
    return _render(
        request,
        "upload.html.j2",
        max_bytes=config.max_bytes,
        max_files=config.max_files,
        max_mb=f"{config.max_upload_mb:g}",
    )


async def upload(request: Request) -> Response:
    state: _State = request.app.state.wx
    config = state.config
    lang = _page_lang(request, config)
    folder = state.workspace.new_folder()
    try:
        if not _origin_ok(request):
            raise uploads.CsrfRefused("cross-site")
        expected = request.cookies.get(CSRF_COOKIE)
        received = await uploads.receive_files(
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            request.stream(),
            folder,
            max_bytes=config.max_bytes,
            max_files=config.max_files,
            check_csrf=lambda value: csrf_ok(value, expected),
        )
    except BaseException as exc:
        state.workspace.remove(folder)
        refused = {
            uploads.CsrfRefused: (403, "serve.error.forbidden", "serve.error.csrf"),
            uploads.TooLarge: (413, "serve.error.heading", "serve.error.too_large"),
            uploads.TooManyFiles: (413, "serve.error.heading", "serve.error.too_many"),
            uploads.BadUpload: (400, "serve.error.forbidden", "serve.error.bad_form"),
        }
        for kind, (status, heading, key) in refused.items():
            if isinstance(exc, kind):
                text = t(key, lang, mb=f"{config.max_upload_mb:g}", n=config.max_files)
                response = _message(request, status, heading, text=text)
                response.headers["connection"] = "close"  # the rest of the body is not read
                return response
        if isinstance(exc, ClientDisconnect):
            log.info("upload abandoned by the client; its files were deleted")
            return Response(status_code=400)
        raise
    if not received.files:
        state.workspace.remove(folder)
        return _render(
            request,
            "upload.html.j2",
            status=400,
            message=t("serve.upload.no_files", lang),
            max_bytes=config.max_bytes,
            max_files=config.max_files,
            max_mb=f"{config.max_upload_mb:g}",
        )
    job = jobs.Job(id=jobs.new_id(), names={str(f.path): f.name for f in received.files}, folder=folder)
    return await _read_into(request, job, {})


async def sample(request: Request) -> Response:
    state: _State = request.app.state.wx
    if await _small_form(request) is None:
        return _forbidden(request)
    outcome = await state.runner.run(jobs.sample_job)
    job = jobs.Job(id=jobs.new_id(), names={}, sample=True, table=outcome.table, read=outcome.read)
    state.jobs.add(job)
    return RedirectResponse(f"/j/{job.id}", status_code=303)


async def _read_into(request: Request, job: jobs.Job, columns: dict) -> Response:
    """Read the job's files (with ``columns``) in a worker. The files stay until the decision
    (the operator may still change the mapping); an error no mapping can fix deletes them."""
    state: _State = request.app.state.wx
    try:
        outcome = await state.runner.run(jobs.read_job, job.names, columns)
    except BaseException:
        state.jobs.drop_files(job)
        state.jobs.pop(job.id)
        raise
    job.columns = dict(columns)
    if outcome.table is None and not (outcome.missing or columns):
        state.jobs.drop_files(job)
        state.jobs.pop(job.id)
        return _message(request, 422, "serve.error.heading", error=outcome.error, text=_again(request))
    job.table, job.read, job.error = outcome.table, outcome.read, outcome.error
    job.missing, job.found = outcome.missing, outcome.found
    if outcome.headers:
        job.headers = outcome.headers
    elif outcome.read:
        job.headers = list(dict.fromkeys(m["header"] for m in outcome.read["mapping"]))
    state.jobs.add(job)
    return RedirectResponse(f"/j/{job.id}", status_code=303)


def _again(request: Request) -> str:
    return t("serve.error.again", _page_lang(request, request.app.state.wx.config))


def _job(request: Request) -> jobs.Job:
    job_id = request.path_params["job_id"]
    job = request.app.state.wx.jobs.get(job_id) if _ID.fullmatch(job_id) else None
    if job is None:
        raise HTTPException(404)
    return job


def _mapping_context(job: jobs.Job) -> dict:
    """The mapping form: a dropdown per required column (the send time as date-time, date or
    slot), set to what the reader used or what the operator chose."""
    chosen = {**job.found, **job.columns}
    if job.read:
        for row in job.read["mapping"]:
            if row["column"]:
                chosen.setdefault(row["column"], row["header"])
    groups = [{"targets": list(targets)} for targets in adapters.REQUIRED.values()]
    return {"mapping_groups": groups, "headers": job.headers, "chosen": chosen}


async def job_page(request: Request) -> Response:
    job = _job(request)
    lang = _page_lang(request, request.app.state.wx.config)
    context = {"job": job, **_mapping_context(job)}
    if job.read is None:
        return _render(request, "mapping.html.j2", status=200, **context)
    return _render(
        request,
        "read.html.j2",
        accounts=adapters.ACCOUNT_TYPES,
        metric_label=lambda m: metric_label(m, lang),
        skipped=lambda reason: skipped_reason(reason, lang, job.read.get("age_hours")),
        kinds=MESSAGES,
        columns_known=MESSAGES,
        **context,
    )


async def job_columns(request: Request) -> Response:
    state: _State = request.app.state.wx
    job = _job(request)
    form = await _small_form(request)
    if form is None:
        return _forbidden(request)
    if job.folder is None:
        lang = _page_lang(request, state.config)
        return _message(request, 410, "serve.error.not_found", text=t("serve.read.files_gone", lang))
    targets = [target for group in adapters.REQUIRED.values() for target in group]
    columns = {target: form[f"col.{target}"] for target in targets if form.get(f"col.{target}")}
    unknown = [header for header in columns.values() if header not in job.headers]
    if unknown:
        lang = _page_lang(request, state.config)
        text = t("serve.mapping.unknown_header", lang, header=unknown[0])
        return _message(request, 400, "serve.error.heading", text=text)
    return await _read_into(request, job, columns)


async def job_discard(request: Request) -> Response:
    state: _State = request.app.state.wx
    job = _job(request)
    if await _small_form(request) is None:
        return _forbidden(request)
    state.jobs.drop_files(job)
    state.jobs.pop(job.id)
    return RedirectResponse("/", status_code=303)


async def job_decide(request: Request) -> Response:
    from ..errors import InputError, PushDataError

    state: _State = request.app.state.wx
    job = _job(request)
    form = await _small_form(request)
    if form is None:
        return _forbidden(request)
    if job.table is None:
        return RedirectResponse(f"/j/{job.id}", status_code=303)
    account, metric, lang = form.get("account"), form.get("metric"), form.get("lang")
    if account not in adapters.ACCOUNT_TYPES or metric not in job.read["metrics"] or lang not in LANGS:
        page_lang = _page_lang(request, state.config)
        return _message(request, 400, "serve.error.heading", text=t("serve.error.bad_form", page_lang))
    try:
        result = await state.runner.run(
            jobs.decide_job, job.table, metric=metric, account=account, lang=lang, sample=job.sample
        )
    except (PushDataError, InputError) as exc:
        error = adapters.user_words(str(exc), job.names)
        return _message(request, 422, "serve.error.heading", error=error)
    result.job_id = job.id
    state.jobs.decided(job)  # the result is built: the files go
    state.results.put(result.id, result)
    return RedirectResponse(f"/r/{result.id}", status_code=303)


# -- results ---------------------------------------------------------------------------
def _result(request: Request) -> jobs.Result:
    result_id = request.path_params["result_id"]
    result = request.app.state.wx.results.get(result_id) if _ID.fullmatch(result_id) else None
    if result is None:
        raise HTTPException(404)
    return result


def _other_langs(request: Request, result: jobs.Result) -> list[str]:
    """Languages the result can be shown in: those rendered, and any other while its job (the
    table) is still kept."""
    job = request.app.state.wx.jobs.get(result.job_id) if result.job_id else None
    return [lang for lang in LANGS if lang in result.pages or (job is not None and job.table is not None)]


async def _result_page(request: Request, result: jobs.Result) -> tuple[str, str]:
    lang = request.query_params.get("lang")
    lang = lang if lang in _other_langs(request, result) else result.lang
    if lang not in result.pages:
        table = request.app.state.wx.jobs.get(result.job_id).table
        await request.app.state.wx.runner.run(jobs.render_other, result, table, lang)
    return lang, result.pages[lang]


def _share_link(request: Request, result: jobs.Result) -> str:
    token = request.app.state.wx.config.token
    base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return f"{base}/r/{result.id}" + (f"?token={token}" if token else "")


async def result_page(request: Request) -> Response:
    state: _State = request.app.state.wx
    result = _result(request)
    lang, page = await _result_page(request, result)
    job_id = result.job_id
    bar = state.templates.get_template("bar.html.j2").render(
        t=lambda key, **values: t(key, lang, **values),
        lang=lang,
        langs=_other_langs(request, result),
        result=result,
        share=_share_link(request, result),
        job_link=f"/j/{job_id}" if job_id and state.jobs.get(job_id) else "",
    )
    policy = page_policy(page)  # the report's own inline styles, by hash; the bar has none
    head = (
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/bar.css">'
        '<script src="/static/serve.js" defer></script>'
    )
    shown = page.replace("</head>", head + "</head>", 1)
    shown = re.sub(r"<body[^>]*>", lambda m: m.group(0) + bar, shown, count=1)
    return HTMLResponse(shown, headers={"content-security-policy": policy})


def _attachment(filename: str, body: bytes, media_type: str, policy: str | None = None) -> Response:
    # Old browsers read the plain name, others the UTF-8 one (六月.html).
    ascii_name = filename if re.fullmatch(r"[A-Za-z0-9._-]+", filename) else "wxtime" + Path(filename).suffix
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    headers = {"content-disposition": disposition}
    if policy:
        headers["content-security-policy"] = policy
    return Response(body, media_type=media_type, headers=headers)


def _stem(result: jobs.Result) -> str:
    name = Path(result.source).stem if " + " not in result.source else "wxtime"
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name) or "wxtime"


async def result_file(request: Request) -> Response:
    result = _result(request)
    _, page = await _result_page(request, result)
    return _attachment(
        f"{_stem(result)}.html", page.encode("utf-8"), "text/html; charset=utf-8", page_policy(page)
    )


async def result_json(request: Request) -> Response:
    result = _result(request)
    return _attachment(f"{_stem(result)}.json", result.json, "application/json")


async def result_schedule(request: Request) -> Response:
    result = _result(request)
    download = result.downloads.get(request.path_params["kind"])
    if download is None:
        raise HTTPException(404)
    return _attachment(download.filename, download.body, download.media_type)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise HTTPException(404)
    body = request.app.state.wx.static[name]
    return Response(body, media_type=STATIC[name], headers={"cache-control": "no-cache"})


# -- errors ----------------------------------------------------------------------------
async def not_found(request: Request, exc: Exception) -> Response:
    config = request.app.state.wx.config
    lang = _page_lang(request, config)
    status = getattr(exc, "status_code", 404)
    key = "serve.error.not_found_text" if status == 404 else "serve.error.bad_form"
    return _message(request, status, "serve.error.not_found", text=t(key, lang, n=config.max_results))


async def internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    lang = _page_lang(request, request.app.state.wx.config)
    page = request.app.state.wx.templates.get_template("message.html.j2").render(
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        here="/",
        t=lambda key, **values: t(key, lang, **values),
        heading=t("serve.error.internal_heading", lang),
        text=t("serve.error.internal", lang),
    )
    return HTMLResponse(page, status_code=500)


def create_app(config: ServeConfig | None = None) -> SecurityMiddleware:
    """The wxtime web app (an ASGI app), wrapped in :class:`~wxtime.serve.security.SecurityMiddleware`.

    Its state is ``app.state.wx`` (workspace, jobs, results); the private upload folder is
    removed when the app shuts down (ASGI lifespan) and by :meth:`close`.

    Examples
    --------
    >>> app = create_app(ServeConfig())
    >>> app.state.wx.workspace.root.exists(), app.state.wx.config.max_upload_mb
    (True, 50)
    >>> app.state.wx.workspace.close()
    """
    config = config or ServeConfig()
    state = _State(config)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            state.workspace.close()

    routes = [
        Route("/", upload_page, methods=["GET"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/sample", sample, methods=["POST"]),
        Route("/j/{job_id}", job_page, methods=["GET"]),
        Route("/j/{job_id}/columns", job_columns, methods=["POST"]),
        Route("/j/{job_id}/decide", job_decide, methods=["POST"]),
        Route("/j/{job_id}/discard", job_discard, methods=["POST"]),
        Route("/r/{result_id}", result_page, methods=["GET"]),
        Route("/r/{result_id}/page.html", result_file, methods=["GET"]),
        Route("/r/{result_id}/decision.json", result_json, methods=["GET"]),
        Route("/r/{result_id}/schedule.{kind:str}", result_schedule, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: not_found, Exception: internal_error},
    )
    app.state.wx = state
    # Outside Starlette's own error middleware, so that even a 500 page carries the headers.
    guarded = SecurityMiddleware(app, token=config.token, refuse=_refusal(state))
    guarded.state = app.state
    return guarded
