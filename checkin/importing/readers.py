"""Decode an import file into a plain table of text cells: CSV (any common delimiter and
encoding), XLSX or JSON. No column meaning here, only bytes to rows. Only a regular file
is read, in chunks, under bounds checked while reading (the constants below), so that a
hostile or broken file is refused in one line before it costs minutes or gigabytes.

Encoding detection, in order (measured on the corpus and on generated files):
1. a byte-order mark: UTF-8, UTF-16 LE/BE (Excel "Unicode text"), UTF-32;
2. strict UTF-8 (almost never decodes an 8-bit file by accident);
3. UTF-16 without a BOM, recognised by its NUL bytes in every other position;
4. charset-normalizer, but only believed when its decoding is mostly non-Latin letters
   (Cyrillic cp1251, Greek, Shift-JIS, ...): for Western 8-bit files it guesses cp1250 or
   cp850 about as often as cp1252 (it calls the corpus's German file cp1250), so
5. Windows-1252 is the fallback for 8-bit Western files (what Excel writes in Western
   Europe), Windows-1250 when the text reads as Central European (below), and Latin-1
   for the five bytes cp1252 leaves undefined.

Measured on the corpus (the two CSV files, whole and as one small file per row, each
written as UTF-8, UTF-8 with BOM, UTF-16 and Windows-1252 where it fits: 139 files):
this order decodes 139/139 exactly; charset-normalizer alone 127/139 (it reads the
German Excel file as cp1250, turning "Iñaki" into "Ińaki"). tests/test_import_formats.py
repeats the measurement. Central European Windows-1250 (Polish, Czech, Slovak Excel) is
told from cp1252 by letters that cp1252 would show as symbols or as accents no Western
language puts there ("£ukasz", "Nìmec", "Dvoøák", "Gyõri"); a cp1250 file with none of
them (a single short Czech or Hungarian name) is still read as cp1252.
"""

import codecs
import csv
import io
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from checkin.errors import ImportRefused

DELIMITERS = (",", ";", "\t", "|")
MAX_FILE_BYTES = 200 * 1024 * 1024  # far above any real attendee list; refuses a wrong file
MAX_CELL_CHARS = 1000  # a "sane length" for one cell: names, emails, notes (see importer)
# Rows a file may hold. An import holds every row in memory several times over (cells,
# attendees, events; measured: 560 MB peak for 100,000 rows), so a 200 MB export of a
# million rows would exhaust a laptop's memory instead of being refused in one line.
MAX_ROWS = 250_000

# Bounds enforced while the file is read, so that a hostile or broken file is refused
# within about a second and a few hundred MB, whatever it claims about itself:
# - MAX_FILE_BYTES counts the bytes actually read (a device, a file still growing, a
#   /proc file that reports size 0), not the size the file system reports;
# - MAX_COLUMNS filled columns a row (empty cells beyond it are dropped: Excel's
#   formatting of whole rows); a real export has a few dozen, pretix with many questions
#   a few hundred;
# - MAX_FIELD_CHARS for any single cell while reading (cells over MAX_CELL_CHARS are
#   refused later with the column's name), MAX_LINE_CHARS for one CSV line;
# - MAX_RECORDS rows of any kind (blank ones too): ten million empty spreadsheet rows
#   cost time even when each is skipped (MAX_ROWS with people, and 50,000 blank ones);
# - XLSX: the unpacked size of the workbook's parts (MAX_UNPACKED_BYTES in all) and their
#   compression ratio (MAX_RATIO: real sheets pack 5-20 times; a part of 1 MB that
#   unpacks to 1 GB of whitespace is a bomb), and the shared strings, which openpyxl reads
#   whole (MAX_SHARED_BYTES), all read from the zip directory before
#   anything is unpacked (zipfile stops at the declared size, so it cannot lie).
MAX_COLUMNS = 512
MAX_FIELD_CHARS = 64 * 1024
MAX_LINE_CHARS = 1024 * 1024
MAX_RECORDS = MAX_ROWS + 50_000  # walking 300,000 XML rows takes about a second
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 100
MAX_SHARED_BYTES = 256 * 1024 * 1024  # the shared strings, read whole by openpyxl
_RATIO_FROM = 10 * 1024 * 1024  # small parts may pack better; they cannot hurt
_CHUNK = 1024 * 1024
_SAMPLE_BYTES = 2 * 1024 * 1024  # what the encoding guess and the delimiter sniffing see


