"""After a desk's final sync, the hub POSTs the attendance as JSON to the organiser's
endpoint (a registration system's webhook). docs/sync.md ("Upload") has the JSON.

Contract:

- ``record_final(store, station)``: the desk's final sync, noted in sync_stations.final_at
  (inside the caller's transaction).
- ``check_url(url) -> str``: the address, checked (http or https, a host); CheckinError
  in one line otherwise. ``shown(url)``: the address without user info and query (where
  webhook secrets live), for logs, the uploads table and listings.
- ``upload_url(store)`` / ``set_upload_url(store, url | None)``: the address kept in the
  hub's meta (``upload_url``), set by `checkin hub upload-url`; `hub serve --upload URL`
  overrides it for one run.
- ``attendance_document(store, *, upload_id, trigger) -> dict``: the JSON sent, built
  from the log (the same records as `checkin export attendance`, merges and conflicts).
- ``Uploader(db_path, url, policy)``: ``start()`` a background thread with its own
  database connection; ``trigger(reason)`` queues an upload and returns at once (the
  hub's request never waits for it); ``stop()``. Each upload is tried up to
  policy.attempts times, waiting policy.first_delay seconds before the second attempt and
  twice as long before each next one (at most policy.max_delay; a Retry-After in seconds
  is honoured within that bound). Connection errors, timeouts, 408, 429 and 5xx are
  retried; any other answer that is not 2xx (a 3xx too: no redirect is followed) ends
  the upload as failed. Every attempt is a row of ``uploads`` (``uploads(store)``), and a
  line in the log. Triggers that arrive while an upload is under way are served by its
  next attempt (the JSON is built afresh for each attempt: it holds the log as of then),
  or by one more upload after it. An upload whose retries a stopped or killed hub left
  (its newest row says retrying) is resumed when the uploader starts again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from checkin.errors import CheckinError
from checkin.net_errors import reason
from checkin.places import Place, is_postgres
from checkin.store import Store, now

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

URL_KEY = "upload_url"  # meta key on the hub
FORMAT = "checkin-attendance"
VERSION = 1
OK, RETRYING, FAILED = "ok", "retrying", "failed"


@dataclass(frozen=True)
class UploadPolicy:
    attempts: int = 6
    first_delay: float = 5.0  # seconds before the second attempt; doubles after that
    max_delay: float = 300.0
    connect_timeout: float = 5.0
    timeout: float = 60.0  # seconds for the endpoint to take the body and answer

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number attempt (1-based)."""
        return float(min(self.first_delay * 2 ** (attempt - 1), self.max_delay))


@dataclass(frozen=True)
class UploadRecord:
    id: int
    upload_id: str
    attempt: int
    time: str
    url: str
    status: str
    http_code: int | None
    error: str
    bytes: int
    trigger: str

    def to_json(self) -> dict[str, Any]:
        return {"upload_id": self.upload_id, "attempt": self.attempt, "time": self.time,
                "url": self.url, "status": self.status, "http_code": self.http_code,
                "error": self.error, "bytes": self.bytes, "trigger": self.trigger}


# -- the address -------------------------------------------------------------------------------


def check_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or any(c.isspace() for c in url):
        raise CheckinError(f"{shown(url)[:100]!r} is not an upload address like "
                           "https://registration.example.org/hooks/checkin")
    return url


