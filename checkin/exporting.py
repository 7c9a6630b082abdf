"""Attendance export for the organiser: one row per attendee, the check-in time per day.

Each row also names the attendee's registered days ("days": empty means every day), so
that the organiser can tell a no-show from someone who was not expected that day.

Cells are cleaned (checkin.text.clean_text: NFC, bidi and control characters removed)
and, for CSV and XLSX, neutralised (checkin.text.neutralise_formula): a name such as
"=HYPERLINK(...)" arrives as text, never as a formula. CSV is UTF-8 with a byte-order
mark: without it Excel on Windows reads UTF-8 as the ANSI code page and garbles every
non-ASCII name; LibreOffice, pandas and Python's csv read the BOM fine.
The file is written beside its target and renamed into place (checkin.files), so a failed
export never leaves half a file, a link placed at the path is not followed, and a full
disk or a read-only folder is one line naming the path.
"""

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from checkin.errors import CheckinError
from checkin.files import atomic_output
from checkin.store import Store
from checkin.text import clean_text, neutralise_formula

FORMATS = ("csv", "xlsx", "json")
BASE_COLUMNS = ("id", "code", "title", "given_name", "family_name", "organisation", "country",
                "role", "email", "status")
# What the export tells about a person, column by column (docs/privacy.md): said by the
# CLI, on the XLSX's "About this file" sheet and in the data_exported event of the audit.
PERSONAL_DATA = {"id": "registration id", "code": "ticket code", "title": "name",
                 "given_name": "name", "family_name": "name", "organisation": "affiliation",
                 "country": "country", "role": "role", "email": "e-mail address",
                 "status": "registration status", "days": "registered days",
                 "checkins": "check-in time and desk per day"}


def personal_data() -> list[str]:
    """The kinds of personal data an attendance export holds, each once, in column order."""
    return list(dict.fromkeys(PERSONAL_DATA.values()))


def personal_data_note(count: int) -> str:
    """One line saying what personal data an export of count attendees holds."""
    return (f"holds personal data of {count} attendees: {', '.join(personal_data())}; keep "
            "it out of shared folders and delete it when it is no longer needed")


def format_for(path: Path, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise CheckinError(f"unknown export format {fmt!r} (csv, xlsx or json)")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise CheckinError(f"{path}: cannot tell the format from the extension; "
                       "use --format csv|xlsx|json")


def admissions(store: Store) -> dict[tuple[str, str], tuple[str, str]]:
    """(attendee id, day) -> (time, station) of the first check-in in force
    (Store.admissions_in_force: the same rule as the desk's)."""
    return {key: (found[0].time, found[0].station)
            for key, found in store.admissions_in_force().items()}


def attendance(store: Store) -> tuple[list[str], list[dict[str, Any]]]:
    """Event days and one record per attendee (sorted by family, given name, id)."""
    days = store.event_info().days
    admitted = admissions(store)
    records = []
    attendees = sorted(store.all_attendees(),
                       key=lambda a: (a.family_name.casefold(), a.given_name.casefold(), a.id))
    for a in attendees:
        record: dict[str, Any] = {name: clean_text(getattr(a, name) or "")
                                  for name in BASE_COLUMNS}
        # Registered days (empty: every day), so that no-shows per day can be counted.
        record["days"] = list(a.days)
        checkins: dict[str, dict[str, str] | None] = {}
        for day in days:
            found = admitted.get((a.id, day))
            checkins[day] = (None if found is None
                             else {"time": found[0], "station": clean_text(found[1])})
        record["checkins"] = checkins
        records.append(record)
    return days, records


def table(days: list[str], records: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: the base columns, then per day the check-in time and the desk."""
    header = [*BASE_COLUMNS, "days"]
    for day in days:
        header += [f"checked_in {day}", f"desk {day}"]
    rows = []
    for record in records:
        row = [record[name] for name in BASE_COLUMNS]
        row.append(",".join(record["days"]))
        for day in days:
            found = record["checkins"][day]
            row += [found["time"], found["station"]] if found else ["", ""]
        rows.append(row)
    return header, rows


def export_attendance(store: Store, path: Path | str, fmt: str | None = None) -> int:
    """Write the attendance export to path; returns the number of attendees written. The
    export is logged as a data_exported event under the store's station and operator
    (checkin.audit.record_export)."""
    from checkin.audit import record_export

    path = Path(path)
    fmt = format_for(path, fmt)
    days, records = attendance(store)
    if fmt == "json":
        _write_atomic(path, lambda handle: _write_json(handle, records), binary=False,
                      encoding="utf-8")
    elif fmt == "csv":
        header, rows = table(days, records)
        _write_atomic(path, lambda handle: _write_csv(handle, header, rows), binary=False,
                      encoding="utf-8-sig")
    else:
        header, rows = table(days, records)
        _write_xlsx(path, header, rows, _about(store, len(records)))
    record_export(store, "attendance", path, fmt, len(records), personal_data())
    return len(records)


def _about(store: Store, count: int) -> list[list[str]]:
    """The XLSX's "About this file" sheet: what personal data it holds, and whose."""
    from checkin.store import now

    return [["About this file"],
            [f"Attendance of {store.meta('event_name') or 'the event'}, written {now()} at "
             f"{store.station}" + (f" by {store.operator}" if store.operator else "")],
            [f"This file {personal_data_note(count)}."],
            ["Column", "Personal data"],
            *[[column, what] for column, what in PERSONAL_DATA.items()]]


def _write_json(handle: TextIO, records: list[dict[str, Any]]) -> None:
    json.dump(records, handle, ensure_ascii=False, indent=1)
    handle.write("\n")


def _write_csv(handle: TextIO, header: list[str], rows: list[list[str]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(header)
    writer.writerows([neutralise_formula(cell) for cell in row] for row in rows)


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]],
                about: list[list[str]] | None = None) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Attendance")
    sheet.freeze_panes = "A2"
    sheet.append(header)
    for row in rows:
        # openpyxl stores any string that starts with "=" as a formula: neutralise first.
        sheet.append([neutralise_formula(cell) for cell in row])
    if about:
        notes = workbook.create_sheet("About this file")
        for row in about:
            notes.append([neutralise_formula(cell) for cell in row])

    def save(handle: Any) -> None:
        workbook.save(handle)

    _write_atomic(path, save, binary=True)


def _write_atomic(path: Path, write: Callable[[Any], None], *, binary: bool,
                  encoding: str | None = None) -> None:
    """Write through checkin.files.atomic_output: whole or not at all, synced, never
    through a link placed at path; one line naming the path and why when it fails."""
    with atomic_output(path) as temp:
        mode = "wb" if binary else "w"
        with open(temp, mode, encoding=encoding, newline=None if binary else "") as handle:
            write(handle)