@dataclass
class Table:
    """Rows of text cells; lines[i] is the 1-based line (CSV/XLSX row, JSON item) of rows[i]."""

    source: str
    kind: str  # "csv", "xlsx" or "json"
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    where: str = "line"  # how a position is named in messages: "line", "row" or "item"
    notes: list[str] = field(default_factory=list)  # for the import summary


def refuse(source: str, reason: str, line: int | None = None, where: str = "line") -> ImportRefused:
    place = f" {where} {line}:" if line is not None else ""
    return ImportRefused(f"{source}:{place} {reason}")


def _too_many_rows(source: str, line: int, where: str = "line") -> ImportRefused:
    return refuse(source, f"more than {MAX_ROWS:,} rows: too many for one attendee list "
                  "(is it the right file?)", line, where)


def read_table(path: Path) -> Table:
    """Read CSV, XLSX or JSON at path into a Table; ImportRefused if it is not one.

    Only a regular file is read (a FIFO would block forever, /dev/zero never ends), in
    chunks under the bounds above; Ctrl+C gets through between chunks."""
    source = str(path)  # messages name the file as the user gave it
    with _open_regular(path, source) as handle:
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(b"PK\x03\x04"):
            data = _read_all(handle, source)
            if b"opendocument.spreadsheet" in data[:100]:  # the ODF mimetype comes first
                raise refuse(source, "an OpenDocument spreadsheet (.ods): save it as .xlsx "
                             "or CSV")
            return read_xlsx(data, source)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise refuse(source, "an old Excel .xls workbook: save it as .xlsx or CSV")
        facts = _scan_bytes(handle, source)
        if not facts.filled:
            raise refuse(source, "empty file")
        codec, encoding = _choose_encoding(facts, lambda name: _valid_as(handle, name, source))
        sample = _sample_text(facts.sample, codec)
        if path.suffix.lower() == ".json" or sample.lstrip().startswith(("[", "{")):
            text = _read_all(handle, source).decode(codec)
            try:
                parsed = json.loads(text)
            except (json.JSONDecodeError, RecursionError) as exc:
                if path.suffix.lower() == ".json":
                    line = getattr(exc, "lineno", None)
                    raise refuse(source, f"not valid JSON ({getattr(exc, 'msg', 'too deep')})",
                                 line) from None
            else:
                return read_json(parsed, source)
        handle.seek(0)
        stream = io.TextIOWrapper(io.BufferedReader(_Budgeted(handle, source), _CHUNK),
                                  encoding=codec, errors="strict", newline="")
        try:
            return _read_csv_stream(stream, sample, source, encoding)
        except UnicodeDecodeError:
            raise refuse(source, f"not readable as {encoding} text (the encoding changes "
                         "inside the file?)") from None
        finally:
            stream.detach()


@contextmanager
def _open_regular(path: Path, source: str) -> Iterator[IO[bytes]]:
    """path opened for reading, if it is a regular file; ImportRefused otherwise.

    Checked before opening (opening a FIFO for reading blocks until a writer comes) and
    again on the open file (a swap in between)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise refuse(source, f"cannot read it: {_kind(info.st_mode)}, not a regular "
                         "file (only files are imported, as a registration system or a "
                         "spreadsheet exports them)")
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(source, f"file too large ({info.st_size:,} bytes; at most "
                         f"{MAX_FILE_BYTES:,})")
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
    except ImportRefused:
        raise
    except OSError as exc:
        raise refuse(source, f"cannot read the file ({exc.strerror or exc})") from None
    handle = os.fdopen(fd, "rb", buffering=0)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise refuse(source, "cannot read it: not a regular file")
        yield handle
    except OSError as exc:
        raise refuse(source, f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        handle.close()


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a file"


def _too_large(source: str) -> ImportRefused:
    return refuse(source, f"file too large (more than {MAX_FILE_BYTES:,} bytes)")


def _read_all(handle: IO[bytes], source: str) -> bytes:
    """The whole file, read in chunks up to MAX_FILE_BYTES (counted, not trusted)."""
    handle.seek(0)
    parts, total = [], 0
    while chunk := handle.read(_CHUNK):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise _too_large(source)
        parts.append(chunk)
    return b"".join(parts)


class _Budgeted(io.RawIOBase):
    """A read-only view of handle that refuses to deliver more than MAX_FILE_BYTES (the
    file may have grown since it was first read)."""

    def __init__(self, handle: IO[bytes], source: str) -> None:
        super().__init__()
        self.handle, self.source, self.total = handle, source, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(min(len(buffer), _CHUNK))
        self.total += len(data)
        if self.total > MAX_FILE_BYTES:
            raise _too_large(self.source)
        buffer[:len(data)] = data
        return len(data)


@dataclass
class _Facts:
    """What one pass over a text file's bytes shows, for the encoding guess."""

    sample: bytes = b""  # the first _SAMPLE_BYTES
    filled: bool = False  # anything but whitespace, NUL and BOM bytes
    bom: tuple[bytes, str] | None = None
    bom_valid: bool = False  # the whole file decodes in the BOM's encoding
    utf8_valid: bool = True
    cp1252_valid: bool = True  # none of the five bytes cp1252 leaves undefined
    cp1250_valid: bool = True


