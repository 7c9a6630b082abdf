"""Decoder: the backends this process can use, the `auto` pass plan and its time budget."""

from __future__ import annotations

import enum
import logging
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkin.errors import CheckinError

if TYPE_CHECKING:
    from checkin.decode.frames import Gray
    from checkin.decode.passes import Libraries, Pass

log = logging.getLogger("checkin.decode")

BACKENDS = ("auto", "zxing", "zbar")

# Time for one camera frame. The fast passes run until one finds a code (about 0.6 ms
# on a 1280x720 frame with a code, 3 ms without here); extra passes run only while
# their estimated cost fits. The
# camera delivers 15-30 frames a second and a code stays in view for many of them,
# so the extra passes take turns across frames instead of all running on each one.
FRAME_BUDGET_MS = 4.0

# Pictures bigger than this are refused by decode_file (Pillow's own bomb limit is 2x
# its 89-megapixel warning threshold; we stop at that warning threshold).
MAX_FILE_PIXELS = 89_478_485


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


class Decoder:
    """Decodes QR codes from camera frames, arrays and image files. Never raises for a frame.

    Holds which backends are usable (`available`), the one-time notice when pyzbar or
    zxing-cpp is missing (`notice`, also logged once as a warning on the
    "checkin.decode" logger), and which extra pass a camera frame tries next. Use one
    Decoder per camera, from one thread at a time.
    """

    def __init__(self, backend: str = "auto", *,
                 frame_budget_ms: float | None = FRAME_BUDGET_MS) -> None:
        self.frame_budget_ms = frame_budget_ms
        self._notices: list[str] = []
        if backend not in BACKENDS:
            self._notices.append(f"unknown decoder backend {backend!r}; using auto")
            log.warning("QR decoding: %s", self._notices[-1])
            backend = "auto"
        self.backend = backend
        self._libs: Libraries | None = None
        self._next_extra = 0
        self._failed = False  # an unexpected error is logged in full once, not per frame

    # --- state for the UI -----------------------------------------------------------

    @property
    def available(self) -> tuple[str, ...]:
        """The backends this process can use, e.g. ("zxing", "zbar")."""
        libs = self._libraries()
        names = [name for name, lib in (("zxing", libs.zxing), ("zbar", libs.zbar)) if lib]
        return tuple(names)

    @property
    def notice(self) -> str | None:
        """One line to show once when a backend is missing or a fallback is in use."""
        self._libraries()
        return "; ".join(self._notices) or None

    # --- decoding -------------------------------------------------------------------

    def decode_frame(self, frame: Any, width: int | None = None, height: int | None = None,
                     *, stride: int | None = None,
                     budget_ms: float | _Unset | None = UNSET) -> list[str]:
        """Texts of the QR codes in one grayscale camera frame; [] for anything unreadable.

        frame: numpy uint8 array (H×W; colour and other dtypes are converted), a PIL
        image, or raw bytes with width and height (and stride = bytes per line when the
        rows are padded), e.g. the Y plane of an NV12/YUV420 frame. budget_ms: time
        for the extra passes (default: this decoder's frame_budget_ms; None: all).
        """
        try:
            from checkin.decode.frames import to_gray

            image = to_gray(frame, width, height, stride)
            if image is None:
                return []
            budget = self.frame_budget_ms if budget_ms is UNSET else budget_ms
            return self._run(image, budget if isinstance(budget, int | float) else None)
        except Exception:  # a scan must never crash the desk: log it, report "no code"
            if not self._failed:
                log.exception("QR decoding failed on a frame (later failures: debug level)")
            else:
                log.debug("QR decoding failed on a frame", exc_info=True)
            self._failed = True
            return []

    def decode_image(self, image: Any) -> list[str]:
        """Every pass, no time budget: for still pictures (arrays, PIL images)."""
        return self.decode_frame(image, budget_ms=None)

    def decode_file(self, path: str | Path) -> list[str]:
        """Texts of the QR codes in an image file (PNG, JPEG, WebP, ... via Pillow), or in
        the pages of a PDF (a confirmation a delegate forwards, a badge PDF).

        Raises CheckinError (one line) if the file is missing or not a readable image.
        """
        if not _is_pdf(path):
            return self.decode_image(load_image(path))
        texts: list[str] = []
        for page in load_pdf_pages(path):
            texts.extend(t for t in self.decode_image(page) if t not in texts)
        return texts

    # --- internals ------------------------------------------------------------------

    def _libraries(self) -> Libraries:
        if self._libs is None:
            from checkin.decode.backends import load_zbar, load_zxing
            from checkin.decode.passes import Libraries

            # Load only what this backend can use, so that `--backend zxing` says nothing
            # about a missing pyzbar; each fallback loads the other library.
            zxing, zxing_notice = load_zxing() if self.backend != "zbar" else (None, None)
            zbar, zbar_notice = load_zbar() if self.backend != "zxing" else (None, None)
            if zxing is None and zbar is None:
                zxing, zxing_notice = load_zxing()
                zbar, zbar_notice = load_zbar()
            # Each notice says what is missing and what decodes instead.
            self._notices += [notice for notice in (zxing_notice, zbar_notice) if notice]
            self._libs = Libraries(zxing=zxing, zbar=zbar)
        return self._libs

    def _plan(self, libs: Libraries, budgeted: bool) -> list[Pass]:
        from checkin.decode import passes

        zbar_alone = passes.Pass("zbar", 1.0, passes.zbar, needs="zbar")
        if libs.zxing is None:  # whatever was asked for, zbar is all there is (if any)
            return [zbar_alone] if libs.zbar is not None else []
        if self.backend == "zbar" and libs.zbar is not None:
            return [zbar_alone]
        if self.backend in ("zxing", "zbar"):
            return [passes.Pass("zxing", 1.0, passes.zxing_plain)]
        extra = [p for p in passes.EXTRA if getattr(libs, p.needs) is not None]
        if budgeted:  # take turns: each frame starts the extras where the last one stopped
            extra = [p for p in extra if p.frames]
            start = self._next_extra % len(extra)
            extra = extra[start:] + extra[:start]
        return [*passes.FAST, *extra]

    def _run(self, image: Gray, budget_ms: float | None) -> list[str]:
        from checkin.decode import passes

        libs = self._libraries()
        plan = self._plan(libs, budget_ms is not None)
        start = time.perf_counter()
        unit: float | None = None  # ms the first pass took: the yardstick for the others
        fast = len(passes.FAST) if self.backend == "auto" else 0
        found: list[str] = []
        for index, step in enumerate(plan):
            if found and (budget_ms is not None or index >= fast):
                # A camera frame stops at the first code (the next frame comes anyway).
                # A still picture runs all fast passes and keeps what each found: the
                # half-size pass reads big codes but can miss a small one beside them.
                break
            if budget_ms is not None and unit is not None and index >= fast:
                elapsed = (time.perf_counter() - start) * 1000
                if elapsed + step.cost * unit > budget_ms:
                    continue
            began = time.perf_counter()
            try:
                texts = step.run(libs, image)
            except Exception as exc:  # e.g. pyzbar/libzbar trouble on one frame
                log.debug("decode pass %s failed: %s", step.name, exc)
                texts = []
            if unit is None:
                unit = max(0.01, (time.perf_counter() - began) * 1000 / step.cost)
            found += texts
        if not found and budget_ms is not None:
            self._next_extra += 1
        return list(dict.fromkeys(found))


