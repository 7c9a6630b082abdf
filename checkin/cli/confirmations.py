"""`checkin confirmations`: signed QR confirmations for a mail merge, and printable PDFs.

Writes, per attendee, ``<id>.png`` (the QR of the signed token, error correction M) and
``<id>.pdf`` (a one-page confirmation: event, name in the person's own script, QR), plus
``confirmations.csv`` with the columns attendee_id, token, file (the PNG; the PDF has the
same name ending in .pdf). File names are the attendee id with anything but letters,
digits, ``.``, ``_`` and ``-`` replaced, plus a short hash of the id when something was
replaced (so two ids never share a file). Cancelled attendees are skipped. An id that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) gets a leading
``'`` in the CSV (checkin.text). Every token issued is recorded in the database
(issued_tokens), so a station without the private key can print the same QR later.
Needs the private key file beside the database (the organiser's machine).
"""

import csv
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import click

from checkin.cli.context import CliContext, pass_cli, select_attendees
from checkin.errors import CheckinError
from checkin.models import Attendee, EventInfo

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_stem(attendee_id: str) -> str:
    """A file name for an attendee id, safe on every file system and unique per id."""
    stem = _UNSAFE.sub("_", attendee_id)[:80].lstrip(".") or "attendee"
    if stem != attendee_id:
        stem += "-" + hashlib.sha256(attendee_id.encode("utf-8")).hexdigest()[:8]
    return stem


def write_qr_png(text: str, path: Path, *, box: int = 8, border: int = 4) -> None:
    """text's QR code (error correction M) as a 1-bit PNG, box pixels a module.

    The matrix is the one the PDF draws (checkin.badges.qr, zxing-cpp's encoder: 0.3 ms,
    where the pure-Python qrcode package took 13 ms an attendee); qrcode is the fallback
    for a build without zxing-cpp.
    """
    try:
        from checkin.badges.qr import encode

        code = encode(text)
    except ImportError:
        code = None
    if code is None:
        import qrcode
        from qrcode.constants import ERROR_CORRECT_M

        fallback = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box, border=border)
        fallback.add_data(text)
        fallback.make(fit=True)
        fallback.make_image().save(str(path))
        return
    from PIL import Image, ImageDraw

    side = (code.size + 2 * border) * box
    image = Image.new("1", (side, side), 1)
    draw = ImageDraw.Draw(image)
    for row, col, length in code.runs:
        x, y = (col + border) * box, (row + border) * box
        draw.rectangle((x, y, x + length * box - 1, y + box - 1), fill=0)
    image.save(str(path), optimize=True)


PdfWriter = Callable[[EventInfo, Attendee, str, Path], None]


def pdf_writer() -> PdfWriter | None:
    """The badge renderer's one-page "confirmation" layout, if this build has it."""
    try:
        from checkin.badges import render_confirmation
    except ImportError:
        return None
    writer: PdfWriter = render_confirmation
    return writer


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the PNGs, PDFs and confirmations.csv.")
@click.option("--ids", help="Only these attendee ids (comma-separated).")
@click.option("--no-pdf", is_flag=True, help="Only PNGs and the CSV.")
@pass_cli
def confirmations(cli: CliContext, out_dir: str, ids: str | None, no_pdf: bool) -> None:
    """Issue signed QR confirmations: one PNG and PDF per attendee, plus confirmations.csv."""
    from checkin import keys, tokens
    from checkin.text import neutralise_formula

    store = cli.store()
    event = store.event_info()
    signer = keys.load_signer(store, cli.db_path)
    assert signer is not None  # strict: a missing key raised a CheckinError
    chosen = select_attendees(store.all_attendees(), ids)
    active = [a for a in chosen if a.status != "cancelled"]
    render_pdf = None if no_pdf else pdf_writer()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CheckinError(f"cannot create {out}: {exc.strerror}") from None
    rows: list[tuple[str, str, str]] = []
    issued: list[tuple[Attendee, str]] = []
    for attendee in active:
        token = signer.sign(attendee.ref)
        stem = file_stem(attendee.id)
        png = out / f"{stem}.png"
        write_qr_png(token, png)
        if render_pdf is not None:
            render_pdf(event, attendee, token, out / f"{stem}.pdf")
        issued.append((attendee, token))
        rows.append((neutralise_formula(attendee.id), token, png.name))
    with store.transaction():  # short: files are written first, other desks keep scanning
        for attendee, token in issued:
            tokens.record_issued(store, attendee, token)
    csv_path = out / "confirmations.csv"
    tmp = csv_path.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["attendee_id", "token", "file"])
        writer.writerows(rows)
    tmp.replace(csv_path)
    skipped = len(chosen) - len(active)
    note = f", {skipped} cancelled skipped" if skipped else ""
    pdfs = "" if render_pdf is not None or no_pdf else " (no PDF renderer in this build)"
    count = f"{len(rows)} confirmation" + ("" if len(rows) == 1 else "s")
    click.echo(f"{count} in {out}{note}{pdfs}")
