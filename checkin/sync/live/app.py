"""The live view's web app: every path of the hub outside /api/v1 (docs/live.md).

Contract:

- ``live_app(store_of) -> ASGIApp``: the app the hub's guard hands every request that
  is not for the desk API (checkin.sync.hub). store_of() is the calling thread's Store.
- Routes, read-only (any other method: 405, nothing changes):
  ``GET /sign-in?token=T``: a viewer's link (checkin.sync.live.viewers). A valid token
  gets a new session: the cookie ``checkin_viewer`` (HttpOnly, SameSite=Strict, Path=/,
  Secure under TLS) and a page that goes on to ``/``; another token gets 401.
  ``GET /`` (``?day=YYYY-MM-DD``, ``?lang=en|de``): the page. ``GET /live/part`` (same
  parameters): the page's parts, for its script. ``GET /live/static/live.css`` and
  ``live.js``: the only files served, named here, from assets/live.
- Every path but /sign-in needs a live session: without one the answer is 401, a short
  page for a browser (Accept: text/html) and ``{"error": "unauthorized"}`` otherwise (as
  the desk API answers), whatever the path. A day that is not the event's: 400.
- Every answer says: no caching of the page and its data (names in the conflicts), no
  referrer (a link holds a token), no framing, and a Content-Security-Policy that
  allows only the hub's own style sheet and script.
"""

import hashlib
import logging
from collections.abc import Callable
from functools import cache
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from checkin import resources
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.store import Store
from checkin.sync.asgi import drain
from checkin.sync.live import render, viewers
from checkin.sync.live.figures import Figures, pick_day
from checkin.sync.live.texts import Texts, choose, texts

log = logging.getLogger(__name__)

COOKIE = "checkin_viewer"
LANG_COOKIE = "checkin_lang"
SESSION_DAYS = 30  # the cookie's life; the session itself lasts until revoked
_VIEWER = "checkin.viewer"  # scope key: the signed-in viewer's name
_DRAIN_CAP = 1024 * 1024  # a refused request's body read at most this far: the page takes none
_STATIC = {"live.css": "text/css; charset=utf-8",
           "live.js": "text/javascript; charset=utf-8"}
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; "
                               "img-src 'self'; connect-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_NO_STORE = {**_HEADERS, "Cache-Control": "no-store"}


@cache
def _static(name: str) -> bytes:
    return (resources.assets() / "live" / name).read_bytes()


@cache
def _version() -> str:
    """Changes with the script and style sheet, so a browser never mixes old and new."""
    digest = hashlib.sha256()
    for name in sorted(_STATIC):
        digest.update(_static(name))
    return digest.hexdigest()[:12]


def _wants_html(scope: Scope) -> bool:
    for key, value in scope.get("headers") or []:
        if key == b"accept":
            return b"text/html" in value
    return False


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for key, value in scope.get("headers") or []:
        if key == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is no session: 401 follows
                return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _language(request: Request) -> Texts:
    return texts(choose(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                        request.headers.get("accept-language", "")))


class _SessionGuard:
    """401 for every request without a live viewer session, but the sign-in link."""

    def __init__(self, app: ASGIApp, store_of: Callable[[], Store]) -> None:
        self.app = app
        self.store_of = store_of

    def _viewer_of(self, cookie: str) -> str | None:
        # In the worker thread: each thread has its own connection (store_of).
        return viewers.viewer_of(self.store_of(), cookie)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == "/sign-in":
            await self.app(scope, receive, send)
            return
        cookie = _cookies(scope).get(COOKIE, "")
        viewer = None
        if cookie:
            try:
                viewer = await run_in_threadpool(self._viewer_of, cookie)
            except sqlite3.Error as exc:
                log.warning("live view: cannot check a session: %s", exc)
                answer: Response = JSONResponse({"error": "the hub's database is busy; try "
                                                          "again"}, 503, headers=_NO_STORE)
                await answer(scope, receive, send)
                return
        if viewer is None:
            await drain(receive, _DRAIN_CAP)
            await _unauthorized(scope)(scope, receive, send)
            return
        await self.app({**scope, _VIEWER: viewer}, receive, send)