_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_CP1250_UNDEFINED = (b"\x81", b"\x83", b"\x88", b"\x90", b"\x98")


def _scan_bytes(handle: IO[bytes], source: str) -> _Facts:
    """One pass over the file in chunks: validity as UTF-8 (and as its BOM's encoding),
    the 8-bit code pages' undefined bytes, and a sample from the start."""
    facts = _Facts()
    first = handle.read(_CHUNK)
    facts.bom = next(((bom, name) for bom, name in _BOMS if first.startswith(bom)), None)
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    in_bom = codecs.getincrementaldecoder(facts.bom[1])("strict") if facts.bom else None
    facts.bom_valid = in_bom is not None
    sample = [first]
    chunk, total = first, len(first)
    if facts.bom:
        chunk = chunk[len(facts.bom[0]):]
    while chunk:
        if facts.utf8_valid:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                facts.utf8_valid = False
        if in_bom is not None and facts.bom_valid:
            try:
                in_bom.decode(chunk)
            except UnicodeDecodeError:
                facts.bom_valid = False
        facts.cp1252_valid = facts.cp1252_valid and not any(b in chunk for b in
                                                            _CP1252_UNDEFINED)
        facts.cp1250_valid = facts.cp1250_valid and not any(b in chunk for b in
                                                            _CP1250_UNDEFINED)
        facts.filled = facts.filled or bool(chunk.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"))
        chunk = handle.read(_CHUNK)
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise _too_large(source)
        if sum(map(len, sample)) < _SAMPLE_BYTES:
            sample.append(chunk)
    for decoder, flag in ((utf8, "utf8_valid"), (in_bom, "bom_valid")):
        if decoder is not None and getattr(facts, flag):
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                setattr(facts, flag, False)
    facts.sample = b"".join(sample)[:_SAMPLE_BYTES]
    return facts


def _valid_as(handle: IO[bytes], codec: str, source: str) -> bool:
    """Whether the whole file decodes as codec (another pass, for the rarer guesses)."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    handle.seek(0)
    total = 0
    try:
        while chunk := handle.read(_CHUNK):
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise _too_large(source)
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _sample_text(sample: bytes, codec: str) -> str:
    """The sample decoded as the file will be (a character cut at its end left out)."""
    try:
        return codecs.getincrementaldecoder(codec)("replace").decode(sample)
    except LookupError:
        return sample.decode("latin-1")


# -- encodings --------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with (see the module docstring for the order)."""
    facts = _Facts(sample=data[:_SAMPLE_BYTES], filled=True)
    facts.bom = next(((bom, name) for bom, name in _BOMS if data.startswith(bom)), None)
    body = data[len(facts.bom[0]):] if facts.bom else data
    facts.bom_valid = facts.bom is not None and _decodes(body, facts.bom[1])
    facts.utf8_valid = _decodes(data, "utf-8")
    facts.cp1252_valid = not any(b in data for b in _CP1252_UNDEFINED)
    facts.cp1250_valid = not any(b in data for b in _CP1250_UNDEFINED)
    codec, encoding = _choose_encoding(facts, lambda name: _decodes(data, name))
    return data.decode(codec), encoding


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


# The codec that reads a file with this BOM and drops the BOM, for _BOMS' names.
_BOM_CODECS = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
               "utf-32-le": "utf-32", "utf-32-be": "utf-32"}


