"""The check-in engine: verdicts, repeats, double-fire, undo, days, bad input, URL forms."""

import json
import threading

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from checkin.admission import (
    ALREADY_CHECKED_IN,
    CANCELLED,
    INVALID_SIGNATURE,
    MALFORMED,
    NOT_REGISTERED_TODAY,
    OK,
    UNKNOWN,
    VERDICTS,
    Engine,
)
from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.store import BADGE_PRINTED, CHECKIN, UNDO, Store
from tests.test_admission_support import DAY1, DAY2, DAY3, make_event


@pytest.fixture
def ev(tmp_path):
    return make_event(tmp_path / "event.sqlite")


def checkins(store, attendee_id=None):
    return store.events(attendee_id, types=(CHECKIN,))


def test_signed_token_admits_once_and_is_on_disk(ev):
    verdict = ev.engine().scan(ev.token("a1"), day=DAY1)
    assert verdict.verdict == OK
    assert verdict.attendee.id == "a1"
    assert verdict.needs_badge
    assert verdict.repaired is None
    assert verdict.message == "Welcome, Ann Lee."
    # Another connection sees it: the admission was committed before the verdict returned.
    other = Store(open_db(ev.path))
    admission = other.admission("a1", DAY1)
    assert admission is not None and admission.uuid == verdict.event.uuid
    assert admission.station == "desk-1" and admission.operator == "ann"
    assert admission.payload["method"] == "scan"


def test_repeat_says_when_where_and_who(ev):
    first = ev.engine("desk-1", "ann").scan(ev.token("a1"), day=DAY1)
    ev.clock.advance(600)
    again = ev.engine("desk-2", "bob").scan(ev.token("a1"), day=DAY1)
    assert again.verdict == ALREADY_CHECKED_IN
    assert again.previous.uuid == first.event.uuid
    assert again.event is None and not again.needs_badge
    data = again.to_json()
    assert data["checked_in_at"] == first.event.time
    assert data["station"] == "desk-1" and data["operator"] == "ann"
    assert "09:00" in again.message and "desk-1" in again.message and "ann" in again.message
    assert len(checkins(ev.store, "a1")) == 1


def test_double_fire_within_three_seconds_is_one_admission(ev):
    engine = ev.engine()
    token = ev.token("a1")
    first = engine.scan(token, day=DAY1)
    ev.clock.advance(2.9)
    second = engine.scan(token, day=DAY1)
    assert first.verdict == second.verdict == OK
    assert second.event.uuid == first.event.uuid
    assert first.needs_badge and not first.repeat
    assert second.repeat and not second.needs_badge  # one badge, not two
    assert second.to_json()["repeat"] is True
    assert len(checkins(ev.store, "a1")) == 1
    ev.clock.advance(0.5)  # 3.4 s after the admission
    assert engine.scan(token, day=DAY1).verdict == ALREADY_CHECKED_IN


def test_double_fire_window_is_per_station(ev):
    token = ev.token("a1")
    assert ev.engine("desk-1").scan(token, day=DAY1).verdict == OK
    ev.clock.advance(1)
    assert ev.engine("desk-2").scan(token, day=DAY1).verdict == ALREADY_CHECKED_IN


def test_double_fire_via_another_code_of_the_same_person(ev):
    engine = ev.engine()
    assert engine.scan(ev.token("a1"), day=DAY1).verdict == OK
    ev.clock.advance(1)
    again = engine.scan("k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4", day=DAY1)
    assert again.verdict == OK
    assert len(checkins(ev.store, "a1")) == 1


def test_undo_then_scan_admits_again(ev):
    engine = ev.engine()
    first = engine.scan(ev.token("a1"), day=DAY1)
    ev.clock.advance(60)
    undo = engine.undo("a1", day=DAY1, reason="wrong person")
    assert undo.type == UNDO and undo.payload == {"undoes": first.event.uuid,
                                                  "reason": "wrong person"}
    assert ev.store.admission("a1", DAY1) is None
    ev.clock.advance(1)  # within 3 s of the undo, but the undone admission is gone
    again = engine.scan(ev.token("a1"), day=DAY1)
    assert again.verdict == OK and again.event.uuid != first.event.uuid
    with pytest.raises(CheckinError, match="nothing to undo"):
        engine.undo("a2", day=DAY1)
    engine.undo("a1", day=DAY1)
    with pytest.raises(CheckinError):
        engine.undo("a1", day=DAY1)
    # The reason is shown later (reports, the app): no bidi override or control in it.
    engine.scan(ev.token("a1"), day=DAY2)
    undo = engine.undo("a1", day=DAY2, reason="\u202ewrong\x1b[31m person\n")
    assert undo.payload["reason"] == "wrong [31m person"


