"""`checkin doctor`: one line per check of the event database (checkin.doctor)."""

import click

from checkin.cli.context import CliContext, pass_cli


@click.command()
@pass_cli
@click.pass_context
def doctor(ctx: click.Context, cli: CliContext) -> None:
    """Check the event database: files, schema, integrity, event, keys, key file, print
    queue, free disk space. One line each (ok, warn, FAIL); exit 1 when one FAILs.
    Writes nothing."""
    from checkin.doctor import FAIL, run

    checks = run(cli.place)
    for check in checks:
        click.echo(f"{check.level:<5} {check.name}: {check.message}")
    if any(check.level == FAIL for check in checks):
        ctx.exit(1)
