"""A minimal IPP/1.1 client for reading printer and job state from a CUPS server.

Why not parse `lpstat`: its text is localised and does not say whether a job that left
the queue completed or was aborted/cancelled. IPP answers with numbers: job-state 9 is
completed, 7 cancelled, 8 aborted. Submitting and cancelling stay with `lp`/`cancel`,
which also handle authentication and encryption to remote servers.

Only what the CUPS backend needs: Get-Printer-Attributes and Get-Job-Attributes over
HTTP, to the server CUPS clients use (CUPS_SERVER, client.conf, the local socket).
"""

from __future__ import annotations

import http.client
import os
import socket
import struct
from pathlib import Path
from typing import Any
from urllib.parse import quote

GET_PRINTER_ATTRIBUTES = 0x000B
GET_JOB_ATTRIBUTES = 0x0009

# job-state values (RFC 8011, 5.3.7)
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED = 3, 4, 5, 6
JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
# printer-state values
PRINTER_IDLE, PRINTER_PROCESSING, PRINTER_STOPPED = 3, 4, 5

_OPERATION, _JOB, _END, _PRINTER, _UNSUPPORTED = 0x01, 0x02, 0x03, 0x04, 0x05
_INTEGER, _BOOLEAN, _ENUM = 0x21, 0x22, 0x23
_URI, _CHARSET, _LANGUAGE, _KEYWORD = 0x45, 0x47, 0x48, 0x44
_DEFAULT_SOCKETS = ("/run/cups/cups.sock", "/var/run/cups/cups.sock", "/private/var/run/cupsd")


class IppError(Exception):
    """The server could not be reached or refused the request; str() is one line."""


class Unreachable(IppError):
    """No connection to the server."""


class Refused(IppError):
    """The server answered, but not to plain IPP (encryption or authentication needed)."""


class NotFound(IppError):
    """No such printer or job."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def server() -> str:
    """The CUPS server as libcups finds it: $CUPS_SERVER, client.conf, local socket, :631."""
    env = os.environ.get("CUPS_SERVER", "").strip()
    if env:
        return env
    for conf in (Path.home() / ".cups" / "client.conf", Path("/etc/cups/client.conf")):
        try:
            for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split(None, 1)
                if len(parts) == 2 and parts[0].lower() == "servername":
                    return parts[1].strip()
        except OSError:
            continue
    for path in _DEFAULT_SOCKETS:
        if Path(path).exists():
            return path
    return "localhost:631"


def _connection(name: str, timeout: float) -> http.client.HTTPConnection:
    if name.startswith("/"):
        return _UnixConnection(name, timeout)
    host = name.split("/", 1)[0]  # "host:port/version=1.1"
    if host.startswith("[") and "]" in host:  # IPv6 literal
        address, _, port = host[1:].partition("]")
        return http.client.HTTPConnection(address, int(port.lstrip(":") or 631), timeout=timeout)
    address, _, port = host.partition(":")
    return http.client.HTTPConnection(address, int(port or 631), timeout=timeout)


def _attribute(tag: int, name: str, value: bytes) -> bytes:
    encoded = name.encode()
    return (struct.pack(">BH", tag, len(encoded)) + encoded
            + struct.pack(">H", len(value)) + value)


def _request(operation: int, printer_uri: str, job_id: int | None,
             attributes: tuple[str, ...]) -> bytes:
    body = struct.pack(">BBHI", 1, 1, operation, 1) + bytes([_OPERATION])
    body += _attribute(_CHARSET, "attributes-charset", b"utf-8")
    body += _attribute(_LANGUAGE, "attributes-natural-language", b"en")
    body += _attribute(_URI, "printer-uri", printer_uri.encode())
    if job_id is not None:
        body += _attribute(_INTEGER, "job-id", struct.pack(">i", job_id))
    for index, name in enumerate(attributes):
        body += _attribute(_KEYWORD, "" if index else "requested-attributes", name.encode())
    return body + bytes([_END])


def _parse(data: bytes) -> tuple[int, dict[str, Any]]:
    """Status code and the attributes (one value, or a list for multi-valued ones)."""
    try:
        return _parse_unchecked(data)
    except (struct.error, IndexError, KeyError):  # cut off, or lengths that lie
        raise IppError("malformed IPP response") from None


def _parse_unchecked(data: bytes) -> tuple[int, dict[str, Any]]:
    if len(data) < 9:
        raise IppError("short IPP response")
    status = struct.unpack(">H", data[2:4])[0]
    found: dict[str, Any] = {}
    pos, name = 8, ""
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == _END:
            break
        if tag < 0x10:  # a group delimiter
            continue
        name_len = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2
        new_name = data[pos:pos + name_len].decode("utf-8", "replace")
        pos += name_len
        value_len = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2
        raw = data[pos:pos + value_len]
        pos += value_len
        value: Any
        if tag in (_INTEGER, _ENUM) and value_len == 4:
            value = struct.unpack(">i", raw)[0]
        elif tag == _BOOLEAN and value_len == 1:
            value = bool(raw[0])
        elif 0x30 <= tag <= 0x4F and tag not in (0x30, 0x31, 0x32, 0x33):
            value = raw.decode("utf-8", "replace")  # text, name, keyword, uri, ...
        else:
            value = raw
        if new_name:
            name = new_name
            found[name] = value
        elif name:  # an additional value of the previous attribute
            previous = found[name]
            found[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
    return status, found


def query(operation: int, printer: str, *, job_id: int | None = None,
          attributes: tuple[str, ...] = (), server_name: str | None = None,
          timeout: float = 5.0) -> dict[str, Any]:
    """Send one IPP request about printer (or its job) and return the attributes."""
    name = server_name or server()
    uri = f"ipp://localhost/printers/{quote(printer, safe='')}"
    body = _request(operation, uri, job_id, attributes)
    connection = _connection(name, timeout)
    try:
        connection.request("POST", f"/printers/{quote(printer, safe='')}", body=body,
                           headers={"Content-Type": "application/ipp"})
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise Unreachable(f"CUPS server {name} not reachable ({exc})") from None
    finally:
        connection.close()
    if response.status != 200:
        raise Refused(f"CUPS server {name} answered HTTP {response.status}")
    status, found = _parse(data)
    if status >= 0x0400:
        if status == 0x0406:
            raise NotFound("not found")
        raise Refused(f"CUPS refused the request (IPP status 0x{status:04x})")
    return found


def values(attribute: Any) -> list[Any]:
    """An attribute's values as a list (IPP attributes can be single or multi-valued)."""
    if attribute is None:
        return []
    return attribute if isinstance(attribute, list) else [attribute]
