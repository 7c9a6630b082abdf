"""The log file: what a supporter needs afterwards (imports, key changes, printing, sync).

API:
- ``log_path() -> Path``: where the log is written: ``$CHECKIN_LOG`` if set (tests, a
  kiosk whose home is read-only), else ``checkin.log`` in the per-user data directory
  beside the default event database.
- ``configure(path=None, *, level=logging.INFO) -> Path``: attach a rotating file handler
  (1 MB, five old files kept) to the root logger, once per process; later calls return the
  same path. A log file that cannot be opened (read-only disk) never stops the desk: the
  log then goes to stderr only, and that is said once there.

The core logs through ``logging.getLogger(__name__)``, never through print; errors for the
user stay one clear line on the screen or stderr, the traceback goes to the log.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from checkin import paths

ENV_LOG = "CHECKIN_LOG"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"

_configured: Path | None = None


def log_path() -> Path:
    env = os.environ.get(ENV_LOG)
    return Path(env).expanduser() if env else paths.data_dir() / "checkin.log"


def configure(path: Path | None = None, *, level: int = logging.INFO) -> Path:
    global _configured
    if _configured is not None:
        return _configured
    target = path or log_path()
    root = logging.getLogger()
    root.setLevel(min(root.getEffectiveLevel(), level))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # backslashreplace: a file name or argument that is not UTF-8 is logged escaped.
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
            errors="backslashreplace")
        handler.setLevel(level)
    except OSError as exc:
        # Only warnings and errors then: a command's stderr is for the user.
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        print(f"checkin: cannot write the log file {target}: {exc.strerror or exc}",
              file=sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    _configured = target
    logging.getLogger(__name__).info("log opened (pid %d, %s)", os.getpid(),
                                     " ".join(sys.argv[:1]) or "python")
    return target
