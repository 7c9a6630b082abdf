"""CUPS backend (Linux, macOS): `lp` to spool, `cancel` to cancel, IPP for state.

The printer is a CUPS queue name ("" = the server's default destination). The server
is whatever the CUPS clients use: $CUPS_SERVER (host[:port] or a socket path), else
client.conf, else the local scheduler; `server=` overrides it for this backend.

Printer states come from IPP printer-state and printer-state-reasons: idle -> ready,
processing -> busy, stopped (cupsdisable, or an error policy that stops the queue) ->
stopped, with media-empty / media-needed -> out of paper and offline-report /
connecting-to-device / timed-out -> offline; a queue that rejects jobs (cupsreject) is
stopped. A job CUPS holds (printer disabled after it took the job) stays pending and
prints when the printer is enabled again. A server that refuses plain IPP (it wants
TLS or a login) is asked through `lpstat` instead (C locale), which cannot tell an
aborted job from a completed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from checkin.errors import CheckinError
from checkin.printing import ipp
from checkin.printing.backend import (
    BUSY,
    OFFLINE,
    OUT_OF_PAPER,
    READY,
    STOPPED,
    JobLost,
    PrinterState,
    PrinterUnavailable,
)

_PAPER = ("media-empty", "media-needed", "media-jam", "input-tray-missing")
_OFFLINE = ("offline-report", "connecting-to-device", "timed-out", "shutdown")
_PRINTER_ATTRS = ("printer-state", "printer-state-reasons", "printer-state-message",
                  "printer-is-accepting-jobs")
_JOB_ATTRS = ("job-state", "job-state-reasons", "job-printer-state-message")
TIMEOUT = 30  # seconds for lp/cancel; a spooler that takes longer is not answering


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CheckinError(f"the CUPS command {name!r} is not installed (Debian/Ubuntu: "
                           "apt install cups-client), or choose the pdf backend")
    return path


def _reasons(value: object) -> tuple[list[str], list[str]]:
    """printer-state-reasons as (blocking, warnings), without the -error/-report suffixes."""
    blocking, warnings = [], []
    for reason in ipp.values(value):
        text = str(reason)
        if not text or text == "none":
            continue
        if text.endswith("-warning"):
            warnings.append(text.removesuffix("-warning"))
            continue
        if text != "offline-report":
            text = text.removesuffix("-error").removesuffix("-report")
        blocking.append(text)
    return blocking, warnings


def printer_state(found: dict[str, Any]) -> PrinterState:
    """Our state from a printer's IPP attributes (printer-state, -reasons, -message)."""
    reasons, warnings = _reasons(found.get("printer-state-reasons"))
    message = str(found.get("printer-state-message") or "").strip()
    if message.lower() in {r.lower() for r in reasons + warnings}:
        message = ""  # cupsdisable without -r says "Paused" for reason "paused"
    why = ", ".join(reasons + warnings + ([message] if message else []))
    if any(r.startswith(_PAPER) for r in reasons):
        return PrinterState(OUT_OF_PAPER, why)
    if any(r.startswith(_OFFLINE) for r in reasons):
        return PrinterState(OFFLINE, why)
    state = found.get("printer-state")
    if state == ipp.PRINTER_STOPPED:
        return PrinterState(STOPPED, why or "disabled")
    if found.get("printer-is-accepting-jobs") is False:
        return PrinterState(STOPPED, why or "not accepting jobs")
    return PrinterState(BUSY if state == ipp.PRINTER_PROCESSING else READY, why)


def _sides(pdf: bytes) -> str:
    """The IPP `sides` a PDF asks for in its ViewerPreferences (/Duplex), "" if none.

    Badge PDFs of duplex layouts carry it (checkin.badges.render): front and back must
    come out on one sheet, not on two."""
    for name, sides in ((b"DuplexFlipLongEdge", "two-sided-long-edge"),
                        (b"DuplexFlipShortEdge", "two-sided-short-edge")):
        if b"/Duplex /" + name in pdf or b"/Duplex/" + name in pdf:
            return sides
    return ""


