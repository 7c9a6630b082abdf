"""Where shipped data lives: assets/ and db/ beside the packages, or inside a PyInstaller bundle."""

import sys
from pathlib import Path


def root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def assets() -> Path:
    return root() / "assets"


def migrations() -> Path:
    return root() / "db"
