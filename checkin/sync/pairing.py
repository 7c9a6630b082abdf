"""Pairing a desk with the hub by one code: the hub's address, the desk's token and the
fingerprint of the hub's TLS certificate (docs/sync.md, "Pairing").

Format, version 1: one line of printable ASCII, no spaces::

    CKHUB1:<url>,<token>[,<fingerprint>]

- ``url``: the hub, ``http://HOST:PORT`` or ``https://HOST:PORT`` (a path is allowed, a
  query, fragment or user name is not); ``%`` and ``,`` in it are percent-encoded.
- ``token``: the desk's token from `checkin hub add-station` (URL-safe base64,
  ``[A-Za-z0-9_-]``, 16 to 256 characters).
- ``fingerprint``: SHA-256 of the hub's certificate, URL-safe base64 without padding (43
  characters). Present exactly when the url is https: a TLS hub is always pinned, and a
  fingerprint is meaningless without TLS.

Example (120 characters; QR version 7, 45x45 modules, at error correction M)::

    CKHUB1:https://192.168.1.10:8765,<token: 43 characters>,<fingerprint: 43 characters>

Contract:

- ``parse(text) -> Pairing(url, token, fingerprint|None)`` (fingerprint as 64 lowercase
  hex digits, checkin.sync.tls's form); PairingError (a CheckinError) in one line for
  foreign or damaged text. Surrounding white space (a scanner's Enter) is ignored. The
  message never repeats the token.
- ``Pairing.text`` / ``make(url, token, fingerprint)``: the code.
- ``pair(db_path_or_store, pairing)``: what the station app calls after scanning: the
  desk remembers hub, token and fingerprint as `checkin sync --hub --token` (plus
  --fingerprint) does, and gets its station key (checkin.station_keys; a new one when the
  token is another desk registration's). A path with no database yet gets an empty one
  (the first sync fills it from the hub). Nothing is sent: the next sync_once does that.
- ``hub_address(store, db_path, url=None) -> (url, fingerprint|None)``: on the hub, what
  goes into a code: the address `hub serve` last announced (or url), and the
  fingerprint of the certificate it served with.
- ``terminal_qr(text) -> str`` and ``write_png(text, path)``: the code drawn for a
  terminal and as a PNG readable by its owner only.
"""

import base64
import binascii
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from checkin.errors import CheckinError
from checkin.store import Store
from checkin.sync import tls

log = logging.getLogger(__name__)

PREFIX = "CKHUB"
VERSION = "1"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_FINGERPRINT = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_TEXT = 1200  # a QR code holds at most about 2900 bytes; a pairing code far less


class PairingError(CheckinError):
    """Not a pairing code this desk can use; str() is one line."""


@dataclass(frozen=True)
class Pairing:
    url: str
    token: str
    fingerprint: str | None  # 64 lowercase hex digits; None for an http hub

    @property
    def text(self) -> str:
        return make(self.url, self.token, self.fingerprint)


def _url_problem(url: str) -> str | None:
    if not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "the hub address is empty or has spaces"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "the hub address is not a URL"
    if parts.scheme not in ("http", "https"):
        return "the hub address is not http:// or https://"
    if not parts.hostname:
        return "the hub address names no host"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "the hub address has a query, fragment or user name"
    if port == 0:
        return "the hub address has port 0"
    return None


def _check(url: str, token: str, fingerprint: str | None) -> None:
    problem = _url_problem(url)
    if problem:
        raise PairingError(f"pairing code: {problem}")
    if not _TOKEN.match(token):
        raise PairingError("pairing code: the token is not one `checkin hub add-station` makes")
    https = url.startswith("https://")
    if https and not fingerprint:
        raise PairingError("pairing code: an https hub without its certificate fingerprint")
    if fingerprint and not https:
        raise PairingError("pairing code: a certificate fingerprint for a hub without https")


def make(url: str, token: str, fingerprint: str | None = None) -> str:
    """The pairing code (see the module docstring); PairingError for bad fields."""
    url = url.strip().rstrip("/")
    pin = tls.normalise_fingerprint(fingerprint) if fingerprint else None
    _check(url, token, pin)
    fields = [quote(url, safe=":/[]@.-_~!$&'()*+;="), token]
    if pin:
        fields.append(base64.urlsafe_b64encode(bytes.fromhex(pin)).decode("ascii").rstrip("="))
    return f"{PREFIX}{VERSION}:" + ",".join(fields)


