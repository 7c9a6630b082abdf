"""Desks and a real hub over TLS: the self-signed certificate made once, pairing by the
code of `hub add-station`, the pinned fingerprint checked on every connection, a changed
certificate refused in one line (two real certificates), an https hub without a known
fingerprint refused unless --fingerprint or --trust-on-first-use, plain http refused
once pinned, and `hub serve` refusing TLS options that do not fit.
"""

import hashlib
import re
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from checkin.admission import OK, Engine
from checkin.db import open_db
from checkin.decode import decode_file
from checkin.errors import CheckinError
from checkin.station_keys import station_key_path
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import outbox_count, pinned, remembered, sync_once, token_path
from checkin.sync.pairing import pair, parse
from checkin.sync.tls import (
    display_fingerprint,
    ensure_self_signed,
    fingerprint_of_file,
    self_signed_paths,
    short_fingerprint,
)
from tests.conftest import run_checkin
from tests.hub_server import HOST, HubProcess
from tests.test_admission_support import DAY1, Setup, make_event


@dataclass
class Hub:
    process: HubProcess
    event: Setup

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def store(self) -> Store:
        return self.event.store

    @property
    def fingerprint(self) -> str:
        return fingerprint_of_file(self_signed_paths(self.event.path)[0])


def served_fingerprint(port: int) -> str:
    """What the hub really presents, read without the desk's code."""
    pem = ssl.get_server_certificate((HOST, port))
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("tls-hub")
    event = make_event(folder / "event.sqlite")
    process = HubProcess(event.path, folder, tls=["--tls-self-signed"]).start()
    try:
        yield Hub(process, event)
    finally:
        process.stop()
        event.store.db.conn.close()


def add_station(run_cli, hub_path: Path, name: str) -> tuple[str, str, list[str]]:
    """`checkin hub add-station NAME`: (pairing code, token, output lines)."""
    result = run_cli("hub", "add-station", name, db=hub_path)
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").split("\n")
    code = next(line for line in lines if "sync --pair " in line).split("sync --pair ")[1]
    return code, lines[-1], lines


