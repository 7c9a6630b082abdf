"""Likely duplicates and merges on one database: who is listed, and that every reader of
the log (admissions, badges, conflicts, reports, export, the engine) reads a merged-away
registration's events as the kept one's, with every event still in the log."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from checkin import reports
from checkin.admission import ALREADY_CHECKED_IN, CANCELLED, OK
from checkin.conflicts import conflicts
from checkin.errors import CheckinError
from checkin.exporting import attendance
from checkin.merging import duplicates, merge
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import ATTENDEE_MERGED, BADGE_PRINTED, Store, resolve_merges
from tests.test_admission_support import DAY1, DAY2, PEOPLE, Setup, make_event


def walk_in(store: Store, person: Attendee) -> None:
    """Registered as checkin.desk.walk_in registers, at the store's station."""
    with store.transaction():
        store.add_attendee(replace(person), search_key=search_key(person), source="walk-in")


@pytest.fixture
def event(tmp_path: Path) -> Setup:
    people = [*PEOPLE,
              Attendee(id="P-10", given_name="Νίκος", family_name="Παπαδόπουλος",
                       organisation="Πανεπιστήμιο Αθηνών", email="nikos@uoa.gr", days=[DAY1]),
              Attendee(id="P-11", given_name="Ann", family_name="Lee", organisation="Acme",
                       email="ann@acme.example"),  # the same name as a1, another org
              Attendee(id="P-12", given_name="Ann", family_name="Lee", organisation="Acme")]
    setup = make_event(tmp_path / "event.sqlite", people)
    store = setup.store
    store.station = "desk-a"
    walk_in(store, Attendee(id="W-1", given_name="ΝΙΚΟΣ", family_name="ΠΑΠΑΔΟΠΟΥΛΟΣ",
                            organisation="Πανεπιστημιο Αθηνων", days=[DAY2]))
    store.station = "desk-b"
    walk_in(store, Attendee(id="W-2", given_name="Papadopoulos", family_name="Nikos",
                            email=" NIKOS@uoa.gr "))
    walk_in(store, Attendee(id="W-3", given_name="Chen", family_name="Wang",
                            organisation="PKU"))
    store.station = "desk-c"
    walk_in(store, Attendee(id="W-4", given_name="wang", family_name="chen",
                            organisation="P.K.U."))
    walk_in(store, Attendee(id="W-5", given_name="Zoe", family_name="Unique"))
    store.station = "desk-1"
    return setup


def test_duplicates_are_walk_ins_matching_by_email_or_folded_name_and_organisation(
        event: Setup) -> None:
    found = {tuple(r.attendee.id for r in g.registrations): g.match
             for g in duplicates(event.store)}
    # P-10 (imported) first: the registration system's id is the one to keep. W-1 matches
    # it by name and organisation (case and accents folded), W-2 by e-mail.
    assert found == {("P-10", "W-1", "W-2"): ["e-mail", "name and organisation"],
                     ("W-3", "W-4"): ["name and organisation"]}
    # P-11 and P-12 look alike but neither is a walk-in; a1 is Ann Lee of no organisation.
    group = duplicates(event.store)[0].to_json()
    assert group["attendees"][1] == {
        "id": "W-1", "name": "ΝΙΚΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", "organisation": "Πανεπιστημιο Αθηνων",
        "email": "", "country": "", "role": "delegate", "source": "walk-in",
        "station": "desk-a", "created": group["attendees"][1]["created"], "admitted": []}


