"""The hub: the organiser's event database served to the desks over HTTP (docs/sync.md).

Contract:

- ``create_app(db_path) -> FastAPI``: the ASGI app. Routes, all under /api/v1 and all
  behind ``Authorization: Bearer TOKEN`` of an active desk (checkin.sync.stations):
  ``GET /status``, ``GET /pull?since=HUBSEQ&limit=N`` (attendee payloads minimised as
  the event's policy says: checkin.sync.minimise), ``GET /snapshot`` (a new desk's first
  sync in one piece: checkin.sync.snapshot, minimised alike), ``POST /push``,
  ``POST /station-key`` (a desk's own public key, listed under its name:
  checkin.sync.stations.register_station_key; 409 when its key id is taken, 403 when it
  is refused), ``POST /final`` (`checkin sync --final`, after a sync that left the desk's
  outbox empty: notes the desk's final sync and calls ``on_final("final sync of
  STATION")``, the uploader's trigger, which must return at once), and the OpenAPI schema
  at ``/api/v1/openapi.json``. Every other path is the organiser's live view
  (checkin.sync.live.app: a viewer's session cookie instead of a desk's token). A request
  without a valid token (or session) gets 401 ``{"error": "unauthorized"}`` whatever its
  path (a browser asking for HTML gets a short page saying so); every other
  refusal is ``{"error": "one line"}`` with a 4xx status (400 not JSON, 404, 405, 409,
  413 body over protocol.MAX_BODY_BYTES, 422 a field that is wrong) and the database
  unchanged; 503 when the database is busy. Nothing is ever served from files: the
  private signing key beside the database is out of reach by construction.
- ``serve(db_path, *, host, port, ssl_certfile=None, ssl_keyfile=None, announce=None)``:
  check the database (it must hold an event), bind host:port (CheckinError in one line
  if that fails), give the hub its id, and run uvicorn until SIGINT/SIGTERM. TLS: pass
  ssl_certfile and ssl_keyfile (checked first: a pair that does not load is one line).
  announce(url) gets the address desks use (for a wildcard host, this machine's address
  on its network); that address and the certificate's path are kept in the hub's meta
  (``hub_url``, ``hub_tls_cert``) for the pairing codes of `checkin hub add-station`.
  ``upload_url`` (else the meta ``upload_url``, else none): after each final sync the
  attendance goes there as JSON, from a background thread (checkin.sync.upload.Uploader,
  retried per ``upload_policy``). A database connected to pretix (`checkin pretix
  connect`) is pulled from pretix and pushed to it by checkin.sync.pretix_relay (timing
  per ``pretix_policy``): ``/status`` then carries ``"pretix"`` (its state) and
  ``/final`` waits for a final push to pretix (bounded) and reports it as ``"pretix"``.

The pull cursor is the hub's events.seq: whatever reaches the hub's log reaches the desks,
also changes made in the office with the ordinary CLI on the hub's database. A push is one
transaction: its events are stored once per uuid, attendee changes applied, the desk's
contact, count and clock skew recorded, or nothing at all.

Each worker thread of the server has its own SQLite connection (WAL: reads never wait for
a write; writes queue on the busy timeout).
"""

import json
import logging
import signal
import socket
import threading
import uuid as uuidlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from checkin import cipher, clock
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.models import Event
from checkin.pg import share as shared
from checkin.places import Place, is_postgres, open_store, shown
from checkin.store import Store, now
from checkin.sync import minimise, protocol, snapshot, stations, tls
from checkin.sync.apply import store_events
from checkin.sync.asgi import drain

if TYPE_CHECKING:
    from checkin.pretix.cycle import Policy as PretixPolicy
    from checkin.sync.pretix_relay import PretixRelay
    from checkin.sync.upload import UploadPolicy

log = logging.getLogger(__name__)

_STATION = "checkin.station"  # ASGI scope key: the authenticated desk's name
_DRAIN_CAP = 32 * 1024 * 1024  # read at most this much of a refused body, then hang up
POOL_SIZE = 20  # PostgreSQL connections of one hub process (its threads wait for one)


# -- the wire, as pydantic models (validation and the OpenAPI schema) --------------------


_UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_EVENT_TYPES: list[JsonValue] = [kind for kind in sorted(protocol.EVENT_TYPES)]


class WireEvent(BaseModel):
    """One event as a desk pushes it."""

    model_config = ConfigDict(strict=True, extra="forbid")

    # json_schema_extra: the schema says what the validators below accept, so that a client
    # (or a test) made from the schema can write an event the hub takes.
    uuid: str = Field(min_length=36, max_length=36, description="canonical lowercase UUID",
                      json_schema_extra={"pattern": _UUID_PATTERN})
    type: str = Field(max_length=40, description="one of " + ", ".join(
        sorted(protocol.EVENT_TYPES)), json_schema_extra={"enum": _EVENT_TYPES})
    attendee_id: str | None = Field(default=None, min_length=1, max_length=protocol.MAX_ID)
    station: str = Field(min_length=1, max_length=protocol.MAX_NAME)
    operator: str = Field(default="", max_length=protocol.MAX_NAME)
    time: str = Field(max_length=40, description="ISO 8601 with UTC offset",
                      json_schema_extra={"format": "date-time"})
    day: str | None = Field(default=None, description="YYYY-MM-DD",
                            json_schema_extra={"format": "date"})
    payload: dict[str, Any] = Field(default_factory=dict)

    @field_validator("uuid")
    @classmethod
    def _uuid(cls, value: str) -> str:
        try:
            canonical = str(uuidlib.UUID(value))
        except ValueError:
            canonical = ""
        if canonical != value:
            raise ValueError(f"{value!r} is not a UUID in canonical lowercase form")
        return value

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        problem = protocol.time_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("day")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        problem = protocol.day_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _payload(self) -> "WireEvent":
        problem = protocol.payload_problem(self.type, self.attendee_id, self.day, self.payload)
        if problem:
            raise ValueError(problem)
        return self


class StationTimed(BaseModel):
    """A desk's request that carries its clock (the hub records the skew)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    station_time: str = Field(max_length=40, description="the desk's clock when it sent this",
                              json_schema_extra={"format": "date-time"})

    @field_validator("station_time")
    @classmethod
    def _time(cls, value: str) -> str:
        problem = protocol.time_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class PushRequest(StationTimed):
    events: list[WireEvent] = Field(max_length=protocol.MAX_PUSH_EVENTS)
    # What the desk says of itself, for the live view (docs/live.md); older desks send
    # none of these, and the hub then shows "not reported".
    printer: str | None = Field(default=None, pattern=protocol.PRINTER_PATTERN,
                                description="the desk's printer: ready, busy, offline, "
                                            "stopped, out_of_paper (null: not known)")
    waiting: int | None = Field(default=None, ge=0, le=2**62,
                                description="the desk's events still waiting after this push")
    station_name: str | None = Field(default=None, min_length=1, max_length=protocol.MAX_NAME,
                                     description="the station name the desk's events carry")


class PushAnswer(BaseModel):
    acknowledged: list[str] = Field(description="uuids the hub holds now (stored or known)")
    hub_seq: int


class PulledEvent(BaseModel):
    uuid: str
    type: str
    attendee_id: str | None
    station: str
    operator: str
    time: str
    day: str | None
    payload: dict[str, Any]
    hub_seq: int


class EventAnswer(BaseModel):
    name: str
    days: list[str]
    timezone: str | None = Field(default=None, description="the event's IANA time zone (its "
                                                           "days are days there)")


class KeyAnswer(BaseModel):
    key_id: str
    algorithm: str
    public_key: str
    created_at: str
    revoked_at: str | None
    station: str | None = Field(description="the desk whose own key this is; null for the "
                                            "event's keys")


class StationKeyRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    algorithm: Literal["ed25519"] = "ed25519"
    public_key: str = Field(min_length=44, max_length=44,
                            description="base64 of the raw 32-byte Ed25519 public key")


class StationKeyAnswer(BaseModel):
    key_id: str
    station: str


class RevokedRefAnswer(BaseModel):
    ref: str
    attendee_id: str | None
    reason: str
    revoked_at: str


class PullAnswer(BaseModel):
    event: EventAnswer
    events: list[PulledEvent]
    next: int = Field(description="the cursor for the next pull (the last hub_seq here)")
    more: bool
    public_keys: list[KeyAnswer]
    revoked_refs: list[RevokedRefAnswer]


class FinalRequest(StationTimed):
    pass


class PretixFinalAnswer(BaseModel):
    """The hub's final push to pretix (docs/pretix.md, "The hub")."""

    pushed: int = Field(description="admissions and undos this push sent that pretix answered")
    accepted: int = Field(description="every admission and undo pretix took so far")
    refused: int = Field(description="every one pretix refused so far")
    waiting: int = Field(description="not in pretix yet")
    error: str = Field(description="why some wait, one line; empty if none")


