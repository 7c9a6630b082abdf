"""`checkin layouts` and `checkin badges`: list layouts, render badges to PDF or PNGs."""

from __future__ import annotations

from pathlib import Path

import click

from checkin.cli.context import CliContext, pass_cli, select_attendees
from checkin.confirmations import file_stem, qr_text_for
from checkin.errors import CheckinError
from checkin.files import atomic_output, output_error


@click.command()
def layouts() -> None:
    """List the badge layouts (shipped, and yours in the config folder's layouts/)."""
    from checkin.badges.layout import list_layouts, user_dir

    errors: list[str] = []
    found = list_layouts(errors)
    width = max((len(layout.name) for layout in found), default=0)
    for layout in found:
        mine = " (yours)" if layout.source and layout.source.parent == user_dir() else ""
        click.echo(f"{layout.name:<{width}}  {layout.size_text:<16}  {layout.description}{mine}")
    click.echo(f"add your own: a .toml file in {user_dir()}")
    if errors:
        for message in errors[:-1]:
            click.echo(f"error: {message}", err=True)
        raise CheckinError(errors[-1])


@click.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="Write all badges into this PDF.")
@click.option("--png", "png_dir", type=click.Path(file_okay=False),
              help="Write one PNG preview per badge into this folder.")
@click.option("--layout", "layout_name", help="Layout name (default: the station's layout).")
@click.option("--ids", help="Only these attendee ids (comma-separated).")
@click.option("--only-unprinted", is_flag=True, help="Skip attendees whose badge was printed.")
@click.option("--dpi", default=150, show_default=True, type=click.IntRange(36, 600),
              help="Resolution of --png previews.")
@pass_cli
def badges(cli: CliContext, out_file: str | None, png_dir: str | None,
           layout_name: str | None, ids: str | None, only_unprinted: bool, dpi: int) -> None:
    """Render badges to a PDF (--out) and/or PNG previews (--png)."""
    if not out_file and not png_dir:
        raise click.UsageError("give --out FILE.pdf and/or --png DIR")
    from checkin.badges.layout import load_layout
    from checkin.badges.render import render_pdf, render_png
    from checkin.config import StationConfig

    layout = load_layout(layout_name or StationConfig.load().layout or "a6")
    store = cli.store()
    event = store.event_info()
    people = select_attendees(store.all_attendees(), ids)
    if not ids:  # cancelled people get a badge only when named
        people = [a for a in people if a.status != "cancelled"]
    if only_unprinted:
        people = [a for a in people if not store.badge_printed(a.id)]
    if not people:
        click.echo("no badges to render")
        return
    qr_text = qr_text_for(store, cli.db_path)
    if out_file:
        # Whole or not at all, never through a link placed there (checkin.files).
        with atomic_output(Path(out_file)) as temp:
            render_pdf(people, layout, temp, qr_text=qr_text, event_name=event.name)
        click.echo(f"{_plural(len(people), 'badge')} ({layout.name}) in {out_file}")
    if png_dir:
        folder = Path(png_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(folder, exc, action="create") from None
        for attendee in people:
            # file_stem: "a/b" and "a_b" must not overwrite each other's preview
            with atomic_output(folder / f"{file_stem(attendee.id)}.png") as temp:
                render_png(attendee, layout, temp, qr_text=qr_text, dpi=dpi,
                           event_name=event.name)
        click.echo(f"{_plural(len(people), 'badge preview')} ({layout.name}) in {folder}")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