def _choose_encoding(facts: _Facts, valid: Callable[[str], bool]) -> tuple[str, str]:
    """(codec to read the whole file with, the encoding's name for the summary), in the
    module docstring's order. valid(codec) says whether the whole file decodes as codec."""
    if facts.bom is not None and facts.bom_valid:
        name = facts.bom[1]
        return _BOM_CODECS[name], name + " (BOM)"
    if facts.utf8_valid:
        return "utf-8", "utf-8"
    sample = facts.sample[:4000]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0) / len(sample[0::2])
        odd_nuls = sample[1::2].count(0) / len(sample[1::2])
        for ratio, encoding in ((odd_nuls, "utf-16-le"), (even_nuls, "utf-16-be")):
            if ratio > 0.3 and valid(encoding):
                return encoding, encoding
    guessed = _non_latin_guess(facts.sample, valid)
    if guessed:
        return guessed, guessed
    return _western_or_central(facts)


# cp1252 symbols that are letters in cp1250 (ł ą ż Ł Ą ľ Ľ Ż): inside a word they are
# Polish or Slovak. º/ª are left out: "Nº", "1ª" are ordinary Spanish and Portuguese.
_CP1250_LETTER_AS_SYMBOL = frozenset("¹³¿£¥¾¼¯")
# cp1252 letters that cp1250 reads as Czech ě ů ň: Italian and French write ì ù ò only at
# the end of a word, so between two letters they are Czech.
_CP1250_INNER_LETTERS = frozenset("ìùòÌÙÒ")
_VOWELS = frozenset("aeiouyáéíóúýAEIOUYÁÉÍÓÚÝ")


def _western_or_central(facts: _Facts) -> tuple[str, str]:
    """Windows-1252 (Western Europe, what Excel writes in Germany), unless the text reads
    as Central European Windows-1250: bytes cp1252 leaves undefined but cp1250 uses
    (ť, Ź), or cp1250 letters that cp1252 shows as symbols or misplaced accents inside
    words ("£ukasz W¹sowski" for "Łukasz Wąsowski", "Nìmec" for "Němec"). Needs two
    such letters, and one in twenty of the non-ASCII characters."""
    if not facts.cp1252_valid:
        return ("cp1250", "cp1250") if facts.cp1250_valid else ("latin-1", "latin-1")
    western = facts.sample.decode("cp1252", errors="replace")
    if facts.cp1250_valid and _reads_central(western):
        return "cp1250", "cp1250"
    return "cp1252", "cp1252"


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _reads_central(western: str) -> bool:
    sample = western[:1_000_000]  # plenty of names to tell; a big file costs no more
    evidence = 0
    non_ascii = 0
    for match in _NON_ASCII.finditer(sample):
        non_ascii += 1
        evidence += _central_letter(sample, match.start(), match.group())
    return evidence >= 2 and evidence * 20 >= non_ascii


def _central_letter(text: str, i: int, ch: str) -> bool:
    """Whether text[i] (cp1252) is a cp1250 letter shown in a place it has no Western use."""
    before = i > 0 and text[i - 1].isalpha()
    after = i + 1 < len(text) and text[i + 1].isalpha()
    if ch in _CP1250_LETTER_AS_SYMBOL:
        return before or after
    if ch in _CP1250_INNER_LETTERS:
        return before and after
    if ch in "øØ":  # Czech ř after a vowel (Dvořák, Jiří); Danish ø follows consonants
        return after and i > 0 and text[i - 1] in _VOWELS
    if ch == "õ":  # Hungarian ő before a consonant (Győri); Portuguese õ before e
        return before and after and text[i + 1].casefold() not in _VOWELS
    return False


def _non_latin_guess(sample: bytes, valid: Callable[[str], bool]) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(sample[:200_000]).best()
    if best is None or best.encoding in ("ascii", "utf_8"):
        return None
    try:
        text = codecs.getincrementaldecoder(best.encoding)("strict").decode(sample)
    except (UnicodeDecodeError, LookupError):
        return None
    letters = [ch for ch in text[:20000] if ch.isalpha()]
    if not letters:
        return None
    non_latin = sum(1 for ch in letters if not _is_latin(ch))
    if non_latin / len(letters) < 0.5 or not valid(best.encoding):
        return None
    return str(best.encoding)


def _is_latin(ch: str) -> bool:
    if ch < "\u0250":
        return True
    try:
        return unicodedata.name(ch).startswith("LATIN")
    except ValueError:
        return False


# -- CSV --------------------------------------------------------------------------------

