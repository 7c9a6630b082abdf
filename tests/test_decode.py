"""QR decoding: corpus photos, camera frames in every shape, hostile input, zbar fallback, CLI."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkin.decode import Decoder, decode_file, decode_frame
from checkin.decode.backends import load_zbar, load_zxing
from checkin.decode.decoder import load_image
from checkin.errors import CheckinError
from tests.conftest import CORPUS

PHOTOS = CORPUS / "qr-photos"
TOKEN = "C1Q7W3ERT9ZU2IOPA8SDF4GHJ6KLY5XCV0BNM1QA"
needs_corpus = pytest.mark.skipif(not PHOTOS.is_dir(), reason=f"{PHOTOS} not present")


def qr_tile(text: str, box: int = 4) -> np.ndarray:
    import qrcode

    code = qrcode.QRCode(box_size=box, border=2)
    code.add_data(text)
    code.make(fit=True)
    return np.asarray(code.make_image().get_image().convert("L"))


def camera_frame(text: str = TOKEN, width: int = 320, height: int = 240) -> np.ndarray:
    """A small grey frame with a slightly dim code in it, as a webcam sees a phone."""
    frame = np.full((height, width), 120, dtype=np.uint8)
    tile = (qr_tile(text, box=3).astype(np.uint16) * 180 // 255 + 40).astype(np.uint8)
    frame[30:30 + tile.shape[0], 60:60 + tile.shape[1]] = tile
    return frame


def corpus_items() -> list[tuple[Path, str]]:
    items = []
    for path in sorted(PHOTOS.glob("qrcode-*/*")):
        if path.suffix.lower() in (".png", ".webp", ".jpg", ".jpeg"):
            items.append((path, path.with_suffix(".txt").read_bytes().decode("utf-8")))
    return items


# --- corpus -------------------------------------------------------------------------

@needs_corpus
@pytest.mark.parametrize("name", ["qrcode-1/1.webp", "qrcode-2/#1086.png", "qrcode-2/12.webp",
                                  "qrcode-2/qr-inv-1.webp", "qrcode-3/01.webp"])
def test_decode_file_reads_corpus_photos(name: str) -> None:
    path = PHOTOS / name
    expected = path.with_suffix(".txt").read_bytes().decode("utf-8")
    assert decode_file(path) == [expected]


@needs_corpus
def test_a_code_inside_a_code_gives_both() -> None:
    # qrcode-2/16: a small code printed inside a big one; the .txt names the inner one.
    path = PHOTOS / "qrcode-2" / "16.webp"
    texts = decode_file(path)
    assert len(texts) == 2
    assert path.with_suffix(".txt").read_bytes().decode("utf-8") in texts


@needs_corpus
def test_texts_are_exact_with_control_characters() -> None:
    # GS1 data keeps its GS separators; zxing-cpp's default text mode would write "(01)...".
    path = PHOTOS / "qrcode-2" / "gs1-figure-4.15.1-2.png"
    assert decode_file(path) == [path.with_suffix(".txt").read_bytes().decode("utf-8")]


@needs_corpus
def test_auto_decodes_at_least_as_many_corpus_images_as_raw_zxing() -> None:
    import zxingcpp

    decoder = Decoder("auto")
    raw = auto = 0
    for path, expected in corpus_items():
        image = load_image(path)
        for turns in range(4):
            rotated = np.ascontiguousarray(np.rot90(image, turns))
            raw += expected in [r.text for r in zxingcpp.read_barcodes(rotated)]
            auto += expected in decoder.decode_image(rotated)
    assert raw > 0
    assert auto >= raw


def test_several_codes_in_one_image(tmp_path: Path) -> None:
    from PIL import Image

    canvas = np.full((200, 420), 255, dtype=np.uint8)
    first, second = qr_tile("FIRST-CODE"), qr_tile("SECOND-CODE")
    canvas[20:20 + first.shape[0], 20:20 + first.shape[1]] = first
    canvas[20:20 + second.shape[0], 240:240 + second.shape[1]] = second
    path = tmp_path / "two.png"
    Image.fromarray(canvas).save(path)
    assert sorted(decode_file(path)) == ["FIRST-CODE", "SECOND-CODE"]


def test_transparent_png_and_jpeg(tmp_path: Path) -> None:
    from PIL import Image

    tile = qr_tile(TOKEN)
    # black modules on a transparent background: naive grey conversion makes it all black
    rgba = np.zeros((*tile.shape, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(tile < 128, 255, 0)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "clear.png")
    Image.fromarray(tile).convert("RGB").save(tmp_path / "code.jpg", quality=70)
    Image.fromarray(tile).save(tmp_path / "code.webp")
    for name in ("clear.png", "code.jpg", "code.webp"):
        assert decode_file(tmp_path / name) == [TOKEN], name


# --- frames -------------------------------------------------------------------------

def test_frame_as_array_bytes_and_views() -> None:
    frame = camera_frame()
    h, w = frame.shape
    assert decode_frame(frame) == [TOKEN]
    assert decode_frame(frame.tobytes(), w, h) == [TOKEN]
    assert decode_frame(bytearray(frame.tobytes()), w, h) == [TOKEN]
    assert decode_frame(memoryview(frame.tobytes()), w, h) == [TOKEN]
    assert Decoder().decode_frame(frame.tobytes(), width=w, height=h) == [TOKEN]
    # a view into a bigger buffer (not contiguous), colour, float, PIL
    wide = np.zeros((h, w + 13), dtype=np.uint8)
    wide[:, :w] = frame
    assert decode_frame(wide[:, :w]) == [TOKEN]
    assert decode_frame(np.stack([frame] * 3, axis=2)) == [TOKEN]
    assert decode_frame(frame.astype(np.float32) / 255) == [TOKEN]
    from PIL import Image

    assert decode_frame(Image.fromarray(frame)) == [TOKEN]


def test_frame_with_stride_and_nv12_chroma() -> None:
    frame = camera_frame()
    h, w = frame.shape
    stride = w + 64  # padded rows, as camera drivers align them
    rows = np.full((h, stride), 7, dtype=np.uint8)
    rows[:, :w] = frame
    rows[:, w:] = np.random.default_rng(1).integers(0, 256, (h, stride - w), dtype=np.uint8)
    assert decode_frame(rows.tobytes(), w, h, stride=stride) == [TOKEN]
    # the padding of the last row may be missing
    assert decode_frame(rows.tobytes()[: stride * (h - 1) + w], w, h, stride=stride) == [TOKEN]
    # NV12: the Y plane followed by interleaved UV at half height; only Y is read
    nv12 = frame.tobytes() + bytes([128]) * (w * h // 2)
    assert decode_frame(nv12, w, h) == [TOKEN]


def test_empty_frame_gives_nothing() -> None:
    assert decode_frame(np.full((240, 320), 90, dtype=np.uint8)) == []
    noise = np.random.default_rng(3).integers(0, 256, (240, 320), dtype=np.uint8)
    assert decode_frame(noise) == []


GARBAGE: list[tuple[object, object, object, object]] = [
    (None, None, None, None),
    ("not a frame", 10, 10, None),
    (12345, None, None, None),
    ([[0, 255], [255, 0]], None, None, None),
    (b"", 0, 0, None),
    (b"", 10, 10, None),
    (b"\x00" * 10, 0, 10, None),
    (b"\x00" * 10, -5, -2, None),
    (b"\x00" * 10, 10, None, None),
    (b"\xff" * 100, 1000, 1000, None),  # claims more than it holds
    (b"\xff" * 100, 10, 10, 5),  # stride shorter than a row
    (b"\xff" * 100, 10, 10, -1),
    (b"\xff" * 100, 2**62, 2**62, None),
    (b"\xff" * 100, 10.5, 10, None),
    (bytes(range(256)) * 40, 100, 100, None),
    (np.zeros((0, 0), dtype=np.uint8), None, None, None),
    (np.zeros((0, 640), dtype=np.uint8), None, None, None),
    (np.zeros((1, 1), dtype=np.uint8), None, None, None),
    (np.zeros((5,), dtype=np.uint8), None, None, None),
    (np.zeros((2, 2, 2, 2), dtype=np.uint8), None, None, None),
    (np.array(7), None, None, None),
    (np.full((50, 50), np.nan), None, None, None),
    (np.full((50, 50), -1e300), None, None, None),
    (np.full((50, 50), 70000, dtype=np.int64), None, None, None),
    (np.ones((50, 50), dtype=bool), None, None, None),
    (np.zeros((50, 50), dtype=complex), None, None, None),
    (np.array([["a", "b"], ["c", "d"]]), None, None, None),
    (np.zeros((50, 50, 7), dtype=np.uint8), None, None, None),
    (np.zeros((9000, 3), dtype=np.uint8), None, None, None),  # huge aspect ratio
]


@pytest.mark.parametrize(("frame", "width", "height", "stride"), GARBAGE)
def test_garbage_never_raises(frame: object, width: object, height: object,
                              stride: object) -> None:
    for backend in ("auto", "zxing", "zbar"):
        result = decode_frame(frame, width, height, stride=stride, backend=backend)  # type: ignore[arg-type]
        assert result == []


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=4096), width=st.integers(-3, 80) | st.none(),
       height=st.integers(-3, 80) | st.none(), stride=st.integers(-3, 120) | st.none())
def test_random_bytes_never_raise(data: bytes, width: int | None, height: int | None,
                                  stride: int | None) -> None:
    assert isinstance(decode_frame(data, width, height, stride=stride), list)


@needs_corpus
def test_frame_budget_limits_the_extra_passes() -> None:
    # 12.webp (textured modules) is read only by an extra pass (half size, GlobalHistogram)
    image = load_image(PHOTOS / "qrcode-2" / "12.webp")
    expected = (PHOTOS / "qrcode-2" / "12.txt").read_bytes().decode("utf-8")
    assert Decoder().decode_frame(image, budget_ms=0) == []  # fast passes only
    assert Decoder().decode_frame(image, budget_ms=10_000) == [expected]
    assert Decoder(frame_budget_ms=None).decode_frame(image) == [expected]


def test_huge_frame_is_subsampled_not_refused() -> None:
    frame = np.full((6000, 6000), 200, dtype=np.uint8)
    tile = np.repeat(np.repeat(qr_tile(TOKEN, box=2), 6, axis=0), 6, axis=1)
    frame[100:100 + tile.shape[0], 100:100 + tile.shape[1]] = tile
    assert decode_frame(frame, budget_ms=None) == [TOKEN]


def test_unknown_backend_falls_back_with_a_notice() -> None:
    decoder = Decoder("opencv")
    assert decoder.decode_frame(camera_frame()) == [TOKEN]
    assert decoder.notice is not None and "opencv" in decoder.notice


def test_a_failing_pass_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyzbar 0.1.9 raises ValueError (ZBarOrientation) on some frames: never a crash."""
    from checkin.decode import passes

    def broken(*_: object) -> list[str]:
        raise ValueError("-1 is not a valid ZBarOrientation")

    monkeypatch.setattr(passes, "zbar_read", broken)
    assert Decoder("zbar").decode_frame(camera_frame()) == []
    # auto still reads the code with zxing-cpp; on an empty frame it reaches zbar and copes
    assert Decoder("auto").decode_image(camera_frame()) == [TOKEN]
    assert Decoder("auto").decode_image(np.full((60, 60), 9, dtype=np.uint8)) == []