def parse(text: str) -> Pairing:
    """The pairing in a scanned or typed code (see the module docstring)."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise PairingError(f"not a hub pairing code (it has {len(text)} characters)")
    head, colon, body = text.partition(":")
    if not head.upper().startswith(PREFIX) or not colon:
        raise PairingError("not a hub pairing code (it should start with "
                           f"{PREFIX}{VERSION}:, from `checkin hub add-station`)")
    if head != PREFIX + VERSION:
        version = head[len(PREFIX):][:8]
        raise PairingError(f"a hub pairing code of version {version!r}: this desk reads "
                           f"version {VERSION} (update it, or get a code from this hub)")
    fields = body.split(",")
    if len(fields) not in (2, 3):
        count = f"{len(fields)} field{'s' if len(fields) != 1 else ''}"
        raise PairingError(f"pairing code: {count}, not 2 or 3 (address, token, fingerprint)")
    url, token = unquote(fields[0]).rstrip("/"), fields[1]
    fingerprint = None
    if len(fields) == 3:
        if not _FINGERPRINT.match(fields[2]):
            raise PairingError("pairing code: the certificate fingerprint is damaged")
        try:
            raw = base64.urlsafe_b64decode(fields[2] + "=")
        except (binascii.Error, ValueError):
            raise PairingError("pairing code: the certificate fingerprint is damaged") from None
        fingerprint = raw.hex()
    _check(url, token, fingerprint)
    return Pairing(url, token, fingerprint)


# -- the desk's side ----------------------------------------------------------------------


def looks_like_pairing(text: str) -> bool:
    """Whether scanned text is meant as a pairing code (then parse() says if it is one)."""
    return text.strip()[:len(PREFIX)].upper() == PREFIX


def pair(target: Path | Store, pairing: Pairing) -> None:
    """Remember the hub, token and fingerprint; the station key (module docstring)."""
    from checkin import station_keys
    from checkin.db import open_db
    from checkin.sync.client import STATION_KEY_KEY, pin, remember, remembered

    if isinstance(target, Store):
        store, path, own = target, target.path, False
    else:
        path = Path(target)
        store, own = Store(open_db(path, create=True)), True
    try:
        _, old_token = remembered(store, path)
        remember(store, path, pairing.url, pairing.token)
        pin(store, pairing.fingerprint)
        key_file = station_keys.station_key_path(path)
        if old_token is not None and old_token != pairing.token and key_file.exists():
            # Another registration at the hub: its own key, so that revoking either
            # registration revokes only the badges signed under it.
            key = station_keys.replace_station_key(path)
        else:
            key = station_keys.ensure_station_key(path)
        with store.transaction():
            store.db.execute("DELETE FROM meta WHERE key = ?", [STATION_KEY_KEY])
    finally:
        if own:
            store.db.conn.close()
    log.info("desk %s paired with hub %s (%s), station key %s", path, pairing.url,
             tls.display_fingerprint(pairing.fingerprint) if pairing.fingerprint
             else "no TLS", key.key_id)


# -- the hub's side -----------------------------------------------------------------------


def hub_address(store: Store, db_path: Path, url: str | None = None) -> tuple[str, str | None]:
    """(the hub's address for desks, its certificate's fingerprint or None)."""
    from checkin.sync.client import normalise_hub

    cert_meta = store.meta("hub_tls_cert")
    self_signed, _ = tls.self_signed_paths(db_path)
    if not url:
        url = store.meta("hub_url")
    if not url:
        scheme = "https" if self_signed.exists() else "http"
        url = f"{scheme}://{tls.lan_address()}:8765"
    url = normalise_hub(url)
    if not url.startswith("https://"):
        return url, None
    cert = Path(cert_meta) if cert_meta else self_signed
    if not cert.exists():
        raise CheckinError(f"the hub's address {url} is https, but its certificate {cert} is "
                           "not there: run `checkin hub serve` with TLS once, or give --url")
    return url, tls.fingerprint_of_file(cert)


def terminal_qr(text: str, border: int = 2) -> str:
    """The QR code of text for a terminal: two module rows a line, in half blocks, dark
    on light whatever the terminal's colours (ANSI; click.echo drops the colours where
    the output is no terminal, and then dark modules are the blocks)."""
    grid = _matrix(text)
    size = len(grid) + 2 * border

    def dark(row: int, col: int) -> bool:
        row, col = row - border, col - border
        return 0 <= row < len(grid) and 0 <= col < len(grid) and grid[row][col]

    glyphs = {(False, False): " ", (True, False): "\u2580", (False, True): "\u2584",
              (True, True): "\u2588"}
    lines = []
    for row in range(0, size, 2):
        cells = "".join(glyphs[dark(row, col), dark(row + 1, col)] for col in range(size))
        lines.append(f"\x1b[30;47m{cells}\x1b[0m")
    return "\n".join(lines)


def _matrix(text: str) -> list[list[bool]]:
    from checkin.badges import qr

    return [list(row) for row in qr.matrix(text)]


def write_png(text: str, path: Path) -> None:
    """text's QR code as a PNG readable by its owner only (it holds a token)."""
    from checkin.confirmations import write_qr_png

    tmp = path.with_name(path.stem + ".new" + path.suffix)  # PIL needs the .png ending
    try:
        tmp.unlink(missing_ok=True)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        write_qr_png(text, tmp)  # writes into the owner-only file made above
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CheckinError(f"cannot write the pairing code {path}: {exc.strerror}") from None
