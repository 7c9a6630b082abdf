"""`checkin print`: spool through the queue, reprints, status, retry, cancel."""

from pathlib import Path

import pypdfium2
import pytest

from checkin import paths
from checkin.config import StationConfig
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.store import BADGE_PRINTED, Store
from tests.conftest import run_checkin


@pytest.fixture
def people(event_db: Path) -> Path:
    store = Store(open_db(event_db))
    with store.transaction():
        store.add_attendee(Attendee(id="P1", given_name="Ana", family_name="Lima", role="speaker"))
        store.add_attendee(Attendee(id="P2", given_name="美咲", family_name="佐藤",
                                    name_order="family_first", country="JP"))
        store.add_attendee(Attendee(id="P3", given_name="Old", status="cancelled"))
    return event_db


def pages(path: Path) -> int:
    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def printed(db: Path) -> list:
    return Store(open_db(db)).events(types=(BADGE_PRINTED,))


def test_print_to_the_default_pdf_folder(run_cli, people: Path):
    result = run_cli("print", "P1", "P2")
    assert result.exit_code == 0, result.output
    assert "job 1 P1 Ana Lima: printed (pdf checkin-job1-P1.pdf)" in result.output
    folder = paths.data_dir() / "printed"
    files = sorted(folder.glob("*.pdf"))
    assert [f.name for f in files] == ["checkin-job1-P1.pdf", "checkin-job2-P2.pdf"]
    assert [pages(f) for f in files] == [1, 1]  # the a6 layout: one badge, one page
    events = printed(people)
    assert [(e.attendee_id, e.payload["layout"]) for e in events] == [("P1", "a6"), ("P2", "a6")]


