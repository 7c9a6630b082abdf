"""Check-in station core: data, rules, rendering and I/O. Never imports Qt."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("checkin-station")
except PackageNotFoundError:  # running from a PyInstaller bundle or an unpacked tree
    __version__ = "0.1.0"
