"""Turn whatever a camera or a caller hands us into one 2-D uint8 grayscale array.

Never raises: anything that cannot be read as a picture becomes None, which the
decoder answers with "no code". Views are used where possible, so a camera's Y plane
is not copied (zxing-cpp reads strided arrays as they are).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]

# Longest side we hand to a decoder. Bigger pictures (a 50-megapixel photo, a
# hostile 20000x20000 array) are subsampled first: a QR that only resolves above
# this size is not something a desk will ever see, and it bounds the time per call.
MAX_SIDE = 4096


def to_gray(frame: Any, width: int | None = None, height: int | None = None,
            stride: int | None = None) -> Gray | None:
    """A 2-D uint8 view or copy of frame, or None if it is not a usable picture.

    frame: a numpy array (H×W gray; H×W×3/4 colour is averaged to gray; other dtypes
    are scaled), a PIL image, or raw bytes (bytes, bytearray, memoryview) holding
    `height` rows of `stride` bytes (default: width) of which the first `width` are
    luminance, as in the Y plane of NV12/YUV420. Bytes after the last row (the
    chroma planes) are ignored.
    """
    try:
        if isinstance(frame, bytes | bytearray | memoryview):
            array = _from_bytes(frame, width, height, stride)
        elif isinstance(frame, np.ndarray):
            array = _from_array(frame)
        elif hasattr(frame, "convert") and hasattr(frame, "size"):  # a PIL image
            array = np.asarray(frame.convert("L"))
        else:
            return None
    except (ValueError, TypeError, OverflowError, MemoryError, OSError):
        return None
    if array is None or array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 1:
        return None
    return _limit_size(array)


def _from_bytes(data: bytes | bytearray | memoryview, width: int | None,
                height: int | None, stride: int | None) -> Gray | None:
    if not isinstance(width, int) or not isinstance(height, int) or width < 1 or height < 1:
        return None
    row = width if stride is None else stride
    if not isinstance(row, int) or row < width:
        return None
    buffer = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)
    needed = row * (height - 1) + width
    if buffer.size < needed:
        return None
    if buffer.size >= row * height:
        return buffer[: row * height].reshape(height, row)[:, :width]
    # The last row may be short of its padding: view the rows without copying.
    return np.lib.stride_tricks.as_strided(buffer, shape=(height, width), strides=(row, 1),
                                           writeable=False)


def _from_array(array: npt.NDArray[Any]) -> Gray | None:
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        # Colour from a caller: the mean of the colour channels is luminance enough for
        # black-on-white codes and far cheaper than a weighted conversion.
        channels = array[:, :, : min(3, array.shape[2])]
        array = channels.mean(axis=2) if channels.shape[2] > 1 else channels[:, :, 0]
    if array.ndim != 2:
        return None
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return np.where(array, np.uint8(255), np.uint8(0))
    if np.issubdtype(array.dtype, np.floating):
        finite = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        top = float(finite.max()) if finite.size else 0.0
        scale = 255.0 if top <= 1.0 else 1.0  # 0..1 floats are the common convention
        return np.clip(finite * scale, 0, 255).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        top = int(array.max()) if array.size else 0
        if top > 255:  # 16-bit camera data: keep the top byte
            shift = max(0, top.bit_length() - 8)
            return (array >> shift).clip(0, 255).astype(np.uint8)
        return array.clip(0, 255).astype(np.uint8)
    return None


def _limit_size(array: Gray) -> Gray:
    step = -(-max(array.shape) // MAX_SIDE)  # ceil division
    if step > 1:
        array = array[::step, ::step]
    return array
