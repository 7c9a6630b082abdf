"""QR decoding from camera frames and image files.

Public API (everything else in this package is internal)::

    decode_frame(frame, width=None, height=None, *, stride=None, backend="auto",
                 budget_ms=FRAME_BUDGET_MS) -> list[str]
        frame: a grayscale numpy uint8 array (H×W), or raw bytes/bytearray/memoryview
        with width and height, as a camera delivers it (the Y plane of NV12/YUV420;
        stride = bytes per line when rows are padded; bytes after the last row are
        ignored). Colour arrays, other dtypes and PIL images are converted. Returns the
        decoded texts (several codes: several texts, in the order found, no
        duplicates); [] when there is no code. Never raises, whatever the input.

    decode_file(path, *, backend="auto") -> list[str]
        PNG, JPEG, WebP, ... (Pillow), or the pages of a PDF (pypdfium2, 200 dpi, at
        most 50 pages), one or several codes. Raises CheckinError with a one-line
        message if the file is missing or not a readable image or PDF.

    Decoder(backend="auto", *, frame_budget_ms=FRAME_BUDGET_MS)
        The same, with state, for the UI's decode worker: `available` (usable
        backends), `notice` (one line when pyzbar/zxing-cpp is missing, to show once;
        also logged once as a warning on the "checkin.decode" logger),
        `decode_frame(...)`, `decode_image(array)` (no time budget),
        `decode_file(path)`. A camera's Decoder lets the extra passes take turns over
        consecutive frames. Use one Decoder per camera, one thread at a time.

Backends: "zxing" (zxing-cpp, default settings, QR formats), "zbar" (libzbar through
pyzbar, if installed; falls back to zxing-cpp with a notice), and "auto": zxing-cpp in
several passes (binarizers, scaling, quiet zone, ...) and zbar as the last resort; see
checkin/decode/passes.py for the passes and what each one gains. Texts are exact
(zxing-cpp TextMode.Plain: control characters such as GS stay as they are).

Numbers (bench/bench_decode.py): decode rate on ../shared/corpus/qr-photos at four
rotations and the time per 1280x720 frame; see bench/RESULTS.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checkin.decode.decoder import BACKENDS, FRAME_BUDGET_MS, Decoder

__all__ = ["BACKENDS", "FRAME_BUDGET_MS", "Decoder", "decode_file", "decode_frame"]


def decode_frame(frame: Any, width: int | None = None, height: int | None = None, *,
                 stride: int | None = None, backend: str = "auto",
                 budget_ms: float | None = FRAME_BUDGET_MS) -> list[str]:
    """Texts of the QR codes in one camera frame; never raises (see the module doc)."""
    return Decoder(backend).decode_frame(frame, width, height, stride=stride,
                                         budget_ms=budget_ms)


def decode_file(path: str | Path, *, backend: str = "auto") -> list[str]:
    """Texts of the QR codes in an image file; CheckinError if it cannot be read."""
    return Decoder(backend).decode_file(path)
