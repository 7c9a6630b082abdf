"""`checkin export attendance`: one row per attendee, check-in time per day, formula
cells neutralised, bidi controls removed, CSV in UTF-8 with BOM."""

import csv
import io
import json

import pytest

from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.exporting import admissions, export_attendance
from checkin.models import Attendee
from checkin.store import CHECKIN, UNDO, Store

DAY1, DAY2 = "2026-12-01", "2026-12-02"


@pytest.fixture
def store(tmp_path):
    store = Store(open_db(tmp_path / "event.sqlite", create=True), station="desk-1")
    store.set_event("Congress", [DAY1, DAY2])
    with store.transaction():
        for attendee in [
            Attendee(id="A1", given_name="Anna", family_name="Weber", organisation="Charité",
                     country="DE", role="speaker", code="SECRET"),
            Attendee(id="B2", given_name="=1+2", family_name="\u202eLi", organisation="@corp",
                     country="CN"),
            Attendee(id="C3", given_name="秀英", family_name="王", name_order="family_first",
                     status="cancelled"),
        ]:
            store.add_attendee(attendee)
        store.append(CHECKIN, "A1", day=DAY1, time="2026-12-01T08:01:00.000+01:00")
        store.append(CHECKIN, "A1", day=DAY2, time="2026-12-02T08:30:00.000+01:00")
        store.append(UNDO, "A1", day=DAY2, time="2026-12-02T08:31:00.000+01:00")
        store.append(CHECKIN, "B2", day=DAY2, time="2026-12-02T09:00:00.000+01:00",
                     station="desk-2")
    return store


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the names right
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_rows_and_checkin_times(store, tmp_path):
    count = export_attendance(store, tmp_path / "att.csv")
    assert count == 3
    rows = {r["id"]: r for r in read_csv(tmp_path / "att.csv")}
    assert rows["A1"][f"checked_in {DAY1}"] == "2026-12-01T08:01:00.000+01:00"
    assert rows["A1"][f"desk {DAY1}"] == "desk-1"
    assert rows["A1"][f"checked_in {DAY2}"] == ""  # undone
    assert rows["B2"][f"checked_in {DAY2}"] == "2026-12-02T09:00:00.000+01:00"
    assert rows["B2"][f"desk {DAY2}"] == "desk-2"
    assert rows["C3"]["status"] == "cancelled"
    assert rows["A1"]["code"] == "SECRET"
    assert rows["A1"]["role"] == "speaker"


def test_formulas_neutralised_and_bidi_removed(store, tmp_path):
    export_attendance(store, tmp_path / "a.csv")
    rows = {r["id"]: r for r in read_csv(tmp_path / "a.csv")}
    assert rows["B2"]["given_name"] == "'=1+2"
    assert rows["B2"]["organisation"] == "'@corp"
    assert rows["B2"]["family_name"] == "Li"


def test_xlsx_holds_text_not_formulas(store, tmp_path):
    from openpyxl import load_workbook

    export_attendance(store, tmp_path / "att.xlsx")
    sheet = load_workbook(tmp_path / "att.xlsx").active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_id["B2"]["given_name"] == "'=1+2"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert by_id["A1"][f"checked_in {DAY1}"] == "2026-12-01T08:01:00.000+01:00"
    assert by_id["C3"]["given_name"] == "秀英"


def test_json_export(store, tmp_path):
    export_attendance(store, tmp_path / "att.json")
    records = {r["id"]: r for r in json.loads((tmp_path / "att.json").read_text("utf-8"))}
    assert records["A1"]["checkins"] == {
        DAY1: {"time": "2026-12-01T08:01:00.000+01:00", "station": "desk-1"}, DAY2: None}
    assert records["B2"]["given_name"] == "=1+2"  # JSON is not a spreadsheet: no prefix


def test_admissions_agree_with_store(store):
    found = admissions(store)
    for attendee in store.all_attendees():
        for day in (DAY1, DAY2):
            event = store.admission(attendee.id, day)
            assert (found.get((attendee.id, day)) is not None) == (event is not None)
            if event:
                assert found[(attendee.id, day)] == (event.time, event.station)


def test_format_from_option_or_extension(store, tmp_path):
    export_attendance(store, tmp_path / "att.data", "json")
    assert json.loads((tmp_path / "att.data").read_text("utf-8"))
    with pytest.raises(CheckinError, match="--format"):
        export_attendance(store, tmp_path / "att.txt")


def test_cli_export(store, tmp_path, run_cli):
    db = store.db.conn.execute("PRAGMA database_list").fetchone()[2]
    out = tmp_path / "attendance.xlsx"
    result = run_cli("export", "attendance", "--out", str(out), db=db)
    assert result.exit_code == 0, result.output
    assert "wrote 3 attendees" in result.output
    result = run_cli("export", "attendance", "--out", str(tmp_path / "a.csv"), "--format",
                     "json", db=db)
    assert result.exit_code == 0
    assert json.loads((tmp_path / "a.csv").read_text("utf-8"))


def test_unwritable_target_is_one_line_error(store, tmp_path):
    with pytest.raises(CheckinError, match="cannot write"):
        export_attendance(store, tmp_path / "missing-folder" / "att.csv")
    assert not list(tmp_path.glob(".att.csv.*"))


def test_registered_days_are_exported(tmp_path):
    store = Store(open_db(tmp_path / "event.sqlite", create=True), station="desk-1")
    store.set_event("Congress", [DAY1, DAY2])
    with store.transaction():
        store.add_attendee(Attendee(id="D1", given_name="Day", family_name="Two", days=[DAY2]))
        store.add_attendee(Attendee(id="E1", given_name="Every", family_name="Day"))
    export_attendance(store, tmp_path / "att.csv")
    rows = {r["id"]: r for r in read_csv(tmp_path / "att.csv")}
    assert (rows["D1"]["days"], rows["E1"]["days"]) == (DAY2, "")
    export_attendance(store, tmp_path / "att.json")
    records = {r["id"]: r for r in json.loads((tmp_path / "att.json").read_text("utf-8"))}
    assert (records["D1"]["days"], records["E1"]["days"]) == ([DAY2], [])