def queue_names(server: str = "") -> list[str] | None:
    """The CUPS queues (`lpstat -e`, one name a line); None when CUPS cannot be asked
    (lpstat missing, no scheduler)."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return None
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    if server:
        env["CUPS_SERVER"] = server
    try:
        result = subprocess.run([lpstat, "-e"], capture_output=True, env=env,
                                timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    text = result.stdout.decode("utf-8", "replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


class CupsBackend:
    name = "cups"

    def __init__(self, printer: str = "", *, server: str = "") -> None:
        self.lp = _tool("lp")
        self.server = server
        self.printer = printer or self._default_printer()

    def _env(self) -> dict[str, str]:
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        if self.server:
            env["CUPS_SERVER"] = self.server
        return env

    def _run(self, args: list[str],
             data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(args, input=data, capture_output=True, env=self._env(),
                                  timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PrinterUnavailable(f"{os.path.basename(args[0])}: CUPS did not answer "
                                     f"within {TIMEOUT} s") from None
        except OSError as exc:
            raise CheckinError(f"cannot run {args[0]}: {exc.strerror}") from None

    def _default_printer(self) -> str:
        lpstat = shutil.which("lpstat")
        if lpstat is None:
            raise CheckinError("no printer given and lpstat is not installed to find the "
                               "default one (apt install cups-client)")
        result = self._run([lpstat, "-d"])
        text = result.stdout.decode("utf-8", "replace").strip()
        if ":" in text and "no system default" not in text:
            return text.split(":", 1)[1].strip()
        raise CheckinError("no printer given and CUPS has no default destination "
                           "(choose one with --printer; `lpstat -p` lists them)")

    # -- the protocol ---------------------------------------------------------------------

    def status(self) -> PrinterState:
        try:
            found = ipp.query(ipp.GET_PRINTER_ATTRIBUTES, self.printer,
                              attributes=_PRINTER_ATTRS, server_name=self.server or None)
        except ipp.NotFound:
            return PrinterState(OFFLINE, f"CUPS has no printer {self.printer!r}")
        except ipp.Refused:
            return self._lpstat_status()  # a server that wants TLS or a login: ask lpstat
        except ipp.IppError as exc:
            return PrinterState(OFFLINE, str(exc))
        return printer_state(found)

    def _lpstat(self, *args: str) -> tuple[int, str, str]:
        lpstat = shutil.which("lpstat")
        if lpstat is None:
            raise CheckinError("lpstat is not installed (apt install cups-client)")
        result = self._run([lpstat, *args])
        return (result.returncode, result.stdout.decode("utf-8", "replace"),
                result.stderr.decode("utf-8", "replace").strip())

    def _lpstat_status(self) -> PrinterState:
        """The printer's state from `lpstat -p NAME -l` (C locale), when IPP is refused."""
        try:
            code, out, err = self._lpstat("-p", self.printer, "-l")
        except CheckinError as exc:
            return PrinterState(OFFLINE, str(exc))
        lines = [line.strip() for line in out.splitlines() if line.strip()]
        if code != 0 or not lines:
            return PrinterState(OFFLINE, err.splitlines()[-1] if err else "lpstat failed")
        first = lines[0]
        found: dict[str, Any] = {"printer-state": ipp.PRINTER_IDLE}
        if " disabled " in first:
            found["printer-state"] = ipp.PRINTER_STOPPED
            found["printer-state-reasons"] = "paused"
            if len(lines) > 1 and ":" not in lines[1]:
                found["printer-state-message"] = lines[1]
        elif "now printing" in first:
            found["printer-state"] = ipp.PRINTER_PROCESSING
        for line in lines[1:]:
            if line.startswith("Alerts:"):
                alerts = line.removeprefix("Alerts:").split()
                if found.get("printer-state-reasons"):
                    alerts.append(found["printer-state-reasons"])
                found["printer-state-reasons"] = alerts
        return printer_state(found)

    def _lpstat_job_done(self, backend_job_id: str) -> bool | None:
        """Whether a job left the queue, from `lpstat -o` (cannot tell aborted from done)."""
        name = f"{self.printer}-{backend_job_id}"
        for which, answer in (("not-completed", None), ("completed", True)):
            code, out, err = self._lpstat("-W", which, "-o", self.printer)
            if code != 0:
                raise PrinterUnavailable(err.splitlines()[-1] if err else "lpstat failed")
            if any(line.split()[:1] == [name] for line in out.splitlines()):
                return answer
        raise JobLost(f"CUPS no longer knows job {backend_job_id}")

    def submit(self, pdf: bytes, title: str) -> str:
        options = ["-o", "document-format=application/pdf"]
        sides = _sides(pdf)
        if sides:
            options += ["-o", f"sides={sides}"]
        result = self._run([self.lp, "-d", self.printer, "-t", title, *options, "--", "-"],
                           pdf)
        out = result.stdout.decode("utf-8", "replace")
        err = result.stderr.decode("utf-8", "replace").strip()
        if result.returncode != 0:
            message = err.splitlines()[-1] if err else f"lp exited with {result.returncode}"
            # lp's messages are localised: ask the printer instead of parsing them. A
            # printer that is not ready now keeps the job queued; else the job is refused.
            state = self.status()
            if not state.ready:
                raise PrinterUnavailable(str(state))
            raise CheckinError(message)
        # "request id is PRINTER-42 (1 file(s))"
        for word in out.split():
            prefix, _, number = word.rpartition("-")
            if prefix and number.isdigit():
                return number
        raise CheckinError(f"lp gave no job id: {out.strip()!r}")

    def job_done(self, backend_job_id: str) -> bool | None:
        try:
            found = ipp.query(ipp.GET_JOB_ATTRIBUTES, self.printer, job_id=int(backend_job_id),
                              attributes=_JOB_ATTRS, server_name=self.server or None)
        except ipp.NotFound:
            raise JobLost(f"CUPS no longer knows job {backend_job_id}") from None
        except ipp.Refused:
            return self._lpstat_job_done(backend_job_id)
        except ipp.IppError as exc:
            raise PrinterUnavailable(str(exc)) from None
        state = found.get("job-state")
        if state == ipp.JOB_COMPLETED:
            return True
        if state in (ipp.JOB_CANCELED, ipp.JOB_ABORTED):
            return False
        return None

    def cancel_job(self, backend_job_id: str) -> None:
        result = self._run([_tool("cancel"), f"{self.printer}-{backend_job_id}"])
        if result.returncode != 0:
            err = result.stderr.decode("utf-8", "replace").strip()
            raise CheckinError(err.splitlines()[-1] if err else "cancel failed")

    def describe_job(self, backend_job_id: str) -> str:
        """What CUPS says about a job (job-state-reasons), for display."""
        try:
            found = ipp.query(ipp.GET_JOB_ATTRIBUTES, self.printer, job_id=int(backend_job_id),
                              attributes=_JOB_ATTRS, server_name=self.server or None)
        except ipp.IppError as exc:
            return str(exc)
        blocking, warnings = _reasons(found.get("job-state-reasons"))
        return ", ".join(blocking + warnings)
