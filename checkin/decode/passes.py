"""The `auto` strategy: an ordered list of decode passes, cheapest and most useful first.

Measured with bench/bench_decode.py on ../shared/corpus/qr-photos (82 photos x 4
rotations = 328) and on synthetic 1280x720 camera frames (CPU ms per frame here):

fast passes (every frame and picture, until one finds a code):
- half-local: 2x2-averaged half-size picture, LocalAverage, with inversion. 0.55 ms;
  reads the usual phone-sized code and dark-mode (inverted) screens. Corpus 181.
- local: full size, LocalAverage, no inversion, no downscaling. 2.4 ms; small or
  distant codes. Corpus 305; both fast passes together 312.
extra passes (only when the fast ones found nothing):
- global: GlobalHistogram with inversion, 0.8 ms: unevenly lit, small inverted codes
  (rescues 6 corpus images: #709 at 90/270, qr-inv-1 at all four).
- half-global: half size + GlobalHistogram: averaging smooths textured "artistic"
  modules (rescues 12-13.webp at all rotations, 8; no library reads them raw).
- inverted: full-size inverted copy (rescues #709 at 0/180).
- downscaled, quiet-zone (a light margin around codes cropped to the edge), pure
  (is_pure: generated images), blurred (3x3 mean), doubled (2x, small pictures),
  stretched (histogram equalisation), zbar (another detector, 36 ms per frame):
  none of them is needed on this corpus, each reads photos of kinds it lacks (soft,
  tiny, flat, borderless); they run only for still pictures whose earlier passes all
  failed, so they cost nothing on pictures that decode.

All together: 328/328 on the corpus, against 309 for raw zxing-cpp and 213 for raw
pyzbar. Camera frames have a time budget: after the fast passes, an extra pass runs
only if its estimated cost (its `cost` times what the first pass took) still fits,
and the extras take turns over consecutive frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from checkin.decode.backends import zbar_read, zxing_read
from checkin.decode.frames import Gray


@dataclass(frozen=True)
class Libraries:
    zxing: Any | None
    zbar: Any | None


@dataclass(frozen=True)
class Pass:
    name: str
    cost: float  # relative to `local`, for the time budget
    run: Callable[[Libraries, Gray], list[str]]
    needs: str = "zxing"
    frames: bool = True  # worth trying on a camera frame (False: still pictures only)


def _zx(libs: Libraries, image: Gray, **options: Any) -> list[str]:
    return zxing_read(libs.zxing, image, **options)


def half_local(libs: Libraries, image: Gray) -> list[str]:
    if min(image.shape) < 60:  # too small to halve: the full-size pass follows anyway
        return []
    return _zx(libs, half(image), try_downscale=False)


def local(libs: Libraries, image: Gray) -> list[str]:
    return _zx(libs, image, try_invert=False, try_downscale=False)


def global_histogram(libs: Libraries, image: Gray) -> list[str]:
    return _zx(libs, image, binarizer="GlobalHistogram")


def half_global(libs: Libraries, image: Gray) -> list[str]:
    if min(image.shape) < 60:
        return []
    return _zx(libs, half(image), binarizer="GlobalHistogram", try_downscale=False)


def inverted(libs: Libraries, image: Gray) -> list[str]:
    return _zx(libs, np.subtract(255, image, dtype=np.uint8), try_invert=False)


def downscaled(libs: Libraries, image: Gray) -> list[str]:
    return _zx(libs, image, try_invert=False)


def quiet_zone(libs: Libraries, image: Gray) -> list[str]:
    padded = pad(image)
    return (_zx(libs, padded)
            or _zx(libs, padded, binarizer="GlobalHistogram"))


def pure(libs: Libraries, image: Gray) -> list[str]:
    return _zx(libs, image, is_pure=True)


def blurred(libs: Libraries, image: Gray) -> list[str]:
    soft = box_blur(image)
    return (_zx(libs, soft, binarizer="GlobalHistogram")
            or _zx(libs, soft))


def doubled(libs: Libraries, image: Gray) -> list[str]:
    if max(image.shape) > 1000:  # only small pictures gain from more pixels
        return []
    big = np.repeat(np.repeat(image, 2, axis=0), 2, axis=1)
    return _zx(libs, box_blur(big))


def stretched(libs: Libraries, image: Gray) -> list[str]:
    return _zx(libs, equalise(image))


def zbar(libs: Libraries, image: Gray) -> list[str]:
    return zbar_read(libs.zbar, image)


# cost: relative to `local` (zxing-cpp LocalAverage on the full picture, ~2.4 ms CPU on
# a 1280x720 frame here); the budget estimate scales it by what the first pass took.
FAST = (
    Pass("half-local", 0.25, half_local),
    Pass("local", 1.0, local),
)
EXTRA = (
    Pass("global", 0.35, global_histogram),
    Pass("half-global", 0.25, half_global),
    Pass("inverted", 1.1, inverted),
    Pass("downscaled", 1.2, downscaled),
    Pass("quiet-zone", 2.5, quiet_zone, frames=False),  # frames have margins
    Pass("pure", 0.2, pure, frames=False),  # generated images only
    Pass("blurred", 2.0, blurred),
    Pass("doubled", 6.0, doubled, frames=False),  # small pictures only
    Pass("stretched", 1.8, stretched),
    Pass("zbar", 15.0, zbar, needs="zbar", frames=False),  # ~36 ms a frame
)


# --- image helpers (numpy only: cheap, no extra dependency) -------------------------

def half(image: Gray) -> Gray:
    """2x2 block mean."""
    h, w = (image.shape[0] // 2) * 2, (image.shape[1] // 2) * 2
    even = image[:h, :w]
    total = np.add(even[0::2, 0::2], even[1::2, 0::2], dtype=np.uint16)
    total += even[0::2, 1::2]
    total += even[1::2, 1::2]
    total >>= 2
    return total.astype(np.uint8)


def pad(image: Gray) -> Gray:
    """A light border of 1/8 the size around the picture: the quiet zone a code needs."""
    margin = max(8, max(image.shape) // 8)
    light = int(np.percentile(image[:: max(1, image.shape[0] // 64),
                                    :: max(1, image.shape[1] // 64)], 95))
    return np.pad(image, margin, mode="constant", constant_values=light)


def box_blur(image: Gray) -> Gray:
    """3x3 mean: removes print raster and module texture, keeps module edges."""
    padded = np.pad(image, 1, mode="edge").astype(np.uint16)
    h, w = image.shape
    total = np.zeros((h, w), dtype=np.uint16)
    for dy in range(3):
        for dx in range(3):
            total += padded[dy:dy + h, dx:dx + w]
    return (total // 9).astype(np.uint8)


def equalise(image: Gray) -> Gray:
    """Histogram equalisation through a lookup table: flat, low-contrast photos."""
    counts = np.bincount(image.ravel(), minlength=256)
    cdf = np.cumsum(counts)
    low = cdf[np.nonzero(counts)[0][0]]
    span = max(1, int(cdf[-1] - low))
    table = np.clip((cdf - low) * 255 // span, 0, 255).astype(np.uint8)
    equalised: Gray = table[image]
    return equalised


def zxing_plain(libs: Libraries, image: Gray) -> list[str]:
    """The zxing backend alone: its default detector settings, QR formats, plain text."""
    return _zx(libs, image)
