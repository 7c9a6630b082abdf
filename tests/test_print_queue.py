"""The print queue without CUPS: the PDF folder backend and a printer that can go away."""

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pypdfium2
import pytest

from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.printing.backend import (
    OFFLINE,
    OUT_OF_PAPER,
    READY,
    JobLost,
    PrinterState,
    PrinterUnavailable,
    make_backend,
)
from checkin.printing.pdf_folder import PdfFolderBackend
from checkin.printing.queue import MAX_ATTEMPTS, Job, PrintQueue
from checkin.store import BADGE_PRINTED, Store

PEOPLE = [
    Attendee(id="A1", given_name="Ana", family_name="Lima", country="BR"),
    Attendee(id="A2", given_name="Jun", family_name="Wang", name_order="family_first"),
    Attendee(id="A3", given_name="Émile", family_name="Zola", status="cancelled"),
]


def tiny_pdf(job: Job) -> bytes:
    """A one-page stand-in for a badge that names the job, so tests can read it back."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(298, 420))
    pdf.drawString(20, 380, f"badge {job.attendee_id} job {job.id}")
    pdf.save()
    return out.getvalue()


def pdf_text(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


class DeskPrinter:
    """A real backend object (not a CUPS stand-in): a printer that can be switched off,
    run out of paper, hold jobs, or drop them, and keeps what it printed."""

    name = "desk"

    def __init__(self) -> None:
        self.printer = "desk-1"
        self.state = PrinterState(READY)
        self.hold = False  # take jobs but do not print them yet
        self.outcome: bool | Exception | None = True  # what job_done reports when not held
        self.refuse: Exception | None = None
        self.printed: list[bytes] = []
        self.accepted: dict[str, bytes] = {}

    def status(self) -> PrinterState:
        return self.state

    def submit(self, pdf: bytes, title: str) -> str:
        if self.refuse is not None:
            raise self.refuse
        job_id = str(len(self.accepted) + 1)
        self.accepted[job_id] = pdf
        return job_id

    def job_done(self, backend_job_id: str) -> bool | None:
        if self.hold:
            return None
        if isinstance(self.outcome, Exception):
            raise self.outcome
        if self.outcome:
            self.printed.append(self.accepted[backend_job_id])
        return self.outcome

    def cancel_job(self, backend_job_id: str) -> None:
        self.accepted.pop(backend_job_id, None)


@pytest.fixture
def store(event_db: Path) -> Store:
    store = Store(open_db(event_db), station="desk-a", operator="kim")
    with store.transaction():
        for person in PEOPLE:
            store.add_attendee(Attendee(**person.__dict__))
    return store


@pytest.fixture
def queue(store: Store) -> PrintQueue:
    return PrintQueue(store)


def printed_events(store: Store, attendee_id: str | None = None):
    return store.events(attendee_id, types=(BADGE_PRINTED,))


def test_pdf_folder_prints_and_logs(queue: PrintQueue, store: Store, tmp_path: Path):
    folder = tmp_path / "printed"
    job = queue.enqueue("A1", layout="a6")
    assert (job.state, job.attempts, job.station, job.operator) == ("queued", 0, "desk-a", "kim")
    [done] = queue.process(PdfFolderBackend(folder), tiny_pdf)
    assert done.state == "done" and done.attempts == 1 and done.backend == "pdf"
    [file] = folder.glob("*.pdf")
    assert pdf_text(file.read_bytes()) == [f"badge A1 job {job.id}"]
    [event] = printed_events(store, "A1")
    assert event.payload == {"job": job.id, "layout": "a6", "printer": str(folder),
                             "backend": "pdf", "backend_job_id": file.name, "reprint": False,
                             "reason": "", "requested_by": "desk-a"}
    assert event.operator == "kim" and event.day is not None
    assert store.badge_printed("A1")
    assert not queue.has_work()
    assert queue.counts()["done"] == 1


def test_default_pdf_folder_is_under_the_data_dir(tmp_path: Path):
    from checkin import paths

    backend = make_backend("pdf", "")
    assert backend.printer == str(paths.data_dir() / "printed")
    assert backend.status().ready


def test_pdf_folder_that_cannot_be_written_waits(queue: PrintQueue, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    job = queue.enqueue("A1", layout="a6")
    [waiting] = queue.process(PdfFolderBackend(blocker / "printed"), tiny_pdf)
    assert waiting.state == "queued" and waiting.reason.startswith("waiting: offline")
    [done] = queue.process(PdfFolderBackend(tmp_path / "ok"), tiny_pdf)
    assert done.id == job.id and done.state == "done"


def test_second_badge_is_an_explicit_reprint(queue: PrintQueue, store: Store, tmp_path: Path):
    backend = PdfFolderBackend(tmp_path)
    queue.enqueue("A1", layout="a6")
    with pytest.raises(CheckinError, match="already has a badge in the print queue"):
        queue.enqueue("A1", layout="a6")
    queue.process(backend, tiny_pdf)
    with pytest.raises(CheckinError, match="already has a printed badge") as refused:
        queue.enqueue("A1", layout="a6")
    assert "\n" not in str(refused.value)
    with pytest.raises(CheckinError, match="needs a reason"):
        queue.enqueue("A1", layout="a6", reprint=True, reason="  ")
    again = queue.enqueue("A1", layout="a7", reprint=True, reason="coffee on the badge")
    assert again.reprint and again.reprint_reason == "coffee on the badge"
    queue.process(backend, tiny_pdf)
    first, second = printed_events(store, "A1")
    assert first.payload["reprint"] is False
    assert second.payload["reprint"] is True
    assert second.payload["reason"] == "coffee on the badge"
    assert second.payload["layout"] == "a7"
    assert len(list(tmp_path.glob("*.pdf"))) == 2


def test_enqueue_refuses_unknown_and_cancelled(queue: PrintQueue):
    with pytest.raises(CheckinError, match="no attendee with id 'NOPE'"):
        queue.enqueue("NOPE", layout="a6")
    with pytest.raises(CheckinError, match="registration cancelled"):
        queue.enqueue("A3", layout="a6")
    with pytest.raises(CheckinError, match="no badge layout"):
        queue.enqueue("A1", layout="")
    assert queue.jobs() == []


def test_offline_printer_loses_nothing(queue: PrintQueue, store: Store):
    printer = DeskPrinter()
    printer.state = PrinterState(OFFLINE, "switched off")
    first = queue.enqueue("A1", layout="a6")
    second = queue.enqueue("A2", layout="a6")
    waiting = queue.process(printer, tiny_pdf)
    assert [(j.id, j.state, j.reason) for j in waiting] == [
        (first.id, "queued", "waiting: offline (switched off)"),
        (second.id, "queued", "waiting: offline (switched off)")]
    assert [j.attempts for j in waiting] == [0, 0]
    printer.state = PrinterState(OUT_OF_PAPER, "media-empty")
    assert {j.reason for j in queue.process(printer, tiny_pdf)} == {
        "waiting: out of paper (media-empty)"}
    assert printer.accepted == {} and printed_events(store) == []
    printer.state = PrinterState(READY)
    done = queue.process(printer, tiny_pdf)
    assert [j.state for j in done] == ["done", "done"]
    assert [pdf_text(p) for p in printer.printed] == [
        [f"badge A1 job {first.id}"], [f"badge A2 job {second.id}"]]  # in queue order
    assert len(printed_events(store)) == 2


def test_printer_vanishing_at_submit_keeps_jobs_queued(queue: PrintQueue):
    printer = DeskPrinter()
    printer.refuse = PrinterUnavailable("connection refused")
    queue.enqueue("A1", layout="a6")
    queue.enqueue("A2", layout="a6")
    jobs = queue.process(printer, tiny_pdf)
    assert [(j.state, j.attempts) for j in jobs] == [("queued", 0), ("queued", 0)]
    assert all(j.reason == "waiting: connection refused" for j in jobs)
    printer.refuse = None
    assert [j.state for j in queue.process(printer, tiny_pdf)] == ["done", "done"]


def test_held_job_stays_printing_until_the_printer_prints_it(queue: PrintQueue, store: Store):
    printer = DeskPrinter()
    printer.hold = True
    job = queue.enqueue("A1", layout="a6")
    [held] = queue.process(printer, tiny_pdf)
    assert held.state == "printing" and held.backend_job_id == "1"
    assert queue.has_work()
    with pytest.raises(CheckinError, match="already has a badge in the print queue"):
        queue.enqueue("A1", layout="a6")
    [still] = queue.process(printer, tiny_pdf)
    assert still.state == "printing" and printed_events(store) == []
    printer.hold = False
    [done] = queue.process(printer, tiny_pdf)
    assert done.id == job.id and done.state == "done"
    assert len(printed_events(store)) == 1
    assert queue.process(printer, tiny_pdf) == []  # nothing printed twice


def test_job_aborted_at_the_printer_goes_back_to_the_queue(queue: PrintQueue, store: Store):
    printer = DeskPrinter()
    printer.outcome = False
    job = queue.enqueue("A1", layout="a6")
    [requeued] = queue.process(printer, tiny_pdf)
    assert requeued.state == "queued" and "aborted or cancelled there" in requeued.reason
    assert requeued.backend_job_id == ""
    for _ in range(MAX_ATTEMPTS - 1):
        queue.process(printer, tiny_pdf)
    failed = queue.job(job.id)
    assert failed.state == "failed" and failed.attempts == MAX_ATTEMPTS
    assert queue.process(printer, tiny_pdf) == []  # no more automatic tries
    printer.outcome = True
    assert queue.retry(job.id).state == "queued"
    [done] = queue.process(printer, tiny_pdf)
    assert done.state == "done" and len(printed_events(store)) == 1


def test_lost_job_fails_without_guessing(queue: PrintQueue, store: Store):
    printer = DeskPrinter()
    printer.outcome = JobLost("CUPS no longer knows job 1")
    job = queue.enqueue("A1", layout="a6")
    [failed] = queue.process(printer, tiny_pdf)
    assert failed.state == "failed" and failed.reason.startswith("CUPS no longer knows job 1")
    assert queue.process(printer, tiny_pdf) == []  # it may have printed: never automatically
    assert printed_events(store) == []
    assert queue.retry(job.id).state == "queued"


def test_render_failure_fails_with_reason_then_retries(queue: PrintQueue, tmp_path: Path):
    def broken(job: Job) -> bytes:
        raise KeyError("layout 'nope' has no region 'qr'")

    backend = PdfFolderBackend(tmp_path)
    job = queue.enqueue("A1", layout="nope")
    [failed] = queue.process(backend, broken)
    assert failed.state == "failed"
    assert failed.reason == ("badge could not be rendered: "
                             "KeyError: \"layout 'nope' has no region 'qr'\"")
    for _ in range(MAX_ATTEMPTS + 2):  # retried on later runs, then left alone
        queue.process(backend, broken)
    assert queue.job(job.id).attempts == MAX_ATTEMPTS
    assert [j.id for j in queue.retry_failed()] == [job.id]
    [done] = queue.process(backend, tiny_pdf)
    assert done.state == "done"


def test_refused_job_fails(queue: PrintQueue):
    printer = DeskPrinter()
    printer.refuse = CheckinError("lp: Unsupported document-format")
    queue.enqueue("A1", layout="a6")
    [failed] = queue.process(printer, tiny_pdf)
    assert (failed.state, failed.reason) == (
        "failed", "printer refused the job: lp: Unsupported document-format")


def test_cancel_and_retry(queue: PrintQueue, store: Store, tmp_path: Path):
    job = queue.enqueue("A1", layout="a6")
    cancelled = queue.cancel(job.id)
    assert cancelled.state == "cancelled" and cancelled.reason == "cancelled by kim"
    assert queue.process(PdfFolderBackend(tmp_path), tiny_pdf) == []
    queue.enqueue("A1", layout="a6")  # a cancelled job is no badge: no reprint needed
    with pytest.raises(CheckinError, match="already cancelled"):
        queue.cancel(job.id)
    with pytest.raises(CheckinError, match="no print job 999"):
        queue.cancel(999)
    queue.process(PdfFolderBackend(tmp_path), tiny_pdf)
    with pytest.raises(CheckinError, match="has a printed badge since"):
        queue.retry(job.id)
    done = queue.jobs(["done"])[0]
    with pytest.raises(CheckinError, match="is done; print a reprint"):
        queue.retry(done.id)
    with pytest.raises(CheckinError, match="already done"):
        queue.cancel(done.id)
    assert len(printed_events(store, "A1")) == 1


def test_cancel_a_job_at_the_printer(queue: PrintQueue):
    printer = DeskPrinter()
    printer.hold = True
    job = queue.enqueue("A1", layout="a6")
    queue.process(printer, tiny_pdf)
    with pytest.raises(CheckinError, match="is at the printer"):
        queue.cancel(job.id)
    assert queue.cancel(job.id, printer).state == "cancelled"
    assert printer.accepted == {}
    printer.hold = False
    assert queue.process(printer, tiny_pdf) == []


def test_new_job_supersedes_a_failed_one(queue: PrintQueue, tmp_path: Path):
    printer = DeskPrinter()
    printer.refuse = CheckinError("bad job")
    old = queue.enqueue("A1", layout="a6")
    queue.process(printer, tiny_pdf)
    new = queue.enqueue("A1", layout="a7")
    assert queue.job(old.id).state == "cancelled"
    assert queue.job(old.id).reason == f"superseded by job {new.id}"


def test_jobs_filters(queue: PrintQueue):
    one = queue.enqueue("A1", layout="a6")
    two = queue.enqueue("A2", layout="a6")
    queue.cancel(two.id)
    assert [j.id for j in queue.jobs(["queued"])] == [one.id]
    assert [j.id for j in queue.jobs(attendee_id="A2")] == [two.id]
    with pytest.raises(CheckinError, match="unknown job state 'lost'"):
        queue.jobs(["lost"])


CRASH = """
import os, sys
from checkin.db import open_db
from checkin.store import Store
from checkin.printing.queue import PrintQueue
from checkin.printing.pdf_folder import PdfFolderBackend
queue = PrintQueue(Store(open_db(sys.argv[1])))
job = queue.enqueue("A1", layout="a6")
def die(job):
    os._exit(9)  # killed while rendering: the job is claimed, nothing reached a printer
