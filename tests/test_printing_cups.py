"""Printing through a real CUPS server and its cups-pdf virtual printer.

The server is the private cupsd of tests/cups_server.py (scripts/test.sh starts it; the
fixture starts it too when missing). Each test gets its own cups-pdf printer, so test
runs on the same machine do not stop each other's printer. Without CUPS (no packages,
no root) these tests skip with the reason.
"""

import itertools
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdfium2
import pytest

from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.printing.backend import (
    OFFLINE,
    READY,
    STOPPED,
    JobLost,
    PrinterState,
    PrinterUnavailable,
    make_backend,
)
from checkin.printing.cups import CupsBackend
from checkin.printing.queue import Job, PrintQueue
from checkin.store import BADGE_PRINTED, Store
from tests import cups_server
from tests.test_print_queue import pdf_text, tiny_pdf

pytestmark = pytest.mark.cups
WAIT = 120.0  # seconds: generous, the machine is shared and slow; normally well under 2 s
_names = itertools.count(1)


@pytest.fixture(scope="session")
def cups_info() -> cups_server.ServerInfo:
    try:
        return cups_server.start()
    except cups_server.Unavailable as exc:
        pytest.skip(f"CUPS not available: {exc}")


@pytest.fixture
def cups(cups_info: cups_server.ServerInfo, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator["Cups"]:
    """A fresh cups-pdf printer on the private server; CUPS_SERVER points at it."""
    name = f"checkin-t{os.getpid()}-{next(_names)}"
    cups_server.add_printer(cups_info, name)
    monkeypatch.setenv("CUPS_SERVER", cups_info.socket)
    cups = Cups(cups_info, name)
    try:
        yield cups
    finally:
        cups_server.remove_printer(cups_info, name)
        for path in cups.outputs:
            path.unlink(missing_ok=True)


class Cups:
    def __init__(self, info: cups_server.ServerInfo, printer: str) -> None:
        self.info, self.printer = info, printer
        self.backend = CupsBackend(printer)
        self.outputs: list[Path] = []

    def run(self, *args: str) -> str:
        result = subprocess.run(list(args), capture_output=True, text=True,
                                env=self.info.env(), timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def disable(self, reason: str = "") -> None:
        self.run("cupsdisable", *(["-r", reason] if reason else []), self.printer)

    def enable(self) -> None:
        self.run("cupsenable", self.printer)

    def output(self, cups_job_id: str) -> Path | None:
        """The PDF cups-pdf wrote for a CUPS job (its id is in the file name)."""
        pattern = re.compile(rf"(^|[-_])job_{cups_job_id}([-_.])")
        found = [p for p in Path(self.info.out).glob("*.pdf") if pattern.search(p.name)]
        self.outputs += found
        return found[0] if found else None


def wait_until(condition: Callable[[], object], what: str) -> None:
    """Poll a condition CUPS offers no notification for, with a deadline."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def store(event_db: Path) -> Store:
    store = Store(open_db(event_db), station="desk-b", operator="lee")
    with store.transaction():
        store.add_attendee(Attendee(id="A1", given_name="Ana", family_name="Lima"))
        store.add_attendee(Attendee(id="A2", given_name="Jun", family_name="Wang"))
    return store


def settle(queue: PrintQueue, backend: CupsBackend, job_id: int) -> Job:
    """Run process() until the job leaves the printer (what the station's print lane does)."""
    wait_until(lambda: queue.process(backend, tiny_pdf, job_ids=[job_id]) is not None
               and queue.job(job_id).state in ("done", "failed", "queued"), "the job to settle")
    return queue.job(job_id)


def test_badge_prints_through_cups_pdf(cups: Cups, store: Store):
    queue = PrintQueue(store)
    job = queue.enqueue("A1", layout="a6", printer=cups.printer, backend="cups")
    assert cups.backend.status().state == READY
    queue.process(cups.backend, tiny_pdf)
    done = settle(queue, cups.backend, job.id)
    assert done.state == "done" and done.backend_job_id.isdigit()
    wait_until(lambda: cups.output(done.backend_job_id), "cups-pdf to write the PDF")
    path = cups.output(done.backend_job_id)
    assert path is not None
    assert pdf_text(path.read_bytes()) == [f"badge A1 job {job.id}"]  # one page, our text
    [event] = store.events("A1", types=(BADGE_PRINTED,))
    assert event.payload["printer"] == cups.printer
    assert event.payload["backend_job_id"] == done.backend_job_id
    assert cups.backend.job_done(done.backend_job_id) is True


def test_stopped_printer_keeps_jobs_queued_until_enabled(cups: Cups, store: Store):
    queue = PrintQueue(store)
    cups.disable("out of labels")
    state = cups.backend.status()
    assert state.state == STOPPED and "out of labels" in state.reason
    jobs = [queue.enqueue(a, layout="a6", backend="cups") for a in ("A1", "A2")]
    waiting = queue.process(cups.backend, tiny_pdf)
    assert [j.state for j in waiting] == ["queued", "queued"]
    assert all("stopped" in j.reason and "out of labels" in j.reason for j in waiting)
    assert cups.run("lpstat", "-o", cups.printer) == ""  # nothing went to CUPS
    assert store.events(types=(BADGE_PRINTED,)) == []
    cups.enable()
    queue.process(cups.backend, tiny_pdf)
    done = [settle(queue, cups.backend, j.id) for j in jobs]
    assert [j.state for j in done] == ["done", "done"]
    for job in done:
        wait_until(lambda j=job: cups.output(j.backend_job_id), "the PDFs")
        path = cups.output(job.backend_job_id)
        assert path is not None
        assert pdf_text(path.read_bytes()) == [f"badge {job.attendee_id} job {job.id}"]
    assert len(store.events(types=(BADGE_PRINTED,))) == 2


def test_cups_holds_a_job_when_the_printer_stops_after_taking_it(cups: Cups, store: Store):
    """The printer is disabled between the status check and the spooling: CUPS keeps the
    job, the queue keeps it "printing", and it prints once the printer is enabled."""
    queue = PrintQueue(store)
    job = queue.enqueue("A1", layout="a6", backend="cups")

    def render_then_stop(claimed: Job) -> bytes:
        cups.disable("jammed")
        return tiny_pdf(claimed)

    [held] = queue.process(cups.backend, render_then_stop)
    assert held.state == "printing" and held.backend_job_id
    assert cups.backend.job_done(held.backend_job_id) is None
    assert queue.process(cups.backend, tiny_pdf)[0].state == "printing"
    assert f"{cups.printer}-{held.backend_job_id}" in cups.run("lpstat", "-o", cups.printer)
    assert store.events(types=(BADGE_PRINTED,)) == []
    cups.enable()
    done = settle(queue, cups.backend, job.id)
    assert done.state == "done"
    wait_until(lambda: cups.output(done.backend_job_id), "the PDF")


def render_then_stop(cups: Cups) -> Callable[[Job], bytes]:
    """A renderer that stops the printer while the job is being made: CUPS then holds it."""
    def render(claimed: Job) -> bytes:
        cups.disable()
        return tiny_pdf(claimed)
    return render


def test_job_cancelled_in_cups_is_printed_again(cups: Cups, store: Store):
    queue = PrintQueue(store)
    job = queue.enqueue("A1", layout="a6", backend="cups")

    [held] = queue.process(cups.backend, render_then_stop(cups))
    cups.run("cancel", f"{cups.printer}-{held.backend_job_id}")  # someone at the printer
    [requeued] = queue.process(cups.backend, tiny_pdf)  # dropped, and the printer is stopped
    assert (requeued.state, requeued.backend_job_id) == ("queued", "")
    assert requeued.reason == "waiting: stopped (paused)"
    cups.enable()
    queue.process(cups.backend, tiny_pdf)
    done = settle(queue, cups.backend, job.id)
    assert done.state == "done" and done.backend_job_id != held.backend_job_id
    assert len(store.events(types=(BADGE_PRINTED,))) == 1


def test_cancel_through_the_queue_cancels_in_cups(cups: Cups, store: Store):
    queue = PrintQueue(store)
    job = queue.enqueue("A1", layout="a6", backend="cups")

    [held] = queue.process(cups.backend, render_then_stop(cups))
    assert queue.cancel(job.id, cups.backend).state == "cancelled"
    assert cups.backend.job_done(held.backend_job_id) is False
    cups.enable()
    assert queue.process(cups.backend, tiny_pdf) == []


def test_unknown_printer_is_offline_and_jobs_wait(cups: Cups, store: Store):
    backend = CupsBackend("no-such-printer")
    assert backend.status() == PrinterState(OFFLINE, "CUPS has no printer 'no-such-printer'")
    queue = PrintQueue(store)
    queue.enqueue("A1", layout="a6", backend="cups")
    [waiting] = queue.process(backend, tiny_pdf)
    assert waiting.state == "queued"
    assert waiting.reason == "waiting: offline (CUPS has no printer 'no-such-printer')"


def test_server_not_running(cups: Cups, tmp_path: Path):
    backend = CupsBackend(cups.printer, server=str(tmp_path / "gone.sock"))
    state = backend.status()
    assert state.state == OFFLINE and "not reachable" in state.reason
    with pytest.raises(PrinterUnavailable):
        backend.submit(tiny_pdf(_job()), "x")


def test_lp_missing_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CheckinError, match="'lp' is not installed") as error:
        make_backend("cups", "anything")
    assert "\n" not in str(error.value)


def _job() -> Job:
    return Job(id=1, attendee_id="A1", layout="a6", printer="", backend="cups", state="queued",
               reason="", attempts=0, reprint=False, reprint_reason="", station="",
               operator="", backend_job_id="", claimed_by="", created="", updated="")


def test_checkin_print_through_cups(cups: Cups, store: Store, run_cli):
    result = run_cli("print", "--backend", "cups", "--printer", cups.printer, "A1")
    assert result.exit_code == 0, result.output
    assert f"spooled to {cups.printer} as cups job" in result.output or "printed (cups" in (
        result.output)
    queue = PrintQueue(store)

    def done() -> bool:
        status = run_cli("print", "--status", "--backend", "cups", "--printer", cups.printer)
        return "1 done" in status.output

    wait_until(done, "checkin print --status to report the job done")
    [job] = queue.jobs()
    wait_until(lambda: cups.output(job.backend_job_id), "the PDF")
    path = cups.output(job.backend_job_id)
    assert path is not None
    document = pypdfium2.PdfDocument(path)
    assert len(document) == 1  # the real a6 badge, through CUPS
    document.close()


def test_server_start_is_idempotent(cups_info: cups_server.ServerInfo, capsys):
    assert cups_server.start().pid == cups_info.pid
    assert cups_server.main(["status"]) == 0
    assert f"pid {cups_info.pid}" in capsys.readouterr().out


def test_lpstat_fallback_reads_the_same_state(cups: Cups):
    """What a server that refuses plain IPP gets: the state from lpstat's text."""
    backend = cups.backend
    assert backend._lpstat_status() == PrinterState(READY)
    cups.disable("out of labels")
    state = backend._lpstat_status()
    assert state.state == STOPPED and "out of labels" in state.reason
    job_id = backend.submit(tiny_pdf(_job()), "held")
    assert backend._lpstat_job_done(job_id) is None
    cups.enable()
    wait_until(lambda: backend._lpstat_job_done(job_id), "lpstat to list the job completed")
    wait_until(lambda: cups.output(job_id), "the PDF")
    with pytest.raises(JobLost):
        backend._lpstat_job_done("999999")
    assert CupsBackend("no-such-printer")._lpstat_status().state == OFFLINE


def test_duplex_badge_is_sent_two_sided(cups: Cups, store: Store):
    """A duplex layout's front and back must come out on one sheet, not on two."""
    import io

    from checkin.badges import render_pdf
    from checkin.printing import ipp

    out = io.BytesIO()
    render_pdf([store.attendee("A1")], "a6-duplex", out, qr_text=lambda a: a.id)
    simplex = io.BytesIO()
    render_pdf([store.attendee("A1")], "a6", simplex, qr_text=lambda a: a.id)
    cups.disable()  # held, so the job's attributes can be read before it prints
    duplex_id = cups.backend.submit(out.getvalue(), "duplex")
    simplex_id = cups.backend.submit(simplex.getvalue(), "simplex")
    try:
        sides = [ipp.query(ipp.GET_JOB_ATTRIBUTES, cups.printer, job_id=int(job),
                           attributes=["sides"]).get("sides") for job in (duplex_id, simplex_id)]
        assert sides == ["two-sided-long-edge", None]
    finally:
        cups.backend.cancel_job(duplex_id)
        cups.backend.cancel_job(simplex_id)
        cups.enable()


def test_cli_printer_name_is_the_cups_queue_of_that_name(cups: Cups, store: Store, run_cli,
                                                          tmp_path: Path, monkeypatch):
    """`checkin print --printer NAME` without --backend: NAME is the CUPS queue, not a
    new PDF folder called NAME (which printed nothing anyone saw)."""
    monkeypatch.chdir(tmp_path)
    result = run_cli("print", "--printer", cups.printer, "A1")
    assert result.exit_code == 0, result.output
    assert f"spooled to {cups.printer} as cups job" in result.output
    assert not (tmp_path / cups.printer).exists()
    job = PrintQueue(store).job(1)
    assert (job.backend, job.printer) == ("cups", cups.printer)
