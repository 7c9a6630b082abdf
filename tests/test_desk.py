"""The desk's operations (checkin.desk) over a real event database, without Qt."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from checkin.config import StationConfig
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.desk import (
    DbContext,
    PrintContext,
    cancel_badges,
    check_in,
    compute_stats,
    describe,
    enqueue_and_print,
    message_of,
    open_event,
    print_state,
    process_queue,
    save_attendee,
    scan_text,
    search_hits,
    undo,
    walk_in,
)
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.printing.backend import make_backend
from checkin.printing.pdf_folder import PdfFolderBackend
from checkin.store import ATTENDEE_CREATED, ATTENDEE_UPDATED, BADGE_PRINTED, CHECKIN, Store
from tests.db_faults import refuse_inserts
from tests.event_setup import signed_event

TODAY = date.today().isoformat()
TOMORROW = (date.today() + timedelta(days=1)).isoformat()

PEOPLE = [
    Attendee(id="A1", given_name="Anja", family_name="Müller", organisation="Charité Berlin",
             country="DE", role="speaker"),
    Attendee(id="A2", given_name="Bruno", family_name="Costa", country="BR",
             status="cancelled"),
    Attendee(id="A3", given_name="Dora", family_name="Nagy", country="HU", days=[TOMORROW]),
    Attendee(id="A4", given_name="Eva", family_name="Lindqvist", country="SE", role="vip"),
]


@dataclass
class DeskEvent:
    db_path: Path
    tokens: dict[str, str]  # attendee id -> signed token


@pytest.fixture
def event(tmp_path: Path) -> DeskEvent:
    db_path = tmp_path / "event.sqlite"
    return DeskEvent(db_path, signed_event(db_path, PEOPLE, [TODAY, TOMORROW]))


@pytest.fixture
def ctx(event: DeskEvent) -> Iterator[DbContext]:
    context = DbContext(event.db_path, "Desk 1", "Tess")
    yield context
    context.close()


@pytest.fixture
def config(tmp_path: Path) -> StationConfig:
    return StationConfig(station="Desk 1", operator="Tess", printer=str(tmp_path / "printed"),
                         printer_backend="pdf", layout="a6")


@pytest.fixture
def pctx(event: DeskEvent, config: StationConfig) -> Iterator[PrintContext]:
    context = PrintContext(event.db_path, "Desk 1", "Tess", config)
    yield context
    context.close()


def logged(db_path: Path, attendee_id: str, kind: str) -> list[dict[str, object]]:
    """The log's events of one kind for one attendee, read on a connection of its own."""
    store = Store(open_db(db_path))
    try:
        return [e.payload for e in store.events(attendee_id, types=(kind,))]
    finally:
        store.close()


# -- opening ---------------------------------------------------------------------------------

def test_open_event_summarises_the_day(ctx, event):
    summary = open_event(ctx)
    assert (summary.event_name, summary.days, summary.day) == (
        "Test Congress", [TODAY, TOMORROW], TODAY)
    assert not summary.created_demo and not summary.is_demo
    # A2 is cancelled and A3 comes tomorrow
    assert (summary.expected, summary.checked_in) == (2, 0)


def test_open_event_on_an_empty_file_makes_the_demo(tmp_path):
    ctx = DbContext(tmp_path / "new.sqlite", "Desk 1", "Tess")
    try:
        summary = open_event(ctx)
        assert summary.created_demo and summary.is_demo
        assert summary.expected > 0
    finally:
        ctx.close()
    again = DbContext(tmp_path / "new.sqlite", "Desk 1", "Tess")
    try:
        summary = open_event(again)
        assert summary.is_demo and not summary.created_demo
    finally:
        again.close()


# -- admitting -------------------------------------------------------------------------------

def test_scan_admits_and_asks_for_a_badge(ctx, event):
    out = scan_text(ctx, event.tokens["A1"])
    assert out.kind == "ok"
    assert out.attendee is not None and out.attendee.id == "A1"
    assert out.checked_in and not out.badge_printed and out.printing
    assert out.input == event.tokens["A1"] and out.detail == ""
    assert compute_stats(ctx, TODAY).checked_in == 1
    assert len(logged(event.db_path, "A1", CHECKIN)) == 1


def test_the_same_person_at_another_desk_is_already_checked_in(ctx, event):
    assert check_in(ctx, "A1").kind == "ok"
    other = DbContext(event.db_path, "Desk 2", "Uwe")
    try:
        out = scan_text(other, event.tokens["A1"])
    finally:
        other.close()
    assert out.kind == "already_checked_in"
    assert out.previous is not None and out.previous.station == "Desk 1"
    assert not out.printing
    assert len(logged(event.db_path, "A1", CHECKIN)) == 1


