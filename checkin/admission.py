"""The check-in engine: scanned text in, one verdict out, the admission durably logged.

Contract (the CLI and the UI call these; the UI from a worker thread with its own
connection, so the engine holds no global state, only its Store and caches of its own):

``Engine(store, *, station=None, operator=None, clock=None, layouts=None)``

- ``scan(text, *, day=None) -> Verdict``: anything a scanner, camera or keyboard produced.
- ``check_in(attendee_id, *, day=None, method="manual") -> Verdict``: admit a person found
  by search (verdict `unknown` if there is no such id).
- ``undo(attendee_id, *, day=None, reason="") -> Event``: annul the admission in force that
  day, as an `undo` event; CheckinError if there is none.

``day`` defaults to today: the date of now in the event's time zone (checkin.clock), so
desks on different laptop time zones count the same event day. ``clock`` returns an
aware datetime (tests inject one instead of sleeping). station/operator default to the
Store's.

Verdicts (VerdictKind; docs/architecture.md, docs/station.md): ok, already_checked_in,
cancelled, not_registered_today, unknown, invalid_signature, malformed. Decisions worth
knowing:

- Accepted: our signed tokens (checkin.tokens), the unsigned ``CK0`` form (exact ref
  only), upstream codes and attendee ids (Store.attendees_by_code; a code or id of
  digits only counts from 5 digits, and an id of digits never inside a URL: shorter
  ones are spreadsheet row numbers, `malformed` so that the UI searches); a URL
  carrying either as a query value, fragment value or path segment (also of a route in
  the fragment, ``#/checkin/CODE``); a signed token anywhere in the text between
  non-alphanumerics (``x.org/c/CK1...``, ``Token: CK1...``); a string value of a JSON
  object (some ticket QR codes are JSON; numbers only as upstream codes, as in a URL).
  Surrounding whitespace, control characters (CR, LF, TAB, NUL, GS) and invisible marks
  (BOM, zero-width space, LRM/RLM) are dropped, and so is a scanner's symbology prefix
  (AIM id such as ``]Q1``) when the text as read matches nothing.
- Keyboard repairs (checkin.keyboard: German, French, Belgian, Caps Lock, fullwidth) are
  tried only after the text as read failed; a repair counts only if it gives a signature
  that verifies, or a code or id of at least MIN_REPAIRED_CODE characters held by exactly
  one attendee (Engine.readings). Verdict.repaired names the repair used.
- A signed token whose key id is not listed, or whose signature fails, is
  `invalid_signature`; a damaged token (wrong length, characters outside its alphabet)
  too. Verdict.cause says which (InvalidCause: damaged, forged, key_unknown,
  key_revoked), and each such scan is logged as a `scan_refused` event (no attendee) so
  the day's report can tell a damaged printout from a signature that does not verify.
  A valid signature over a ref no attendee has: `unknown`. A revoked ref
  (checkin.confirmations.revoke): `cancelled`.
- Not a code (names, free text, someone else's QR: web links, Wi-Fi settings, vCards,
  binary, bidi overrides, more than 2048 characters): `malformed`, which the UI turns
  into a search. An upstream code held by several attendees (a group order code) is
  `malformed` as well, with a message saying so: a search lists them. A code-like word
  (letters and digits, at least one digit, 4-64 characters) that matches nothing:
  `unknown`.
- ``ok`` is returned only after its check-in event is committed (Store.transaction;
  the database runs synchronous=FULL). The same attendee scanned again at the same
  station within DOUBLE_FIRE_SECONDS of that admission is the same admission: `ok`
  again, no second event (scanners double-fire). From another station, or later:
  `already_checked_in` with the admission in force (time, station, operator). The
  repeat has Verdict.repeat set and needs_badge false (the first `ok` asked for it).
- Each event day is its own admission. An attendee whose `days` list is non-empty and
  lacks the day is `not_registered_today`; an empty list means every day (the engine
  does not refuse days outside the event's days: a demo must work on any day).
  check_in(..., override=REASON) admits such a person anyway (a day ticket sold at the
  desk, the organiser's decision): the check-in event's payload says so
  (`not_registered_for_day`, `override_reason`), with the station and operator.
- A registration merged into another (checkin.merging) admits the one it was merged
  into: the verdict names that attendee, and the check-in is logged under its id.
"""

