"""Property-based: arbitrary bytes as a file and arbitrary text in cells never crash the
importer (success or ImportRefused, nothing else) and never leave a half-done import."""

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin.errors import ImportRefused
from checkin.exporting import export_attendance
from checkin.importing import import_file
from checkin.text import clean_text
from tests.import_helpers import new_store, snapshot, write_csv

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
HEADER = ["ID", "First name", "Last name", "Company", "Country", "Ticket Type", "Notes"]

# Text with a bias towards what breaks importers: delimiters, quotes, line breaks, BOMs,
# NUL and control characters, bidi overrides, zero-width characters, formulas, emoji.
_NASTY = st.sampled_from([",", ";", "\t", "|", '"', "\n", "\r", "\r\n", "\x00", "\ufeff",
                          "\u202e", "\u200b", "\u2066", "=", "+", "-", "@", "=cmd|' /C calc'!A0",
                          "<script>alert(1)</script>", "'; DROP TABLE attendees;--", "👩‍⚕️",
                          "\ud7ff", "\x85", "\u2028", "ß", "İ", "e\u0301"])
CELL = st.lists(st.one_of(st.text(max_size=6), _NASTY), max_size=5).map("".join)


class Box:
    """One event database per test, reused across examples (tmp_path is per test)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="checkin-prop-"))
        self.db = self.folder / "event.sqlite"
        self.store = new_store(self.db)
        import_file(self.store, write_csv(self.folder / "seed.csv",
                                          [HEADER, ["S1", "Seed", "Person", "", "", "", ""]]))


def _attempt(box: Box, path: Path, **options: bool) -> bool:
    before = snapshot(box.db)
    try:
        import_file(box.store, path, **options)
    except ImportRefused as exc:
        assert "\n" not in str(exc)
        assert snapshot(box.db) == before, "refused import left changes behind"
        return False
    return True


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".json", ".xlsx",
                                                               ".txt"]))
def test_arbitrary_bytes_never_crash(data, suffix):
    box = _box()
    path = box.folder / f"input{suffix}"
    path.write_bytes(data)
    _attempt(box, path, full=True)


@SETTINGS
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=1, max_size=6),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_arbitrary_cells_never_crash(rows, delimiter, encoding):
    box = _box()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = box.folder / "cells.csv"
    try:
        path.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:  # lone surrogates cannot be written in any encoding
        return
    if _attempt(box, path):
        for attendee in box.store.all_attendees():
            for value in (attendee.given_name, attendee.family_name, attendee.organisation):
                assert value == clean_text(value)  # stored text is already clean
        for fmt in ("csv", "xlsx", "json"):
            export_attendance(box.store, box.folder / f"out.{fmt}")


@SETTINGS
@given(items=st.lists(st.dictionaries(
    st.sampled_from(["id", "given_name", "family_name", "organisation", "country", "role",
                     "status", "days", "code", "name_order", "title", "email", "other"]),
    st.one_of(CELL, st.integers(), st.none(), st.booleans(), st.lists(CELL, max_size=2))),
    max_size=5))
def test_arbitrary_json_never_crashes(items):
    box = _box()
    path = box.folder / "items.json"
    try:
        path.write_text(json.dumps(items), encoding="utf-8")
    except UnicodeEncodeError:
        return
    _attempt(box, path)


_BOXES: list[Box] = []


def _box() -> Box:
    if not _BOXES:
        _BOXES.append(Box())
    return _BOXES[0]


def test_hostile_values_are_stored_inert_and_exported_neutralised(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    rows = [HEADER,
            ["1", "=HYPERLINK(\"http://x\",\"y\")", "Robert'); DROP TABLE attendees;--",
             "<b>ACME</b>", "Germany", "Speaker", "@SUM(A1)"],
            ["2", "A\u202enna\u200b", "We\x00ber", "+49 30", "DE", "", "-1"],
            ["3", "👩‍⚕️ Zoë", "O’Brien", "\u2066Klinik\u2069", "DE", "", "line\nbreak"]]
    import_file(store, write_csv(tmp_path / "hostile.csv", rows))
    people = {a.id: a for a in store.all_attendees()}
    assert people["1"].given_name == '=HYPERLINK("http://x","y")'  # stored as plain text
    assert people["1"].family_name == "Robert'); DROP TABLE attendees;--"
    assert people["1"].organisation == "<b>ACME</b>"
    assert people["2"].given_name == "Anna"
    assert people["2"].family_name == "We ber"
    assert people["3"].given_name == "👩‍⚕️ Zoë"
    assert people["3"].organisation == "Klinik"
    assert people["3"].notes == "line\nbreak"
    assert store.attendee_count() == 3

    export_attendance(store, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    exported = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert exported["1"]["given_name"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert exported["2"]["organisation"] == "'+49 30"