class FinalAnswer(BaseModel):
    hub_seq: int
    upload: str = Field(description="queued: the hub uploads the attendance now; off: no "
                                    "upload address is set")
    pretix: PretixFinalAnswer | None = Field(
        default=None, description="only from a hub connected to pretix")


class ErrorAnswer(BaseModel):
    """Every refusal: one line, and nothing else."""

    model_config = ConfigDict(extra="forbid")

    error: str


# Declared for every route, so that the schema says what a refusal looks like (FastAPI
# would otherwise document its own {"detail": [...]} for 422, which the hub never sends).
_REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorAnswer, "description": what} for status, what in (
        (400, "the body is not JSON"), (401, "no valid token: the same body on every path"),
        (409, "the database refused a row"), (413, "body over 8 MB"),
        (422, "a field that is wrong"), (503, "the database is busy"))}


class PretixStateAnswer(BaseModel):
    connected: bool
    last_pull: str
    last_push: str
    waiting: int
    accepted: int
    refused: int
    error: str


class AtAnswer(BaseModel):
    hub_seq: int
    uuid: str | None = Field(description="the event at that hub_seq; null when the log has "
                                         "none there")


class StatusAnswer(BaseModel):
    hub_time: str
    hub_seq: int
    hub_id: str
    station: str = Field(description="the desk's name as the hub knows it")
    event: EventAnswer
    pretix: PretixStateAnswer | None = Field(
        default=None, description="only from a hub connected to pretix: how its pulls and "
                                  "pushes stand")
    at: AtAnswer | None = Field(default=None, description="only with ?at=HUBSEQ: the event "
                                                          "there (a desk checks its cursor)")
    push_fields: list[str] = Field(description="the optional fields of a push this hub "
                                               "takes (a desk sends only these)")
    encrypted: bool = Field(False, description="the hub's database is encrypted: a desk "
                                               "made by its first sync is encrypted too")


# -- answers --------------------------------------------------------------------------------


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    line = " ".join(message.split())[:300]
    return JSONResponse({"error": line}, status_code=status, headers=headers)


async def _send_error(send: Send, status: int, message: str,
                      headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _validation_line(exc: RequestValidationError) -> tuple[int, str]:
    errors = exc.errors()
    if not errors:
        return 422, "invalid request"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return 400, "the body is not JSON"
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") == "missing":
        return 400, "the body is empty: a JSON object is expected"
    parts = [str(p) for p in first.get("loc", ()) if p not in ("body", "query")]
    where = ".".join(parts)
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return 422, (f"{where}: {message}" if where else message) + more


# -- the guard: authentication and body size, before any route ------------------------------


class _Guard:
    """401 for a request without the token of an active desk, whatever its path; 413 for a
    body over the limit. The body is read here (bounded) and handed on."""

    def __init__(self, app: ASGIApp, authenticate: Callable[[str], str | None],
                 viewer: ASGIApp | None = None) -> None:
        self.app = app
        self.authenticate = authenticate
        self.viewer = viewer  # every path outside the API: the live view, its own guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # no route speaks it: refused before any check
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if self.viewer is not None and path != protocol.API \
                and not path.startswith(protocol.API + "/"):
            await self.viewer(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = auth.partition(" ")
        station = None
        if scheme.lower() == "bearer" and token.strip():
            try:
                station = await run_in_threadpool(self.authenticate, token.strip())
            except sqlite3.Error as exc:
                log.warning("hub: cannot check a token: %s", exc)
                await drain(receive, _DRAIN_CAP)
                await _send_error(send, 503, "the hub's database is busy; try again")
                return
        if station is None:
            await drain(receive, _DRAIN_CAP)
            await _send_error(send, 401, "unauthorized", {"WWW-Authenticate": "Bearer"})
            return
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        body = b"" if declared > protocol.MAX_BODY_BYTES else await _read(receive)
        if body is None or declared > protocol.MAX_BODY_BYTES:
            await drain(receive, _DRAIN_CAP)
            await _send_error(send, 413, f"request body over "
                                         f"{protocol.MAX_BODY_BYTES // (1024 * 1024)} MB")
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, _STATION: station}, replay, send)


