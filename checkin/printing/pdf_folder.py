"""The "PDF folder" backend: each badge becomes a PDF file in a folder.

The default when no printer is set up: nothing is lost, and the files can be printed
from any machine later. The folder is the backend's `printer` (default:
<data dir>/printed). Files are written atomically (temp file, then rename), so a
watcher or a hot folder never sees half a PDF.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from checkin import paths
from checkin.printing.backend import OFFLINE, READY, PrinterState, PrinterUnavailable

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_folder() -> Path:
    return paths.data_dir() / "printed"


class PdfFolderBackend:
    name = "pdf"

    def __init__(self, folder: str | os.PathLike[str] = "") -> None:
        self.folder = Path(folder).expanduser() if str(folder) else default_folder()
        self.printer = str(self.folder)

    def status(self) -> PrinterState:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return PrinterState(OFFLINE, f"cannot create {self.folder}: {exc.strerror}")
        if not os.access(self.folder, os.W_OK | os.X_OK):
            return PrinterState(OFFLINE, f"cannot write to {self.folder}")
        return PrinterState(READY)

    def submit(self, pdf: bytes, title: str) -> str:
        stem = _UNSAFE.sub("_", title).strip("._") or "badge"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=self.folder)
            with os.fdopen(handle, "wb") as out:
                out.write(pdf)
                out.flush()
                os.fsync(out.fileno())
            target = self._free_name(stem)
            os.replace(tmp, target)
        except OSError as exc:
            raise PrinterUnavailable(f"cannot write to {self.folder}: {exc.strerror}") from None
        return target.name

    def _free_name(self, stem: str) -> Path:
        target = self.folder / f"{stem}.pdf"
        counter = 2
        while target.exists():  # a reprint of the same job id never overwrites a badge
            target = self.folder / f"{stem}-{counter}.pdf"
            counter += 1
        return target

    def job_done(self, backend_job_id: str) -> bool | None:
        # Written means printed; a file removed since was still printed (and maybe used).
        return True
