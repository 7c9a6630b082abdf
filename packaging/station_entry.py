"""PyInstaller entry point for the windowed `checkin-station` executable."""

import sys

from ui.app import main

sys.exit(main())