async def _read(receive: Receive) -> bytes | None:
    """The whole request body, or None when it grows over the limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > protocol.MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


# -- the app --------------------------------------------------------------------------------


class _Stores:
    """One Store per server thread: sqlite3 connections are not shared across threads. On
    PostgreSQL the threads' Stores share one connection pool (checkin.pg)."""

    def __init__(self, db_path: Place) -> None:
        self.db_path = db_path
        self.local = threading.local()
        self.pool: Store | None = None
        if is_postgres(db_path):
            self.pool = open_store(db_path, station="hub", pool_size=POOL_SIZE)

    def get(self) -> Store:
        store: Store | None = getattr(self.local, "store", None)
        if store is None:
            if self.pool is not None:
                store = Store(shared(self.pool.db), station="hub")
            else:
                store = Store(open_db(Path(self.db_path)), station="hub")
            self.local.store = store
        return store


# An events row as the JSON object of protocol.to_wire: checkin.sync.minimise.wire_event.
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


# The same on PostgreSQL (checkin.pg): json_build_object, the payload text read as json.
_WIRE_EVENT_PG = ("json_build_object('uuid', uuid, 'type', type, 'attendee_id', attendee_id, "
                  "'station', station, 'operator', operator, 'time', time, 'day', day, "
                  "'payload', coalesce(nullif(payload, ''), '{}')::json, 'hub_seq', seq)::text")


def _json_with_events(events: list[str], rest: dict[str, Any]) -> Response:
    """{"events": [the given JSON texts], ...rest} (rest written as JSONResponse would)."""
    body = f"{{\"events\":[{','.join(events)}],{_ENCODE(rest)[1:]}"
    return Response(body.encode("utf-8"), media_type="application/json")


def _event_answer(store: Store) -> dict[str, Any]:
    info = store.event_info()
    return {"name": info.name, "days": info.days, "timezone": store.meta(clock.ZONE_KEY)}


def _hub_seq(store: Store) -> int:
    return int(store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])