# --- backends -----------------------------------------------------------------------

def test_zbar_backend_reads_a_frame() -> None:
    if load_zbar()[0] is None:
        pytest.skip("pyzbar/libzbar0 not installed")
    decoder = Decoder("zbar")
    assert decoder.available == ("zbar",)
    assert decoder.notice is None
    assert decoder.decode_frame(camera_frame()) == [TOKEN]


def hide_module(monkeypatch: pytest.MonkeyPatch, top: str, message: str) -> None:
    """Make `import top` fail for the rest of this test, as it does when not installed."""
    import builtins
    import sys

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object):
        if name.split(".")[0] == top:
            raise ImportError(message)
        return real_import(name, *args, **kwargs)

    for module in [m for m in sys.modules if m.split(".")[0] == top]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(builtins, "__import__", fake_import)


@pytest.fixture
def fresh_loaders():
    """The library loaders cache their result per process: start and end clean."""
    load_zbar.cache_clear()
    load_zxing.cache_clear()
    yield
    load_zbar.cache_clear()
    load_zxing.cache_clear()


@pytest.fixture
def without_pyzbar(monkeypatch: pytest.MonkeyPatch, fresh_loaders: None) -> None:
    hide_module(monkeypatch, "pyzbar", "Unable to find zbar shared library")