_SEP_HINT = re.compile(r"\A[ \t]*sep=(.)[ \t]*\r?\n", re.IGNORECASE)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into the most columns.

    csv.Sniffer is easily fooled by commas inside values ("Korea, Republic of" in a
    semicolon file); counting fields per line over a sample is not.
    """
    sample_lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    if not sample_lines:
        return ","
    sample = "\n".join(sample_lines)
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        except csv.Error:
            continue
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(text: str, source: str, encoding: str = "", delimiter: str | None = None) -> Table:
    """A CSV text already in memory (the file reader streams: _read_csv_stream)."""
    return _read_csv_stream(io.StringIO(text, newline=""), text[:_SAMPLE_BYTES], source,
                            encoding, delimiter)


def _read_csv_stream(stream: IO[str], sample: str, source: str, encoding: str = "",
                     delimiter: str | None = None) -> Table:
    """Rows of a CSV text stream, read line by line under the bounds (module constants):
    a line is read at most MAX_LINE_CHARS at a time, so one 50 MB line is refused after
    1 MB, not parsed; a cell over MAX_FIELD_CHARS (a runaway quote) is refused by the
    csv module itself."""
    first_line = 1
    hint = _SEP_HINT.match(sample)
    if hint:  # Excel's "sep=;" first line names the delimiter
        delimiter = delimiter or hint.group(1)
        stream.readline()
        sample = sample[hint.end():]
        first_line = 2
    delimiter = delimiter or sniff_delimiter(sample)
    table = Table(source, "csv", encoding=encoding, delimiter=delimiter)
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(_bounded_lines(stream, source, first_line), delimiter=delimiter,
                        strict=True)
    start = first_line
    records = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise refuse(source, f"broken CSV ({exc})", start) from None
        records += 1
        if records > MAX_RECORDS:
            raise _too_many_rows(source, start)
        if any(cell.strip() for cell in row):
            if len(table.rows) > MAX_ROWS:
                raise _too_many_rows(source, start)
            table.rows.append(_bounded_row(row, source, start))
            table.lines.append(start)
        start = reader.line_num + first_line
    if not table.rows:
        raise refuse(source, "empty file")
    return table


def _bounded_lines(stream: IO[str], source: str, first_line: int) -> Iterator[str]:
    line_number = first_line
    while line := stream.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise refuse(source, f"a line of more than {MAX_LINE_CHARS:,} characters: not "
                         "an attendee list", line_number)
        yield line
        line_number += 1


def _bounded_row(row: list[str], source: str, line: int, where: str = "line") -> list[str]:
    """row with at most MAX_COLUMNS cells: empty cells beyond are dropped, a filled one is
    refused (a file that wide is not an attendee list)."""
    if len(row) <= MAX_COLUMNS:
        return row
    if any(cell.strip() for cell in row[MAX_COLUMNS:]):
        raise refuse(source, f"more than {MAX_COLUMNS} filled columns: not an attendee "
                     "list (is it the right file?)", line, where)
    del row[MAX_COLUMNS:]
    return row


# -- XLSX -------------------------------------------------------------------------------


def read_xlsx(data: bytes, source: str) -> Table:
    """The sheet whose header row best matches known column names (usually the first)."""
    from checkin.importing.columns import header_score

    _check_zip(data, source)
    try:
        sheets, close = _fast_sheets(data, source)
    except Exception:  # a broken file, or an openpyxl without the internals used there
        try:
            sheets, close = _openpyxl_sheets(data, source)
        except Exception as exc:  # openpyxl raises a zoo of types for a broken zip/XML
            raise refuse(source, f"not a readable XLSX workbook ({type(exc).__name__})"
                         ) from None
    best: Table | None = None
    best_score = -1
    try:
        for sheet_rows in sheets:
            table = Table(source, "xlsx", encoding="xlsx", where="row")
            for number, row in sheet_rows():
                if any(cell.strip() for cell in row):
                    while row and not row[-1].strip():
                        row.pop()
                    row = _bounded_row(row, source, number, "row")
                    if len(table.rows) > MAX_ROWS:
                        raise _too_many_rows(source, number, "row")
                    table.rows.append(row)
                    table.lines.append(number)
            if not table.rows:
                continue
            score = max(header_score(r) for r in table.rows[:30])
            if score > best_score:
                best, best_score = table, score
    except ImportRefused:
        raise
    except Exception as exc:  # corrupt sheet XML surfaces only while iterating
        raise refuse(source, f"broken XLSX workbook ({type(exc).__name__})") from None
    finally:
        close()
    if best is None:
        raise refuse(source, "empty file (the workbook has no filled cells)")
    return best


SheetRows = Callable[[], Iterator[tuple[int, list[str]]]]


def _check_zip(data: bytes, source: str) -> None:
    """Refuse a workbook whose parts would unpack to more than MAX_UNPACKED_BYTES, or pack
    more than MAX_RATIO times (a zip bomb), from the zip directory alone: nothing is
    unpacked yet, and zipfile never unpacks more than a part's declared size."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise refuse(source, f"not a readable XLSX workbook ({type(exc).__name__})") from None
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES:
        raise refuse(source, f"the workbook unpacks to {total / 2**20:,.0f} MB (at most "
                     f"{MAX_UNPACKED_BYTES / 2**20:,.0f} MB): not an attendee list")
    for part in parts:
        if part.filename.endswith("sharedStrings.xml") and part.file_size > MAX_SHARED_BYTES:
            # openpyxl holds every shared string in memory at once, before any row.
            raise refuse(source, f"the workbook's text table unpacks to "
                         f"{part.file_size / 2**20:,.0f} MB (at most "
                         f"{MAX_SHARED_BYTES / 2**20:,.0f} MB): not an attendee list")
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            raise refuse(source, f"{part.filename} unpacks {ratio:,.0f} times larger than it "
                         f"is stored ({part.file_size / 2**20:,.0f} MB): a zip bomb, not a "
                         "workbook")


