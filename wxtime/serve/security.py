"""Safe by default: the access token, CSRF tokens, the content security policy and the headers
every response carries.

The app is meant for a laptop (bound to 127.0.0.1) or an office network (bound beyond it,
with an access token). The threats it is built against: a colleague's browser on the same
network without the token; another web site the operator has open (cross-site requests,
DNS rebinding onto 127.0.0.1, framing); and the data itself (a title, a header or a sheet
name written as markup or as a path).

* **Access token** (:func:`check_token`): beyond loopback every request needs it, once in the
  query string (``?token=...``, the link printed at start), then from an HttpOnly,
  SameSite=Strict cookie; compared in constant time.
* **Host check**: without a token (loopback) the ``Host`` header must name the loopback
  address, so a page that rebinds its own domain to 127.0.0.1 gets nothing.
* **CSRF**: every form carries a per-browser random token that must equal the one in its
  SameSite=Strict cookie (constant time); a cross-site ``Origin`` is refused as well.
* **Headers**: a Content-Security-Policy allowing scripts only from the app itself
  (:func:`page_policy` for the decision page, whose inline styles are allowed by their
  hashes), ``nosniff``, ``no-referrer``, ``DENY`` framing, no caching.
* **Paths**: any ``.`` or ``..`` segment, backslash or NUL in a path is a 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import ipaddress
import re
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "CSRF_COOKIE",
    "TOKEN_COOKIE",
    "SecurityMiddleware",
    "csrf_ok",
    "default_policy",
    "is_loopback",
    "new_token",
    "page_policy",
    "same_token",
    "unsafe_path",
]

TOKEN_COOKIE = "wxtime_token"
CSRF_COOKIE = "wxtime_csrf"
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}

#: The policy of every page the app writes itself: its own script and stylesheet, nothing
#: inline, no plug-ins, no framing, forms only to itself.
_BASE_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def new_token() -> str:
    """A fresh random token (access or CSRF): 32 bytes from :mod:`secrets`, URL-safe.

    Examples
    --------
    >>> len(new_token()) >= 43, new_token() != new_token()
    (True, True)
    """
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    """Whether ``given`` is ``expected``, compared in constant time (both must be non-empty).

    Examples
    --------
    >>> same_token("abc", "abc"), same_token("abd", "abc"), same_token(None, "abc"), same_token("", "")
    (True, False, False, False)
    """
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))


def csrf_ok(given: str | None, kept: str | None) -> bool:
    """Whether a form's CSRF token matches the browser's cookie, which must be one this app
    could have issued (:func:`new_token`'s shape), compared in constant time.

    Examples
    --------
    >>> kept = new_token()
    >>> other = kept[:-1] + ("B" if kept.endswith("A") else "A")
    >>> csrf_ok(kept, kept), csrf_ok("x", "x"), csrf_ok(other, kept)
    (True, False, False)
    """
    if not kept or not re.fullmatch(r"[A-Za-z0-9_-]{40,64}", kept):
        return False
    return same_token(given, kept)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the app on this machine.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def unsafe_path(path: str) -> bool:
    """Whether a (decoded) request path tries to leave where it is: a ``.`` or ``..``
    segment, an empty segment, a backslash or a control character.

    Examples
    --------
    >>> unsafe_path("/r/abc"), unsafe_path("/../../etc/passwd"), unsafe_path("/a//b")
    (False, True, True)
    >>> unsafe_path("/static/..%2f")  # still encoded: the decoded path is checked as well
    False
    >>> unsafe_path("/static/..\\\\x"), unsafe_path("/")
    (True, False)
    """
    if "\\" in path or re.search(r"[\x00-\x1f\x7f]", path):
        return True
    segments = path.split("/")[1:]
    inner = segments[:-1]  # a trailing slash leaves one empty last segment, which is harmless
    return any(s in (".", "..") for s in segments) or any(s == "" for s in inner)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _policy_text(policy: dict) -> str:
    return "; ".join(f"{k} {v}" for k, v in policy.items())


def default_policy() -> str:
    """The Content-Security-Policy of the app's own pages.

    Examples
    --------
    >>> "'unsafe-inline'" in default_policy(), "script-src 'self'" in default_policy()
    (False, True)
    """
    return _policy_text(_BASE_POLICY)


_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle="([^"]*)\"""")


