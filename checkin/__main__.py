import sys

from checkin.cli import main

# main() returns the exit status of commands that end with ctx.exit(N).
sys.exit(main())
