"""A sound per verdict (assets/sounds/*.wav, made by scripts/make_sounds.py), mutable.

The multimedia back end is loaded on first use, not at start-up (it costs time and is
not needed for the first frame). Without an audio device (a headless test run, a
machine without a sound server) the station stays silent and says nothing about it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl

from checkin import resources
from ui.qtlog import load_multimedia, quiet_multimedia

SOUND_FOR = {
    "ok": "ok", "created": "ok",
    "already_checked_in": "warn", "not_registered_today": "warn",
    "cancelled": "stop", "unknown": "stop", "invalid_signature": "stop", "error": "stop",
    "malformed": "search",
}


def sounds_dir() -> Path:
    return resources.assets() / "sounds"


class Sounds(QObject):
    def __init__(self, muted: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.muted = muted
        self._effects: dict[str, Any] | None = None  # None: not probed yet
        self.available = False
        self.played: list[str] = []  # what was asked for (tests and the log read it)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    def preload(self) -> None:
        """Create the sound effects now (the app calls this before the lanes get work)."""
        self._load()

    def _load(self) -> dict[str, Any]:
        if self._effects is not None:
            return self._effects
        self._effects = {}
        if not load_multimedia():
            return self._effects
        with quiet_multimedia():
            try:
                from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
            except ImportError:  # QtMultimedia: optional part of PySide6 (Addons)
                return self._effects
            if not QMediaDevices.audioOutputs():
                return self._effects
            for name in set(SOUND_FOR.values()):
                path = sounds_dir() / f"{name}.wav"
                if not path.exists():
                    continue
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(0.8)
                self._effects[name] = effect
        self.available = bool(self._effects)
        return self._effects

    def play(self, kind: str) -> None:
        name = SOUND_FOR.get(kind)
        if name is None or self.muted:
            return
        self.played.append(name)
        effect = self._load().get(name)
        if effect is None:
            return
        with quiet_multimedia():
            effect.stop()
            effect.play()
