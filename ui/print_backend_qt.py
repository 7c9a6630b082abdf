"""The Qt printer backend: the operating system's printers through QPrinter, on every platform.

It implements checkin.printing.backend.Backend. The badge PDF (rendered by the core) is
rasterised with pypdfium2 at the printer's own resolution and painted page by page with
QPainter, so what comes out is exactly the PDF, whatever driver the printer has.
It blocks: the print lane calls it, never the GUI thread (painting on a QPrinter from a
worker thread is allowed; no dialog is shown from here).

printer: a printer name as the system knows it ("" = the system default printer), or a
path ending in ".pdf" to print into PDF files instead (numbered per job; for tests and
for "print to file" setups).

register() makes it the "qt" backend of checkin.printing.backend.make_backend; the app
calls it at start-up (importing this module changes nothing).
"""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from checkin.errors import CheckinError
from checkin.printing.backend import (
    BUSY,
    OFFLINE,
    READY,
    STOPPED,
    PrinterState,
    PrinterUnavailable,
    register_backend,
)

_counter = itertools.count(1)


class QtPrinterBackend:
    name = "qt"

    def __init__(self, printer: str = "", **options: object) -> None:
        self.printer = printer

    # -- the protocol -------------------------------------------------------------------

    def status(self) -> PrinterState:
        if self._file_target() is not None:
            return PrinterState(READY)
        info = self._info()
        if info is None or info.isNull():
            return PrinterState(OFFLINE, "no such printer" if self.printer else
                                "no default printer set up")
        state = info.state()
        if state == QPrinter.PrinterState.Active:
            return PrinterState(BUSY)
        if state in (QPrinter.PrinterState.Aborted, QPrinter.PrinterState.Error):
            return PrinterState(STOPPED, "the printer reports an error")
        return PrinterState(READY)

    def submit(self, pdf: bytes, title: str) -> str:
        printer = self._printer()
        printer.setDocName(title)
        try:
            import pypdfium2 as pdfium

            document = pdfium.PdfDocument(pdf)
        except Exception as exc:  # a broken PDF is this job's failure, not the printer's
            raise CheckinError(f"the badge PDF cannot be read ({exc})") from None
        try:
            painter = QPainter()
            for index in range(len(document)):
                page = document[index]
                width_pt, height_pt = page.get_size()
                layout = QPageLayout(QPageSize(QSizeF(width_pt, height_pt),
                                               QPageSize.Unit.Point, "badge"),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
                printer.setPageLayout(layout)
                if index == 0:
                    if not painter.begin(printer):
                        raise PrinterUnavailable(f"printer {self.printer or 'default'} "
                                                 "does not accept jobs now")
                elif not printer.newPage():
                    raise PrinterUnavailable("the printer refused the next page")
                dpi = max(72, min(600, printer.resolution()))  # thermal: 203/300
                bitmap = page.render(scale=dpi / 72, rev_byteorder=False, may_draw_forms=True)
                image = _to_qimage(bitmap)
                target = printer.pageLayout().fullRectPixels(printer.resolution())
                painter.drawImage(QRectF(0, 0, target.width(), target.height()), image)
            if painter.isActive():
                painter.end()
        finally:
            document.close()
        return f"qt-{uuid.uuid4().hex[:12]}"

    def job_done(self, backend_job_id: str) -> bool | None:
        # Once QPainter.end() returns, the job belongs to the system spooler (or the file
        # is written); Qt gives no handle to follow it further.
        return True

    # -- helpers ------------------------------------------------------------------------

    def _file_target(self) -> Path | None:
        return Path(self.printer) if self.printer.lower().endswith(".pdf") else None

    def _info(self) -> QPrinterInfo | None:
        if self.printer:
            return QPrinterInfo.printerInfo(self.printer)
        return QPrinterInfo.defaultPrinter()

    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setFullPage(True)
        target = self._file_target()
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            out = target.with_name(f"{target.stem}-{next(_counter):04d}{target.suffix}")
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(out))
            printer.setResolution(300)  # a badge at 300 dpi; 1200 would be 140 MB a page
            self.last_output = out
            return printer
        state = self.status()
        if not state.ready:
            raise PrinterUnavailable(f"printer {self.printer or 'default'}: {state}")
        info = self._info()
        if info is not None and not info.isNull():
            printer.setPrinterName(info.printerName())
        return printer


def _to_qimage(bitmap: object) -> QImage:
    """A pdfium BGRx/BGRA bitmap as a QImage (deep copy: the bitmap's buffer goes away)."""
    width = bitmap.width  # type: ignore[attr-defined]
    height = bitmap.height  # type: ignore[attr-defined]
    stride = bitmap.stride  # type: ignore[attr-defined]
    buffer = bytes(bitmap.buffer)  # type: ignore[attr-defined]
    fmt = QImage.Format.Format_RGB32 if bitmap.n_channels == 4 else QImage.Format.Format_BGR888  # type: ignore[attr-defined]
    if getattr(bitmap, "format", None) is not None and bitmap.n_channels == 1:  # type: ignore[attr-defined]
        fmt = QImage.Format.Format_Grayscale8
    return QImage(buffer, width, height, stride, fmt).copy()


def register() -> None:
    """Let make_backend("qt") build a QtPrinterBackend in this process (idempotent)."""
    register_backend("qt", f"{__name__}:{QtPrinterBackend.__name__}")
