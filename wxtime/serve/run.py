"""Running the app: bind, print the address (with the access token when shared), serve with uvicorn."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading

from .security import is_loopback, new_token

__all__ = ["bind", "in_thread", "lan_address", "serve"]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), made before the server
    starts so that the printed address is the real one.

    Examples
    --------
    >>> sock = bind("127.0.0.1", 0)
    >>> sock.getsockname()[1] > 0
    True
    >>> sock.close()
    """
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def lan_address() -> str | None:
    """This machine's address on the office network, for the printed link (None if unknown).

    Connecting a UDP socket sends nothing; it only asks the system which interface it would
    use.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 1))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _links(host: str, port: int, token: str | None) -> list[str]:
    query = f"/?token={token}" if token else "/"
    shown = host.strip("[]")
    if shown in ("0.0.0.0", "::", ""):
        hosts = [h for h in (lan_address(), "127.0.0.1") if h]
    else:
        hosts = [shown]
    return [f"http://{f'[{h}]' if ':' in h else h}:{port}{query}" for h in hosts]


def startup_lines(links: list, shared: bool, lang: str | None = None) -> list:
    """What ``wxtime serve`` prints on starting, in ``lang`` (English by default).

    Examples
    --------
    >>> for line in startup_lines(["http://127.0.0.1:8000"], False, "zh"):
    ...     print(line)
    wxtime serve：请打开 http://127.0.0.1:8000
      按 Ctrl+C 停止；上传的文件和结果只在运行期间保留
    """
    from ..i18n import t

    said = lang or "en"
    lines = [t("serve.open", said, link=links[0])]
    lines += ["  " + t("serve.or", said, link=link) for link in links[1:]]
    if shared:
        lines.append("  " + t("serve.shared", said))
    lines.append("  " + t("serve.stop_hint", said))
    return lines


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    token: str | None = None,
    max_upload_mb: float = 50,
    max_files: int = 10,
    lang: str | None = None,
    temp_dir: str | None = None,
    log_level: str = "info",
    out=None,
) -> int:
    """Run ``wxtime serve`` until interrupted (Ctrl+C); returns the exit status.

    Bound beyond loopback, the app requires an access token: ``token``, or one generated
    here and printed within the link.
    """
    import uvicorn

    from .app import ServeConfig, create_app

    out = out or sys.stdout
    _fewer_malloc_arenas()
    if token is None and not is_loopback(host):
        token = new_token()
    config = ServeConfig(
        token=token, max_upload_mb=max_upload_mb, max_files=max_files, lang=lang, temp_dir=temp_dir
    )
    app = create_app(config)
    workspace = app.state.wx.workspace
    sock = bind(host, port)
    links = _links(host, sock.getsockname()[1], token)
    print("\n".join(startup_lines(links, bool(token), lang)), file=out, flush=True)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level=log_level, server_header=False, lifespan="on", limit_concurrency=200)
    )
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, links[-1]), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn has shut down cleanly and passes Ctrl+C on
        pass
    finally:
        sock.close()
        workspace.close()
    from ..i18n import t

    print(t("serve.stopped", lang or "en"), file=out)
    return 0


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """Let glibc keep at most ``arenas`` heaps: by default each worker thread gets its own, and
    after a busy minute the server holds several half-empty heaps it never gives back. Two
    heaps serve two analysis threads (measured in benchmarks/serve_load.py)."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc
        pass


def _open_when_started(server, link: str) -> None:
    import time
    import webbrowser

    for _ in range(200):
        if server.started:
            webbrowser.open(link)
            return
        time.sleep(0.05)


@contextlib.contextmanager
def in_thread(app, host: str = "127.0.0.1", port: int = 0):
    """Serve ``app`` from a background thread (tests, screenshots); yields its base URL and
    stops the server (running the app's shutdown) on exit.

    Examples
    --------
    >>> import urllib.request
    >>> from wxtime.serve.app import create_app
    >>> with in_thread(create_app()) as url:
    ...     urllib.request.urlopen(url + "/static/serve.css").status
    200
    """
    import time

    import uvicorn

    sock = bind(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        if not server.started:
            raise RuntimeError("the wxtime server did not start")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
