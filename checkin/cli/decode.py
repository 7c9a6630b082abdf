"""`checkin decode`: print the QR codes found in image files."""

from __future__ import annotations

import json

import click

from checkin.errors import CheckinError

# Plain output must stay one line per image and must not let a hostile code drive the
# terminal (escape sequences): control characters are written as escapes.
_ESCAPES: dict[int, str] = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_ESCAPES.update({ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})


@click.command()
@click.option("--backend", type=click.Choice(["auto", "zxing", "zbar"]), default="auto",
              show_default=True,
              help="auto: zxing-cpp in several passes, then zbar; or one library alone.")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object per line: {"file": ..., "texts": [...]}.')
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.pass_context
def decode(ctx: click.Context, backend: str, as_json: bool, images: tuple[str, ...]) -> None:
    """Decode the QR codes in IMAGE files (PNG, JPEG, WebP, ..., and PDF pages).

    Prints one line per image: its decoded texts separated by TABs, or an empty line
    when the image holds no readable code. Inside a text, TAB, newline, carriage
    return and backslash are written as \\t, \\n, \\r, \\\\, other control
    characters as \\xNN. A file that is missing or not an image gets a one-line error
    on stderr and no output line; the others are still decoded, and the exit status
    is 1.
    """
    from checkin.decode import Decoder

    decoder = Decoder(backend)
    if not decoder.available:  # else every image would read as "no code"
        raise CheckinError("no QR decoder in this installation: install zxing-cpp "
                           "(or pyzbar with the libzbar0 system library)")
    failed = 0
    for name in images:
        try:
            texts = decoder.decode_file(name)
        except CheckinError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        if as_json:
            line = json.dumps({"file": name, "texts": texts}, ensure_ascii=False)
        else:
            line = "\t".join(text.translate(_ESCAPES) for text in texts)
        click.echo(line)
    if failed:
        ctx.exit(1)
