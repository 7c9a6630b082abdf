"""Check-in station core: data, rules, rendering and I/O. Never imports Qt."""

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    try:
        return version("checkin-station")
    except PackageNotFoundError:  # a PyInstaller bundle carries version.txt (see build.spec)
        from checkin import resources

        stamp = resources.root() / "version.txt"
        return stamp.read_text().strip() if stamp.exists() else "unknown"


__version__ = _version()