def _bounded_cells(cells: list[str], source: str, number: int) -> list[str]:
    """A sheet row's cells under the bounds: no cell over MAX_FIELD_CHARS, at most
    MAX_COLUMNS filled columns (empty cells beyond them dropped)."""
    for cell in cells:
        if len(cell) > MAX_FIELD_CHARS:
            raise refuse(source, f"a cell of {len(cell):,} characters: not an attendee list",
                         number, "row")
    if len(cells) > MAX_COLUMNS:
        while len(cells) > MAX_COLUMNS and not cells[-1].strip():
            cells.pop()
    return _bounded_row(cells, source, number, "row")


def _openpyxl_sheets(data: bytes, source: str = "") -> tuple[list[SheetRows],
                                                             Callable[[], None]]:
    """Each worksheet's rows through openpyxl's public read-only API, and a close."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)

    def rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
        if hasattr(sheet, "reset_dimensions"):
            # Read-only sheets trust the stored <dimension>, which some writers get
            # wrong ("A1"): that would cut every row to one cell.
            sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_RECORDS:
                raise _too_many_rows(source, number, "row")
            end = len(values)
            while end > MAX_COLUMNS and values[end - 1] is None:
                end -= 1
            yield number, _bounded_cells([_cell_text(v) for v in values[:end]], source,
                                         number)

    return [partial(rows, sheet) for sheet in workbook.worksheets], workbook.close


def _fast_sheets(data: bytes, source: str = "") -> tuple[list[SheetRows],
                                                         Callable[[], None]]:
    """Each worksheet's rows through _fast_rows, and a close.

    Why not load_workbook: in read-only mode it opens every sheet to read its
    <dimension>, and a sheet without one (openpyxl's write-only mode, which pretix and
    many web exports use, writes none) is parsed in full just for that: a second pass
    over the whole file. This runs the steps of openpyxl's ExcelReader.read that the
    values need (manifest, shared strings, workbook, styles for date formats) and no
    others; it uses openpyxl internals, so read_xlsx falls back to _openpyxl_sheets
    when anything here fails."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        workbook = reader.wb
        dates, timedeltas = set(workbook._date_formats), set(workbook._timedelta_formats)
        sheets: list[SheetRows] = []
        for _sheet, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                continue  # as ExcelReader.read_worksheets
            sheets.append(partial(_fast_rows, partial(reader.archive.open, rel.target),
                                  reader.shared_strings, dates, timedeltas, workbook.epoch,
                                  source))
    except BaseException:
        reader.archive.close()
        raise
    return sheets, reader.archive.close


