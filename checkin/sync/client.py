"""A desk's side of sync: push its own events to the hub, pull everybody else's.

Contract (the CLI calls it, the app from a worker thread with its own Store and
connection; no Qt here):

- ``sync_once(store, db_path, hub=None, token=None, *, fingerprint=None,
  trust_on_first_use=False) -> SyncResult``: one full exchange: GET /status (the token,
  the hub's id and event), this desk's station key to the hub once
  (checkin.station_keys), then push the outbox in batches (at least one push, empty or
  not: it records this desk's contact and clock skew at the hub), then, on a desk whose
  log is still empty, copy the hub's snapshot (checkin.sync.snapshot: a first sync in
  one piece), then pull pages until the hub has no more (the event's name, days and time
  zone come with each page). hub/token default to the remembered ones. SyncError (a
  CheckinError: one line for the user) when the hub is unreachable, refuses the token,
  or answers something else; everything committed before stays, and nothing is lost: at
  worst events are sent again, and the hub stores each uuid once.
- TLS (an https:// hub): every connection checks the hub's certificate against the
  pinned SHA-256 fingerprint (checkin.sync.tls) before anything is sent; another
  certificate is refused in one line, never trusted. The pin is the fingerprint
  argument, else the remembered one (meta sync_hub_fingerprint, from pairing or an
  earlier sync); with none, sync refuses unless trust_on_first_use, which pins the
  first certificate seen. The pin used is remembered once /status answered. A desk with
  a pin refuses an http:// hub (that would send its token in clear text).
- ``printer``: the desk's printer condition (printing.backend.PrinterCondition), sent
  with each push together with the events still waiting and the station name its events
  carry, for the organiser's live view (docs/live.md); each only if the hub's /status
  lists it in ``push_fields`` (an older hub refuses fields it does not know).
- ``final=True``: when the outbox is empty after the exchange, POST /final tells the hub
  this desk's day is done (the hub may then upload the attendance: result.upload; a hub
  connected to pretix pushes to pretix first: result.pretix_final). result.pretix: a
  pretix-connected hub's pretix state, from its /status.
- ``outbox_count(store) -> int``: own events the hub has not acknowledged yet.
- ``remember(store, db_path, hub, token)`` / ``remembered(store, db_path)``: the hub URL
  in the database's meta (sync_hub), the token in ``token_path(db_path)``, a file beside
  the database readable by its owner only (0600). ``hub`` may be several addresses of one
  hub (hub processes on one PostgreSQL database, docs/deployment.md): all are kept (meta
  sync_hubs, a JSON list), and ``sync_once`` tries the one that answered last first, then
  the others in order, whenever one does not answer (HubUnreachable: no connection, a
  timeout, or 502/503/504 from it or its proxy). The exchange then starts again at the
  next address; nothing is lost or doubled, as after any interrupted sync. Both must serve
  the same TLS certificate (one pin). ``pin(store, fingerprint)`` sets (or with None
  clears) the remembered certificate fingerprint; ``pinned(store)`` reads it.

State, all in the desk's database: meta ``sync_pull_seq`` (the hub_seq pulled up to),
``sync_push_seq`` (local events.seq up to which the hub acknowledged everything of ours),
``sync_hub_id`` (the hub this database belongs to: another hub is refused),
``sync_pull_uuid`` (the event at the pull cursor: a hub restored from a backup does not
have it there, and the desk then pushes every event it holds again), and table
``sync_pulled`` (uuids that came from the hub, never pushed back). The outbox is every
event after sync_push_seq that is not in sync_pulled. Each pulled page is applied in one
transaction together with its cursor; the push cursor moves only after the hub's answer
lists the events, so a crash at any point re-sends at worst.
"""

import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkin.clock import ZONE_KEY
from checkin.errors import CheckinError
from checkin.models import Event
from checkin.net_errors import reason
from checkin.store import Store, now
from checkin.sync import protocol, tls

if TYPE_CHECKING:
    import httpx

    from checkin.pretix.cycle import FinalPush, PretixState

log = logging.getLogger(__name__)

