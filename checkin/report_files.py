"""`checkin report`: the organiser's end-of-day files, at the hub or at a synced desk.

Contract: ``write_report(store, out_dir, day=None) -> ReportResult`` writes into out_dir
(made if missing) ``attendance.csv`` and ``attendance.xlsx`` (checkin.exporting: one row
per attendee, per event day the first admission's time and desk, formula cells
neutralised) and ``summary-DAY.pdf`` (checkin.summary_pdf: one page with the key
figures, arrivals per 15 minutes, by role and by country, the conflicts and the
no-shows of checkin.summary.summarise). day defaults as checkin.summary.default_day
says. Each file is written beside its target and renamed into place. CheckinError (one
line) for a day that is not an event day or a folder that cannot be written. A desk that
is not fully synced gets its report too: ``result.summary.sync.warning`` says so (the
PDF does as well).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from checkin.errors import CheckinError
from checkin.store import Store
from checkin.summary import Summary, check_day, summarise

log = logging.getLogger(__name__)

CSV_NAME, XLSX_NAME = "attendance.csv", "attendance.xlsx"


@dataclass(frozen=True)
class ReportResult:
    files: list[Path]  # the CSV, the XLSX and the PDF
    attendees: int
    summary: Summary


def write_report(store: Store, out_dir: Path, day: str | None = None) -> ReportResult:
    from checkin.exporting import export_attendance
    from checkin.summary_pdf import write_pdf

    info = store.event_info()
    day = check_day(info, day)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CheckinError(f"{out_dir}: cannot make the folder "
                           f"({exc.strerror or exc})") from None
    summary = summarise(store, day)
    csv_path, xlsx_path = out_dir / CSV_NAME, out_dir / XLSX_NAME
    pdf_path = out_dir / f"summary-{day}.pdf"
    count = export_attendance(store, csv_path, "csv")
    export_attendance(store, xlsx_path, "xlsx")
    write_pdf(summary, pdf_path)
    from checkin.audit import record_export

    # The summary names the people admitted at two desks (and who admitted them).
    record_export(store, "day summary", pdf_path, "pdf", len(summary.conflicts),
                  ["name", "check-in time and desk", "operator"] if summary.conflicts
                  else [])
    log.info("report for %s written to %s: %d attendees, %d of %d expected checked in, "
             "%d no-shows, %d conflicts%s", day, out_dir, count, summary.report.checked_in,
             summary.report.expected, len(summary.no_shows), len(summary.conflicts),
             f"; {summary.sync.warning}" if summary.sync.warning else "")
    return ReportResult([csv_path, xlsx_path, pdf_path], count, summary)
