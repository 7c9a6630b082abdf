"""Hostile import files made fast: XLSX workbooks whose sheet unpacks to far more than
they store (written as raw deflate with a repeated, full-flushed block, so that a
1.1 GB sheet costs a second to make, not a minute of compression), a long CSV line."""

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Repeated:
    block: bytes
    times: int


def _deflate(parts: list["bytes | Repeated"]) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, uncompressed size) of the parts in order."""
    out: list[bytes] = []
    crc = size = 0
    for part in parts:
        one = zlib.compressobj(6, zlib.DEFLATED, -15)
        if isinstance(part, Repeated):
            # After a full flush the compressor starts afresh: every copy of the block
            # compresses to the same bytes.
            packed = one.compress(part.block) + one.flush(zlib.Z_FULL_FLUSH)
            out.append(packed * part.times)
            for _ in range(part.times):
                crc = zlib.crc32(part.block, crc)
            size += len(part.block) * part.times
        else:
            out.append(one.compress(part) + one.flush(zlib.Z_FULL_FLUSH))
            crc = zlib.crc32(part, crc)
            size += len(part)
    out.append(zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH))
    return b"".join(out), crc, size


def write_zip(path: Path, members: dict[str, list["bytes | Repeated"]]) -> Path:
    """A zip file (deflate, no zip64: every member under 4 GiB) of members."""
    body, directory = bytearray(), bytearray()
    for name, parts in members.items():
        data, crc, size = _deflate(parts)
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data),
                            size, len(encoded), 0) + encoded + data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                 crc, len(data), size, len(encoded), 0, 0, 0, 0, 0,
                                 offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                      len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode()
_SHEET_END = b"</sheetData></worksheet>"


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_rows(count: int = 2) -> bytes:
    rows = [f'<row r="1">{_cell("A1", "Vorname")}{_cell("B1", "Nachname")}</row>']
    rows += [f'<row r="{n}">{_cell(f"A{n}", f"Anna{n}")}{_cell(f"B{n}", "Weber")}</row>'
             for n in range(2, count + 1)]
    return "".join(rows).encode()


def write_xlsx(path: Path, sheet_data: list["bytes | Repeated"]) -> Path:
    """A minimal workbook of one sheet whose <sheetData> holds sheet_data."""
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxml'
             'formats.org/package/2006/content-types"><Default Extension="rels" ContentType='
             '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension'
             '="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
             '.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="appli'
             'cation/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{_RELS_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} xmlns:r="{_RELS_NS}">'
                '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    book_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                 f'Type="{_RELS_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
                 '</Relationships>')
    return write_zip(path, {
        "[Content_Types].xml": [types.encode()],
        "_rels/.rels": [rels.encode()],
        "xl/workbook.xml": [workbook.encode()],
        "xl/_rels/workbook.xml.rels": [book_rels.encode()],
        "xl/worksheets/sheet1.xml": [_SHEET_START, *sheet_data, _SHEET_END],
    })


def xfd_rows(rows: int) -> bytes:
    """rows people, each with one more value in column XFD (16,384)."""
    return "".join(f'<row r="{n}">{_cell(f"A{n}", f"Anna{n}")}{_cell(f"B{n}", "Weber")}'
                   f'{_cell(f"XFD{n}", "x")}</row>' for n in range(2, rows + 2)).encode()