def page_policy(page: str) -> str:
    """The policy for a decision page: the app's own, plus the hash of each ``<style>``
    element and of each ``style`` attribute the page holds (the report's stylesheet, the
    chance bars' widths, matplotlib's SVG), so no other inline style and no inline script
    can run.

    Examples
    --------
    >>> policy = page_policy('<style>p{color:red}</style><p style="width:5%">x</p>')
    >>> "style-src-attr 'unsafe-hashes' 'sha256-" in policy, "'unsafe-inline'" in policy
    (True, False)
    """
    elements = sorted({_hash(s) for s in _STYLE_ELEMENT.findall(page)})
    attributes = sorted({_hash(html.unescape(s)) for s in _STYLE_ATTRIBUTE.findall(page)})
    policy = dict(_BASE_POLICY)
    policy["style-src"] = " ".join(["'self'", *elements])
    policy["style-src-attr"] = " ".join(["'unsafe-hashes'", *attributes]) if attributes else "'none'"
    return _policy_text(policy)


def cookies_of(scope) -> dict[str, str]:
    """The request's cookies (a malformed Cookie header gives none)."""
    jar = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a broken header from a client: no cookies, not a 500
                return {}
    return {k: m.value for k, m in jar.items()}


def header_of(scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def cookie_header(name: str, value: str, *, max_age: int | None = None) -> tuple[bytes, bytes]:
    """A ``Set-Cookie`` header: HttpOnly, SameSite=Strict, the whole app (plain HTTP on an
    office network, so not ``Secure``: a TLS proxy in front can add it)."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return b"set-cookie", "; ".join(parts).encode("latin-1")


class SecurityMiddleware:
    """ASGI middleware in front of every request: token, host check, unsafe paths, headers.

    Parameters
    ----------
    app : ASGI app
    token : str or None
        The access token every request must carry (None: loopback only, no token).
    refuse : callable
        ``refuse(scope, status, reason) -> (body bytes, content type)``: the page a refused
        request gets (``reason`` is ``"token"``, ``"host"`` or ``"not_found"``).
    """

    def __init__(self, app, *, token: str | None, refuse):
        self.app = app
        self.token = token
        self.refuse = refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        refused = self._check(scope)
        if refused is not None:
            await refused(send)
            return
        await self.app(scope, receive, send)

    def _check(self, scope):
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if self.token is not None:
            given = query.get("token")
            if given is not None and same_token(given, self.token):
                return self._enter(scope, query)
            if not same_token(cookies_of(scope).get(TOKEN_COOKIE), self.token):
                return self._page(scope, 403, "token")
        else:
            host = header_of(scope, b"host")
            if host is None or _host_name(host) not in _LOOPBACK_NAMES:
                return self._page(scope, 403, "host")
        raw = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
        if unsafe_path(scope["path"]) or unsafe_path(raw.decode("latin-1")):
            return self._page(scope, 404, "not_found")
        return None

    def _enter(self, scope, query: dict):
        """The token was in the link: keep it in a cookie and go to the same page without it
        (so it does not stay in the address bar or the history)."""
        rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
        location = scope["path"] if not unsafe_path(scope["path"]) else "/"
        location += f"?{rest}" if rest else ""

        async def respond(send):
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", location.encode("utf-8")),
                        cookie_header(TOKEN_COOKIE, self.token),
                        (b"content-length", b"0"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})

        return respond

    def _page(self, scope, status: int, reason: str):
        body, content_type = self.refuse(scope, status, reason)

        async def respond(send):
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", content_type.encode("latin-1")),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        return respond


def _with_security_headers(send):
    """``send`` that adds the security headers (and the default policy, and no caching) to a
    response that does not set them itself."""

    async def wrapped(message):
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            extra = dict(SECURITY_HEADERS)
            extra["content-security-policy"] = default_policy()
            extra["cache-control"] = "no-store"
            for name, value in extra.items():
                if name.encode() not in present:
                    headers.append((name.encode(), value.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