HUB_KEY = "sync_hub"
HUBS_KEY = "sync_hubs"  # every address of the hub (JSON list), tried in turn
HUB_ID_KEY = "sync_hub_id"
PULL_KEY = "sync_pull_seq"
PUSH_KEY = "sync_push_seq"
PULL_UUID_KEY = "sync_pull_uuid"  # the uuid of the event at sync_pull_seq
LAST_KEY = "sync_last"  # hub time of the last complete sync
FINGERPRINT_KEY = "sync_hub_fingerprint"  # SHA-256 of the hub's TLS certificate, 64 hex
STATION_KEY_KEY = "sync_station_key"  # key id of this desk's station key the hub listed
STATION_KEY_TRIES = 3  # new keys made when the hub finds the key id taken (20-bit ids)
MAX_PAGES = 100_000  # a hub that keeps saying "more" without end is a fault, not a page more


class SyncError(CheckinError):
    """Sync stopped; str() is one line for the user. What was committed before stays."""


class HubUnreachable(SyncError):
    """The hub did not answer, or said it cannot now: another address of it is tried."""


@dataclass(frozen=True)
class SyncResult:
    hub: str
    station: str  # this desk's name as the hub knows it
    pushed: int  # own events the hub acknowledged in this sync
    pulled: int  # events new to this database
    waiting: int  # own events still in the outbox (0 after a complete sync)
    hub_time: str
    hub_seq: int
    clock_skew: float  # seconds: the hub's clock minus this desk's (network time included)
    fingerprint: str | None = None  # the hub certificate's pinned SHA-256 (https only)
    upload: str | None = None  # final: the hub's answer ("queued" or "off"); else None
    # A hub connected to pretix: how its pretix stands (from /status), and with final,
    # its final push to pretix (docs/pretix.md, "The hub"); None from other hubs.
    pretix: "PretixState | None" = None
    pretix_final: "FinalPush | None" = None


# -- remembered hub and token ---------------------------------------------------------------


def token_path(db_path: Path) -> Path:
    """This desk's hub token: a file beside the database, never a row in it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".hub-token")


def normalise_hub(url: str) -> str:
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = "http://" + url
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or any(c.isspace() for c in url):
        raise SyncError(f"{url[:100]!r} is not a hub address like http://192.168.1.10:8765")
    return url


def remember(store: Store, db_path: Path, hub: str | Sequence[str] | None,
             token: str | None) -> None:
    hubs = [normalise_hub(h) for h in ([hub] if isinstance(hub, str) else hub or [])]
    if hubs:
        with store.transaction():
            if store.meta(HUB_KEY) not in hubs:  # else the one that answered last stays first
                store.set_meta(HUB_KEY, hubs[0])
            store.set_meta(HUBS_KEY, json.dumps(list(dict.fromkeys(hubs))))
    if token:
        path = token_path(db_path)
        tmp = path.with_name(path.name + ".new")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (token.strip() + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)


def pin(store: Store, fingerprint: str | None) -> None:
    """Remember the hub certificate's fingerprint (any form people write); None forgets."""
    with store.transaction():
        if fingerprint:
            store.set_meta(FINGERPRINT_KEY, tls.normalise_fingerprint(fingerprint))
        else:
            store.db.execute("DELETE FROM meta WHERE key = ?", [FINGERPRINT_KEY])


def pinned(store: Store) -> str | None:
    return store.meta(FINGERPRINT_KEY) or None


def remembered_hubs(store: Store) -> list[str]:
    """The hub's addresses: the one that answered last first."""
    first = store.meta(HUB_KEY)
    try:
        others = [str(h) for h in json.loads(store.meta(HUBS_KEY) or "[]")]
    except (ValueError, TypeError):
        others = []
    return list(dict.fromkeys([first, *others] if first else others))


def remembered(store: Store, db_path: Path) -> tuple[str | None, str | None]:
    hub = store.meta(HUB_KEY)
    path = token_path(db_path)
    try:
        token = path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        token = None
    except OSError as exc:
        raise SyncError(f"cannot read the hub token {path}: {exc.strerror}") from None
    if token and os.name == "posix":
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:  # copied with looser rights: owner only again
            os.chmod(path, 0o600)
    return hub, token


# -- the outbox ------------------------------------------------------------------------------

_OUTBOX = ("FROM events e WHERE e.seq > ? "
           "AND NOT EXISTS (SELECT 1 FROM sync_pulled p WHERE p.uuid = e.uuid)")


