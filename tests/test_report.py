"""`checkin report`: the attendance files and the one-page summary at several event
sizes, names in every script, and the sync state of a desk (with a real hub)."""

import csv
import io
import subprocess
from pathlib import Path

import pytest

from checkin.admission import OK, Engine
from checkin.badges.shaping import shape
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.report_files import write_report
from checkin.store import Store
from checkin.summary import default_day, summarise
from checkin.sync import stations
from checkin.sync.client import outbox_count
from tests.conftest import run_checkin
from tests.hub_server import HubProcess
from tests.report_events import DAY1, DAY2, MANY_COUNTRIES, make
from tests.test_admission_support import make_event


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it (the invisible layer over Latin text)."""
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def pages(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.mark.parametrize(("size", "options", "checked_in", "no_shows"), [
    (10, {}, 10, 2),
    (400, {}, 324, 78),
    (2000, {}, 1592, 410),
    (300, {"admitted": 0.0, "conflicts": 0, "walk_ins": 0}, 0, 300),
    (600, {"countries": MANY_COUNTRIES}, 475, 127),
], ids=["10", "400", "2000", "no-admissions", "51-countries"])
def test_report_files_at_event_sizes(tmp_path: Path, size: int, options: dict[str, object],
                                     checked_in: int, no_shows: int) -> None:
    store = make(tmp_path / "event.sqlite", size, **options)  # type: ignore[arg-type]
    result = write_report(store, tmp_path / "out", DAY1)
    out = tmp_path / "out"
    assert result.files == [out / "attendance.csv", out / "attendance.xlsx",
                            out / f"summary-{DAY1}.pdf"]
    assert sorted(p.name for p in out.iterdir()) == [  # no temporary file left behind
        "attendance.csv", "attendance.xlsx", f"summary-{DAY1}.pdf"]
    walk_ins = options.get("walk_ins", 2)
    assert result.attendees == size + walk_ins
    summary = result.summary
    assert (summary.report.checked_in, len(summary.no_shows)) == (checked_in, no_shows)

    rows = csv_rows(out / "attendance.csv")
    assert len(rows) == size + walk_ins
    assert sum(1 for r in rows if r[f"checked_in {DAY1}"]) == checked_in
    assert {r[f"desk {DAY1}"] for r in rows} <= {"", "desk-1", "desk-2", "desk-3"}
    from openpyxl import load_workbook

    sheet = load_workbook(out / "attendance.xlsx", read_only=True)["Attendance"]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == size + walk_ins + 1

    pdf = out / f"summary-{DAY1}.pdf"
    assert pages(pdf) == 1
    text = pdf_text(pdf)
    assert "Attendance on Tuesday 1 December 2026, day 1 of 2" in text
    assert f"No-shows ({no_shows})" in text and f"Conflicts ({len(summary.conflicts)})" in text
    assert f"of {summary.report.expected} expected" in text
    assert "One database, synced with no other" in text
    if checked_in:
        assert "Arrivals per 15 minutes" in text and "busiest quarter" in text
        assert "08:00" in text  # the hour labels of the chart
    else:
        assert "No admissions on this day." in text
    # The names that do not fit are counted; 10 attendees' no-shows all fit.
    assert ("more (attendance.csv)" in text) == (no_shows > 120)
    if options.get("countries"):
        assert "By country (51)" in text and "40 other countries" in text


def test_names_in_every_script_are_drawn_with_the_shipped_fonts(tmp_path: Path) -> None:
    store = make(tmp_path / "event.sqlite", 60, admitted=0.0, conflicts=0, walk_ins=0)
    summary = summarise(store, DAY1)
    names = [a.display_name for a in summary.no_shows]
    for script in ("Παπαδόπουλος", "王秀英", "佐藤さくら", "髙橋健太", "김민준", "العلي",
                   "कुमार", "Иванова", "כהן", "Nguyễn"):
        assert any(script in name for name in names), script
    for name in {*names, store.event_info().name}:
        for weight in ("regular", "bold"):
            line = shape(name, weight)
            assert line.missing == 0, name  # no .notdef box
            assert line.text == name, name  # nothing transliterated for want of a font
    pdf = write_report(store, tmp_path / "out", DAY1).files[-1]
    text = pdf_text(pdf)
    assert "Anna Müller" in text and "Lefèvre" in text  # Latin: searchable as well


def test_report_command_at_a_desk_that_is_not_fully_synced(tmp_path: Path, run_cli) -> None:
    event = make_event(tmp_path / "hub" / "event.sqlite")
    hub = HubProcess(event.path, tmp_path / "hub").start()
    try:
        token = stations.add_station(event.store, "desk-1")
        path = tmp_path / "desk.sqlite"
        assert run_cli("sync", "--hub", hub.url, "--token", token, db=path).exit_code == 0
        desk = Store(open_db(path), station="desk-1")
        engine = Engine(desk, clock=event.clock)
        assert engine.check_in("a1", day=DAY1).verdict == OK
        event.clock.advance(60)
        assert engine.check_in("a2", day=DAY1).verdict == OK
        assert outbox_count(desk) == 2

        result = run_cli("report", "--out", str(tmp_path / "early"), "--day", DAY1, db=path)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[1] == f"{DAY1}: 2 of 5 expected checked in (40 %), 3 no-shows, 0 conflicts"
        assert lines[2].startswith("warning: not fully synced: 2 events of this desk have not "
                                   "reached the hub (last sync ")
        early = " ".join(pdf_text(tmp_path / "early" / f"summary-{DAY1}.pdf").split())
        assert "NOT FULLY SYNCED: the figures below may be incomplete" in early
        assert "2 events of this desk have not reached the hub" in early

        final = run_cli("sync", "--final", db=path)
        assert final.exit_code == 0, final.output
        result = run_cli("report", "--out", str(tmp_path / "late"), "--day", DAY1, db=path)
        assert result.exit_code == 0, result.output
        assert "warning" not in result.output
        late = pdf_text(tmp_path / "late" / f"summary-{DAY1}.pdf")
        assert f"Desk synced with {hub.url}: nothing waits in its outbox" in late
        assert "NOT FULLY SYNCED" not in late

        at_hub = run_cli("report", "--out", str(tmp_path / "hub-report"), "--day", DAY1,
                         db=event.path)
        assert at_hub.exit_code == 0, at_hub.output
        assert at_hub.output.splitlines()[1].startswith(f"{DAY1}: 2 of 5 expected")
        text = pdf_text(tmp_path / "hub-report" / f"summary-{DAY1}.pdf")
        assert "Hub with 1 desk, 1 after their final sync · desk-1: final sync" in text
        rows = {r["id"]: r for r in csv_rows(tmp_path / "hub-report" / "attendance.csv")}
        assert rows["a1"][f"desk {DAY1}"] == "desk-1"
    finally:
        hub.stop()
        event.store.close()


def test_report_days_and_refusals(tmp_path: Path, run_cli) -> None:
    assert default_day([DAY1, DAY2], DAY2) == DAY2
    assert default_day([DAY1, DAY2], "2026-12-09") == DAY2  # after the event: its last day
    assert default_day([DAY1, DAY2], "2026-11-01") == DAY1  # before it: the first
    store = make(tmp_path / "event.sqlite", 5)
    with pytest.raises(CheckinError, match=r"2026-12-05 is not a day of the event \("
                                           r"2026-12-01, 2026-12-02\)"):
        write_report(store, tmp_path / "out", "2026-12-05")
    db = str(tmp_path / "event.sqlite")
    assert run_cli("report", "--out", str(tmp_path / "o"), "--day", "monday",
                   db=tmp_path / "event.sqlite").exit_code == 2
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    done = run_checkin("--db", db, "report", "--out", str(blocked / "sub"), "--day", DAY2)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: {blocked / 'sub'}: cannot make the folder")
    day2 = run_cli("report", "--out", str(tmp_path / "d2"), "--day", DAY2,
                   db=tmp_path / "event.sqlite")
    assert day2.exit_code == 0, day2.output
    assert f"{DAY2}: 0 of" in day2.output
    assert "No admissions on this day." in pdf_text(tmp_path / "d2" / f"summary-{DAY2}.pdf")
