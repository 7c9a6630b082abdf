"""Confirmations: issuing signed QR tokens, remembering them, revoking them.

checkin.tokens is the token format and its crypto; this module is the event database's
side of tokens (tables issued_tokens and revoked_refs, the `token_revoked` event) and
the files a mail merge needs. Contract (others call these):

- ``issue(store, db_path, attendees, out_dir, *, pdf=True) -> Issued``: per attendee
  that is not cancelled, ``<stem>.png`` (the QR of the signed token, error correction M)
  and, with pdf, ``<stem>.pdf`` (a one-page confirmation: event, name in the person's own
  script, QR), plus ``confirmations.csv`` with the columns attendee_id, token, file (the
  PNG; the PDF has the same name ending in .pdf). The stem is file_stem(attendee id). An
  id that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) gets a
  leading ``'`` in the CSV (checkin.text). Every token issued is recorded, so a station
  without the private key can print the same QR later. Needs the private key file
  beside the database (the organiser's machine): without it, CheckinError.
- ``record_issued(store, attendee, token)``: remember one issued token (call inside a
  transaction); unsigned or foreign text is ignored.
- ``recorded_token(store, attendee) -> str | None``: the newest token recorded for the
  attendee's current ref whose key is not revoked.
- ``qr_text_for(store, db_path) -> (Attendee -> str)``: what a badge or confirmation QR
  carries on this machine (see the function).
- ``is_revoked(store, ref) -> str | None``: the admission engine asks this for every
  token: the attendee id the revoked ref belonged to ("" if unknown), or None.
- ``revoke(store, attendee_id, *, reason="") -> str``: the attendee gets a fresh ref and
  the old one is listed in revoked_refs, so every token carrying it answers `cancelled`;
  returns the new ref (issue a new confirmation). Logged as `token_revoked`.
- ``file_stem(attendee_id) -> str``, ``write_qr_png(text, path)``: the file side, also
  used for badge previews.
"""

import csv
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checkin import keys, tokens
from checkin.badges import qr, render_confirmation
from checkin.errors import CheckinError
from checkin.files import atomic_output, output_error
from checkin.models import Attendee
from checkin.store import Store, new_ref, now
from checkin.text import clean_text, neutralise_formula

log = logging.getLogger(__name__)

TOKEN_REVOKED = keys.TOKEN_REVOKED  # event type in the log
CSV_NAME = "confirmations.csv"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Issued:
    """What issue() wrote: the folder and CSV, the tokens by attendee id, who was skipped."""

    folder: Path
    csv_path: Path
    tokens: dict[str, str] = field(default_factory=dict)
    skipped_cancelled: list[str] = field(default_factory=list)


def recorded_token(store: Store, attendee: Attendee) -> str | None:
    """The newest token issued for attendee's current ref with a key that is still valid."""
    row = store.db.execute(
        "SELECT t.token FROM issued_tokens t JOIN public_keys k ON k.key_id = t.key_id "
        "WHERE t.attendee_id = ? AND t.ref = ? AND k.revoked_at IS NULL "
        "ORDER BY t.issued_at DESC LIMIT 1",
        [attendee.id, attendee.ref],
    ).fetchone()
    return str(row[0]) if row else None


def record_issued(store: Store, attendee: Attendee, token: str) -> None:
    """Remember an issued token (call inside a transaction)."""
    parsed = tokens.parse(token)
    if parsed is None or not parsed.signed:
        return
    store.db.execute(
        "INSERT INTO issued_tokens (attendee_id, ref, key_id, token, issued_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [attendee.id, parsed.ref, parsed.key_id, token, now()],
    )


def qr_text_for(store: Store, db_path: Path) -> Callable[[Attendee], str]:
    """What a badge or confirmation QR carries, for this database on this machine.

    In order: a token signed now, if the private key file beside the database is present
    and registered in it; else the newest token recorded by issue() for the attendee's
    current ref (the QR the delegate was mailed); else the attendee's upstream code, if
    exactly one attendee has it; else, on a desk whose station key the hub has listed
    (checkin.station_keys: a walk-in registered at a desk), a token signed with it, which
    verifies at every desk that synced; else the unsigned form ``CK0`` + ref, which the
    engine accepts only as an exact ref match.
    """
    from checkin.station_keys import station_signer

    signer = keys.load_signer(store, db_path, strict=False)

    def text_for(attendee: Attendee) -> str:
        if tokens.valid_ref(attendee.ref):
            if signer is not None:
                return signer.sign(attendee.ref)
            recorded = recorded_token(store, attendee)
            if recorded:
                return recorded
        if attendee.code and len(store.attendees_by_code(attendee.code)) == 1:
            return attendee.code
        if tokens.valid_ref(attendee.ref):
            # Looked up per badge: a sync while the station runs lists or revokes the key.
            station = station_signer(store, db_path) if signer is None else None
            if station is not None:
                return station.sign(attendee.ref)
            return tokens.unsigned(attendee.ref)
        return attendee.id

    return text_for


