"""What the print queue needs from a printer, and the registry that builds one by name.

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

The registry names each backend lazily as "module:Class" (as checkin.cli names its
commands), so this module imports no backend and `checkin scan` pays for none:

    make_backend(name, printer="", **options) -> Backend
                                   # CheckinError for a name not registered (the message
                                   # lists the known ones) or one not buildable here
    register_backend(name, target, *, description=None, printer_hint=None)
                                   # add or replace a backend: target is "module:Class",
                                   # imported only when make_backend builds it
    backends() -> list[BackendInfo]
                                   # registered backends in order: name, target,
                                   # description (for a chooser), printer_hint (what the
                                   # printer field means)
    backend_names() -> tuple[str, ...]

"qt" (the operating system's printers through QPrinter) is declared here because print
jobs and station configs name it, but only the station app can build it: ui's
print_backend_qt.register() gives it its target at start-up; before that, make_backend
says the station app prints those jobs. The descriptions and hints are English; the
settings dialog translates the built-in ones.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from checkin.errors import CheckinError


class PrinterCondition(StrEnum):
    """What a printer reports (a str: the station shows and logs the value)."""

    READY = "ready"  # idle, takes jobs
    BUSY = "busy"  # printing, takes jobs
    OFFLINE = "offline"  # not reachable / not there
    STOPPED = "stopped"  # paused, disabled, rejecting jobs, or in an error state
    OUT_OF_PAPER = "out_of_paper"


READY = PrinterCondition.READY
BUSY = PrinterCondition.BUSY
OFFLINE = PrinterCondition.OFFLINE
STOPPED = PrinterCondition.STOPPED
OUT_OF_PAPER = PrinterCondition.OUT_OF_PAPER
STATES = tuple(PrinterCondition)


@dataclass(frozen=True)
class PrinterState:
    state: PrinterCondition
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


@dataclass(frozen=True)
class BackendInfo:
    """A registered backend. target "" = declared, but not buildable in this process."""

    name: str
    target: str  # "module:Class"; called as Class(printer, **options)
    description: str  # one line for a chooser ("CUPS printer")
    printer_hint: str  # what the printer field holds; an empty field's placeholder

    @property
    def buildable(self) -> bool:
        return bool(self.target)


_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
_BUILT_IN = (
    # printer: the output folder (default: <data dir>/printed)
    BackendInfo("pdf", "checkin.printing.pdf_folder:PdfFolderBackend",
                "PDF files in a folder",
                "folder for the badge PDFs (empty: the default folder)"),
    # printer: the CUPS queue (default: the CUPS default destination);
    # options: server (else $CUPS_SERVER / client.conf)
    BackendInfo("cups", "checkin.printing.cups:CupsBackend",
                "CUPS printer", "system default printer"),
    # printer: usb://0x04f9:0x209b, tcp://host, file:///dev/usb/lp0; options: model
    # (QL-820NWB), label (62), backend (pyusb|network|linux_kernel)
    BackendInfo("brother", "checkin.printing.brother:BrotherBackend",
                "Brother QL label printer",
                "device, e.g. usb://0x04f9:0x209b or tcp://192.168.1.20"),
    BackendInfo("qt", "", "System print dialog printer", "system default printer"),
)
_REGISTRY: dict[str, BackendInfo] = {info.name: info for info in _BUILT_IN}


def register_backend(name: str, target: str, *, description: str | None = None,
                     printer_hint: str | None = None) -> None:
    """Add the backend name, or give a registered one a new target.

    target is "module:Class"; nothing is imported until make_backend(name) is called.
    description and printer_hint default to what name was declared with (a new name:
    the name itself, and no hint). ValueError for a malformed name or target.
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"printer backend name {name!r}: lowercase letters, digits, - and _")
    if not _TARGET.fullmatch(target):
        raise ValueError(f"printer backend target {target!r} is not 'module:Class'")
    info = _REGISTRY.get(name) or BackendInfo(name, target, name, "")
    _REGISTRY[name] = replace(
        info, target=target,
        description=info.description if description is None else description,
        printer_hint=info.printer_hint if printer_hint is None else printer_hint)


def backends() -> list[BackendInfo]:
    """Every registered backend, the built-in ones first, then in registration order."""
    return list(_REGISTRY.values())


def backend_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def make_backend(name: str, printer: str = "", **options: Any) -> Backend:
    """The backend called name, printing to printer ("" = that backend's default)."""
    info = _REGISTRY.get(name)
    if info is None:
        raise CheckinError(f"unknown printer backend {name!r} "
                           f"(known: {', '.join(_REGISTRY)})")
    if not info.buildable:
        here = ", ".join(n for n, i in _REGISTRY.items() if i.buildable)
        raise CheckinError(f"the {name} printer backend prints only from the station app "
                           f"(here: {here})")
    module_name, _, attr = info.target.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    backend: Backend = factory(printer, **options)
    return backend
