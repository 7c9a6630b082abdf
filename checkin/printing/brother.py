"""Brother QL label printers through brother_ql (optional: pip install 'checkin-station[brother]').

The printer is brother_ql's identifier: usb://0x04f9:0x209b (pyusb), tcp://192.0.2.7
(network, port 9100) or file:///dev/usb/lp0 (linux_kernel). Each PDF page is rendered
with pypdfium2 at 300 dpi and converted to the printer's raster format; brother_ql
sends it synchronously, so a job is done when submit() returns.
"""

from __future__ import annotations

import importlib
import socket
from itertools import count
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.printing.backend import OFFLINE, READY, PrinterState, PrinterUnavailable

MISSING = ("brother_ql is not installed: pip install 'checkin-station[brother]' "
           "(or choose the cups or pdf backend)")
DPI = 300
_numbers = count(1)


def _brother_ql() -> Any:
    try:
        return importlib.import_module("brother_ql")
    except ImportError:  # brother_ql: optional third-party package (the [brother] extra)
        raise CheckinError(MISSING) from None


def _backend_for(printer: str) -> str:
    if printer.startswith("usb://"):
        return "pyusb"
    if printer.startswith("tcp://"):
        return "network"
    return "linux_kernel"


class BrotherBackend:
    name = "brother"

    def __init__(self, printer: str = "", *, model: str = "QL-820NWB", label: str = "62",
                 backend: str = "", red: bool = False) -> None:
        _brother_ql()  # fail at setup, not at the first badge
        if not printer:
            raise CheckinError("the brother backend needs a printer: usb://VENDOR:PRODUCT, "
                               "tcp://HOST or file:///dev/usb/lp0")
        self.printer = printer
        self.model, self.label, self.red = model, label, red
        self.backend = backend or _backend_for(printer)

    def status(self) -> PrinterState:
        if self.printer.startswith("tcp://"):
            host, _, port = self.printer.removeprefix("tcp://").partition(":")
            try:
                with socket.create_connection((host, int(port or 9100)), timeout=2):
                    pass
            except OSError as exc:
                return PrinterState(OFFLINE, f"{self.printer}: {exc.strerror or exc}")
        elif self.printer.startswith("file://") or self.printer.startswith("/"):
            path = Path(self.printer.removeprefix("file://"))
            if not path.exists():
                return PrinterState(OFFLINE, f"{path} is not there (printer off or unplugged?)")
        # USB: brother_ql offers no cheap status query; submit() reports a missing device.
        return PrinterState(READY)

    def submit(self, pdf: bytes, title: str) -> str:
        import pypdfium2

        _brother_ql()
        from brother_ql.backends.helpers import send  # type: ignore[import-not-found]
        from brother_ql.conversion import convert  # type: ignore[import-not-found]
        from brother_ql.raster import BrotherQLRaster  # type: ignore[import-not-found]

        document = pypdfium2.PdfDocument(pdf)
        try:
            images = [page.render(scale=DPI / 72).to_pil().convert("RGB") for page in document]
        finally:
            document.close()
        raster = BrotherQLRaster(self.model)
        instructions = convert(qlr=raster, images=images, label=self.label, rotate="auto",
                               threshold=70.0, dither=False, compress=False, red=self.red,
                               dpi_600=False, hq=True, cut=True)
        destination = self.printer.removeprefix("file://")
        try:
            result = send(instructions=instructions, printer_identifier=destination,
                          backend_identifier=self.backend, blocking=True)
        except (OSError, ValueError) as exc:
            raise PrinterUnavailable(f"{self.printer}: {exc}") from None
        except Exception as exc:  # pyusb's USBError and friends: the device is not there
            raise PrinterUnavailable(f"{self.printer}: {type(exc).__name__}: {exc}") from None
        if isinstance(result, dict) and result.get("outcome") == "error":
            state = result.get("printer_state") or {}
            errors = ", ".join(state.get("errors", [])) if isinstance(state, dict) else ""
            raise CheckinError(f"the printer reported an error{': ' + errors if errors else ''}")
        return f"{title}#{next(_numbers)}"

    def job_done(self, backend_job_id: str) -> bool | None:
        return True  # send() blocks until the printer took (or printed) the label
