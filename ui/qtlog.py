"""Keep QtMultimedia's start-up noise out of the log.

Loading QtMultimedia on a machine without PipeWire, VA-API or a sound server prints a
handful of warnings ("Couldn't load pipewire-0.3 library", "PulseAudioService:
pa_context_connect() failed") although nothing is wrong for us: the app simply runs
without camera or sound. They are filtered while the multimedia back end is probed; every
other message goes on to whatever handler was installed before (pytest-qt's, in tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QLoggingCategory, QtMsgType, qInstallMessageHandler

BENIGN = (
    "Couldn't load", "Couldn't resolve", "PulseAudioService", "pa_context_connect",
    "Using Qt multimedia with FFmpeg", "QSoundEffect", "No QtMultimedia backends",
    "Could not find the FFmpeg", "qt.multimedia",
    "No RHI backend. Using CPU conversion",  # frames converted without a GPU: fine
)
BENIGN_CATEGORIES = ("qt.multimedia", "qt.camera", "qt.audio")


def _benign(category: str | None, message: str) -> bool:
    return (any(category and category.startswith(c) for c in BENIGN_CATEGORIES)
            or any(b in message for b in BENIGN))


def silence_categories() -> None:
    """Rules that stay on for the app's lifetime: the symbol resolver's probes are not errors."""
    QLoggingCategory.setFilterRules(
        "qt.multimedia.symbolsresolver.warning=false\n"
        "qt.multimedia.ffmpeg.info=false\n")


@contextmanager
def quiet_multimedia() -> Iterator[None]:
    previous = None

    def handler(mode: QtMsgType, context, message: str) -> None:  # type: ignore[no-untyped-def]
        if _benign(getattr(context, "category", None), message):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            import sys
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


_multimedia_loaded = False


def load_multimedia() -> bool:
    """Load QtMultimedia and its back-end plugin now, on the GUI thread, before any worker
    lane runs; True if it is usable.

    Loading the plugin dlopen()s libraries and logs through our Python message handler.
    If a lane imported a C extension at that moment (it holds the GIL and waits for the
    dynamic loader's lock) while the plugin load waited for the GIL to log, both would
    wait forever: seen as a hung test. Loading it first, once, rules that out.
    """
    global _multimedia_loaded
    if _multimedia_loaded:
        return True
    with quiet_multimedia():
        try:
            from PySide6.QtMultimedia import QMediaDevices
            from PySide6.QtMultimediaWidgets import QVideoWidget  # noqa: F401
        except ImportError:  # QtMultimedia: optional part of PySide6 (Addons)
            return False
        QMediaDevices.audioOutputs()
        QMediaDevices.videoInputs()
    _multimedia_loaded = True
    return True
