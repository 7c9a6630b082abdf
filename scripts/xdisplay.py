"""For the scripts that need a real X window: re-run under xvfb-run when there is no display."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def rerun_under_xvfb(screen: str = "1280x1024x24") -> int | None:
    """None when a display is there (QT_QPA_PLATFORM is set to xcb); otherwise this script's
    exit code after running it again under xvfb-run (one screen of `screen`, WxHxDEPTH),
    or 1 when xvfb-run is missing."""
    if os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        return None
    if not shutil.which("xvfb-run"):
        print("error: needs an X display or xvfb-run (Debian: apt-get install xvfb)",
              file=sys.stderr)
        return 1
    return run_under_xvfb([sys.executable, *sys.argv], screen)


def run_under_xvfb(command: list[str], screen: str, env: dict[str, str] | None = None) -> int:
    """command's exit code, run on a new Xvfb display with one screen of `screen`."""
    if not shutil.which("xvfb-run"):
        print("error: needs xvfb-run (Debian: apt-get install xvfb)", file=sys.stderr)
        return 1
    return subprocess.call(["xvfb-run", "-a", "-s", f"-screen 0 {screen}", *command],
                           env=env)
