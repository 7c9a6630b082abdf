"""What the print queue needs from a printer, and the factory that builds one by name.

A backend is any object with these members (a typing.Protocol, so ui/'s QPrinter
backend plugs in without importing anything from here but the names):

    name: str                      # "cups", "pdf", "brother", "qt": stored with each job
    printer: str                   # the printer (queue name, folder, device) it prints to
    submit(pdf, title) -> str      # hand over one job; returns the backend's job id
    status() -> PrinterState       # ready? if not, why (offline, stopped, out of paper)
    job_done(backend_job_id) -> bool | None
                                   # True: printed; False: aborted/cancelled at the
                                   # printer; None: still pending there

submit() raises PrinterUnavailable when the printer cannot take the job right now
(the job stays queued and prints later) and CheckinError when the job itself is refused
(the job fails with that reason). job_done() raises JobLost when the backend no longer
knows the job. All of it blocks: call it from a worker thread, never the GUI thread.
A backend may also offer cancel_job(backend_job_id) (see Cancellable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from checkin.errors import CheckinError

READY = "ready"  # idle, takes jobs
BUSY = "busy"  # printing, takes jobs
OFFLINE = "offline"  # not reachable / not there
STOPPED = "stopped"  # paused, disabled, rejecting jobs, or in an error state
OUT_OF_PAPER = "out_of_paper"
STATES = (READY, BUSY, OFFLINE, STOPPED, OUT_OF_PAPER)
BACKENDS = ("pdf", "cups", "brother", "qt")


@dataclass(frozen=True)
class PrinterState:
    state: str
    reason: str = ""

    @property
    def ready(self) -> bool:
        return self.state in (READY, BUSY)

    def __str__(self) -> str:
        label = self.state.replace("_", " ")
        return f"{label} ({self.reason})" if self.reason else label


class PrinterUnavailable(CheckinError):
    """The printer cannot take a job now; the job waits in the queue."""


class JobLost(CheckinError):
    """The backend no longer knows a job it accepted; its fate is unknown."""


class Backend(Protocol):
    name: str
    printer: str

    def submit(self, pdf: bytes, title: str) -> str: ...

    def status(self) -> PrinterState: ...

    def job_done(self, backend_job_id: str) -> bool | None: ...


@runtime_checkable
class Cancellable(Protocol):
    def cancel_job(self, backend_job_id: str) -> None: ...


def make_backend(name: str, printer: str = "", **options: Any) -> Backend:
    """The backend called name, printing to printer ("" = that backend's default).

    pdf: printer is the output folder (default: <data dir>/printed).
    cups: printer is the CUPS queue name (default: the CUPS default destination);
          options: server (else $CUPS_SERVER / client.conf).
    brother: printer is the device (usb://0x04f9:0x209b, tcp://host, file:///dev/usb/lp0);
          options: model (QL-820NWB), label (62), backend (pyusb|network|linux_kernel).
    """
    if name == "pdf":
        from checkin.printing.pdf_folder import PdfFolderBackend

        return PdfFolderBackend(printer, **options)
    if name == "cups":
        from checkin.printing.cups import CupsBackend

        return CupsBackend(printer, **options)
    if name == "brother":
        from checkin.printing.brother import BrotherBackend

        return BrotherBackend(printer, **options)
    if name == "qt":
        raise CheckinError("the qt printer backend prints only from the station app "
                           "(use --backend cups or pdf here)")
    raise CheckinError(f"unknown printer backend {name!r} (choose one of: pdf, cups, brother)")