def _push_cursor(store: Store) -> int:
    return int(store.meta(PUSH_KEY) or 0)


def outbox_count(store: Store) -> int:
    """Own events the hub has not acknowledged yet."""
    row = store.db.execute(f"SELECT count(*) {_OUTBOX}", [_push_cursor(store)]).fetchone()
    return int(row[0])


def _outbox_batch(store: Store) -> list[Event]:
    rows = store.db.query(f"SELECT * {_OUTBOX} ORDER BY e.seq LIMIT ?",
                          [_push_cursor(store), protocol.MAX_PUSH_EVENTS])
    batch: list[Event] = []
    size = 0
    for row in rows:
        event = Event.from_row(row)
        size += len(row["payload"] or "") + 300
        if batch and size > protocol.PUSH_BATCH_BYTES:
            break
        batch.append(event)
    return batch


def _finish(store: Store, hub_time: str) -> None:
    """Note the sync's end (meta sync_last) and move the push cursor over pulled events
    when nothing of ours lies before them, so the outbox query does not walk the whole
    pulled log each time. One write transaction: an admission committed meanwhile is
    either seen or gets a later seq."""
    with store.transaction():
        store.set_meta(LAST_KEY, hub_time)
        cursor = _push_cursor(store)
        first = store.db.execute(f"SELECT min(e.seq) {_OUTBOX}", [cursor]).fetchone()[0]
        target = (int(first) - 1 if first is not None else int(
            store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]))
        if target > cursor:
            store.set_meta(PUSH_KEY, str(target))


# -- talking to the hub ----------------------------------------------------------------------


def _events_wait(count: int) -> str:
    return f"{count} event waits" if count == 1 else f"{count} events wait"


def _outbox_note(store: Store) -> str:
    try:
        count = outbox_count(store)
    except Exception:  # the count only decorates the message
        return ""
    return f"; {_events_wait(count)} in the outbox"


class _Hub:
    def __init__(self, client: "httpx.Client", hub: str, store: Store,
                 pinning: tls.PinnedContext | None = None, given: bool = False) -> None:
        self.client = client
        self.hub = hub
        self.store = store
        self.pinning = pinning
        self.given = given  # the pin came with this call, not from an earlier sync

    def _waiting(self) -> str:
        return _outbox_note(self.store)

    def _changed(self, changed: tls.CertificateChanged) -> SyncError:
        expected = tls.short_fingerprint(changed.expected)
        got = tls.short_fingerprint(changed.got) if changed.got else "no certificate"
        log.warning("hub %s presented the TLS certificate %s, not the %s one %s: refused, "
                    "nothing sent", self.hub,
                    tls.display_fingerprint(changed.got) if changed.got else "(none)",
                    "expected" if self.given else "pinned",
                    tls.display_fingerprint(changed.expected))
        if self.given:
            return SyncError(f"the hub's certificate is not the expected one (expected "
                             f"{expected}, got {got}): check the fingerprint `checkin hub "
                             "serve` shows, or pair this desk with the hub's current code")
        return SyncError(f"the hub's certificate changed (expected {expected}, got {got}): if "
                         "the organiser replaced it, pair this desk again")

    def request(self, method: str, path: str, **kwargs: Any) -> "httpx.Response":
        """The answer, whatever its status but 401; SyncError when there is none."""
        import httpx

        try:
            try:
                answer = self.client.request(method, protocol.API + path, **kwargs)
            except httpx.RemoteProtocolError:
                # The hub closed a kept-alive connection just as it was reused (its idle
                # timeout ran out while this desk applied a page): once more on a new one.
                # Every request is safe to repeat (pushes are stored once per uuid).
                log.info("sync: hub %s closed a kept-alive connection: %s again", self.hub,
                         path)
                answer = self.client.request(method, protocol.API + path, **kwargs)
        except httpx.HTTPError as exc:
            if self.pinning is not None and self.pinning.changed is not None:
                raise self._changed(self.pinning.changed) from None
            raise HubUnreachable(f"hub {self.hub} unreachable: {reason(exc)}"
                                 f"{self._waiting()}") from None
        if answer.status_code == 401:
            raise SyncError("the hub refused this station's token (revoked or wrong)")
        return answer

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = self.request(method, path, **kwargs)
        try:
            data = answer.json()
        except ValueError:
            data = None
        if answer.status_code != 200:
            why = data.get("error") if isinstance(data, dict) else None
            refusal = HubUnreachable if answer.status_code in (502, 503, 504) else SyncError
            raise refusal(f"hub {self.hub} answered {answer.status_code}"
                            f"{': ' + str(why)[:200] if why else ''}{self._waiting()}")
        if not isinstance(data, dict):
            raise SyncError(f"{self.hub} did not answer like a checkin hub (not JSON)")
        return data