import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from checkin import clock, confirmations, keyboard, keys, tokens
from checkin.db import describe_error
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.models import Attendee, Event
from checkin.store import CHECKIN, SCAN_REFUSED, UNDO, Store
from checkin.text import clean_text

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

log = logging.getLogger(__name__)


class InvalidCause(StrEnum):
    """Why a code that looks like ours is `invalid_signature`."""

    DAMAGED = "damaged"  # not a well-formed token: a character missing, extra or unreadable
    FORGED = "forged"  # well-formed, but the signature does not verify (forged or altered)
    KEY_UNKNOWN = "key_unknown"  # signed with a key this event does not list
    KEY_REVOKED = "key_revoked"  # signed with a key that was revoked


class NotRecorded(CheckinError):
    """The admission's write failed (full disk, lock, damaged file): no verdict was given
    and nothing was recorded; .attendee is who it was for."""

    def __init__(self, attendee: Attendee, message: str) -> None:
        super().__init__(message)
        self.attendee = attendee


class VerdictKind(StrEnum):
    """A verdict's kind (a str: compares with and serialises as its value)."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    CANCELLED = "cancelled"
    NOT_REGISTERED_TODAY = "not_registered_today"
    UNKNOWN = "unknown"
    INVALID_SIGNATURE = "invalid_signature"
    MALFORMED = "malformed"


OK = VerdictKind.OK
ALREADY_CHECKED_IN = VerdictKind.ALREADY_CHECKED_IN
CANCELLED = VerdictKind.CANCELLED
NOT_REGISTERED_TODAY = VerdictKind.NOT_REGISTERED_TODAY
UNKNOWN = VerdictKind.UNKNOWN
INVALID_SIGNATURE = VerdictKind.INVALID_SIGNATURE
MALFORMED = VerdictKind.MALFORMED
VERDICTS = tuple(VerdictKind)

DOUBLE_FIRE_SECONDS = 3.0
MAX_INPUT = 2048  # characters; a QR holds at most 4296, and no code of ours is near that
# The shortest keyboard-repaired reading that may name an attendee by id or code
# (docs/station.md, "Keyboard layouts"): ids such as "a1" or "Q7" are a few keystrokes away
# from each other through the layout tables.
MIN_REPAIRED_CODE = 8
ECHO_LIMIT = 200  # Verdict.input keeps at most this much of what was scanned
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{3,63}$")
_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")  # scanner symbology prefix, e.g. "]Q1" for QR
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)", re.IGNORECASE)
# A whole signed token inside other text ("x.org/c/CK1...", "Token: CK1...", "<CK1...>"),
# bounded by non-alphanumerics so that a doubled or dropped character is not cut away:
# the signature then decides, as for a bare token.
_EMBEDDED_TOKEN = re.compile(
    rf"(?<![0-9A-Za-z]){tokens.PREFIX}{tokens.SIGNED_VERSION}[{tokens.ALPHABET}]"
    rf"{{{tokens.TOKEN_LENGTH - 3}}}(?![0-9A-Za-z])")
# Other people's QR payloads, recognised so the message can say what was scanned.
_FOREIGN = (
    ("WIFI:", "Wi-Fi settings"),
    ("BEGIN:VCARD", "a contact card"),
    ("MECARD:", "a contact card"),
    ("BEGIN:VEVENT", "a calendar entry"),
    ("BEGIN:VCALENDAR", "a calendar entry"),
    ("MAILTO:", "an e-mail address"),
    ("MATMSG:", "an e-mail"),
    ("TEL:", "a phone number"),
    ("SMSTO:", "a text message"),
    ("SMS:", "a text message"),
    ("GEO:", "a map location"),
    ("BITCOIN:", "a payment request"),
)


# Invisible marks that copy and paste, mail programs and some scanner apps put around a
# code: byte order mark, zero-width space, word joiner, left-to-right/right-to-left mark.
# (Bidi embeddings and overrides are not dropped: such input stays `malformed`.)
_INVISIBLE = frozenset("\ufeff\u200b\u2060\u200e\u200f")


# Bidi embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _droppable(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE or unicodedata.category(ch) == "Cc"


def _counts(text: str, *, by_code: bool, in_url: bool) -> bool:
    """Whether text, equal to an attendee's upstream code or id, may admit them.

    Ids such as "PMC-0001" or a pretix order code are codes. A short number is the
    row number of a spreadsheet export ("Nr." 1, 2, 3 ...): typed or read from a
    keyboard repair ("é" is "2" on AZERTY) it must search, not admit. Inside a web
    link a number counts only as an upstream code (an Eventbrite barcode), never as
    an id: a restaurant's "/table/7" or a date path ".../2024/11/3" is somebody else's
    QR code.
    """
    if not text.isdigit():
        return True
    return len(text) >= 5 and (by_code or not in_url)


def _strip(text: str) -> str:
    """Drop surrounding whitespace, control characters (scanner suffixes, NUL, GS) and
    invisible marks (BOM, zero-width space, LRM/RLM)."""
    start, end = 0, len(text)
    while start < end and _droppable(text[start]):
        start += 1
    while end > start and _droppable(text[end - 1]):
        end -= 1
    return text[start:end]


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in text)


def _echo(text: str) -> str:
    """What Verdict.input keeps: printable, at most ECHO_LIMIT characters; no bidi
    override that would make the echo read differently from what was scanned."""
    short = text[:ECHO_LIMIT]
    short = "".join(
        ch if ch in "\t\n\r" or (unicodedata.category(ch) not in ("Cc", "Cs")
                                 and ch not in _BIDI_CONTROLS) else "\ufffd"
        for ch in short)
    return short + ("…" if len(text) > ECHO_LIMIT else "")


def echo_input(text: str) -> str:
    """What a verdict line shows of the input (Verdict.input's rule), for lines the CLI
    writes without a verdict."""
    return _echo(text)


def _url_parts(text: str) -> list[str]:
    """Query values, fragment values and path segments of a URL, most specific first."""
    try:
        parts = urlsplit(text if "://" in text else "http://" + text)
    except ValueError:
        return []
    found: list[str] = []
    for source in (parts.query, parts.fragment):
        found.extend(value for _, value in parse_qsl(source, keep_blank_values=False))
        if source and "=" not in source:
            found.append(unquote(source))
    found.extend(unquote(seg) for seg in reversed(parts.path.split("/")) if seg)
    # A web app's own route in the fragment ("#/checkin/CODE", "#/c?code=CODE").
    route, _, route_query = parts.fragment.partition("?")
    found.extend(value for _, value in parse_qsl(route_query, keep_blank_values=False))
    found.extend(unquote(seg) for seg in reversed(route.split("/")) if seg)
    return [f.strip() for f in found if f.strip()][:32]


def _json_parts(text: str) -> list[str]:
    """The string values of a JSON object, nested ones too: ticket QR codes of some
    systems are JSON (Indico: {"registrant_id": ..., "checkin_secret": ...})."""
    import json

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    found: list[str] = []
    stack: list[object] = [data]
    while stack and len(found) < 32:
        item = stack.pop(0)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.strip():
            found.append(item.strip())
        elif isinstance(item, int) and not isinstance(item, bool):
            found.append(str(item))
    return found


def _foreign(text: str) -> str | None:
    head = text[:16].upper()
    for prefix, what in _FOREIGN:
        if head.startswith(prefix):
            return what
    return None


@dataclass(frozen=True)
class Verdict:
    input: str
    verdict: VerdictKind
    attendee: Attendee | None
    message: str
    event: Event | None = None  # the check-in recorded (ok)
    previous: Event | None = None  # the admission in force (already_checked_in)
    repaired: str | None = None  # the keyboard repair that made the input readable
    needs_badge: bool = False  # ok and no badge printed for this attendee yet
    day: str = ""
    repeat: bool = False  # ok again for a scanner's double-fire: same event, no new badge
    cause: str = ""  # invalid_signature: an InvalidCause

    @property
    def ok(self) -> bool:
        return self.verdict == OK

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "input": self.input,
            "verdict": self.verdict,
            "attendee_id": self.attendee.id if self.attendee else None,
            "message": self.message,
            "name": self.attendee.display_name if self.attendee else None,
            "day": self.day,
            "repaired": self.repaired,
            "needs_badge": self.needs_badge,
        }
        if self.repeat:
            out["repeat"] = True
        if self.cause:
            out["cause"] = self.cause
        if self.event is not None:
            out["event"] = self.event.uuid
            out["checked_in_at"] = self.event.time
        if self.previous is not None:
            out["checked_in_at"] = self.previous.time
            out["station"] = self.previous.station
            out["operator"] = self.previous.operator
            out["event"] = self.previous.uuid
        return out


@dataclass
class _Notes:
    """What the candidates showed, for a verdict when none named an attendee."""

    invalid: str = ""  # message for invalid_signature
    cause: str = ""  # its InvalidCause
    unknown_token: bool = False  # a signature that verifies, over a ref nobody has
    unknown_code: bool = False  # an unsigned CK0 form with a ref nobody has
    list_number: bool = False  # equals an attendee id that is only a row number
    ambiguous: int = 0


@dataclass(frozen=True)
class Reading:
    """One text the engine looks up for a scanned input (see Engine.readings)."""

    text: str
    repaired: str | None  # the keyboard repair or prefix removal that gave it; None: as read
    first: bool  # the input as read (not a repair): only these report list numbers etc.
    in_url: bool = False  # a value inside a URL or JSON object


@dataclass
class _Found:
    attendee: Attendee | None
    repaired: str | None
    revoked: bool = False


def _short_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%H:%M")
    except ValueError:
        return iso


class Engine:
    def __init__(self, store: Store, *, station: str | None = None,
                 operator: str | None = None, clock: Callable[[], datetime] | None = None,
                 layouts: list[keyboard.Layout] | None = None) -> None:
        self.store = store
        self.station = station or store.station
        self.operator = operator if operator is not None else store.operator
        self.clock = clock
        self.layouts = layouts if layouts is not None else keyboard.load_layouts()
        self._keys: dict[str, Ed25519PublicKey] | None = None
        self._keys_stamp: tuple[object, ...] | None = None
        self._zone: tzinfo | None = None  # the event's time zone, read on first use

    # -- time -------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock() if self.clock else datetime.now().astimezone()

    def today(self) -> str:
        """The day a scan without an explicit day counts for: the date, in the event's
        time zone, of now (checkin.clock; not this laptop's date)."""
        if self._zone is None:
            self._zone = clock.event_zone(self.store)
        return self._now().astimezone(self._zone).date().isoformat()

    def _day(self, day: str | None) -> str:
        if day is None:
            return self.today()
        try:
            return date.fromisoformat(day).isoformat()
        except ValueError:
            raise CheckinError(f"{day!r} is not a day as YYYY-MM-DD") from None

    # -- keys -------------------------------------------------------------------------------

    def _public_keys(self, *, reload: bool = False) -> dict[str, "Ed25519PublicKey"]:
        # A station runs for days: a key revoked meanwhile (`checkin keys rotate
        # --revoke-old`, a sync) must stop verifying at once, not at the next start. One
        # tiny query per signed scan tells whether the key list changed.
        stamp = tuple(self.store.db.execute(
            "SELECT count(*), max(created_at), count(revoked_at), max(revoked_at) "
            "FROM public_keys").fetchone())
        if self._keys is None or reload or stamp != self._keys_stamp:
            self._keys = keys.public_keys(self.store)
            self._keys_stamp = stamp
        return self._keys

    def _verify(self, token: tokens.Token) -> tuple[bool, str, str]:
        """(verified, why not, InvalidCause) for a signed token; reloads keys once for an
        unseen key id."""
        public = self._public_keys()
        if token.key_id not in public:
            public = self._public_keys(reload=True)  # rotated since we loaded them?
        if token.key_id not in public:
            if any(info.key_id == token.key_id for info in keys.list_keys(self.store)):
                return False, (f"This confirmation is signed with key {token.key_id}, which "
                               "was revoked: a new confirmation replaces it."), \
                    InvalidCause.KEY_REVOKED
            return False, (f"This confirmation is signed with key {token.key_id}, which this "
                           "event does not list (another event, or a key not received yet)."), \
                InvalidCause.KEY_UNKNOWN
        if tokens.verify(token, public):
            return True, "", ""
        return False, ("This confirmation does not verify: it is forged or damaged."), \
            InvalidCause.FORGED

    # -- reading the input ------------------------------------------------------------------

    def _lookup(self, text: str, repaired: str | None, notes: _Notes,
                first: bool, *, in_url: bool = False) -> _Found | None:
        """The attendee text names, if it names exactly one; notes what it showed otherwise."""
        try:
            token = tokens.parse(text)
        except tokens.TokenError:
            token = None
            if not notes.invalid:
                notes.invalid = "This looks like a confirmation but is damaged or altered."
                notes.cause = InvalidCause.DAMAGED
        if token is not None:
            if token.signed:
                verified, why, cause = self._verify(token)
                if not verified:
                    if not notes.invalid:
                        notes.invalid, notes.cause = why, cause
                    return None
            attendee = self.store.attendee_by_ref(token.ref)
            if attendee is not None:
                return _Found(attendee, repaired)
            revoked_id = confirmations.is_revoked(self.store, token.ref)
            if revoked_id is not None:
                return _Found(self.store.attendee(revoked_id) if revoked_id else None,
                              repaired, revoked=True)
            if token.signed:
                notes.unknown_token = True
            elif first:  # an unsigned CK0 form proves nothing: just an unknown code
                notes.unknown_code = True
            return None
        if len(text) > 256 or any(ch.isspace() for ch in text):
            return None
        found = self.store.attendees_by_code(text)
        matches = [a for a in found if _counts(text, by_code=a.code == text, in_url=in_url)]
        if len(found) > len(matches) and first and not in_url:
            notes.list_number = True
        if len(matches) == 1:
            return _Found(matches[0], repaired)
        if len(matches) > 1 and first:
            notes.ambiguous = len(matches)
        return None

    def readings(self, text: str) -> Iterator[Reading]:
        """Every text the engine looks up for one scanned input, in the order it tries them.

        The input is cleaned as scan() cleans it; then come the text as read, its keyboard
        repairs and scanner-prefix removals, the codes inside each of them when it is a
        URL (or, as read, a JSON object), and last the signed tokens embedded anywhere.
        A keyboard repair shorter than MIN_REPAIRED_CODE is left out: a few stray
        keystrokes through a layout table ("Q1" read as "a1" on AZERTY) must never name
        somebody. A token may be repaired at any length because its signature proves it.
        Tests use this to tell which random texts could legitimately admit.
        """
        cleaned = _strip(text)
        variants: list[tuple[str | None, str]] = []
        for repaired, variant in [(None, cleaned),
                                  *keyboard.candidates(cleaned, self.layouts or [])]:
            if repaired is not None and len(variant) < MIN_REPAIRED_CODE:
                continue
            variants.append((repaired, variant))
            # A scanner set to prefix the symbology id ("]Q1"), also through a keyboard
            # layout (a German machine reads "]Q1" as "+Q1").
            if _AIM.match(variant) and len(variant) > 3:
                variants.append((f"{repaired}+aim" if repaired else "aim", variant[3:]))
        for repaired, variant in variants:
            first = repaired is None
            yield Reading(variant, repaired, first)
            parts = (_url_parts(variant) if _URL.match(variant)
                     else _json_parts(variant) if first and variant.startswith("{") else [])
            for part in parts:
                if first or len(part) >= MIN_REPAIRED_CODE:
                    yield Reading(part, repaired, first, in_url=True)
        for repaired, variant in variants:
            if len(variant) == tokens.TOKEN_LENGTH:
                continue  # a bare token: looked at above
            for match in _EMBEDDED_TOKEN.finditer(variant):
                yield Reading(match.group(), repaired, repaired is None)

    def _find(self, text: str, notes: _Notes) -> _Found | None:
        for reading in self.readings(text):
            found = self._lookup(reading.text, reading.repaired, notes, reading.first,
                                 in_url=reading.in_url)
            if found:
                return found
        return None

    # -- verdicts ---------------------------------------------------------------------------

    def scan(self, text: str, *, day: str | None = None) -> Verdict:
        """One verdict for one scanned text; an `ok` is durably logged before it returns."""
        day = self._day(day)
        echo = _echo(text)
        if len(text) > MAX_INPUT:
            return Verdict(echo, MALFORMED, None, "Too long to be a code.", day=day)
        cleaned = _strip(text)
        if not cleaned:
            return Verdict(echo, MALFORMED, None, "Nothing was scanned.", day=day)
        what = _foreign(cleaned)
        if what:
            return Verdict(echo, MALFORMED, None,
                           f"Not a code of this event: {what}.", day=day)
        if _has_control(cleaned):
            return Verdict(echo, MALFORMED, None, "Not a code: binary data.", day=day)
        if any(ch in _BIDI_CONTROLS for ch in cleaned):
            # Text-direction overrides make what is shown differ from what was read: no
            # code of ours carries them, so such input is never admitted.
            return Verdict(echo, MALFORMED, None,
                           "Not a code: hidden text-direction characters.", day=day)
        notes = _Notes()
        found = self._find(cleaned, notes)
        if found is None:
            return self._negative(echo, cleaned, notes, day)
        return self._admit(echo, found.attendee, day, method="scan", repaired=found.repaired,
                           revoked=found.revoked)

    def _negative(self, echo: str, cleaned: str, notes: _Notes, day: str) -> Verdict:
        if notes.unknown_token:
            return Verdict(echo, UNKNOWN, None,
                           "Valid confirmation, but no attendee in this list has it.", day=day)
        if notes.unknown_code and not notes.invalid:
            return Verdict(echo, UNKNOWN, None, "No attendee has this code.", day=day)
        if notes.invalid:
            self._refused(echo, notes, day)
            return Verdict(echo, INVALID_SIGNATURE, None, notes.invalid, day=day,
                           cause=notes.cause)
        if notes.list_number:
            return Verdict(echo, MALFORMED, None,
                           "A list number, not a code: searching for it.", day=day)
        if notes.ambiguous:
            return Verdict(echo, MALFORMED, None,
                           f"This code belongs to {notes.ambiguous} attendees: choose one.",
                           day=day)
        if _URL.match(cleaned):
            return Verdict(echo, MALFORMED, None, "Not a code of this event: a web link.",
                           day=day)
        if _CODE_LIKE.match(cleaned) and any(ch.isdigit() for ch in cleaned):
            return Verdict(echo, UNKNOWN, None, "No attendee has this code.", day=day)
        return Verdict(echo, MALFORMED, None, "Not a code: searching for it.", day=day)

    def _refused(self, echo: str, notes: _Notes, day: str) -> None:
        """Log a code refused as invalid (scan_refused, no attendee): the day's report
        counts damaged codes and forged ones apart. A failed write loses only this note."""
        payload = {"verdict": str(INVALID_SIGNATURE), "cause": notes.cause,
                   "input": echo[:160]}
        log.warning("code refused at %s (%s): %s", self.station, notes.cause, notes.invalid)
        try:
            with self.store.transaction():
                self.store.append(SCAN_REFUSED, None, day=day, station=self.station,
                                  operator=self.operator,
                                  time=self._now().isoformat(timespec="milliseconds"),
                                  payload=payload)
        except sqlite3.Error as exc:
            log.error("the refused code was not logged: %s", exc)

    def check_in(self, attendee_id: str, *, day: str | None = None,
                 method: str = "manual", override: str = "") -> Verdict:
        """Admit a person found by search; the same rules as a scan of their code.
        override: why a person not registered for the day is admitted anyway (a day
        ticket sold at the desk, the organiser's decision); recorded in the check-in."""
        day = self._day(day)
        attendee = self.store.attendee(attendee_id)
        if attendee is None:
            return Verdict(_echo(attendee_id), UNKNOWN, None,
                           f"No attendee with id {attendee_id}.", day=day)
        return self._admit(_echo(attendee_id), attendee, day, method=method, repaired=None,
                           override=clean_text(override).strip()[:500])

    def _admit(self, echo: str, attendee: Attendee | None, day: str, *, method: str,
               repaired: str | None, revoked: bool = False, override: str = "") -> Verdict:
        if attendee is None or revoked:
            return Verdict(echo, CANCELLED, attendee,
                           "This confirmation was revoked; a newer one replaces it.",
                           repaired=repaired, day=day)
        attendee = self._counting(attendee)
        name = attendee.display_name or attendee.id
        if attendee.status == "cancelled":
            return Verdict(echo, CANCELLED, attendee, f"{name}: registration cancelled.",
                           repaired=repaired, day=day)
        registered = attendee.registered_for(day)
        if not registered and not override:
            return Verdict(echo, NOT_REGISTERED_TODAY, attendee,
                           f"{name} is not registered for {day}.", repaired=repaired, day=day)
        now = self._now()
        payload: dict[str, Any] = {"method": method}
        if repaired:
            payload["repaired"] = repaired
        if not registered:  # admitted for a day they were not registered for, and why
            payload["not_registered_for_day"] = True
            payload["override_reason"] = override
        try:
            event, repeat, previous = self._record(attendee, day, now, payload)
        except sqlite3.Error as exc:  # locked past the busy timeout, disk full, damaged ...
            log.warning("admission of %s not recorded: %s", attendee.id, exc)
            raise NotRecorded(attendee, f"the admission of {attendee.id} was not recorded: "
                              f"{describe_error(exc)}") from None
        if previous is not None and event is None:
            where = previous.station + (f" by {previous.operator}" if previous.operator else "")
            return Verdict(echo, ALREADY_CHECKED_IN, attendee,
                           f"{name} was already checked in at {_short_time(previous.time)} "
                           f"at {where}.", previous=previous, repaired=repaired, day=day)
        assert event is not None
        # Reached only after COMMIT: the admission is on disk before anyone hears "ok".
        # A double-fire repeat never asks for a badge: the first verdict already did.
        needs_badge = not repeat and not self.store.badge_printed(attendee.id)
        return Verdict(echo, OK, attendee, f"Welcome, {name}.", event=event, repaired=repaired,
                       day=day, needs_badge=needs_badge, repeat=repeat)

    def _counting(self, attendee: Attendee) -> Attendee:
        """A registration merged into another (checkin.merging) admits that one: the
        person's badge or confirmation may still carry the merged-away code."""
        into = self.store.counts_as(attendee.id)
        if into == attendee.id:
            return attendee
        return self.store.attendee(into) or attendee

    def _record(self, attendee: Attendee, day: str, now: datetime, payload: dict[str, Any]
                ) -> tuple[Event | None, bool, Event | None]:
        """(check-in event or None, double-fire repeat, admission in force before)."""
        with self.store.transaction():  # IMMEDIATE: no other desk admits in between
            previous = self.store.admission(attendee.id, day)
            if previous is None:
                event = self.store.append(
                    CHECKIN, attendee.id, day=day, station=self.station, operator=self.operator,
                    time=now.isoformat(timespec="milliseconds"), payload=payload)
                return event, False, None
        if self._double_fire(previous, now):
            return previous, True, previous
        return None, False, previous

    def _double_fire(self, previous: Event, now: datetime) -> bool:
        if previous.station != self.station:
            return False
        try:
            then = datetime.fromisoformat(previous.time)
            elapsed = now - then
        except (ValueError, TypeError):
            return False
        return timedelta(0) <= elapsed <= timedelta(seconds=DOUBLE_FIRE_SECONDS)

    def undo(self, attendee_id: str, *, day: str | None = None, reason: str = "") -> Event:
        """Annul attendee's admission in force on day (an `undo` event in the log)."""
        day = self._day(day)
        with self.store.transaction():
            if self.store.attendee(attendee_id) is None:
                raise CheckinError(f"no attendee with id {attendee_id!r}")
            admission = self.store.admission(attendee_id, day)
            if admission is None:
                raise CheckinError(f"{attendee_id} is not checked in on {day}: nothing to undo")
            payload: dict[str, Any] = {"undoes": admission.uuid}
            reason = clean_text(reason).strip()[:500]  # shown in reports and the app
            if reason:
                payload["reason"] = reason
            return self.store.append(
                UNDO, attendee_id, day=day, station=self.station, operator=self.operator,
                time=self._now().isoformat(timespec="milliseconds"), payload=payload)
