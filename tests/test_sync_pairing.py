"""The pairing code (checkin.sync.pairing): its format both ways, one line for every bad
code, the terminal and PNG renderings read back by the desk's own decoder, and pair()
remembering what `checkin sync --hub --token --fingerprint` remembers. No hub here:
tests/test_sync_tls.py pairs desks with a real one.
"""

import base64
import hashlib
import secrets
import stat
from pathlib import Path

import numpy as np
import pytest

from checkin import station_keys
from checkin.db import open_db
from checkin.decode import decode_file, decode_frame
from checkin.store import Store
from checkin.sync import client, pairing
from checkin.sync.pairing import Pairing, PairingError, make, parse

TOKEN = secrets.token_urlsafe(32)
FINGERPRINT = hashlib.sha256(b"a certificate").hexdigest()
HTTPS = "https://192.168.1.10:8765"


def test_a_code_holds_the_address_token_and_fingerprint_and_reads_back() -> None:
    code = make(HTTPS, TOKEN, FINGERPRINT)
    fp64 = base64.urlsafe_b64encode(bytes.fromhex(FINGERPRINT)).decode().rstrip("=")
    assert code == f"CKHUB1:{HTTPS},{TOKEN},{fp64}"
    assert len(code) == 7 + len(HTTPS) + 1 + 43 + 1 + 43
    assert parse(code) == Pairing(HTTPS, TOKEN, FINGERPRINT)
    assert parse(f"  {code}\r\n") == Pairing(HTTPS, TOKEN, FINGERPRINT)  # a scanner's Enter
    assert parse(code).text == code
    plain = make("http://hub.local:8765/", TOKEN)
    assert plain == f"CKHUB1:http://hub.local:8765,{TOKEN}"
    assert parse(plain) == Pairing("http://hub.local:8765", TOKEN, None)
    # The fingerprint in any form people write it; an IPv6 address and a path survive.
    shown = "SHA256 " + ":".join(FINGERPRINT[i:i + 2] for i in range(0, 64, 2)).upper()
    odd = make("https://[fe80::1%25eth0]:8765/hub", TOKEN, shown)
    assert parse(odd) == Pairing("https://[fe80::1%25eth0]:8765/hub", TOKEN, FINGERPRINT)


@pytest.mark.parametrize(("text", "message"), [
    ("", "not a hub pairing code (it should start with CKHUB1:"),
    ("hello world", "not a hub pairing code (it should start with CKHUB1:"),
    ("CK1ABCD0123456789", "not a hub pairing code"),  # a confirmation token
    ("https://192.168.1.10:8765", "not a hub pairing code"),
    ("CKHUB2:https://h:1,x,y", "a hub pairing code of version '2'"),
    ("CKHUB1:" + HTTPS, "pairing code: 1 field, not 2 or 3"),
    (f"CKHUB1:{HTTPS},{TOKEN},a,b", "pairing code: 4 fields, not 2 or 3"),
    (f"CKHUB1:ftp://h:1,{TOKEN}", "the hub address is not http:// or https://"),
    (f"CKHUB1:http://:8765,{TOKEN}", "the hub address names no host"),
    (f"CKHUB1:http://h:99999,{TOKEN}", "the hub address is not a URL"),
    (f"CKHUB1:http://h:1/?a=b,{TOKEN}", "query, fragment or user name"),
    (f"CKHUB1:http://h 1,{TOKEN}", "the hub address is empty or has spaces"),
    ("CKHUB1:http://h:1,short", "the token is not one `checkin hub add-station` makes"),
    (f"CKHUB1:http://h:1,{TOKEN[:-1]}!", "the token is not one"),
    (f"CKHUB1:{HTTPS},{TOKEN}", "an https hub without its certificate fingerprint"),
    (f"CKHUB1:http://h:1,{TOKEN},{'A' * 43}", "a certificate fingerprint for a hub without"),
    (f"CKHUB1:{HTTPS},{TOKEN},{'A' * 42}", "the certificate fingerprint is damaged"),
    ("CKHUB1:" + "x" * 2000, "not a hub pairing code (it has 2007 characters)"),
])
def test_foreign_or_damaged_text_is_one_line_without_the_token(text: str, message: str) -> None:
    with pytest.raises(PairingError) as caught:
        parse(text)
    line = str(caught.value)
    assert message in line
    assert "\n" not in line and TOKEN not in line and TOKEN[:-1] not in line