def test_second_badge_needs_reprint_and_reason(run_cli, people: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("print", "--backend", "pdf", "--printer", str(out), "P1").exit_code == 0
    with pytest.raises(CheckinError, match="already has a printed badge"):
        run_cli("print", "--backend", "pdf", "--printer", str(out), "P1")
    with pytest.raises(CheckinError, match="needs a reason"):
        run_cli("print", "--backend", "pdf", "--printer", str(out), "--reprint", "P1")
    result = run_cli("print", "--backend", "pdf", "--printer", str(out), "--reason", "x", "P1")
    assert result.exit_code == 2 and "--reason goes with --reprint" in result.output
    result = run_cli("print", "--backend", "pdf", "--printer", str(out), "--reprint",
                     "--reason", "badge torn", "--operator", "sam", "P1")
    assert result.exit_code == 0, result.output
    first, second = printed(people)
    assert first.payload["reprint"] is False
    assert second.payload["reprint"] is True and second.payload["reason"] == "badge torn"
    assert second.operator == "sam"
    assert len(list(out.glob("*.pdf"))) == 2


def test_refusal_is_one_line_and_queues_nothing(people: Path):
    result = run_checkin("--db", str(people), "print", "P1", "P3")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: Old (P3): registration cancelled, no badge"
    status = run_checkin("--db", str(people), "print", "--status")
    assert "0 queued" in status.stdout and "P1" not in status.stdout


def test_unknown_layout_and_backend(run_cli, people: Path):
    with pytest.raises(CheckinError, match="no badge layout named 'nope'"):
        run_cli("print", "--layout", "nope", "P1")
    result = run_cli("print", "--backend", "fax", "P1")
    assert result.exit_code == 2
    result = run_cli("print")
    assert result.exit_code == 2 and "give attendee IDs" in result.output


def test_station_config_defaults(run_cli, people: Path, tmp_path: Path):
    folder = tmp_path / "desk-folder"
    StationConfig(printer=str(folder), printer_backend="pdf", layout="a7",
                  operator="kim").save()
    assert run_cli("print", "P1").exit_code == 0
    [event] = printed(people)
    assert event.payload["layout"] == "a7" and event.payload["printer"] == str(folder)
    assert event.operator == "kim"
    assert len(list(folder.glob("*.pdf"))) == 1


def test_qt_jobs_wait_for_the_station_app(run_cli, people: Path):
    StationConfig(printer="Front desk", printer_backend="qt").save()
    result = run_cli("print", "P1")
    assert result.exit_code == 0, result.output
    assert "queued 1 job for the station app's printer" in result.output
    status = run_cli("print", "--status")
    assert "printed by the station app" in status.output
    assert "queued     P1 Ana Lima  [a6, qt:Front desk" in status.output


def test_waiting_jobs_then_retry(run_cli, people: Path, tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = run_cli("print", "--backend", "pdf", "--printer", str(blocker / "x"), "P1")
    assert result.exit_code == 0, result.output  # waiting is not an error
    assert "queued: waiting: offline (cannot create" in result.output
    assert "1 job waiting in the queue" in result.output
    status = run_cli("print", "--status", "--backend", "pdf", "--printer", str(blocker / "x"))
    assert "printer: pdf" in status.output and "offline" in status.output
    assert "1 queued" in status.output
    # the printer is "back": a different folder for the same queue
    result = run_cli("print", "--retry", "--backend", "pdf", "--printer", str(tmp_path / "ok"))
    assert "job 1 P1 Ana Lima: printed" in result.output
    assert len(printed(people)) == 1


def test_cancel_from_the_command_line(run_cli, people: Path):
    StationConfig(printer_backend="qt").save()  # nothing prints from here
    run_cli("print", "P1", "P2")
    result = run_cli("print", "--cancel", "1", "--cancel", "2")
    assert result.output.splitlines() == ["job 1: cancelled", "job 2: cancelled"]
    with pytest.raises(CheckinError, match="print job 1 is already cancelled"):
        run_cli("print", "--cancel", "1")
    status = run_cli("print", "--status")
    assert "2 cancelled" in status.output


def test_retry_failed_job(run_cli, people: Path, tmp_path: Path):
    from checkin.printing.queue import PrintQueue

    store = Store(open_db(people))
    queue = PrintQueue(store)
    job = queue.enqueue("P1", layout="a6")
    store.db.execute("UPDATE print_jobs SET state = 'failed', attempts = 3, "
                     "reason = 'printer refused the job: x' WHERE id = ?", [job.id])
    status = run_cli("print", "--status")
    assert "failed     P1 Ana Lima" in status.output and "printer refused the job" in status.output
    result = run_cli("print", "--retry", "--backend", "pdf", "--printer", str(tmp_path))
    assert result.output.splitlines()[0] == "requeued 1 job"
    assert "printed" in result.output


def test_retry_prints_each_job_on_its_own_printer(run_cli, people: Path, tmp_path: Path):
    # A job queued for a printer that was off must not come out of another printer (the
    # station's default PDF folder) on a plain --retry: the log would record a badge that
    # nobody holds.
    blocker = tmp_path / "desk-printer"
    blocker.write_text("")  # a file where the folder should be: the "printer" is offline
    result = run_cli("print", "--backend", "pdf", "--printer", str(blocker), "P1")
    assert "1 job waiting in the queue" in result.output
    status = run_cli("print", "--status").output.splitlines()
    assert status[0].startswith("printer: pdf ") and status[0].endswith(": ready")
    assert status[1].startswith(f"printer: pdf {blocker}: offline (cannot create")
    assert status[1].endswith("(has waiting jobs)")
    other = tmp_path / "other-desk"
    assert run_cli("print", "--backend", "pdf", "--printer", str(other), "P2").exit_code == 0
    blocker.unlink()  # the printer is back
    result = run_cli("print", "--retry")
    assert result.exit_code == 0, result.output
    assert "job 1 P1 Ana Lima: printed" in result.output
    assert [f.name for f in blocker.glob("*.pdf")] == ["checkin-job1-P1.pdf"]
    assert not list((paths.data_dir() / "printed").glob("*.pdf"))
    events = printed(people)
    assert [(e.attendee_id, e.payload["printer"]) for e in events] == [
        ("P2", str(other)), ("P1", str(blocker))]


def test_registration_cancelled_while_the_job_waited_prints_no_badge(
        run_cli, people: Path, tmp_path: Path):
    blocker = tmp_path / "desk-printer"
    blocker.write_text("")  # the printer is offline: the job waits
    run_cli("print", "--backend", "pdf", "--printer", str(blocker), "P1")
    store = Store(open_db(people))
    with store.transaction():
        attendee = store.attendee("P1")
        assert attendee is not None
        attendee.status = "cancelled"
        store.update_attendee(attendee)
    blocker.unlink()
    with pytest.raises(CheckinError, match="1 job failed"):
        run_cli("print", "--retry")
    assert not list(blocker.glob("*.pdf")) and printed(people) == []
    status = run_cli("print", "--status").output
    assert "the registration of P1 is cancelled" in status


def test_printer_name_that_is_nothing_is_refused_with_the_choices(people: Path,
                                                                  tmp_path: Path):
    """Without --backend, a --printer that is neither a CUPS queue nor an existing folder
    is refused in one line that names the choices; nothing is queued."""
    result = run_checkin("--db", str(people), "print", "--printer", "Zebra-Front", "P1",
                         env={"XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                              "XDG_DATA_HOME": str(tmp_path / "data")})
    assert result.returncode == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert line.startswith("error: no printer 'Zebra-Front': ")
    assert "CUPS" in line and "--backend pdf" in line
    assert Store(open_db(people)).db.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 0


def test_printer_name_of_an_existing_folder_is_a_pdf_folder(run_cli, people: Path,
                                                            tmp_path: Path):
    folder = tmp_path / "badges"
    folder.mkdir()
    result = run_cli("print", "--printer", str(folder), "P1")
    assert result.exit_code == 0, result.output
    assert [f.name for f in folder.glob("*.pdf")] == ["checkin-job1-P1.pdf"]