@contextmanager
def _understood(hub: str) -> Iterator[None]:
    """A hub answer with missing or mistyped fields: one line, and the page not applied."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SyncError(f"{hub} answered something this desk does not understand "
                        f"({type(exc).__name__}: {str(exc)[:100]})") from None


def _pulled_event(data: dict[str, Any]) -> Event:
    for name in ("uuid", "type", "station", "time"):
        if not isinstance(data[name], str):
            raise TypeError(f"event field {name} is not a string")
    if not isinstance(data.get("payload", {}), dict):
        raise TypeError("event payload is not an object")
    return protocol.from_wire(data)


def _skew(hub_time: str) -> float:
    try:
        return round((datetime.fromisoformat(hub_time)
                      - datetime.now().astimezone()).total_seconds(), 1)
    except (ValueError, TypeError):
        return 0.0


def _pinning(store: Store, hub: str, fingerprint: str | None,
             trust_on_first_use: bool) -> tls.PinnedContext | None:
    """The pinned TLS context for an https hub; None for http (after the checks)."""
    pin_now = tls.normalise_fingerprint(fingerprint) if fingerprint else None
    known = pinned(store)
    if not hub.lower().startswith("https://"):
        if pin_now:
            raise SyncError(f"a certificate fingerprint needs an https:// hub, not {hub}")
        if known:
            raise SyncError(f"this desk pinned the hub's TLS certificate and will not send "
                            f"its token unencrypted to {hub}: if the hub no longer uses TLS, "
                            "pair this desk again (`checkin sync --pair`)")
        return None
    if not (pin_now or known or trust_on_first_use):
        raise SyncError(f"{hub} uses TLS but this desk knows no fingerprint of its "
                        "certificate: pair it with the hub's code (`checkin sync --pair`), or "
                        "add --fingerprint SHA256 (shown by `checkin hub serve`) or "
                        "--trust-on-first-use")
    return tls.pinned_context(pin_now or known)


def sync_once(store: Store, db_path: Path, hub: str | Sequence[str] | None = None,
              token: str | None = None, *, fingerprint: str | None = None,
              trust_on_first_use: bool = False, final: bool = False,
              printer: str | None = None) -> SyncResult:
    """One push-and-pull exchange with the hub (see the module docstring), at the first
    of its addresses that answers."""
    _, known_token = remembered(store, db_path)
    given = [hub] if isinstance(hub, str) else list(hub or [])
    hubs = list(dict.fromkeys(normalise_hub(h) for h in [*given, *remembered_hubs(store)]))
    token = token or known_token
    if not hubs or not token:
        raise SyncError("no hub known for this database: run `checkin sync --hub URL "
                        "--token TOKEN` once (the token comes from `checkin hub add-station`)")
    missed: list[str] = []
    for address in hubs:
        try:
            result = _sync_with(store, db_path, address, token, fingerprint=fingerprint,
                                trust_on_first_use=trust_on_first_use, final=final,
                                printer=printer)
        except HubUnreachable as exc:
            missed.append(str(exc).split("; ")[0])
            if address != hubs[-1]:
                log.warning("sync: %s; trying %s", exc, hubs[hubs.index(address) + 1])
                continue
            if len(hubs) == 1:
                raise
            raise HubUnreachable(f"no address of the hub answered ({'; '.join(missed)})"
                                 f"{_outbox_note(store)}") from None
        if len(hubs) > 1 and store.meta(HUB_KEY) != address:
            with store.transaction():  # the one that answered is tried first next time
                store.set_meta(HUB_KEY, address)
        return result
    raise AssertionError("unreachable: hubs is not empty")


def _sync_with(store: Store, db_path: Path, hub: str, token: str, *,
               fingerprint: str | None, trust_on_first_use: bool,
               final: bool, printer: str | None) -> SyncResult:
    import httpx

    pinning = _pinning(store, hub, fingerprint, trust_on_first_use)
    # httpx logs every request at INFO: our own lines say what a supporter needs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    log.info("sync with %s started (%d events in the outbox)", hub, outbox_count(store))
    timeout = httpx.Timeout(20.0, connect=3.0, pool=3.0)
    with httpx.Client(base_url=hub, timeout=timeout, trust_env=False, follow_redirects=False,
                      verify=pinning if pinning is not None else True,
                      headers={"Authorization": f"Bearer {token.strip()}"}) as client:
        talk = _Hub(client, hub, store, pinning, given=bool(fingerprint))
        try:
            cursor = int(store.meta(PULL_KEY) or 0)
            status = talk.call("GET", "/status", params={"at": cursor} if cursor else None)
            with _understood(hub):
                hub_id, station = str(status["hub_id"]), str(status["station"])
                hub_time, event_name = str(status["hub_time"]), str(status["event"]["name"])
                hub_log = int(status["hub_seq"])
                takes = {str(f) for f in status.get("push_fields") or ()}
            _check_same_hub(store, hub_id, event_name)
            if pinning is not None and pinning.expected != pinned(store):
                pin(store, pinning.expected)
                log.info("sync: the hub's TLS certificate %s is pinned",
                         tls.display_fingerprint(pinning.expected or ""))
            _send_station_key(store, db_path, talk)
            _restart_after_a_restored_hub(store, talk, hub_log, status.get("at"))
            if printer is not None and not re.match(protocol.PRINTER_PATTERN, printer):
                printer = None  # a backend's own word: not worth a refused push
            report = {"printer": printer, "station_name": store.station}
            pushed = _push(store, talk, {k: v for k, v in report.items()
                                         if k in takes and v}, "waiting" in takes)
            copied = _first_from_snapshot(store, talk, hub_id)
            pulled, hub_seq = _pull(store, talk, hub_id)
            pulled += copied
            upload, pretix_final = _final(store, talk) if final else (None, None)
        except SyncError as exc:
            log.warning("sync with %s failed: %s", hub, exc)
            raise
    _finish(store, hub_time)
    waiting = outbox_count(store)
    log.info("sync with %s finished: %d pushed, %d pulled, %d waiting, hub_seq %d", hub,
             pushed, pulled, waiting, hub_seq)
    return SyncResult(hub=hub, station=station, pushed=pushed, pulled=pulled, waiting=waiting,
                      hub_time=hub_time, hub_seq=hub_seq, clock_skew=_skew(hub_time),
                      fingerprint=pinning.expected if pinning is not None else None,
                      upload=upload, pretix=_pretix_state(status.get("pretix")),
                      pretix_final=pretix_final)


def _send_station_key(store: Store, db_path: Path, talk: _Hub) -> None:
    """Have the hub list this desk's station key (once; checkin.station_keys). A key the
    hub cannot list is logged, and sync goes on: the desk's badges then carry another
    code, and its events matter more than its key."""
    from checkin import station_keys

    try:
        key = station_keys.ensure_station_key(db_path)
        if station_keys.key_state(store, key.key_id) == "revoked":
            key = station_keys.replace_station_key(db_path)
    except CheckinError as exc:
        log.warning("sync: no station key: %s", exc)
        return
    if store.meta(STATION_KEY_KEY) == key.key_id:
        return
    for _ in range(STATION_KEY_TRIES):
        answer = talk.request("POST", "/station-key",
                              json={"algorithm": "ed25519", "public_key": key.public_key})
        if answer.status_code == 200:
            with store.transaction():
                store.set_meta(STATION_KEY_KEY, key.key_id)
            log.info("sync: the hub lists station key %s", key.key_id)
            return
        why = _error_line(answer)
        if answer.status_code != 409:
            log.warning("sync: hub %s did not list station key %s (%d: %s); badges of "
                        "walk-ins carry another code", talk.hub, key.key_id,
                        answer.status_code, why)
            return
        # The key id is another key's: this key was never listed, so nothing signed
        # with it verifies anywhere, and a new one loses nothing.
        log.info("sync: station key %s refused (%s): making a new one", key.key_id, why)
        try:
            key = station_keys.replace_station_key(db_path)
        except CheckinError as exc:
            log.warning("sync: no station key: %s", exc)
            return
    log.warning("sync: hub %s found every new station key's id taken", talk.hub)


def _error_line(answer: "httpx.Response") -> str:
    try:
        data = answer.json()
    except ValueError:
        data = None
    why = data.get("error") if isinstance(data, dict) else None
    return str(why)[:200] if why else answer.reason_phrase


def _pretix_state(data: Any) -> "PretixState | None":
    if data is None:
        return None
    from checkin.pretix.cycle import PretixState

    return PretixState.from_wire(data)


def _final(store: Store, talk: _Hub) -> tuple[str | None, "FinalPush | None"]:
    """Tell the hub this desk is done, if its outbox is empty (an admission made during
    the sync waits for the next one): the hub's upload state (None if not told) and, from
    a hub connected to pretix, its final push to pretix."""
    if outbox_count(store):
        return None, None
    answer = talk.call("POST", "/final", json={"station_time": now()})
    with _understood(talk.hub):
        upload = str(answer["upload"])
    pretix = None
    if answer.get("pretix") is not None:
        from checkin.pretix.cycle import FinalPush

        pretix = FinalPush.from_wire(answer["pretix"])
    log.info("sync: told hub %s this desk's sync is final (upload %s)%s", talk.hub, upload,
             f"; {pretix.line()}" if pretix else "")
    return upload, pretix


def _check_same_hub(store: Store, hub_id: str, event_name: str) -> None:
    known = store.meta(HUB_ID_KEY)
    if known and known != hub_id:
        raise SyncError(f"this database was synced with another hub (id {known[:8]}, this "
                        f"one {hub_id[:8]}): use a new database to sync with this hub")
    local = store.meta("event_name")
    if not known and local is not None and local != event_name:
        raise SyncError(f"this database holds the event {local!r}, the hub serves "
                        f"{event_name!r}: use a new database to sync with this hub")


def _restart_after_a_restored_hub(store: Store, talk: _Hub, hub_log: int,
                                  at: Any = None) -> None:
    """A hub restored from a backup lacks events this desk saw acknowledged, and may have
    given their hub_seq to other events since. Seen as: its log ends before this desk's
    pull cursor, or the event at the cursor is not the one this desk pulled there. Then
    push every event this desk holds, pulled ones too (what the office or another desk
    wrote after the backup may survive only on desks; the hub keeps each uuid once), and
    pull from the start (this desk keeps each uuid once)."""
    cursor = int(store.meta(PULL_KEY) or 0)
    last = store.meta(PULL_UUID_KEY)
    if cursor == 0:
        return
    restored = hub_log < cursor
    if not restored and last:
        with _understood(talk.hub):
            if isinstance(at, dict) and at.get("hub_seq") == cursor:  # asked with /status
                restored = at.get("uuid") != last
            else:  # a hub from before ?at=: one request more
                page = talk.call("GET", "/pull", params={"since": cursor - 1, "limit": 1})
                events = page["events"]
                restored = not events or events[0]["uuid"] != last \
                    or int(events[0]["hub_seq"]) != cursor
    if not restored:
        return
    log.warning("hub %s does not hold the events this desk pulled up to hub_seq %d (restored "
                "from a backup?): pushing all events again, pulling from the start",
                talk.hub, cursor)
    with store.transaction():
        store.set_meta(PUSH_KEY, "0")
        store.set_meta(PULL_KEY, "0")
        store.db.execute("DELETE FROM meta WHERE key = ?", [PULL_UUID_KEY])
        store.db.execute("DELETE FROM sync_pulled")


def _push(store: Store, talk: _Hub, report: dict[str, Any], waiting: bool) -> int:
    """Push the outbox in batches; the number of events the hub acknowledged. report:
    optional fields sent with each push; waiting: send the events left after it too."""
    pushed = 0
    while True:
        batch = _outbox_batch(store)
        body: dict[str, Any] = {"station_time": now(),
                                "events": [protocol.to_wire(e) for e in batch], **report}
        if waiting:
            body["waiting"] = max(0, outbox_count(store) - len(batch))
        answer = talk.call("POST", "/push", json=body)
        with _understood(talk.hub):
            acknowledged = {str(u) for u in answer["acknowledged"]}
        done = 0
        for event in batch:  # the cursor moves over the acknowledged prefix only
            if event.uuid not in acknowledged:
                break
            done += 1
        if done:
            with store.transaction():
                store.set_meta(PUSH_KEY, str(batch[done - 1].seq))
            pushed += done
            log.info("sync: hub acknowledged %d events", done)
        if not batch:
            return pushed
        if done < len(batch):
            raise SyncError(f"hub {talk.hub} did not acknowledge event {batch[done].uuid}; "
                            f"{_events_wait(outbox_count(store))} in the outbox")


def _first_from_snapshot(store: Store, talk: _Hub, hub_id: str) -> int:
    """A desk whose log is empty copies the hub's snapshot instead of replaying its log
    (checkin.sync.snapshot); the events copied, 0 when it did not (a hub without
    snapshots, or one that does not fit: the pull then replays)."""
    from checkin.sync import snapshot

    if store.meta(PULL_KEY) or store.db.execute(
            "SELECT EXISTS (SELECT 1 FROM events)").fetchone()[0]:
        return 0
    answer = talk.request("GET", "/snapshot")
    if answer.status_code == 404:
        log.info("sync: hub %s has no snapshots: replaying its log", talk.hub)
        return 0
    kind = answer.headers.get("content-type", "")
    if answer.status_code != 200 or not kind.startswith(snapshot.MEDIA_TYPE):
        raise SyncError(f"hub {talk.hub} answered {answer.status_code} to a snapshot request"
                        f": {_error_line(answer) if answer.status_code != 200 else kind}")

    def cursors(loaded: "snapshot.Loaded") -> None:
        store.set_meta(PULL_KEY, str(loaded.hub_seq))
        if loaded.last_uuid:
            store.set_meta(PULL_UUID_KEY, loaded.last_uuid)
        top = store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
        store.set_meta(PUSH_KEY, str(top))  # the hub's events: none of them to push back
        store.set_meta(HUB_ID_KEY, hub_id)

    try:
        loaded = snapshot.load(store, answer.content, cursors)
    except snapshot.SnapshotRefused as exc:
        raise SyncError(f"hub {talk.hub}: {exc}") from None
    return loaded.events if loaded is not None else 0


def _pull(store: Store, talk: _Hub, hub_id: str) -> tuple[int, int]:
    """Pull pages until the hub has no more; (events new here, hub_seq reached)."""
    from checkin.sync.apply import merge_keys, merge_revoked_refs, store_events

    since = int(store.meta(PULL_KEY) or 0)
    pulled = 0
    for _ in range(MAX_PAGES):
        page = talk.call("GET", "/pull", params={"since": since, "limit": protocol.PULL_LIMIT})
        with _understood(talk.hub):
            events = [_pulled_event(e) for e in page["events"]]
            following, more = int(page["next"]), bool(page["more"])
            name, days = str(page["event"]["name"]), [str(d) for d in page["event"]["days"]]
            zone = page["event"].get("timezone")
            keys, refs = list(page["public_keys"]), list(page["revoked_refs"])
            with store.transaction():
                new = store_events(store, events)
                store.db.conn.executemany(
                    "INSERT INTO sync_pulled (uuid) VALUES (?) ON CONFLICT DO NOTHING",
                    [(e.uuid,) for e in new])
                merge_keys(store, keys)
                merge_revoked_refs(store, refs)
                if store.meta("event_name") != name or \
                        json.loads(store.meta("event_days") or "[]") != sorted(days):
                    store.set_event(name, days)
                if isinstance(zone, str) and zone and store.meta(ZONE_KEY) != zone:
                    store.set_meta(ZONE_KEY, zone)
                store.set_meta(PULL_KEY, str(following))
                if events:
                    store.set_meta(PULL_UUID_KEY, events[-1].uuid)
                store.set_meta(HUB_ID_KEY, hub_id)
        pulled += len(new)
        if new:
            log.info("sync: pulled %d new events (hub_seq %d)", len(new), following)
        if not more:
            return pulled, following
        if following <= since:
            raise SyncError(f"hub {talk.hub} said there is more but did not move its cursor")
        since = following
    raise SyncError(f"hub {talk.hub} kept sending pages: stopped after {MAX_PAGES}")
