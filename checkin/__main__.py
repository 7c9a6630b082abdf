import sys

from checkin.cli import main

# main() returns the exit status of commands that end with ctx.exit(N); any other
# return value of a command is not an exit status.
status = main()
sys.exit(status if isinstance(status, int) else 0)