def test_make_refuses_what_parse_would_refuse() -> None:
    with pytest.raises(PairingError, match="without its certificate fingerprint"):
        make(HTTPS, TOKEN)
    with pytest.raises(PairingError, match="fingerprint for a hub without https"):
        make("http://h:1", TOKEN, FINGERPRINT)


def _terminal_pixels(drawing: str, scale: int = 4) -> np.ndarray:
    """The terminal rendering as a grey image: each character is two modules high."""
    rows = []
    for line in drawing.split("\n"):
        cells = line.removeprefix("\x1b[30;47m").removesuffix("\x1b[0m")
        top = [ch in "\u2580\u2588" for ch in cells]
        bottom = [ch in "\u2584\u2588" for ch in cells]
        rows += [top, bottom]
    dark = np.array(rows, dtype=bool)
    image = np.where(dark, 0, 255).astype(np.uint8)
    return np.kron(image, np.ones((scale, scale), dtype=np.uint8))


def test_the_terminal_drawing_and_the_png_read_back_as_the_code(tmp_path: Path) -> None:
    code = make(HTTPS, TOKEN, FINGERPRINT)
    drawing = pairing.terminal_qr(code)
    assert all(line.startswith("\x1b[30;47m") for line in drawing.split("\n"))
    assert decode_frame(_terminal_pixels(drawing)) == [code]
    png = tmp_path / "desk-1-pairing.png"
    pairing.write_png(code, png)
    assert stat.S_IMODE(png.stat().st_mode) == 0o600
    assert decode_file(png) == [code]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk-1-pairing.png"]


def test_pair_remembers_hub_token_and_fingerprint_and_makes_the_station_key(
        tmp_path: Path) -> None:
    path = tmp_path / "desk" / "desk.sqlite"  # no database yet: pair makes an empty one
    pairing.pair(path, Pairing(HTTPS, TOKEN, FINGERPRINT))
    store = Store(open_db(path))
    assert client.remembered(store, path) == (HTTPS, TOKEN)
    assert stat.S_IMODE(client.token_path(path).stat().st_mode) == 0o600
    assert client.pinned(store) == FINGERPRINT
    key_file = station_keys.station_key_path(path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = station_keys.ensure_station_key(path)
    assert station_keys.station_signer(store, path) is None  # the hub has not listed it yet

    # Paired again with the same registration: same key. With another one (a new token):
    # a new key, so that revoking either registration revokes only its own badges.
    pairing.pair(store, Pairing(HTTPS, TOKEN, FINGERPRINT))
    assert station_keys.ensure_station_key(path).key_id == key.key_id
    other = secrets.token_urlsafe(32)
    pairing.pair(store, Pairing("http://10.0.0.2:8765", other, None))
    assert client.remembered(store, path) == ("http://10.0.0.2:8765", other)
    assert client.pinned(store) is None  # that hub has no TLS: the pairing says so
    assert station_keys.ensure_station_key(path).public_key != key.public_key
    store.close()


def test_a_command_line_in_the_log_holds_no_token() -> None:
    from checkin.cli import _redacted

    args = ["--db", "d.sqlite", "sync", "--hub", HTTPS, "--token", TOKEN, "--final"]
    assert _redacted(args) == [*args[:6], "***", "--final"]
    code = make(HTTPS, TOKEN, FINGERPRINT)
    assert _redacted(["sync", "--pair", code]) == ["sync", "--pair", "***"]
    assert _redacted(["sync", f"--pair={code}"]) == ["sync", "--pair=***"]