MAX_PDF_PAGES = 50  # a confirmation has one page; a badge sheet PDF a few
PDF_DPI = 200  # enough for a QR of 2 cm (37 modules: 4 pixels a module)


def _is_pdf(path: str | Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False  # load_image reports what is wrong with it


def load_pdf_pages(path: str | Path) -> list[Gray]:
    """The first MAX_PDF_PAGES pages of a PDF as grayscale arrays (pypdfium2)."""
    import numpy as np

    from checkin.decode.frames import MAX_SIDE

    name = str(path)
    try:
        import pypdfium2 as pdfium
    except ImportError:  # third-party wheel missing for this platform: images still work
        raise CheckinError(f"{name}: reading PDFs needs pypdfium2") from None
    pages: list[Gray] = []
    try:
        document = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pypdfium2 raises its own PdfiumError for broken files
        raise CheckinError(f"{name}: unreadable PDF ({str(exc).splitlines()[0]})") from None
    try:
        for index in range(min(len(document), MAX_PDF_PAGES)):
            page = document[index]
            try:
                width, height = page.get_size()  # points
                scale = min(PDF_DPI / 72, MAX_SIDE / max(width, height, 1.0))
                bitmap = page.render(scale=scale, grayscale=True)
                pages.append(np.array(bitmap.to_numpy(), dtype=np.uint8).reshape(
                    bitmap.height, -1)[:, :bitmap.width])
            finally:
                page.close()
    except CheckinError:
        raise
    except Exception as exc:
        raise CheckinError(f"{name}: unreadable PDF ({str(exc).splitlines()[0]})") from None
    finally:
        document.close()
    return pages


def load_image(path: str | Path) -> Gray:
    """A file as a grayscale array; transparent areas become white. CheckinError if unreadable."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from checkin.decode.frames import MAX_SIDE

    name = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                width, height = opened.size
                if width * height > MAX_FILE_PIXELS:
                    raise CheckinError(f"{name}: image too large ({width}x{height} pixels)")
                # A huge JPEG: let libjpeg decode it at a reduced scale (far faster);
                # the decoder would subsample it to MAX_SIDE anyway.
                opened.draft("L", (MAX_SIDE, MAX_SIDE))
                image = opened.convert("RGBA") if _has_alpha(opened) else opened.convert("L")
    except CheckinError:
        raise
    except FileNotFoundError:
        raise CheckinError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CheckinError(f"{name}: is a directory") from None
    except PermissionError:
        raise CheckinError(f"{name}: permission denied") from None
    except UnidentifiedImageError:
        raise CheckinError(f"{name}: not an image file Pillow can read") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise CheckinError(f"{name}: image too large") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CheckinError(f"{name}: unreadable image ({detail})") from None
    if image.mode == "RGBA":
        # A code drawn on a transparent background: black modules, alpha 0 elsewhere.
        # convert("L") would make the background black too; paint it white instead.
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image).convert("L")
    array: Gray = np.asarray(image)
    return array


def _has_alpha(image: Any) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