def test_each_day_is_its_own_admission(ev):
    engine = ev.engine()
    day1 = engine.scan(ev.token("a1"), day=DAY1)
    assert day1.verdict == OK and day1.needs_badge
    with ev.store.transaction():
        ev.store.append(BADGE_PRINTED, "a1", day=DAY1)
    ev.clock.advance(86400)
    day2 = engine.scan(ev.token("a1"), day=DAY2)
    assert day2.verdict == OK and day2.day == DAY2
    assert not day2.needs_badge
    assert engine.scan(ev.token("a1"), day=DAY1).verdict == ALREADY_CHECKED_IN


def test_day_defaults_to_the_clock_date(ev):
    verdict = ev.engine().scan(ev.token("a1"))
    assert verdict.day == DAY1 and verdict.event.day == DAY1


def test_not_registered_today(ev):
    engine = ev.engine()
    verdict = engine.scan(ev.token("a5"), day=DAY1)
    assert verdict.verdict == NOT_REGISTERED_TODAY and verdict.attendee.id == "a5"
    assert DAY1 in verdict.message
    assert engine.scan(ev.token("a5"), day=DAY2).verdict == OK
    assert checkins(ev.store, "a5")[0].day == DAY2


def test_cancelled_attendee(ev):
    verdict = ev.engine().scan(ev.token("a6"), day=DAY1)
    assert verdict.verdict == CANCELLED and verdict.attendee.id == "a6"
    assert ev.engine().scan("CANC3LLED", day=DAY1).verdict == CANCELLED
    assert checkins(ev.store) == []


def test_upstream_codes(ev):
    engine = ev.engine()
    pretix = engine.scan("k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4", day=DAY1)
    assert pretix.verdict == OK and pretix.attendee.id == "a1"
    eventbrite = engine.scan("1234567890123456789", day=DAY1)
    assert eventbrite.verdict == OK and eventbrite.attendee.id == "a4"
    # An order code shared by two attendees names nobody: a search lists both.
    shared = engine.scan("ORD7Z", day=DAY1)
    assert shared.verdict == MALFORMED and "2 attendees" in shared.message
    assert engine.scan("a2", day=DAY1).verdict == OK  # the attendee id works as a code


@pytest.mark.parametrize("wrap", [
    "  {}  ", "{}\r\n", "\t{}\t", "\n{}", "{}\x00", "\x1d{}\r",
])
def test_surrounding_whitespace_and_control(ev, wrap):
    verdict = ev.engine().scan(wrap.format(ev.token("a1")), day=DAY1)
    assert verdict.verdict == OK


def test_scanner_symbology_prefix(ev):
    verdict = ev.engine().scan("]Q1" + ev.token("a1"), day=DAY1)
    assert verdict.verdict == OK and verdict.repaired == "aim"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
@example(text="\x08Q1")  # once repaired through French Caps Lock to the id "a1" and admitted
@example(text="q&")  # "A1" typed by a US scanner on AZERTY: too short to be repaired
@example(text="Q1\r\n")
def test_any_text_gets_a_verdict_and_never_admits(ev, text):
    # Skip the (unlikely) texts that are, or legitimately repair to, a real id or code:
    # the engine says which readings it looks up, so this filter cannot drift from it.
    engine = ev.engine()
    assume(not any(ev.store.attendees_by_code(r.text) for r in engine.readings(text)))
    verdict = engine.scan(text, day=DAY1)
    assert verdict.verdict in VERDICTS
    assert verdict.verdict != OK and verdict.event is None
    json.dumps(verdict.to_json())