def _fast_rows(open_sheet: Callable[[], IO[bytes]], shared: list[Any], dates: set[int],
               timedeltas: set[int], epoch: Any, source: str = ""
               ) -> Iterator[tuple[int, list[str]]]:
    """The sheet XML read straight into cell texts: the values openpyxl's read-only
    iter_rows(values_only=True) gives, turned into text by _cell_text.

    Why: iter_rows builds several objects per cell (a dict, a Text tree for every inline
    string) and, once the unreliable stored dimensions are reset, parses the whole sheet
    a second time to size its rows: 1.1-1.4 s per 20,000 rows. This walks each <row>
    element with ElementTree's C methods and converts a cell in a few calls (about
    0.4 s per 20,000 rows). Cell semantics follow openpyxl's WorkSheetParser.parse_cell
    (shared/inline strings, booleans, numbers, date-formatted numbers through openpyxl's
    from_excel, ISO dates, cached formula results); tests/test_import_formats.py checks
    that both paths give the same rows."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import from_excel, from_ISO8601
    from openpyxl.xml.constants import SHEET_MAIN_NS

    row_tag, cell_tag = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
    value_tag, inline_tag = f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}is"
    text_tag, run_text = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r/{{{SHEET_MAIN_NS}}}t"
    columns: dict[str, int] = {}

    def column(letters: str) -> int:
        index: int = column_index_from_string(letters)
        columns[letters] = index
        return index

    def number_text(text: str, style: str | None) -> str:
        value: Any = float(text) if "." in text or "E" in text or "e" in text else int(text)
        style_id = int(style) if style else 0
        if style_id in dates:
            try:
                value = from_excel(value, epoch, timedelta=style_id in timedeltas)
            except (OverflowError, ValueError):
                return "#VALUE!"  # openpyxl's value for a date serial out of range
        return _cell_text(value)

    def row_elements() -> Iterator[Any]:
        with open_sheet() as handle:
            for _, element in iterparse(handle):
                if element.tag == row_tag:
                    yield element

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 0
        for count, element in enumerate(row_elements(), start=1):
            if count > MAX_RECORDS:  # ten million empty <row/>s: refused, not walked
                raise _too_many_rows(source, count, "row")
            given = element.get("r")
            previous = number
            number = int(float(given)) if given else number + 1
            cells: list[str] = []
            index = 0
            for cell in element:
                if cell.tag != cell_tag:
                    continue
                reference = cell.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    index = columns.get(letters) or column(letters)
                else:
                    index += 1
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    inline = cell.find(inline_tag)
                    if inline is None:
                        text = ""
                    elif len(inline) == 1 and inline[0].tag == text_tag:
                        text = inline[0].text or ""  # plain text, the usual case
                    else:  # rich text: the plain part, then each run's text
                        text = "".join(
                            [t.text or "" for t in inline.findall(text_tag)]
                            + [t.text or "" for t in inline.findall(run_text)])
                else:
                    value = cell.findtext(value_tag)
                    if not value:
                        text = ""
                    elif kind == "n":
                        text = number_text(value, cell.get("s"))
                    elif kind == "s":
                        text = _cell_text(shared[int(value)])
                    elif kind == "b":
                        text = "yes" if int(value) else "no"
                    elif kind == "d":
                        text = _cell_text(from_ISO8601(value))
                    else:  # "str" (a formula's cached text), "e" (an error value)
                        text = value
                if index == len(cells) + 1 and index <= MAX_COLUMNS:
                    cells.append(text)  # the next column, the usual case
                elif index > MAX_COLUMNS:
                    # Column XFD on every row: never make the row that wide in memory.
                    if text.strip():
                        raise refuse(source, f"a value in column {index:,} (at most "
                                     f"{MAX_COLUMNS} columns): not an attendee list",
                                     number, "row")
                    continue
                else:
                    if index > len(cells):
                        cells.extend([""] * (index - len(cells)))
                    cells[index - 1] = text
                if len(text) > MAX_FIELD_CHARS:
                    raise refuse(source, f"a cell of {len(text):,} characters: not an "
                                 "attendee list", number, "row")
            element.clear()
            if number > previous:  # as iter_rows: a row out of order is left out
                yield number, cells
            else:
                number = previous

    return rows()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # registration numbers typed into Excel become floats
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


# -- JSON -------------------------------------------------------------------------------


def read_json(parsed: Any, source: str) -> Table:
    """A list of objects keyed by canonical field names; becomes a table with a header row.

    A nested value (object, or list other than days) under a key that names an attendee
    field is refused; under any other key (our own export's "checkins", an API's
    "answers") it is left out with a note, so that such a file still imports."""
    from checkin.importing.columns import field_for

    if isinstance(parsed, dict):
        positions = _pretix_positions(parsed)
        if positions is not None:
            parsed = positions
        for key in ("attendees", "results", "data", "items"):
            if isinstance(parsed, dict) and isinstance(parsed.get(key), list):
                parsed = parsed[key]
                break
    if not isinstance(parsed, list):
        raise refuse(source, "JSON must be a list of attendee objects")
    if not parsed:
        raise refuse(source, "empty file (the JSON list is empty)")
    if len(parsed) > MAX_ROWS:
        raise _too_many_rows(source, MAX_ROWS + 1, "item")
    parsed = [_with_name_parts(item) if isinstance(item, dict) else item for item in parsed]
    header: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(parsed, start=1):
        if not isinstance(item, dict):
            raise refuse(source, f"expected an object, found {type(item).__name__}", number,
                         "item")
        for key in item:
            if key not in seen:
                seen.add(key)
                header.append(key)
    table = Table(source, "json", encoding="json", where="item")
    table.rows.append(list(header))
    table.lines.append(0)
    # "extra" counts as a field here: its nested object is our own record shape gone wrong.
    fields = {key: field_for(key) or ("extra" if key.strip().casefold() == "extra" else None)
              for key in header}
    left_out: set[str] = set()
    for number, item in enumerate(parsed, start=1):
        row = []
        for key in header:
            value = item.get(key)
            if isinstance(value, list) and fields[key] == "days":
                value = ",".join(str(v) for v in value)
            elif isinstance(value, dict | list):
                if fields[key] is not None:
                    raise refuse(source, f"{key!r} holds a nested {type(value).__name__}",
                                 number, "item")
                left_out.add(key)
                value = None
            row.append(_cell_text(value))
        table.rows.append(row)
        table.lines.append(number)
    if left_out:
        table.notes.append("nested values left out (not attendee fields): "
                           + ", ".join(repr(key) for key in sorted(left_out)))
    return table


def _pretix_positions(data: dict[str, Any]) -> list[Any] | None:
    """pretix's "Order data (JSON)" export ({"event": {"orders": [{"code", "status",
    "email", "positions": [...]}], "items": [...]}}) as one object per order position,
    carrying its order's code, status and e-mail and its product's name. None for any
    other shape. pretix's global position "id" is kept aside: the id is ORDER-POSITION,
    as from pretix's CSV and Excel exports, so that either file syncs the same people."""
    event = data.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("orders"), list):
        return None
    products: dict[int | str, str | None] = {}
    items = event.get("items")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), int | str):
            products[item["id"]] = _text_of(item.get("name"))
    rows: list[Any] = []
    for order in event["orders"]:
        if not isinstance(order, dict) or not isinstance(order.get("positions"), list):
            continue
        for position in order["positions"]:
            if not isinstance(position, dict):
                continue
            row = {key: value for key, value in position.items() if key != "id"}
            row["pretix position id"] = position.get("id")
            row["Order code"] = order.get("code")
            row["Order status"] = order.get("status")
            row.setdefault("E-mail", order.get("email"))
            product = position.get("item")
            if isinstance(product, int | str) and product in products:
                row["Product"] = products[product]
            row.pop("item", None)
            rows.append(row)
    return rows


def _text_of(value: Any) -> str | None:
    """A name that pretix may give per language ({"en": ..., "de": ...}): the first one."""
    if isinstance(value, dict):
        value = next((v for v in value.values() if isinstance(v, str)), None)
    return value if isinstance(value, str) else None


def _with_name_parts(item: dict[str, Any]) -> dict[str, Any]:
    """pretix's "attendee_name_parts" ({"title", "given_name", "family_name", "_scheme"})
    as flat keys beside the item's own; the item's own keys win. A pretix API order
    position ("order", "positionid") keeps its global "id" aside, as the JSON export."""
    if "order" in item and "positionid" in item and "id" in item:
        item = {("pretix position id" if key == "id" else key): value
                for key, value in item.items()}
    parts = item.get("attendee_name_parts")
    if not isinstance(parts, dict):
        return item
    flat = {key: value for key, value in item.items() if key != "attendee_name_parts"}
    for key, value in parts.items():
        if not key.startswith("_") and isinstance(value, str | int | float):
            flat.setdefault(key, value)
    return flat