def create_app(db_path: Place, *, on_final: Callable[[str], bool] | None = None,
               pretix: "PretixRelay | None" = None) -> FastAPI:
    stores = _Stores(db_path)
    app = FastAPI(title="checkin hub", version="1", openapi_url=protocol.OPENAPI,
                  docs_url=None, redoc_url=None, responses=_REFUSALS,
                  description="Desks push their own events and pull everybody else's "
                              "(docs/sync.md). Every route needs Authorization: Bearer "
                              "TOKEN (`checkin hub add-station`).")

    def authenticate(token: str) -> str | None:
        return stations.authenticate(stores.get(), token)

    from checkin.sync.live.app import live_app

    encrypted = cipher.is_encrypted(db_path)  # docs/encryption.md: desks follow the hub

    app.add_middleware(_Guard, authenticate=authenticate, viewer=live_app(stores.get))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, line = _validation_line(exc)
        log.info("hub: %s %s refused (%d): %s", request.method, request.url.path, status, line)
        return _error(status, line)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = {404: "not found", 405: "method not allowed"}.get(exc.status_code, str(exc.detail))
        return _error(exc.status_code, text)

    @app.exception_handler(sqlite3.OperationalError)
    async def _busy(request: Request, exc: sqlite3.OperationalError) -> JSONResponse:
        log.warning("hub: %s %s: database error: %s", request.method, request.url.path, exc)
        return _error(503, "the hub's database is busy; try again")

    @app.exception_handler(sqlite3.IntegrityError)
    async def _conflict(request: Request, exc: sqlite3.IntegrityError) -> JSONResponse:
        log.warning("hub: %s %s refused: %s", request.method, request.url.path, exc)
        return _error(409, f"refused by the hub's database: {exc}")

    @app.get(f"{protocol.API}/status", response_model=StatusAnswer)
    def status(request: Request,
               at: int | None = Query(None, ge=1, le=2**62,
                                      description="a desk's pull cursor: the answer names "
                                                  "the event there")) -> JSONResponse:
        store = stores.get()
        answer: dict[str, Any] = {
            "hub_time": now(), "hub_seq": _hub_seq(store), "hub_id": store.meta("hub_id") or "",
            "station": request.scope[_STATION], "event": _event_answer(store),
            "push_fields": list(stations.REPORTED),
            "encrypted": encrypted}
        if at is not None:
            row = store.db.execute("SELECT uuid FROM events WHERE seq = ?", [at]).fetchone()
            answer["at"] = {"hub_seq": at, "uuid": row[0] if row else None}
        pretix_state = pretix.state() if pretix is not None else None
        if pretix_state is not None:
            answer["pretix"] = pretix_state.to_wire()
        return JSONResponse(answer)

    @app.get(f"{protocol.API}/pull", response_model=PullAnswer)
    def pull(request: Request,
             since: int = Query(0, ge=0, le=2**62, description="the last hub_seq you hold"),
             limit: int = Query(protocol.PULL_LIMIT, ge=1, le=protocol.MAX_PULL_LIMIT)
             ) -> Response:
        station: str = request.scope[_STATION]
        store = stores.get()
        conn = store.db.conn
        conn.execute("BEGIN")  # one snapshot: events, keys and refs as of the same moment
        try:
            # Each event as JSON text made by SQLite: a first sync pulls every event there
            # is, and json.loads + json.dumps of each payload was most of the hub's work.
            # Attendee payloads leave without what desks need not hold (minimise).
            policy = minimise.load(store)
            rows = store.db.execute(
                f"SELECT seq, {_WIRE_EVENT_PG if stores.pool else minimise.wire_event(policy)} "
                "FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                [since, limit + 1]).fetchall()
            if stores.pool:  # PostgreSQL: minimised here (minimise's SQL is SQLite's)
                rows = [(seq, minimise.wire_text(policy, text)) for seq, text in rows]
            event = _event_answer(store)
            keys = [dict(zip(("key_id", "algorithm", "public_key", "created_at", "revoked_at",
                              "station"), r, strict=True)) for r in store.db.execute(
                "SELECT key_id, algorithm, public_key, created_at, revoked_at, station "
                "FROM public_keys ORDER BY created_at, key_id")]
            refs = [dict(zip(("ref", "attendee_id", "reason", "revoked_at"), r, strict=True))
                    for r in store.db.execute(
                "SELECT ref, attendee_id, reason, revoked_at FROM revoked_refs ORDER BY ref")]
        finally:
            conn.execute("COMMIT")
        page = rows[:limit]
        with store.transaction():
            stations.record_contact(store, station)
        more = len(rows) > limit
        log.info("hub: pull by %s since %d: %d events%s", station, since, len(page),
                 " (more)" if more else "")
        return _json_with_events([r[1] for r in page], {
            "event": event, "next": page[-1][0] if page else since, "more": more,
            "public_keys": keys, "revoked_refs": refs})

    recent = snapshot.Recent()
    app.state.snapshots = recent  # serve() has it made ahead of the first desk

    @app.get(f"{protocol.API}/snapshot", response_class=Response, responses={200: {
        "description": "the desk's tables as of one hub_seq, as an SQLite database image "
                       "(checkin.sync.snapshot): a new desk's first sync",
        "content": {snapshot.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "headers": {"X-Hub-Seq": {"schema": {"type": "integer"},
                                  "description": "the log position the image holds"}}}})
    def snapshot_(request: Request) -> Response:
        station: str = request.scope[_STATION]
        store = stores.get()
        made = recent.get(store)
        with store.transaction():
            stations.record_contact(store, station)
        log.info("hub: snapshot for %s at hub_seq %d: %d rows, %.1f MB", station, made.hub_seq,
                 made.rows, len(made.image) / 1e6)
        return Response(made.image, media_type=snapshot.MEDIA_TYPE,
                        headers={"X-Hub-Seq": str(made.hub_seq)})

    @app.post(f"{protocol.API}/push", response_model=PushAnswer)
    def push(request: Request, body: PushRequest) -> JSONResponse:
        station: str = request.scope[_STATION]
        received = datetime.now().astimezone()
        skew = round((received - datetime.fromisoformat(body.station_time)).total_seconds(), 3)
        events = [Event(uuid=e.uuid, type=e.type, attendee_id=e.attendee_id, station=e.station,
                        operator=e.operator, time=e.time, day=e.day, payload=e.payload)
                  for e in body.events]
        store = stores.get()
        with store.transaction():
            new = store_events(store, events)
            stations.record_contact(store, station, received=len(new), skew=skew)
            stations.record_report(store, station, printer=body.printer,
                                   waiting=body.waiting, station_name=body.station_name)
            hub_seq = _hub_seq(store)
        log.info("hub: push from %s: %d events, %d new, clock skew %+.1f s%s", station,
                 len(events), len(new), skew,
                 f", printer {body.printer}" if body.printer else "")
        if pretix is not None and new:
            pretix.trigger(new)
        return JSONResponse({"acknowledged": list(dict.fromkeys(e.uuid for e in events)),
                             "hub_seq": hub_seq})

    @app.post(f"{protocol.API}/station-key", response_model=StationKeyAnswer,
              responses={
                  403: {"model": ErrorAnswer,
                        "description": "the key is refused (one line says why)"},
                  409: {"model": ErrorAnswer,
                        "description": "another key has this key id: make a new key"}})
    def station_key(request: Request, body: StationKeyRequest) -> JSONResponse:
        station: str = request.scope[_STATION]
        try:
            key_id = stations.register_station_key(stores.get(), station, body.public_key)
        except stations.KeyIdTaken as exc:
            log.info("hub: station key of %s refused: %s", station, exc)
            return _error(409, str(exc))
        except stations.KeyRefused as exc:
            log.warning("hub: station key of %s refused: %s", station, exc)
            return _error(403, str(exc))
        return JSONResponse({"key_id": key_id, "station": station})

    @app.post(f"{protocol.API}/final", response_model=FinalAnswer)
    def final(request: Request, body: FinalRequest) -> JSONResponse:
        from checkin.sync.upload import record_final

        station: str = request.scope[_STATION]
        store = stores.get()
        with store.transaction():
            stations.record_contact(store, station)
            record_final(store, station)
            hub_seq = _hub_seq(store)
        queued = on_final(f"final sync of {station}") if on_final is not None else False
        log.info("hub: final sync of %s at hub_seq %d%s", station, hub_seq,
                 "; upload queued" if queued else "")
        answer: dict[str, Any] = {"hub_seq": hub_seq, "upload": "queued" if queued else "off"}
        pushed = pretix.final() if pretix is not None else None  # bounded in time
        if pushed is not None:
            answer["pretix"] = pushed.to_wire()
        return JSONResponse(answer)

    return app


# -- serving --------------------------------------------------------------------------------


def _listen(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise CheckinError(f"cannot listen on {host}:{port}: {why}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # A restart right after a crash must get the port back (TIME_WAIT sockets).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise CheckinError(f"cannot listen on {host}:{port}: "
                           f"{exc.strerror or exc}".rstrip()) from None
    sock.set_inheritable(True)
    return sock


def prepare(db_path: Place) -> str:
    """Check the database is an event (CheckinError otherwise); the hub's id, made once."""
    store = open_store(db_path, station="hub")
    try:
        store.event_info()
        with store.transaction():
            hub_id = store.meta("hub_id")
            if not hub_id:
                hub_id = str(uuidlib.uuid4())
                store.set_meta("hub_id", hub_id)
        return hub_id
    finally:
        store.db.conn.close()


def advertised_url(scheme: str, host: str, port: int) -> str:
    """The address desks use: host, or for a wildcard host this machine's network address."""
    name = tls.lan_address() if tls.is_wildcard(host) else host.strip("[]")
    return f"{scheme}://{name if ':' not in name else f'[{name}]'}:{port}"


def _remember_served(db_path: Place, url: str, certfile: Path | None) -> None:
    store = open_store(db_path, station="hub")
    try:
        with store.transaction():
            store.set_meta("hub_url", url)
            if certfile is not None:
                store.set_meta("hub_tls_cert", str(Path(certfile).resolve()))
            else:
                store.db.execute("DELETE FROM meta WHERE key = 'hub_tls_cert'")
    finally:
        store.db.conn.close()


def serve(db_path: Place, *, host: str = "127.0.0.1", port: int = 8765,
          ssl_certfile: Path | None = None, ssl_keyfile: Path | None = None,
          announce: Callable[[str], None] | None = None, upload_url: str | None = None,
          upload_policy: "UploadPolicy | None" = None,
          pretix_policy: "PretixPolicy | None" = None) -> None:
    import uvicorn

    from checkin.sync.pretix_relay import PretixRelay
    from checkin.sync.upload import Uploader, configured_url

    db_path = db_path if is_postgres(db_path) else Path(db_path)
    fingerprint = None
    if ssl_certfile is not None or ssl_keyfile is not None:
        if ssl_certfile is None or ssl_keyfile is None:
            raise CheckinError("TLS needs both the certificate and its key")
        fingerprint = tls.check_server_files(Path(ssl_certfile), Path(ssl_keyfile))
    prepare(db_path)
    upload_url = upload_url or configured_url(db_path)
    uploader = Uploader(db_path, upload_url, upload_policy) if upload_url else None
    relay = PretixRelay(db_path, pretix_policy)  # idle until the database is connected
    sock = _listen(host, port)
    bound_port = sock.getsockname()[1]
    scheme = "https" if ssl_certfile else "http"
    url = advertised_url(scheme, host, bound_port)
    try:
        _remember_served(db_path, url, ssl_certfile)
    except BaseException:
        sock.close()
        raise
    on_final = uploader.trigger if uploader is not None else None
    app = create_app(db_path, on_final=on_final, pretix=relay)
    config = uvicorn.Config(
        app, host=host, port=bound_port,
        log_config=None, access_log=False,
        server_header=False, timeout_graceful_shutdown=5, limit_concurrency=100,
        ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
    log.info("hub: serving %s on %s (listening on %s port %d)%s", shown(db_path), url, host,
             bound_port, f", TLS certificate {tls.display_fingerprint(fingerprint)}"
             if fingerprint else ", without TLS")
    if uploader is not None:
        log.info("hub: after each final sync the attendance is uploaded to %s",
                 uploader.shown_url)
    if announce is not None:
        announce(url)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again; with this
    # handler that ends serve() normally (exit 0 for a service manager) instead of killing
    # the process before the log says it stopped.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stopped) if main_thread else None
    if uploader is not None:
        uploader.start()
    relay.start()
    threading.Thread(target=_warm, args=(db_path, app.state.snapshots), daemon=True,
                     name="hub-snapshot").start()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except _Stop:
        pass
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        if uploader is not None:
            uploader.stop()
        relay.stop()
        sock.close()
        log.info("hub: stopped serving %s", shown(db_path))


def _warm(place: Place, recent: snapshot.Recent) -> None:
    """Have the first desk's snapshot made while no desk waits for it (100,000 attendees:
    1-4 s); a desk that asks meanwhile gets this build. A failure only costs that desk
    the build it would have made anyway."""
    try:
        store = open_store(place, station="hub")
        try:
            made = recent.get(store)
        finally:
            store.close()
    except (CheckinError, sqlite3.Error) as exc:
        log.warning("hub: the first snapshot was not made ahead: %s", exc)
        return
    log.info("hub: a snapshot for new desks is ready (hub_seq %d, %.1f MB)", made.hub_seq,
             len(made.image) / 1e6)


class _Stop(Exception):
    """SIGTERM arrived after uvicorn's graceful shutdown."""


def _stopped(signum: int, frame: object) -> None:
    raise _Stop
