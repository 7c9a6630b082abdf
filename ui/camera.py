"""Camera pane: QCamera -> QMediaCaptureSession -> QVideoWidget, frames decoded on the decode lane.

The GUI thread only turns a frame into a grayscale QImage and hands its bytes to the
decode lane. While a frame is being decoded, newer frames are dropped (a queue of stale
frames would only add latency). A code the camera keeps seeing is reported once, not
thirty times a second: the same text again within REPEAT_S seconds is ignored.

Without a camera (none attached, no multimedia back end, a headless test run) the pane
says so and everything else works.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from ui.qtlog import load_multimedia, quiet_multimedia
from ui.workers import Lane

REPEAT_S = 4.0
MIN_INTERVAL_S = 0.08  # at most ~12 frames a second go to the decoder: plenty for a desk


def _luma_first_formats() -> set[Any]:
    """Pixel formats whose first plane is the full-size Y (luminance) plane."""
    from PySide6.QtMultimedia import QVideoFrameFormat

    names = ("Format_NV12", "Format_NV21", "Format_YUV420P", "Format_YV12", "Format_YUV422P",
             "Format_IMC1", "Format_IMC2", "Format_IMC3", "Format_IMC4", "Format_Y8")
    kinds = QVideoFrameFormat.PixelFormat
    return {getattr(kinds, n) for n in names if hasattr(kinds, n)}


def decoder_context() -> Any:
    """The decode lane's context: one Decoder kept warm (its extra passes take turns)."""
    from checkin.decode import Decoder

    return Decoder()


def decode_gray(decoder: Any, data: bytes, width: int, height: int, stride: int) -> list[str]:
    """Runs on the decode lane: the core decoder over one grayscale frame."""
    if decoder is None:
        from checkin.decode import decode_frame

        return [t for t in decode_frame(data, width, height, stride=stride) if t]
    return [t for t in decoder.decode_frame(data, width, height, stride=stride) if t]


class CameraPane(QWidget):
    codeRead = Signal(str)
    stateChanged = Signal(str)  # "off" | "none" | "on" | "error"

    def __init__(self, decode_lane: Lane, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lane = decode_lane
        self.setObjectName("cameraPane")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(240, 180)
        self.message = QLabel()
        self.message.setObjectName("cameraMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("QLabel#cameraMessage { background: #263238; color: #eceff1;"
                                   " border-radius: 8px; padding: 12px; font-size: 13pt; }")
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.message)
        self.state = "off"
        self._error = ""
        self._camera: Any = None
        self._session: Any = None
        self._video: Any = None
        self._last: tuple[str, float] = ("", 0.0)
        self.frames_seen = 0
        self._converted = False
        self._last_submit = 0.0
        self.frames_dropped = 0
        self._set_state("off")

    # -- start / stop ---------------------------------------------------------------------

    def start(self, device_id: str = "") -> str:
        """Open the chosen camera ("" = system default). Returns the new state."""
        self.stop()
        if not load_multimedia():
            return self._set_state("none")
        with quiet_multimedia():
            try:
                from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices
                from PySide6.QtMultimediaWidgets import QVideoWidget
            except ImportError:  # QtMultimedia: optional part of PySide6 (Addons)
                return self._set_state("none")
            devices = QMediaDevices.videoInputs()
            if not devices:
                return self._set_state("none")
            device = next((d for d in devices if bytes(d.id().data()).decode(errors="replace")
                           == device_id or d.description() == device_id), None)
            device = device or QMediaDevices.defaultVideoInput()
            self._camera = QCamera(device)
            self._session = QMediaCaptureSession()
            self._session.setCamera(self._camera)
            self._video = QVideoWidget()
            self._video.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._session.setVideoOutput(self._video)
            self._video.videoSink().videoFrameChanged.connect(self._frame)
            self._camera.errorOccurred.connect(self._camera_error)
            self._stack.addWidget(self._video)
            self._camera.start()
        return self._set_state("on")

    def stop(self) -> None:
        if self._camera is not None:
            with quiet_multimedia():
                self._camera.stop()
            self._stack.removeWidget(self._video)
            self._video.deleteLater()
            self._camera = self._session = self._video = None
        self._set_state("off")

    def available_cameras(self) -> list[tuple[str, str]]:
        """(id, description) of the attached cameras, for the settings dialog."""
        return list_cameras()

    def _camera_error(self, error: Any, text: str) -> None:
        self._error = text
        self._set_state("error")

    def _set_state(self, state: str) -> str:
        self.state = state
        self._stack.setCurrentWidget(self._video if state == "on" and self._video
                                     else self.message)
        self.retranslateUi()
        self.stateChanged.emit(state)
        return state

    # -- frames ---------------------------------------------------------------------------

    def _frame(self, frame: Any) -> None:
        self.frames_seen += 1
        now = time.monotonic()
        if self.lane.busy or now - self._last_submit < MIN_INTERVAL_S:
            self.frames_dropped += 1
            return
        gray = self._gray(frame)
        if gray is not None:
            self._last_submit = now
            self.submit_gray(*gray)

    def _gray(self, frame: Any) -> tuple[bytes, int, int, int] | None:
        """The frame's luminance as (bytes, width, height, stride).

        Cameras mostly deliver planar YUV (NV12, YUV420P, ...), whose first plane IS the
        grayscale picture: it is copied as it is (a fraction of a millisecond). Anything
        else goes through QImage (several ms for 720p, still far below the budget).
        """
        from PySide6.QtMultimedia import QVideoFrame

        if frame.pixelFormat() in _luma_first_formats():
            if not frame.map(QVideoFrame.MapMode.ReadOnly):
                return None
            try:
                data = bytes(frame.bits(0))
                stride = frame.bytesPerLine(0)
            finally:
                frame.unmap()
            return data, frame.width(), frame.height(), stride
        from PySide6.QtGui import QImage

        if not self._converted:  # the first conversion says once that it has no GPU
            with quiet_multimedia():
                image = frame.toImage()
            self._converted = True
        else:
            image = frame.toImage()
        if image.isNull():
            return None
        gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
        return bytes(gray.constBits()), gray.width(), gray.height(), gray.bytesPerLine()

    def submit_gray(self, data: bytes, width: int, height: int, stride: int) -> bool:
        """Decode one grayscale frame on the decode lane; False if dropped (one in flight)."""
        if self.lane.busy:
            self.frames_dropped += 1
            return False
        self.lane.submit(lambda ctx: decode_gray(ctx, data, width, height, stride),
                         self._decoded, lambda exc: None, name="decode")
        return True

    def _decoded(self, texts: list[str]) -> None:
        now = time.monotonic()
        for text in texts:
            last_text, last_time = self._last
            if text == last_text and now - last_time < REPEAT_S:
                self._last = (text, now)
                continue
            self._last = (text, now)
            self.codeRead.emit(text)
            break

    # -- language -------------------------------------------------------------------------

    def retranslateUi(self) -> None:
        texts = {
            "off": self.tr("Camera off"),
            "none": self.tr("No camera found.\nThe scanner and the name search work as usual."),
            "on": "",
            "error": self.tr("The camera stopped: %1").replace("%1", self._error),
        }
        self.message.setText(texts.get(self.state, ""))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


def list_cameras() -> list[tuple[str, str]]:
    """(id, description) of the attached cameras (id is what StationConfig.camera holds)."""
    with quiet_multimedia():
        try:
            from PySide6.QtMultimedia import QMediaDevices
        except ImportError:  # QtMultimedia: optional part of PySide6 (Addons)
            return []
        return [(bytes(d.id().data()).decode(errors="replace"), d.description())
                for d in QMediaDevices.videoInputs()]