def _unauthorized(scope: Scope) -> Response:
    if _wants_html(scope):
        headers = dict(scope.get("headers") or [])
        t = texts(choose(None, None, headers.get(b"accept-language", b"").decode("latin-1")))
        return HTMLResponse(render.message(t, t["unauthorized_title"], t["unauthorized"]),
                            401, headers=_NO_STORE)
    return JSONResponse({"error": "unauthorized"}, 401, headers=_NO_STORE)


def live_app(store_of: Callable[[], Store]) -> ASGIApp:
    figures = Figures(store_of)

    def sign_in(request: Request) -> Response:
        t = _language(request)
        session = viewers.sign_in(store_of(), request.query_params.get("token", ""))
        if session is None:
            log.info("live view: a sign-in link was refused")
            return HTMLResponse(render.message(t, t["unauthorized_title"], t["link_invalid"]),
                                401, headers=_NO_STORE)
        # A page that goes on, not a redirect: a link opened from another app (a chat, a
        # mail) is a cross-site navigation, and a browser would not send a SameSite=Strict
        # cookie along a redirect that started there.
        answer = HTMLResponse(render.message(t, t["title"],
                                             t.fmt("signed_in", name=session.viewer),
                                             forward="/"), headers=_NO_STORE)
        answer.set_cookie(COOKIE, session.cookie, max_age=SESSION_DAYS * 86400, path="/",
                          httponly=True, samesite="strict",
                          secure=request.url.scheme == "https")
        return answer

    def _day(request: Request, t: Texts) -> str | Response:
        store = store_of()
        try:
            return pick_day(store, store.event_info(), request.query_params.get("day"))
        except CheckinError:
            asked = request.query_params.get("day", "")[:20]
            return HTMLResponse(render.message(t, t["title"], t.fmt("bad_day", day=asked)),
                                400, headers=_NO_STORE)

    def page(request: Request) -> Response:
        t = _language(request)
        day = _day(request, t)
        if isinstance(day, Response):
            return day
        part_url = "/live/part?" + urlencode({"day": day, "lang": t.lang})
        answer = HTMLResponse(render.page(figures.of(day), t, part_url, _version()),
                              headers=_NO_STORE)
        if request.query_params.get("lang") == t.lang:  # chosen on the page: kept
            answer.set_cookie(LANG_COOKIE, t.lang, max_age=365 * 86400, path="/",
                              httponly=True, samesite="strict",
                              secure=request.url.scheme == "https")
        return answer

    def part(request: Request) -> Response:
        t = _language(request)
        day = _day(request, t)
        if isinstance(day, Response):
            return day
        return HTMLResponse(render.parts(figures.of(day), t), headers=_NO_STORE)

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            return _not_found(request)
        return Response(_static(name), media_type=_STATIC[name],
                        headers={**_HEADERS, "Cache-Control": "private, max-age=86400"})

    def _not_found(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            t = _language(request)
            return HTMLResponse(render.message(t, t["not_found"], t["not_found"]), 404,
                                headers=_NO_STORE)
        return JSONResponse({"error": "not found"}, 404, headers=_NO_STORE)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _not_found(request)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": "method not allowed: the live view only shows"}, 405,
                            headers=_NO_STORE)

    async def busy(request: Request, exc: Exception) -> Response:
        log.warning("live view: %s: database error: %s", request.url.path, exc)
        return JSONResponse({"error": "the hub's database is busy; try again"}, 503,
                            headers=_NO_STORE)

    app = Starlette(routes=[
        Route("/sign-in", sign_in, methods=["GET"]),
        Route("/", page, methods=["GET"]),
        Route("/live/part", part, methods=["GET"]),
        Route("/live/static/{name}", static, methods=["GET"]),
    ], exception_handlers={404: not_found, 405: not_allowed, sqlite3.Error: busy})
    return _SessionGuard(app, store_of)
