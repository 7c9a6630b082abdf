"""QR decoding: time per 1280x720 camera frame, and decode rate on real photos.

(1) Synthetic grayscale camera frames (a desk-like background with edges and noise; in
    half of them a QR of a realistic ~40-character token, pasted at a modest size,
    rotated and blurred): median ms for `auto` (budget: <= 5 ms), raw zxing-cpp and raw
    pyzbar, frames with and without a code.
(2) ../shared/corpus/qr-photos, every image at 0/90/180/270 degrees, compared with its
    .txt: raw zxing-cpp (read_barcodes with defaults), raw pyzbar (pyzbar.decode), and
    our `auto` (all passes) and `auto` under the camera frame budget, in one run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.harness import Result, measure, summarise

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "qr-photos"
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
FRAMES = 30


def token(rng: random.Random) -> str:
    return "C1" + "".join(rng.choice(TOKEN_ALPHABET) for _ in range(38))


def camera_frame(seed: int, with_code: bool) -> tuple[np.ndarray, str | None]:
    """A 1280x720 grayscale frame as a webcam at a desk might deliver it."""
    import qrcode
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    h, w = 720, 1280
    y, x = np.mgrid[0:h, 0:w]
    light = 110 + 50 * np.sin(x / 210.0 + seed) + 35 * np.cos(y / 150.0 + seed / 2)
    img = Image.fromarray(np.clip(light, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(12):  # clutter: sleeves, a lanyard, edges of papers
        x0, y0 = rng.randrange(w), rng.randrange(h)
        draw.rectangle((x0, y0, x0 + rng.randrange(20, 300), y0 + rng.randrange(5, 200)),
                       fill=rng.randrange(20, 235))
    text = None
    if with_code:
        text = token(rng)
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                             box_size=6, border=2)
        code.add_data(text)
        code.make(fit=True)
        tile = code.make_image().get_image().convert("L")
        side = rng.randrange(150, 260)  # a phone held at arm's length
        tile = tile.resize((side, side), Image.NEAREST)
        # a phone screen is never pure white/black under desk light
        tile = tile.point(lambda v: 40 + v * 170 // 255)
        tile = tile.rotate(rng.uniform(-25, 25), resample=Image.BILINEAR, expand=True,
                           fillcolor=int(light.mean()))
        img.paste(tile, (rng.randrange(100, w - tile.width - 100),
                         rng.randrange(50, h - tile.height - 50)))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.4)))
    frame = np.asarray(img).astype(np.float32) + noise.normal(0, 5, (h, w))
    return np.clip(frame, 0, 255).astype(np.uint8), text


def raw_zxing(image: np.ndarray) -> list[str]:
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(image)]


def raw_zbar(image: np.ndarray) -> list[str]:
    from pyzbar import pyzbar

    try:
        return [r.data.decode("utf-8", errors="replace") for r in pyzbar.decode(image)]
    except Exception:  # ValueError: ... is not a valid ZBarOrientation, with current libzbar
        return []


def corpus() -> list[tuple[str, np.ndarray, str]]:
    from checkin.decode.decoder import load_image

    items = []
    for path in sorted(CORPUS.glob("qrcode-*/*")):
        if path.suffix.lower() in (".png", ".webp", ".jpg", ".jpeg"):
            expected = path.with_suffix(".txt").read_bytes().decode("utf-8")
            image = load_image(path)
            for turns in range(4):
                items.append((f"{path.parent.name}/{path.name}@{turns * 90}",
                              np.ascontiguousarray(np.rot90(image, turns)), expected))
    return items


def frame_results() -> list[Result]:
    from checkin.decode import Decoder

    with_code = [camera_frame(seed, True) for seed in range(FRAMES)]
    empty = [camera_frame(1000 + seed, False)[0] for seed in range(FRAMES)]
    decoders: dict[str, Callable[[np.ndarray], list[str]]] = {
        "auto": Decoder("auto").decode_frame,
        "zxing-cpp raw": raw_zxing,
        "pyzbar raw": raw_zbar,
    }
    results = []
    for name, decode in decoders.items():
        runs = FRAMES if name != "pyzbar raw" else 10
        found = 0
        samples: list[float] = []
        for frame, text in with_code[:runs]:
            samples += measure(lambda f=frame, d=decode: d(f), runs=1, warmup=0)
            found += text in decode(frame)
        results.append(summarise(f"decode 1280x720 frame with QR ({name})",
                                 "<= 5 ms" if name == "auto" else "-", samples,
                                 f"decoded {found}/{runs}"))
        samples = []
        false = 0
        for frame in empty[:runs]:
            samples += measure(lambda f=frame, d=decode: d(f), runs=1, warmup=0)
            false += bool(decode(frame))
        results.append(summarise(f"decode 1280x720 empty frame ({name})",
                                 "<= 5 ms" if name == "auto" else "-", samples,
                                 f"false reads {false}/{runs}"))
    return results


def corpus_results() -> list[Result]:
    from checkin.decode import Decoder

    if not CORPUS.is_dir():
        return [Result("decode corpus qr-photos", "-", 0, 0, 0, f"{CORPUS} missing")]
    items = corpus()
    frame_decoder = Decoder("auto")
    decoders: dict[str, Callable[[np.ndarray], list[str]]] = {
        "zxing-cpp raw": raw_zxing,
        "pyzbar raw": raw_zbar,
        "auto": Decoder("auto").decode_image,
        "auto, frame budget": frame_decoder.decode_frame,
    }
    results = []
    for name, decode in decoders.items():
        samples = []
        correct = 0
        missed = []
        for label, image, expected in items:
            start = time.perf_counter()
            texts = decode(image)
            samples.append((time.perf_counter() - start) * 1000)
            if expected in texts:
                correct += 1
            else:
                missed.append(label)
        note = f"{correct}/{len(items)} images x rotations"
        if name.startswith("auto") and missed:
            note += "; missed " + ", ".join(missed[:6]) + ("..." if len(missed) > 6 else "")
        results.append(summarise(f"decode corpus qr-photos x4 ({name})", "more than raw",
                                 samples, note))
    return results


def run() -> list[Result]:
    return frame_results() + corpus_results()


def _debug(*_: Any) -> None:  # pragma: no cover - handy when tuning passes
    pass