def is_revoked(store: Store, ref: str) -> str | None:
    """The attendee id a revoked ref belonged to ("" if unknown), or None if not revoked."""
    row = store.db.execute(
        "SELECT attendee_id FROM revoked_refs WHERE ref = ?", [ref]).fetchone()
    if row is None:
        return None
    return str(row[0] or "")


def revoke(store: Store, attendee_id: str, *, reason: str = "") -> str:
    """Revoke every token issued for attendee: list the ref as revoked, give a new one.

    Returns the new ref; new confirmations must then be issued. Logged as token_revoked.
    """
    reason = clean_text(reason).strip()[:500]  # shown later: no bidi or control characters
    with store.transaction():
        attendee = store.attendee(attendee_id)
        if attendee is None:
            raise CheckinError(f"no attendee with id {attendee_id!r}")
        fresh = new_ref()
        store.db.execute(
            "INSERT INTO revoked_refs (ref, attendee_id, reason, revoked_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (ref) DO NOTHING",
            [attendee.ref, attendee.id, reason, now()],
        )
        store.db.execute("UPDATE attendees SET ref = ? WHERE id = ?", [fresh, attendee.id])
        store.append(TOKEN_REVOKED, attendee.id,
                     payload={"ref": attendee.ref, "new_ref": fresh, "reason": reason})
    log.info("confirmation of %s revoked (old ref %s)", attendee_id, attendee.ref)
    return fresh


def file_stem(attendee_id: str) -> str:
    """A file name for an attendee id, safe on every file system and unique per id."""
    stem = _UNSAFE.sub("_", attendee_id)[:80].lstrip(".") or "attendee"
    if stem != attendee_id:
        stem += "-" + hashlib.sha256(attendee_id.encode("utf-8")).hexdigest()[:8]
    return stem


def write_qr_png(text: str, path: Path, *, box: int = 8, border: int = 4) -> None:
    """text's QR code (error correction M) as a 1-bit PNG, box pixels a module.

    The matrix is the one the PDF draws (checkin.badges.qr, zxing-cpp's encoder: 0.3 ms,
    where the pure-Python qrcode package took 13 ms an attendee).
    """
    code = qr.encode(text)
    from PIL import Image, ImageDraw

    side = (code.size + 2 * border) * box
    image = Image.new("1", (side, side), 1)
    draw = ImageDraw.Draw(image)
    for row, col, length in code.runs:
        x, y = (col + border) * box, (row + border) * box
        draw.rectangle((x, y, x + length * box - 1, y + box - 1), fill=0)
    image.save(str(path), optimize=True)


def issue(store: Store, db_path: Path, attendees: Sequence[Attendee], out_dir: Path, *,
          pdf: bool = True) -> Issued:
    """Sign, write and record a confirmation for each attendee not cancelled (module doc)."""
    signer = keys.load_signer(store, db_path)
    assert signer is not None  # strict: a missing key raised a CheckinError
    event = store.event_info()
    active = [a for a in attendees if a.status != "cancelled"]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(out_dir, exc, action="create") from None
    rows: list[tuple[str, str, str]] = []
    issued: list[tuple[Attendee, str]] = []
    # Each file whole or not at all, never through a link placed there (checkin.files): a
    # full disk stops the run with the files so far complete and nothing recorded.
    for attendee in active:
        token = signer.sign(attendee.ref)
        stem = file_stem(attendee.id)
        png = out_dir / f"{stem}.png"
        with atomic_output(png) as temp:
            write_qr_png(token, temp)
        if pdf:
            with atomic_output(out_dir / f"{stem}.pdf") as temp:
                render_confirmation(event, attendee, token, temp)
        issued.append((attendee, token))
        rows.append((neutralise_formula(attendee.id), token, png.name))
    csv_path = out_dir / CSV_NAME
    with atomic_output(csv_path) as temp, temp.open("w", encoding="utf-8",
                                                    newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["attendee_id", "token", "file"])
        writer.writerows(rows)
    with store.transaction():  # short: files are written first, other desks keep scanning
        for attendee, token in issued:
            record_issued(store, attendee, token)
    log.info("confirmations: %d issued into %s", len(issued), out_dir)
    return Issued(out_dir, csv_path, {a.id: token for a, token in issued},
                  [a.id for a in attendees if a.status == "cancelled"])