def test_a_typed_name_in_the_scan_field_becomes_a_search(ctx):
    out = scan_text(ctx, "Anja Müller")
    assert out.kind == "malformed"
    assert out.hits is not None and [h.attendee.id for h in out.hits] == ["A1"]
    assert not out.checked_in


def test_check_in_refusals_are_verdicts_not_errors(ctx, event):
    assert check_in(ctx, "NOBODY").kind == "unknown"
    cancelled = check_in(ctx, "A2")
    assert cancelled.kind == "cancelled" and cancelled.detail
    assert check_in(ctx, "A3").kind == "not_registered_today"
    assert compute_stats(ctx, TODAY).checked_in == 0


def test_an_admission_whose_write_fails_raises_and_admits_nobody(ctx, event):
    refuse_inserts(event.db_path, "events", "disk full for the test")
    from checkin.admission import NotRecorded

    with pytest.raises(NotRecorded, match="not recorded: disk full for the test") as caught:
        scan_text(ctx, event.tokens["A1"])
    assert "disk full for the test" in message_of(caught.value)
    assert compute_stats(ctx, TODAY).checked_in == 0
    assert not describe(ctx, "A1").checked_in


def test_search_marks_who_is_inside(ctx):
    check_in(ctx, "A4")
    hits = search_hits(ctx, "lindqvist")
    assert [(h.attendee.id, h.checked_in) for h in hits] == [("A4", True)]
    assert search_hits(ctx, "   ") == []


# -- undo ------------------------------------------------------------------------------------

def test_undo_annuls_the_admission(ctx, event):
    check_in(ctx, "A1")
    out = undo(ctx, "A1", "scanned the wrong badge")
    assert (out.kind, out.detail, out.checked_in) == ("undone", "scanned the wrong badge", False)
    assert out.attendee is not None and out.attendee.id == "A1"
    assert compute_stats(ctx, TODAY).checked_in == 0
    assert check_in(ctx, "A1").kind == "ok"  # and can be admitted again


def test_undo_of_nobody_inside_or_an_unknown_id_is_refused(ctx):
    with pytest.raises(CheckinError, match="nothing to undo"):
        undo(ctx, "A1", "")
    with pytest.raises(CheckinError, match="no attendee"):
        undo(ctx, "NOBODY", "")


# -- editing ---------------------------------------------------------------------------------

def test_edit_is_saved_logged_and_searchable(ctx, event):
    assert search_hits(ctx, "Karolinska") == []  # the index is built before the edit
    person = describe(ctx, "A4").attendee
    assert person is not None
    out = save_attendee(ctx, replace(person, organisation="Karolinska"), "typo at import")
    assert out.kind == "saved"
    assert out.attendee is not None and out.attendee.organisation == "Karolinska"
    [payload] = logged(event.db_path, "A4", ATTENDEE_UPDATED)
    assert payload["reason"] == "typo at import" and payload["source"] == "station"
    assert [h.attendee.id for h in search_hits(ctx, "Karolinska")] == ["A4"]


def test_an_edit_whose_log_write_fails_leaves_the_attendee_as_it_was(ctx, event):
    person = describe(ctx, "A4").attendee
    assert person is not None
    refuse_inserts(event.db_path, "events", "refused for the test")
    with pytest.raises(sqlite3.DatabaseError, match="refused for the test"):
        save_attendee(ctx, replace(person, organisation="Karolinska"), "")
    after = describe(ctx, "A4").attendee
    assert after is not None and after.organisation == ""


def test_an_edit_of_an_unknown_id_registers_nobody(ctx, event):
    with pytest.raises(CheckinError, match="no attendee with id 'GHOST'"):
        save_attendee(ctx, Attendee(id="GHOST", given_name="Nobody"), "")
    assert logged(event.db_path, "GHOST", ATTENDEE_CREATED) == []
    assert search_hits(ctx, "nobody") == []


def test_describe_an_unknown_id_is_refused(ctx):
    with pytest.raises(CheckinError, match="no attendee with id 'NOBODY'"):
        describe(ctx, "NOBODY")


# -- walk-ins --------------------------------------------------------------------------------

def test_walk_in_registers_and_admits(ctx, event):
    out = walk_in(ctx, Attendee(id="", given_name="Walk", family_name="In", country="FR"))
    assert out.kind == "created" and out.checked_in and not out.badge_printed
    assert out.attendee is not None and out.attendee.id.startswith("W")
    [payload] = logged(event.db_path, out.attendee.id, ATTENDEE_CREATED)
    assert payload["source"] == "walk-in"
    assert [h.attendee.id for h in search_hits(ctx, "walk in")] == [out.attendee.id]
    assert compute_stats(ctx, TODAY).checked_in == 1