@pytest.mark.parametrize("typed", ["\x08Q1", "Q1", "q&", "A&", "Q1\t"])
def test_short_id_is_never_admitted_through_a_keyboard_repair(ev, typed):
    """A few keystrokes through a layout table must not name somebody (docs/station.md)."""
    assert ev.store.attendee("a1") is not None
    verdict = ev.engine().scan(typed, day=DAY1)
    assert verdict.verdict != OK and verdict.attendee is None
    assert ev.store.admission("a1", DAY1) is None


def test_short_id_as_read_still_admits(ev):
    verdict = ev.engine().scan("a1", day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1" and verdict.repaired is None


@pytest.mark.parametrize("form", [
    "https://congress.example/checkin?code={}",
    "https://congress.example/checkin?lang=de&t={}&x=1",
    "https://congress.example/c/{}",
    "https://congress.example/c/{}/",
    "http://congress.example/#{}",
    "www.congress.example/ticket/{}?utm=mail",
    "https://congress.example/#/checkin/{}",  # a web app's route in the fragment
    "https://congress.example/app#/c?code={}&lang=de",
])
def test_url_forms(ev, form):
    engine = ev.engine()
    assert engine.scan(form.format(ev.token("a1")), day=DAY1).verdict == OK
    assert engine.scan(form.format("1234567890123456789"), day=DAY1).attendee.id == "a4"


@pytest.mark.parametrize("form", [
    "congress.example/c/{}", "checkin:{}", "urn:checkin:{}", '"{}"', "<{}>", "Token: {}",
    "{}.", "Ihr Code: {}, bitte vorzeigen",
])
def test_signed_token_inside_other_text(ev, form):
    engine = ev.engine()
    token = ev.token("a1")
    verdict = engine.scan(form.format(token), day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1"
    # The signature still decides: an altered token in the same text gets nobody in.
    forged = token[:70] + ("B" if token[70] != "B" else "C") + token[71:]
    bad = engine.scan(form.format(forged), day=DAY2)
    assert bad.verdict == INVALID_SIGNATURE and bad.attendee is None


def test_token_glued_to_other_characters_is_not_cut_out(ev):
    engine = ev.engine()
    token = ev.token("a1")
    for text in ("C" + token, token + "X", "x" + token + "1", token[:-1] + "." + token[-1]):
        verdict = engine.scan(text, day=DAY1)
        assert verdict.verdict != OK and verdict.attendee is None, text
    assert ev.store.admission("a1", DAY1) is None


def test_unknown(ev):
    engine = ev.engine()
    assert engine.scan("XK-99812", day=DAY1).verdict == UNKNOWN
    assert engine.scan("99999999", day=DAY1).verdict == UNKNOWN
    # A valid signature over a ref nobody in this list has.
    stranger = engine.scan(ev.signer.sign("0123456789AB"), day=DAY1)
    assert stranger.verdict == UNKNOWN and stranger.attendee is None
    assert engine.check_in("nobody", day=DAY1).verdict == UNKNOWN


BAD_INPUTS = [
    "", "   ", "\r\n", "\x00", "\x00\x00\x00", "garbage", "Müller", "anna schmidt", "王",
    "a" * (1 << 20), "CK1" + "A" * (1 << 20), "\x00" * 1000, "abc\x00def",
    bytes(range(256)).decode("latin-1"), "\ud800", "\u202eevil", "🎉🎉🎉",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "http://evil.example/?code=../../etc",
    "WIFI:S:CongressGuest;T:WPA;P:secret123;;", "WIFI:T:WPA;S:x;P:y;H:false;;",
    "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nTEL:+49301234\nEND:VCARD",
    "MECARD:N:Lee,Ann;TEL:123;;", "mailto:ann@example.org", "tel:+4930123456",
    "geo:52.5,13.4", "SMSTO:+49123:hi", "BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT",
    "CK0", "CK1", "CK9" + "0" * 119, "CK0" + "0" * 11, "ck1", "=cmd|' /C calc'!A0",
    "'; DROP TABLE attendees; --", "%s%s%s%n", "{}", "null", "../../../etc/passwd",
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_is_never_ok_and_never_crashes(ev, text):
    verdict = ev.engine().scan(text, day=DAY1)
    assert verdict.verdict in (MALFORMED, UNKNOWN, INVALID_SIGNATURE)
    assert verdict.attendee is None and verdict.event is None
    assert len(verdict.input) <= 201
    data = verdict.to_json()
    assert set(data) >= {"input", "verdict", "attendee_id", "message"}
    assert checkins(ev.store) == []


def test_other_peoples_payloads_are_malformed_with_a_reason(ev):
    engine = ev.engine()
    assert engine.scan("WIFI:S:x;T:WPA;P:y;;", day=DAY1).message.endswith("Wi-Fi settings.")
    assert "contact card" in engine.scan("BEGIN:VCARD\nEND:VCARD", day=DAY1).message
    assert "web link" in engine.scan("https://example.org/about", day=DAY1).message
    assert engine.scan("a" * 3000, day=DAY1).verdict == MALFORMED
    assert engine.scan("Ann Lee", day=DAY1).verdict == MALFORMED  # a search


def test_check_in_by_id(ev):
    engine = ev.engine()
    verdict = engine.check_in("a2", day=DAY1)
    assert verdict.verdict == OK and verdict.event.payload["method"] == "manual"
    ev.clock.advance(60)
    assert engine.check_in("a2", day=DAY1).verdict == ALREADY_CHECKED_IN
    assert engine.check_in("a6", day=DAY1).verdict == CANCELLED
    assert engine.check_in("a5", day=DAY1).verdict == NOT_REGISTERED_TODAY


def test_bad_day_is_an_error(ev):
    with pytest.raises(CheckinError):
        ev.engine().scan(ev.token("a1"), day="2026-13-01")


def test_to_json_shape(ev):
    data = ev.engine().scan(" " + ev.token("a1") + "\n", day=DAY1).to_json()
    assert data["verdict"] == "ok" and data["attendee_id"] == "a1"
    assert data["name"] == "Ann Lee" and data["needs_badge"] is True
    assert data["event"] and data["checked_in_at"]
    assert data["input"] == " " + ev.token("a1") + "\n"


def test_two_desks_on_one_database_admit_once(ev):
    """Two connections (two desks, two threads) race for the same delegate: one ok."""
    results = []
    barrier = threading.Barrier(2)
    token = ev.token("a1")

    def desk(name):
        engine = Engine(Store(open_db(ev.path)), station=name, operator="")
        barrier.wait()
        results.append(engine.scan(token, day=DAY3))

    threads = [threading.Thread(target=desk, args=(n,)) for n in ("desk-a", "desk-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.verdict for r in results) == [ALREADY_CHECKED_IN, OK]
    assert len([e for e in checkins(ev.store, "a1") if e.day == DAY3]) == 1


def test_locked_database_is_an_error_not_a_verdict(ev):
    """Another writer holds the lock past the busy timeout: no verdict, a one-line error."""

    token = ev.token("a1")
    ev.store.db.execute("PRAGMA busy_timeout = 0")
    other = keyed_connect(ev.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CheckinError, match="not recorded"):
            ev.engine().scan(token, day=DAY1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert ev.engine().scan(token, day=DAY1).verdict == OK


def test_engine_sees_a_key_rotated_after_it_started(ev):
    from checkin import keys

    engine = ev.engine()
    assert engine.scan(ev.token("a1"), day=DAY1).verdict == OK
    keys.rotate_key(ev.store, ev.path)
    signer = keys.load_signer(ev.store, ev.path)
    token = signer.sign(ev.store.attendee("a2").ref)
    assert engine.scan(token, day=DAY1).verdict == OK


def test_row_numbers_as_ids_do_not_admit_from_foreign_qr_codes(tmp_path):
    """A spreadsheet export numbers its rows (Nr. 1, 2, 3 ...) and those become ids."""
    people = [Attendee(id=str(n), given_name=f"Person{n}", family_name="Row")
              for n in (2, 3, 7, 12, 2024)]
    people.append(Attendee(id="123456", given_name="Long", family_name="Number"))
    people.append(Attendee(id="b1", given_name="Short", family_name="Code", code="42"))
    ev = make_event(tmp_path / "rows.sqlite", people)
    engine = ev.engine()
    for text in ("https://menu.example/table/7", "https://www.google.com/search?q=12",
                 "https://news.example/2024/11/3", "www.example.org/?page=2",
                 "https://example.org/#/item/123456"):
        verdict = engine.scan(text, day=DAY1)
        assert verdict.verdict == MALFORMED and verdict.attendee is None, text
    for text in ("3", "2024", "é", "42"):  # typed; "é" is "2" on a French keyboard
        verdict = engine.scan(text, day=DAY1)
        assert verdict.verdict == MALFORMED and verdict.attendee is None, text
    assert engine.scan("3", day=DAY1).message == "A list number, not a code: searching for it."
    assert all(ev.store.admission(p.id, DAY1) is None for p in people)
    # A long number is an upstream system's id, and a search result still admits.
    assert engine.scan("123456", day=DAY1).verdict == OK
    assert engine.check_in("3", day=DAY1).verdict == OK
    assert engine.scan(ev.token("7"), day=DAY1).verdict == OK


def test_json_ticket_payloads(ev):
    """Some systems put JSON in their ticket QR (Indico: registrant id and check-in secret)."""
    engine = ev.engine()
    indico = ('{"registrant_id": "17", "checkin_secret": "k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4", '
              '"event_id": 42, "server_url": "https://indico.example", "version": 2}')
    verdict = engine.scan(indico, day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1"
    nested = {"ticket": {"codes": [ev.token("a2")]}}
    assert engine.scan(json.dumps(nested), day=DAY1).attendee.id == "a2"
    assert engine.scan('{"barcode": 1234567890123456789}', day=DAY1).attendee.id == "a4"
    for other in ('{"ssid": "cafe", "password": "x"}', '{"a": 7}', "{not json", "{}", "[1]"):
        verdict = engine.scan(other, day=DAY1)
        assert verdict.verdict != OK and verdict.attendee is None, other


def test_admitted_for_another_day_with_a_reason(ev):
    """Not registered for the day: refused, unless a reason is given (a day ticket sold
    at the desk, the organiser's decision); the check-in then says so, with the operator."""
    engine = ev.engine("desk-1", "ann")
    assert engine.check_in("a5", day=DAY1).verdict == NOT_REGISTERED_TODAY
    assert checkins(ev.store, "a5") == []
    verdict = engine.check_in("a5", day=DAY1, override="Day ticket sold at the desk")
    assert verdict.verdict == OK and verdict.needs_badge
    event = checkins(ev.store, "a5")[0]
    assert event.day == DAY1 and event.operator == "ann" and event.station == "desk-1"
    assert event.payload["not_registered_for_day"] is True
    assert event.payload["override_reason"] == "Day ticket sold at the desk"
    # a reason on someone registered for the day is not an override
    assert engine.check_in("a1", day=DAY1, override="just because").verdict == OK
    assert "override_reason" not in checkins(ev.store, "a1")[0].payload


def test_invalid_codes_are_logged_with_their_cause(ev):
    """A token with a signature character changed does not verify (forged or altered);
    one with its last character missing is damaged. Both are invalid_signature, each is a
    scan_refused event with its cause, and the day report counts them apart."""
    from checkin.reports import day_report
    from checkin.store import SCAN_REFUSED

    engine = ev.engine()
    token = ev.token("a1")
    middle = len(token) - 20
    changed = token[:middle] + ("2" if token[middle] != "2" else "3") + token[middle + 1:]
    forged = engine.scan(changed, day=DAY1)
    assert forged.verdict == INVALID_SIGNATURE and forged.cause == "forged"
    assert forged.to_json()["cause"] == "forged"
    damaged = engine.scan(token[:-1], day=DAY1)
    assert damaged.verdict == INVALID_SIGNATURE and damaged.cause == "damaged"
    refused = ev.store.events(None, types=(SCAN_REFUSED,))
    assert [e.payload["cause"] for e in refused] == ["forged", "damaged"]
    assert all(e.attendee_id is None and e.day == DAY1 for e in refused)
    assert day_report(ev.store, DAY1).refused == {"forged": 1, "damaged": 1}
    assert checkins(ev.store) == []