def shown(url: str) -> str:
    """The address without user info, query and fragment (a webhook's secret lives there)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an address that cannot be read)"
    if ":" in host:
        host = f"[{host}]"
    hidden = "?…" if parts.query or parts.fragment else ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", "")) + hidden


def upload_url(store: Store) -> str | None:
    return store.meta(URL_KEY) or None


def configured_url(db_path: Place) -> str | None:
    """The upload address kept in this database (serve() reads it once at start)."""
    from checkin.places import open_store

    store = open_store(db_path, station="hub")
    try:
        return upload_url(store)
    finally:
        store.close()


def set_upload_url(store: Store, url: str | None) -> None:
    with store.transaction():
        if url:
            store.set_meta(URL_KEY, check_url(url))
        else:
            store.db.execute("DELETE FROM meta WHERE key = ?", [URL_KEY])


# -- final syncs ---------------------------------------------------------------------------------


def record_final(store: Store, station: str) -> None:
    store.db.execute("UPDATE sync_stations SET final_at = ? WHERE name = ?", [now(), station])


# -- the document -------------------------------------------------------------------------------


def attendance_document(store: Store, *, upload_id: str, trigger: str) -> dict[str, Any]:
    """The JSON an upload sends (docs/sync.md, "Upload"), as of one read transaction."""
    from checkin.conflicts import conflicts
    from checkin.exporting import attendance

    conn = store.db.conn
    conn.execute("BEGIN")  # one snapshot: attendees, admissions and conflicts agree
    try:
        info = store.event_info()
        days, records = attendance(store)
        merges = store.merges()
        for record in records:
            record["merged_into"] = merges.get(record["id"])
        found = [c.to_json() for c in conflicts(store)]
        desks = [{"name": r[0], "last_contact": r[1], "final_at": r[2]}
                 for r in store.db.execute(
                     "SELECT name, last_contact, final_at FROM sync_stations "
                     "WHERE revoked_at IS NULL ORDER BY name")]
        hub_seq = int(store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
        hub_id = store.meta("hub_id") or ""
    finally:
        conn.execute("COMMIT")
    checked_in = {day: sum(1 for r in records if r["checkins"][day]) for day in days}
    return {
        "format": FORMAT, "version": VERSION, "upload_id": upload_id, "hub_id": hub_id,
        "generated_at": now(), "trigger": trigger, "hub_seq": hub_seq,
        "event": {"name": info.name, "days": days},
        "counts": {"attendees": len(records), "checked_in": checked_in,
                   "conflicts": len(found)},
        "desks": desks, "attendees": records, "conflicts": found,
    }


# -- the record ----------------------------------------------------------------------------------


def uploads(store: Store, limit: int | None = None) -> list[UploadRecord]:
    """Upload attempts, oldest first (the newest limit of them)."""
    rows = store.db.execute(
        "SELECT id, upload_id, attempt, time, url, status, http_code, error, bytes, trigger "
        "FROM uploads ORDER BY id DESC LIMIT ?", [-1 if limit is None else limit]).fetchall()
    return [UploadRecord(*row) for row in reversed(rows)]


def _record(store: Store, record: UploadRecord) -> None:
    with store.transaction():
        store.db.execute(
            "INSERT INTO uploads (upload_id, attempt, time, url, status, http_code, error, "
            "bytes, trigger) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record.upload_id, record.attempt, record.time, record.url, record.status,
             record.http_code, record.error, record.bytes, record.trigger])


# -- sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    retry: bool
    http_code: int | None
    error: str
    wait: float | None = None  # the endpoint's Retry-After, in seconds


def _answer_line(answer: httpx.Response) -> str:
    try:
        text = answer.text
    except (UnicodeDecodeError, LookupError):
        text = ""
    body = " ".join(text.split())[:200]
    return f"the endpoint answered {answer.status_code}" + (f": {body}" if body else "")


def _send(client: httpx.Client, url: str, body: bytes, upload_id: str) -> _Outcome:
    import httpx

    from checkin import __version__

    try:
        answer = client.post(url, content=body, headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"checkin-hub/{__version__}", "Idempotency-Key": upload_id})
    except httpx.HTTPError as exc:
        return _Outcome(False, True, None, reason(exc))
    code = answer.status_code
    if 200 <= code < 300:
        return _Outcome(True, False, code, "")
    if 300 <= code < 400:
        return _Outcome(False, False, code, f"the endpoint answered {code} (redirect to "
                        f"{shown(answer.headers.get('location', '?'))}): uploads follow no "
                        "redirect; set the final address")
    wait = None
    with contextlib.suppress(ValueError):  # an HTTP date instead of seconds: not used
        wait = float(answer.headers.get("retry-after", ""))
    return _Outcome(False, code in (408, 429) or code >= 500, code, _answer_line(answer), wait)


class Uploader:
    """Uploads in a thread of their own (see the module docstring)."""

    def __init__(self, db_path: Place, url: str, policy: UploadPolicy | None = None,
                 *, client: Callable[[], httpx.Client] | None = None) -> None:
        self.db_path = db_path if is_postgres(db_path) else Path(db_path)
        self.url = check_url(url)
        self.policy = policy or UploadPolicy()
        self._client = client
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def shown_url(self) -> str:
        return shown(self.url)

    # -- what the hub calls -------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="upload", daemon=True)
        self._thread.start()

    def trigger(self, reason: str) -> bool:
        """Queue an upload; returns at once (True: queued)."""
        with self._lock:
            self._pending.append(reason)
        self._wake.set()
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread: a retry it was waiting for is left for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the thread ----------------------------------------------------------------------

    def _take(self) -> list[str]:
        with self._lock:
            taken, self._pending = self._pending, []
        return taken

    def _make_client(self) -> httpx.Client:
        if self._client is not None:
            return self._client()
        import httpx

        # No proxy from the environment and no redirects: the organiser's address, as set.
        return httpx.Client(timeout=httpx.Timeout(self.policy.timeout,
                                                  connect=self.policy.connect_timeout),
                            trust_env=False, follow_redirects=False)

    def _run(self) -> None:
        from checkin.places import open_store, shown

        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            store = open_store(self.db_path, station="hub")
        except CheckinError as exc:
            log.error("upload: cannot open %s: %s; no uploads in this run",
                      shown(self.db_path), exc)
            return
        try:
            self._resume(store)
            with self._make_client() as client:
                while not self._stop.is_set():
                    self._wake.wait()
                    self._wake.clear()
                    triggers = self._take()
                    if triggers and not self._stop.is_set():
                        self._upload(store, client, triggers)
        except Exception:  # a fault here must never take the hub down; it is logged
            log.exception("upload: the upload thread stopped on a fault")
        finally:
            store.close()

    def _resume(self, store: Store) -> None:
        newest = uploads(store, limit=1)
        if newest and newest[0].status == RETRYING:
            log.info("upload %s was still being retried when the hub stopped: resumed",
                     newest[0].upload_id)
            self.trigger(f"resumed after a restart ({newest[0].trigger})")

    def _upload(self, store: Store, client: httpx.Client, triggers: list[str]) -> None:
        upload_id = str(uuidlib.uuid4())
        policy, url = self.policy, self.shown_url
        for attempt in range(1, policy.attempts + 1):
            triggers += self._take()  # arrived meanwhile: this attempt serves them too
            trigger = "; ".join(dict.fromkeys(triggers))[:500]
            document = attendance_document(store, upload_id=upload_id, trigger=trigger)
            body = json.dumps(document, ensure_ascii=False).encode("utf-8")
            outcome = _send(client, self.url, body, upload_id)
            last = outcome.ok or not outcome.retry or attempt == policy.attempts
            status = OK if outcome.ok else (FAILED if last else RETRYING)
            _record(store, UploadRecord(0, upload_id, attempt, now(), url, status,
                                        outcome.http_code, outcome.error, len(body), trigger))
            if outcome.ok:
                log.info("upload %s to %s: done (attempt %d, %d bytes, %d attendees, HTTP %s)",
                         upload_id, url, attempt, len(body), len(document["attendees"]),
                         outcome.http_code)
                return
            if last:
                log.warning("upload %s to %s failed (attempt %d of %d): %s%s", upload_id, url,
                            attempt, policy.attempts, outcome.error,
                            "" if outcome.retry else "; not retried")
                return
            delay = policy.delay(attempt)
            if outcome.wait is not None and 0 <= outcome.wait <= policy.max_delay:
                delay = max(delay, outcome.wait)
            log.warning("upload %s to %s: attempt %d of %d failed (%s); next in %.1f s",
                        upload_id, url, attempt, policy.attempts, outcome.error, delay)
            if self._stop.wait(delay):
                return  # the hub stops: the row says retrying, the next start resumes