def test_the_self_signed_certificate_is_made_once_and_served(hub: Hub) -> None:
    cert, key = self_signed_paths(hub.event.path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert served_fingerprint(hub.process.port) == hub.fingerprint
    names = x509.load_pem_x509_certificate(cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert {"localhost"} <= set(names.get_values_for_type(x509.DNSName))
    assert {"127.0.0.1", "::1"} <= {str(a) for a in names.get_values_for_type(x509.IPAddress)}
    out = (hub.process.workdir / "hub.out").read_text()
    assert f"TLS certificate {display_fingerprint(hub.fingerprint)}" in out
    assert f"on {hub.url}/api/v1" in out
    # A restart keeps the certificate: the desks' pins stay valid.
    hub.process.stop()
    hub.process.start()
    assert served_fingerprint(hub.process.port) == hub.fingerprint
    out = (hub.process.workdir / "hub.out").read_text()
    assert out.count("made a self-signed TLS certificate") == 1
    assert out.count(f"TLS certificate {display_fingerprint(hub.fingerprint)}") == 2


def test_a_desk_paired_by_the_code_syncs_over_tls(hub: Hub, run_cli, tmp_path: Path) -> None:
    code, token, lines = add_station(run_cli, hub.event.path, "desk-p")
    assert lines[0] == f"station 'desk-p' added for the hub at {hub.url}"
    assert lines[1] == f"TLS certificate {display_fingerprint(hub.fingerprint)}"
    png = hub.event.path.with_name("desk-p-pairing.png")
    assert any(line.endswith(str(png)) for line in lines)
    assert stat.S_IMODE(png.stat().st_mode) == 0o600
    assert decode_file(png) == [code]
    assert parse(code) == parse(code.upper()[:7] + code[7:])  # the prefix as scanned
    pairing = parse(code)
    assert (pairing.url, pairing.token, pairing.fingerprint) == (hub.url, token, hub.fingerprint)

    path = tmp_path / "desk.sqlite"
    result = run_cli("sync", "--pair", code, db=path)
    assert result.exit_code == 0, result.output
    assert "created " in result.output and "as desk-p: 0 pushed" in result.output
    desk = Store(open_db(path))
    assert remembered(desk, path) == (hub.url, token)
    assert pinned(desk) == hub.fingerprint
    assert stat.S_IMODE(station_key_path(path).stat().st_mode) == 0o600
    assert not station_key_path(path.with_name(path.name + ".partial")).exists()
    listed = "SELECT key_id, public_key, station FROM public_keys WHERE station IS NOT NULL"
    assert desk.db.execute(listed).fetchall() == \
        hub.store.db.execute(listed + " AND station = 'desk-p'").fetchall()
    assert desk.db.execute(listed).fetchall()[0][2] == "desk-p"
    # Later syncs use what was remembered, and check the same certificate again.
    assert Engine(desk).scan(hub.event.token("a1"), day=DAY1).verdict == OK
    again = run_cli("sync", db=path)
    assert again.exit_code == 0, again.output
    assert "1 pushed" in again.output and "pinned" not in again.output


def test_the_app_pairs_with_the_core_function(hub: Hub, run_cli, tmp_path: Path) -> None:
    code, token, _ = add_station(run_cli, hub.event.path, "desk-app")
    path = tmp_path / "app" / "desk.sqlite"
    pair(path, parse(code))  # what the station app calls after scanning the code
    store = Store(open_db(path), station="desk-app")
    assert remembered(store, path) == (hub.url, token)
    result = sync_once(store, path)
    assert (result.station, result.fingerprint) == ("desk-app", hub.fingerprint)
    assert store.event_info() == hub.store.event_info()
    store.close()


def test_a_changed_certificate_is_refused_and_nothing_is_sent(run_cli, tmp_path: Path) -> None:
    event = make_event(tmp_path / "hub" / "event.sqlite")
    process = HubProcess(event.path, tmp_path / "hub", tls=["--tls-self-signed"]).start()
    try:
        code, _, _ = add_station(run_cli, event.path, "desk-c")
        path = tmp_path / "desk.sqlite"
        assert run_cli("sync", "--pair", code, db=path).exit_code == 0
        desk = Store(open_db(path), station="desk-c")
        first = pinned(desk)
        assert first is not None
        assert Engine(desk).scan(event.token("a2"), day=DAY1).verdict == OK
        events_at_hub = event.store.db.execute("SELECT count(*) FROM events").fetchone()

        # The organiser starts the hub with another certificate (a second real one).
        other = ensure_self_signed(tmp_path / "other" / "x.sqlite", HOST)
        assert other.fingerprint != first
        process.stop()
        process.tls = ["--tls-cert", str(other.cert), "--tls-key", str(other.key)]
        process.start()
        assert served_fingerprint(process.port) == other.fingerprint

        done = run_checkin("--db", str(path), "sync")
        assert done.returncode == 1
        assert done.stderr == (
            f"error: the hub's certificate changed (expected {short_fingerprint(first)}, got "
            f"{short_fingerprint(other.fingerprint)}): if the organiser replaced it, pair "
            "this desk again\n")
        with pytest.raises(CheckinError, match="the hub's certificate changed"):
            sync_once(desk, path)  # the app's way: the same refusal
        assert pinned(desk) == first  # never silently trusted
        assert outbox_count(desk) == 1
        assert event.store.db.execute("SELECT count(*) FROM events").fetchone() == \
            events_at_hub

        # Paired again with a code made now (the hub served the new certificate since),
        # the desk trusts the new one and sends what waited.
        code, _, lines = add_station(run_cli, event.path, "desk-c2")
        assert f"TLS certificate {display_fingerprint(other.fingerprint)}" in lines
        result = run_cli("sync", "--pair", code, db=path)
        assert result.exit_code == 0, result.output
        assert "as desk-c2: 1 pushed" in result.output
        assert pinned(desk) == other.fingerprint
        desk.close()
    finally:
        process.stop()
        event.store.db.conn.close()


def test_an_https_hub_needs_a_fingerprint_given_or_trusted_on_first_use(
        hub: Hub, run_cli, tmp_path: Path) -> None:
    token = stations.add_station(hub.store, "desk-f")
    path = tmp_path / "desk.sqlite"
    done = run_checkin("--db", str(path), "sync", "--hub", hub.url, "--token", token)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: {hub.url} uses TLS but this desk knows no fingerprint of its certificate: "
        "pair it with the hub's code (`checkin sync --pair`), or add --fingerprint SHA256 "
        "(shown by `checkin hub serve`) or --trust-on-first-use\n")
    assert list(tmp_path.iterdir()) == []

    wrong = hashlib.sha256(b"another certificate").hexdigest()
    done = run_checkin("--db", str(path), "sync", "--hub", hub.url, "--token", token,
                       "--fingerprint", wrong)
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"error: the hub's certificate is not the expected one (expected "
        f"{short_fingerprint(wrong)}, got {short_fingerprint(hub.fingerprint)}): ")
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []

    # As `checkin hub serve` shows it, in capitals even.
    shown = display_fingerprint(hub.fingerprint).upper()
    result = run_cli("sync", "--hub", hub.url, "--token", token, "--fingerprint", shown,
                     db=path)
    assert result.exit_code == 0, result.output
    assert f"pinned the hub's TLS certificate {display_fingerprint(hub.fingerprint)}\n" \
        in result.output
    assert pinned(Store(open_db(path))) == hub.fingerprint

    token = stations.add_station(hub.store, "desk-tofu")
    path = tmp_path / "tofu.sqlite"
    result = run_cli("sync", "--hub", hub.url, "--token", token, "--trust-on-first-use",
                     db=path)
    assert result.exit_code == 0, result.output
    assert (f"pinned the hub's TLS certificate {display_fingerprint(hub.fingerprint)} on "
            "first use: compare it with the one `checkin hub serve` shows") in result.output
    assert pinned(Store(open_db(path))) == hub.fingerprint


