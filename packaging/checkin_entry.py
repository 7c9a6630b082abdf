"""PyInstaller entry point for the console `checkin` executable."""

from checkin.cli import main

main()
