"""Station settings: a dataclass stored as TOML (no QSettings, so the CLI can read it too)."""

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import tomli_w

from checkin import paths


@dataclass
class StationConfig:
    station: str = ""
    operator: str = ""
    printer: str = ""  # "" = PDF folder backend
    printer_backend: str = "pdf"  # pdf | cups | qt | brother
    layout: str = "a6"
    auto_print: bool = True
    camera: str = ""  # "" = system default camera
    camera_enabled: bool = True
    sound: bool = True
    language: str = ""  # "" = follow the system
    # no PIN until one is chosen: the first kiosk start asks for it (4-8 digits); the staff
    # PIN also unlocks the locked station (ui/lock.py)
    kiosk_pin: str = ""
    # the station locks itself after this many minutes without a key or a click (0: never)
    lock_minutes: int = 5

    @classmethod
    def load(cls, path: Path | None = None) -> "StationConfig":
        path = path or default_path()
        try:
            data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        config = cls()
        for key, value in values.items():
            default = getattr(config, key)
            if isinstance(value, type(default)):
                setattr(config, key, value)
        return config

    def save(self, path: Path | None = None) -> None:
        path = path or default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(tomli_w.dumps(asdict(self)), encoding="utf-8")
        tmp.replace(path)


def default_path() -> Path:
    return paths.config_dir() / "station.toml"
