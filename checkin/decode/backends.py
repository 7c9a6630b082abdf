"""The two QR libraries behind one shape: a grayscale array in, decoded texts out.

zxing-cpp is the default. pyzbar is optional at run time: it needs the system library
libzbar0, and pyzbar 0.1.9's own decode() raises "ValueError: ... is not a valid
ZBarOrientation" with current libzbar. So we drive libzbar through pyzbar's ctypes
wrapper ourselves, skip the orientation query that fails, and restrict zbar to QR.
"""

from __future__ import annotations

import functools
import logging
from ctypes import c_void_p, cast, string_at
from types import ModuleType
from typing import Any

import numpy as np

from checkin.decode.frames import Gray

log = logging.getLogger("checkin.decode")

# zbar's fourcc for 8-bit grayscale ("Y800").
_Y800 = 808466521


@functools.cache
def load_zxing() -> tuple[ModuleType | None, str | None]:
    """(zxingcpp module or None, notice). Cached: the notice is logged once per process."""
    try:
        import zxingcpp
    except (ImportError, OSError) as exc:  # third-party wheel missing for this platform
        notice = f"zxing-cpp unavailable ({_first_line(exc)})"
        log.warning("QR decoding: %s", notice)
        return None, notice
    return zxingcpp, None


@functools.cache
def load_zbar() -> tuple[ModuleType | None, str | None]:
    """(pyzbar.wrapper module or None, notice). Cached: the notice is logged once."""
    try:
        from pyzbar import wrapper
    except (ImportError, OSError) as exc:  # optional third-party pyzbar, or its libzbar0
        notice = (f"pyzbar unavailable ({_first_line(exc)}); decoding with zxing-cpp only"
                  " (install libzbar0 and pyzbar to enable it)")
        log.warning("QR decoding: %s", notice)
        return None, notice
    return wrapper, None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def zxing_read(zxingcpp: Any, image: Gray, *, binarizer: str = "LocalAverage",
               try_invert: bool = True, try_downscale: bool = True, is_pure: bool = False,
               qr_only: bool = True) -> list[str]:
    """Valid QR texts zxing-cpp finds in image, as plain text (no HRI escaping)."""
    kwargs: dict[str, Any] = {
        "binarizer": getattr(zxingcpp.Binarizer, binarizer),
        "text_mode": zxingcpp.TextMode.Plain,  # the exact text, not "<GS>"-style escapes
        "try_invert": try_invert,
        "try_downscale": try_downscale,
        "is_pure": is_pure,
        "try_rotate": False,  # only for linear codes: QR is found at any angle anyway
    }
    if qr_only:
        fmt = zxingcpp.BarcodeFormat
        kwargs["formats"] = (fmt.QRCode, fmt.MicroQRCode, fmt.RMQRCode)
    return [result.text for result in zxingcpp.read_barcodes(image, **kwargs) if result.valid]


def zbar_read(wrapper: Any, image: Gray) -> list[str]:
    """QR texts libzbar finds in image (zbar's own text conversion, UTF-8)."""
    height, width = image.shape
    pixels = np.ascontiguousarray(image).tobytes()
    scanner = wrapper.zbar_image_scanner_create()
    if not scanner:
        return []
    texts: list[str] = []
    try:
        symbol_ids = wrapper.ZBarSymbol
        config = wrapper.ZBarConfig.CFG_ENABLE
        wrapper.zbar_image_scanner_set_config(scanner, symbol_ids.NONE, config, 0)
        wrapper.zbar_image_scanner_set_config(scanner, symbol_ids.QRCODE, config, 1)
        zimage = wrapper.zbar_image_create()
        if not zimage:
            return []
        try:
            wrapper.zbar_image_set_format(zimage, _Y800)
            wrapper.zbar_image_set_size(zimage, width, height)
            wrapper.zbar_image_set_data(zimage, cast(pixels, c_void_p),  # type: ignore[arg-type]
                                          len(pixels), None)
            if wrapper.zbar_scan_image(scanner, zimage) > 0:
                symbol = wrapper.zbar_image_first_symbol(zimage)
                while symbol:
                    data = string_at(wrapper.zbar_symbol_get_data(symbol),
                                     wrapper.zbar_symbol_get_data_length(symbol))
                    texts.append(data.decode("utf-8", errors="replace"))
                    symbol = wrapper.zbar_symbol_next(symbol)
        finally:
            wrapper.zbar_image_destroy(zimage)
    finally:
        wrapper.zbar_image_scanner_destroy(scanner)
    return texts