def test_merged_registrations_are_one_person_everywhere(event: Setup) -> None:
    store = event.store
    assert event.engine("desk-a").check_in("W-1", day=DAY2).verdict == OK
    event.clock.advance(60)
    assert event.engine("desk-b").check_in("P-10", day=DAY1).verdict == OK
    event.clock.advance(60)
    assert event.engine("desk-c").check_in("W-2", day=DAY1).verdict == OK
    with store.transaction():
        store.append(BADGE_PRINTED, "W-1", day=DAY2, payload={"layout": "a6"})
    before = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert not store.badge_printed("P-10")

    result = merge(store, "P-10", "W-1", reason="same person")
    assert (result.checkins, result.badges) == (1, 1)
    assert result.filled == ["days"]  # P-10 had day 1 only, W-1 day 2: both now
    kept = store.attendee("P-10")
    assert kept is not None and kept.days == [DAY1, DAY2] and kept.email == "nikos@uoa.gr"
    gone = store.attendee("W-1")
    assert gone is not None and gone.status == "cancelled"
    # Appended only: every earlier event is still there, three new ones.
    after = store.events()
    assert len(after) == before + 3
    assert [e.type for e in after[-3:]] == ["attendee_updated", "attendee_cancelled",
                                           ATTENDEE_MERGED]
    assert after[-1].payload == {"from": "W-1", "into": "P-10", "reason": "same person"}
    assert after[-1].attendee_id == "P-10"
    assert after[-2].payload["reason"] == "merged into P-10: same person"
    assert store.events("W-1", types=("checkin",))[0].attendee_id == "W-1"
    merge(store, "P-10", "W-2")

    assert store.merges() == {"W-1": "P-10", "W-2": "P-10"}
    assert store.checked_in_ids(DAY1) == store.checked_in_ids(DAY2) == {"P-10"}
    assert store.badge_printed("P-10") and store.badge_printed("W-2")
    admission = store.admission("P-10", DAY2)
    assert admission is not None and admission.attendee_id == "W-1"  # the event as logged
    assert store.admission("W-1", DAY2) == admission
    # P-10 at desk-b and (as W-2) at desk-c on day 1: one person admitted at two desks.
    assert [(c.attendee_id, c.day, [a.station for a in c.admissions])
            for c in conflicts(store)] == [("P-10", DAY1, ["desk-b", "desk-c"])]
    assert reports.day_report(store, DAY1).checked_in == 1
    assert {g.key: g.checked_in for g in reports.day_report(store, DAY2).roles} == {
        "delegate": 1}
    _, records = attendance(store)
    by_id = {r["id"]: r for r in records}
    assert by_id["P-10"]["checkins"][DAY2] == {"time": admission.time, "station": "desk-a"}
    assert by_id["W-1"]["checkins"][DAY2] is None and by_id["W-2"]["checkins"][DAY1] is None
    # W-1's badge (its QR) admits P-10 now: inside on day 2 already, by desk-a.
    repeat = event.engine("desk-c").scan(event.token("W-1"), day=DAY2)
    assert repeat.verdict == ALREADY_CHECKED_IN and repeat.attendee is not None
    assert repeat.attendee.id == "P-10" and repeat.previous is not None
    assert repeat.previous.station == "desk-a"
    event.engine("desk-a").undo("P-10", day=DAY2, reason="left")  # annuls W-1's check-in
    assert store.checked_in_ids(DAY2) == set()
    event.clock.advance(3600)
    again = event.engine("desk-c").scan(event.token("W-1"), day=DAY2)
    assert again.verdict == OK and again.event is not None
    assert again.event.attendee_id == "P-10" and not again.needs_badge  # W-1 has a badge
    cancelled = event.engine("desk-c").scan(event.token("a6"), day=DAY2)
    assert cancelled.verdict == CANCELLED  # a cancelled registration that was not merged


def test_merge_refusals(event: Setup, tmp_path: Path) -> None:
    store = event.store
    for keep, gone, message in [
            ("P-10", "P-10", "into itself"), ("P-10", "nobody", "no attendee with id 'nobody'"),
            ("a6", "W-5", "a6 is cancelled")]:
        with pytest.raises(CheckinError, match=message):
            merge(store, keep, gone)
    merge(store, "W-3", "W-4")
    with pytest.raises(CheckinError, match="W-4 was merged into W-3 already: merge into W-3"):
        merge(store, "W-4", "W-5")
    with pytest.raises(CheckinError, match=r"W-4 was merged into W-3 already$"):
        merge(store, "W-5", "W-4")
    with store.transaction():
        store.set_meta("sync_hub", "http://127.0.0.1:9")
    with pytest.raises(CheckinError, match=r"desk of the hub http://127\.0\.0\.1:9: merge at the"):
        merge(store, "P-10", "W-1")


def test_merges_chain_and_read_the_same_in_any_log_order() -> None:
    rows = [("b", "c", "2026-12-01T10:00+01:00", "2"), ("a", "b", "2026-12-01T09:00+01:00", "1"),
            ("c", "a", "2026-12-01T11:00+01:00", "3"),  # would close a circle: ignored
            ("a", "d", "2026-12-01T12:00+01:00", "4"),  # a is merged away already
            (None, "x", "2026-12-01T12:00+01:00", "5")]
    for order in (rows, rows[::-1], rows[2:] + rows[:2]):
        assert resolve_merges(order) == {"a": "c", "b": "c"}
    # Desks write other UTC offsets: the instant decides, not the text.
    assert resolve_merges([("a", "b", "2026-12-01T09:30+01:00", "1"),
                           ("a", "c", "2026-12-01T09:00+00:00", "2")]) == {"a": "b"}


def test_duplicates_and_merge_commands(event: Setup, run_cli) -> None:
    listed = run_cli("duplicates", "--json", db=event.path)
    assert listed.exit_code == 0, listed.output
    groups = json.loads(listed.output)
    assert [[a["id"] for a in g["attendees"]] for g in groups] == [["P-10", "W-1", "W-2"],
                                                                    ["W-3", "W-4"]]
    text = run_cli("duplicates", db=event.path).output
    assert "same e-mail and same name and organisation:" in text
    assert "to merge: checkin merge P-10 W-1" in text and text.endswith(
        "2 groups of likely duplicates\n")
    done = run_cli("merge", "P-10", "W-2", db=event.path)
    assert done.exit_code == 0, done.output
    assert done.output == ("merged W-2 into P-10; P-10 took days from W-2; W-2 is cancelled "
                           "(desks get the merge at their next sync)\n")
    again = json.loads(run_cli("duplicates", "--json", db=event.path).output)
    assert [[a["id"] for a in g["attendees"]] for g in again] == [["P-10", "W-1"],
                                                                   ["W-3", "W-4"]]


def test_no_duplicates(tmp_path: Path, run_cli) -> None:
    setup = make_event(tmp_path / "event.sqlite")
    assert run_cli("duplicates", db=setup.path).output == "no likely duplicates\n"
    assert json.loads(run_cli("duplicates", "--json", db=setup.path).output) == []