def test_zbar_missing_falls_back_and_says_so_once(without_pyzbar: None,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="checkin.decode")
    decoder = Decoder("zbar")
    assert decoder.decode_frame(camera_frame()) == [TOKEN]  # zxing-cpp took over
    assert decoder.available == ("zxing",)
    assert decoder.notice is not None and "pyzbar unavailable" in decoder.notice
    auto = Decoder("auto")
    assert auto.decode_image(camera_frame()) == [TOKEN]
    assert auto.decode_image(np.full((80, 80), 200, dtype=np.uint8)) == []
    assert "pyzbar unavailable" in (auto.notice or "")
    warnings = [r for r in caplog.records if "pyzbar unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_zxing_backend_does_not_mention_zbar(without_pyzbar: None) -> None:
    decoder = Decoder("zxing")
    assert decoder.decode_frame(camera_frame()) == [TOKEN]
    assert decoder.notice is None


def test_zxing_missing_falls_back_to_zbar(monkeypatch: pytest.MonkeyPatch,
                                          fresh_loaders: None) -> None:
    if load_zbar()[0] is None:
        pytest.skip("pyzbar/libzbar0 not installed")
    hide_module(monkeypatch, "zxingcpp", "No module named 'zxingcpp'")
    for backend in ("auto", "zxing"):
        decoder = Decoder(backend)
        assert decoder.available == ("zbar",)
        assert "zxing-cpp unavailable" in (decoder.notice or "")
        assert decoder.decode_frame(camera_frame()) == [TOKEN]  # camera budget too


def test_no_library_at_all_reads_nothing_but_does_not_crash(
        monkeypatch: pytest.MonkeyPatch, fresh_loaders: None) -> None:
    hide_module(monkeypatch, "zxingcpp", "No module named 'zxingcpp'")
    hide_module(monkeypatch, "pyzbar", "No module named 'pyzbar'")
    decoder = Decoder()
    assert decoder.available == ()
    assert decoder.decode_frame(camera_frame()) == []
    assert "zxing-cpp unavailable" in (decoder.notice or "")


# --- files: errors ------------------------------------------------------------------

@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.png", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: _write(d / "notes.png", b"hello, not a picture"), "not an image"),
    (lambda d: _write(d / "empty.jpg", b""), "not an image"),
    (lambda d: _truncated_png(d / "cut.png"), "unreadable image"),
])
def test_unreadable_files_raise_one_line_checkin_error(tmp_path: Path, make, message: str):
    path = make(tmp_path)
    with pytest.raises(CheckinError) as info:
        decode_file(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncated_png(path: Path) -> Path:
    from PIL import Image

    Image.fromarray(qr_tile(TOKEN)).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# --- CLI ----------------------------------------------------------------------------

@pytest.fixture
def images(tmp_path: Path) -> dict[str, Path]:
    from PIL import Image

    paths = {"code": tmp_path / "code.png", "blank": tmp_path / "blank.png",
             "tabbed": tmp_path / "tabbed.png"}
    Image.fromarray(qr_tile(TOKEN)).save(paths["code"])
    Image.fromarray(np.full((50, 50), 255, dtype=np.uint8)).save(paths["blank"])
    Image.fromarray(qr_tile("A\tB\x1b[31m")).save(paths["tabbed"])
    return paths


def test_cli_one_line_per_image(run_cli, images: dict[str, Path]) -> None:
    result = run_cli("decode", str(images["code"]), str(images["blank"]), str(images["tabbed"]))
    assert result.exit_code == 0, result.output
    # one line per image; an empty line for no code; control characters escaped
    assert result.output.split("\n") == [TOKEN, "", "A\\tB\\x1b[31m", ""]


def test_cli_json(run_cli, images: dict[str, Path]) -> None:
    result = run_cli("decode", "--json", "--backend", "zxing", str(images["code"]),
                     str(images["blank"]))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines == [{"file": str(images["code"]), "texts": [TOKEN]},
                     {"file": str(images["blank"]), "texts": []}]


def test_cli_missing_file_reports_and_continues(images: dict[str, Path], tmp_path: Path):
    from tests.conftest import run_checkin

    missing = tmp_path / "nope.png"
    result = run_checkin("decode", str(missing), str(images["code"]))
    assert result.returncode == 1
    assert result.stdout == TOKEN + "\n"
    assert result.stderr.strip() == f"error: {missing}: no such file"
    assert "Traceback" not in result.stderr


def test_cli_without_any_decoder_is_an_error_not_empty_lines(
        run_cli, event_db: Path, images: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
        fresh_loaders: None) -> None:
    # A build without zxing-cpp and pyzbar must not report "no code" for every image.
    hide_module(monkeypatch, "zxingcpp", "No module named 'zxingcpp'")
    hide_module(monkeypatch, "pyzbar", "No module named 'pyzbar'")
    with pytest.raises(CheckinError, match="no QR decoder in this installation"):
        run_cli("decode", str(images["code"]))
    with pytest.raises(CheckinError, match="no QR decoder in this installation"):
        run_cli("scan", "--image", str(images["code"]))


def test_pdf_pages_are_decoded(tmp_path: Path) -> None:
    """A confirmation PDF a delegate forwards, or a badge sheet, decodes like a picture."""
    from checkin.badges import render_confirmation, render_pdf
    from checkin.models import Attendee, EventInfo

    people = [Attendee(id=f"P{i}", given_name="Ana", family_name=f"Lima{i}", ref=f"R{i:07d}")
              for i in range(3)]
    sheet = tmp_path / "sheet.pdf"
    render_pdf(people, "a4-8-a7", sheet, qr_text=lambda a: "CK1" + a.ref)
    assert decode_file(sheet) == ["CK1" + p.ref for p in people]
    confirmation = tmp_path / "confirmation.pdf"
    render_confirmation(EventInfo("Test", ["2026-12-01"]), people[0], TOKEN, confirmation)
    assert decode_file(confirmation) == [TOKEN]
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(confirmation.read_bytes()[:2000])
    with pytest.raises(CheckinError, match="unreadable PDF"):
        decode_file(broken)