def test_a_pinned_desk_refuses_plain_http(hub: Hub, run_cli, tmp_path: Path) -> None:
    code, token, _ = add_station(run_cli, hub.event.path, "desk-h")
    path = tmp_path / "desk.sqlite"
    assert run_cli("sync", "--pair", code, db=path).exit_code == 0
    plain = hub.url.replace("https://", "http://")
    done = run_checkin("--db", str(path), "sync", "--hub", plain)
    assert done.returncode == 1
    assert done.stderr == (
        "error: this desk pinned the hub's TLS certificate and will not send its token "
        f"unencrypted to {plain}: if the hub no longer uses TLS, pair this desk again "
        "(`checkin sync --pair`)\n")
    assert token_path(path).read_text().strip() == token
    done = run_checkin("--db", str(path), "sync", "--pair", code, "--token", token)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "--pair brings the hub, the token and the fingerprint" in done.stderr


def test_hub_serve_refuses_tls_options_that_do_not_fit(run_cli, tmp_path: Path) -> None:
    event = make_event(tmp_path / "event.sqlite")
    event.store.close()
    one = ensure_self_signed(tmp_path / "one" / "x.sqlite", HOST)
    two = ensure_self_signed(tmp_path / "two" / "x.sqlite", HOST)
    serve = ["hub", "serve", "--port", "0"]
    for args, message in [
        (["--tls-cert", str(one.cert)], "--tls-cert and --tls-key go together"),
        (["--tls-self-signed", "--tls-cert", str(one.cert), "--tls-key", str(one.key)],
         "--tls-self-signed or --tls-cert/--tls-key, not both"),
    ]:
        result = run_cli(*serve, *args, db=event.path)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    for args, message in [
        (["--tls-cert", str(one.cert), "--tls-key", str(two.key)],
         f"the TLS certificate {one.cert} and key {two.key} do not go together"),
        (["--tls-cert", str(tmp_path / "none.pem"), "--tls-key", str(one.key)],
         f"no TLS file at {tmp_path / 'none.pem'}"),
        (["--tls-cert", str(one.key), "--tls-key", str(one.key)], "do not go together"),
    ]:
        with pytest.raises(CheckinError, match=re.escape(message)):
            run_cli(*serve, *args, db=event.path)
    done = run_checkin("--db", str(event.path), *serve, "--tls-cert", str(one.cert),
                       "--tls-key", str(two.key))
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert not self_signed_paths(event.path)[0].exists()