def test_walk_in_with_a_taken_id_is_refused(ctx, event):
    with pytest.raises(CheckinError, match="exists already"):
        walk_in(ctx, Attendee(id="A1", given_name="Someone", family_name="Else"))
    person = describe(ctx, "A1").attendee
    assert person is not None and person.given_name == "Anja"
    assert compute_stats(ctx, TODAY).checked_in == 0


def test_a_walk_in_whose_write_fails_creates_and_admits_nobody(ctx, event):
    refuse_inserts(event.db_path, "events", "refused for the test")
    with pytest.raises(sqlite3.DatabaseError, match="refused for the test"):
        walk_in(ctx, Attendee(id="W-1", given_name="Walk", family_name="In"))
    with pytest.raises(CheckinError):
        describe(ctx, "W-1")


# -- printing --------------------------------------------------------------------------------

def test_a_badge_prints_into_the_pdf_folder(pctx, config, event):
    check_in(pctx, "A1")
    state = enqueue_and_print(pctx, "A1", reprint=False, reason="", auto=True)
    assert (state.backend, state.ready, state.done, state.queued) == ("pdf", True, 1, 0)
    assert state.last_error == "" and state.jobs == []
    assert len(list(Path(config.printer).glob("*.pdf"))) == 1
    assert len(logged(event.db_path, "A1", BADGE_PRINTED)) == 1
    # the scanner's double fire asks again: no second badge
    assert enqueue_and_print(pctx, "A1", reprint=False, reason="", auto=True).done == 1
    # a reprint needs a reason, and then prints
    with pytest.raises(CheckinError, match="reason"):
        enqueue_and_print(pctx, "A1", reprint=True, reason="")
    assert enqueue_and_print(pctx, "A1", reprint=True, reason="coffee on it").done == 2


def test_a_printer_that_is_away_keeps_the_badge_queued(pctx, config, tmp_path):
    # the PDF folder's parent is a file: the folder cannot be made, the printer is offline
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    pctx.set_config(replace(config, printer=str(blocker / "printed")))
    state = enqueue_and_print(pctx, "A1", reprint=False, reason="")
    assert (state.state, state.ready, state.queued, state.done) == ("offline", False, 1, 0)
    assert "cannot create" in state.reason
    assert [job.attendee_id for job in state.jobs] == ["A1"]
    assert process_queue(pctx).queued == 1  # still away: still waiting
    # the printer is back (here: the station prints into a folder that works)
    pctx.set_config(config)
    state = process_queue(pctx)
    assert (state.ready, state.queued, state.done) == (True, 0, 1)


def test_waiting_badges_can_be_cancelled(pctx, config, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    pctx.set_config(replace(config, printer=str(blocker / "printed")))
    enqueue_and_print(pctx, "A1", reprint=False, reason="")
    state, cancelled = cancel_badges(pctx, "A1")
    assert cancelled == 1 and state.queued == 0
    assert cancel_badges(pctx, "A1")[1] == 0


def test_badges_for_unknown_or_cancelled_people_are_refused(pctx):
    with pytest.raises(CheckinError, match="no attendee"):
        enqueue_and_print(pctx, "NOBODY", reprint=False, reason="")
    with pytest.raises(CheckinError, match="cancelled"):
        enqueue_and_print(pctx, "A2", reprint=False, reason="")
    assert print_state(pctx).queued == 0


def test_a_badge_that_cannot_be_rendered_fails_with_the_reason(pctx, config):
    pctx.set_config(replace(config, layout="no-such-layout"))
    state = enqueue_and_print(pctx, "A1", reprint=False, reason="")
    for _ in range(3):  # the queue tries a few times before the job stays failed
        if state.failed:
            break
        state = process_queue(pctx)
    assert state.failed == 1 and state.done == 0
    assert "no-such-layout" in state.last_error


def test_the_station_brings_its_own_backends(event, config, tmp_path):
    """A backend the core does not know (the station's Qt printer) comes in through the
    factory; the core's factory alone refuses it."""
    folder = tmp_path / "through-the-factory"

    def station_backends(name: str, printer: str) -> PdfFolderBackend:
        assert name == "qt"
        return PdfFolderBackend(folder)

    qt_config = replace(config, printer_backend="qt", printer="Office")
    with pytest.raises(CheckinError, match="only from the station app"):
        make_backend("qt", "Office")
    context = PrintContext(event.db_path, "Desk 1", "Tess", qt_config, station_backends)
    try:
        assert enqueue_and_print(context, "A1", reprint=False, reason="").done == 1
        assert len(list(folder.glob("*.pdf"))) == 1
    finally:
        context.close()