queue.process(PdfFolderBackend(sys.argv[2]), die)
"""


def test_job_of_a_crashed_process_is_requeued(queue: PrintQueue, store: Store, event_db: Path,
                                              tmp_path: Path):
    result = subprocess.run([sys.executable, "-c", CRASH, str(event_db), str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 9, result.stderr
    [stuck] = queue.jobs()
    assert stuck.state == "printing" and stuck.backend_job_id == ""
    assert stuck.claimed_by.rpartition(":")[2] != str(os.getpid())
    [recovered] = queue.recover()
    assert recovered.state == "queued" and "stopped while printing" in recovered.reason
    [done] = queue.process(PdfFolderBackend(tmp_path), tiny_pdf)
    assert done.state == "done" and len(printed_events(store)) == 1


def test_a_live_claim_is_not_stolen(queue: PrintQueue):
    """A job another live thread is rendering stays with it."""
    printer = DeskPrinter()
    job = queue.enqueue("A1", layout="a6")
    seen: list[list[Job]] = []

    def render_and_look(claimed: Job) -> bytes:
        seen.append(queue.recover())  # as another worker would at the same moment
        return tiny_pdf(claimed)

    [done] = queue.process(printer, render_and_look)
    assert seen == [[]] and done.id == job.id and done.state == "done"


def test_two_workers_print_each_badge_once(store: Store, event_db: Path):
    with store.transaction():
        for n in range(20):
            store.add_attendee(Attendee(id=f"B{n}", given_name=f"Bo{n}"))
    queue = PrintQueue(store)
    jobs = [queue.enqueue(f"B{n}", layout="a6") for n in range(20)]
    printers = [DeskPrinter(), DeskPrinter()]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(printer: DeskPrinter) -> None:
        try:
            own = PrintQueue(Store(open_db(event_db), station="desk-a"))  # own connection
            start.wait()
            own.process(printer, tiny_pdf)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(p,)) for p in printers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(printers[0].printed) + len(printers[1].printed) == 20
    assert {j.state for j in queue.jobs()} == {"done"}
    events = printed_events(store)
    assert sorted(e.payload["job"] for e in events) == sorted(j.id for j in jobs)


def test_make_backend_errors(monkeypatch):
    from checkin.printing import backend

    # as the CLI has it: the UI tests register the station app's qt backend
    monkeypatch.setattr(backend, "_REGISTRY", {i.name: i for i in backend._BUILT_IN})
    with pytest.raises(CheckinError, match="unknown printer backend 'fax'"):
        make_backend("fax")
    with pytest.raises(CheckinError, match="only from the station app"):
        make_backend("qt")


def test_brother_without_brother_ql_is_one_line():
    import importlib.util

    if importlib.util.find_spec("brother_ql") is not None:
        pytest.skip("brother_ql is installed here")
    with pytest.raises(CheckinError, match=r"^brother_ql is not installed: pip install") as error:
        make_backend("brother", "usb://0x04f9:0x209b")
    assert "\n" not in str(error.value)


def test_a_stale_answer_does_not_clobber_a_reclaimed_job(queue: PrintQueue, store: Store):
    """Worker A asked the printer about CUPS job 1 while worker B already requeued the job
    and sent it again as job 2: A's late "aborted" must not touch B's job."""
    printer = DeskPrinter()
    printer.hold = True
    job = queue.enqueue("A1", layout="a6")
    [first] = queue.process(printer, tiny_pdf)
    printer.hold, printer.outcome = False, False
    [requeued] = queue.poll(printer)  # B: dropped at the printer, back to the queue
    printer.hold = True
    [second] = queue.process(printer, tiny_pdf)  # B: sent again
    assert (requeued.state, second.backend_job_id) == ("queued", "2")
    printer.hold = False
    stale = queue._poll(printer, first)  # A, late, about job 1
    assert (stale.state, stale.backend_job_id) == ("printing", "2")
    printer.outcome = True
    [done] = queue.poll(printer)
    assert done.id == job.id and done.state == "done"
    assert len(printed_events(store)) == 1
