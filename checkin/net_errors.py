"""What went wrong on the way to another machine, in a few words for a one-line error.

``reason(exc) -> str``: an httpx transport error as "connection refused", "host name not
found", "timed out", "TLS certificate not accepted", ... (the first line of the error's own
text, white space collapsed, when none of those fits). Used by sync and the uploader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

_KNOWN = (("refused", "connection refused"),
          ("name or service not known", "host name not found"),
          ("nodename nor servname", "host name not found"),
          ("no route", "no route to host"),
          ("unreachable", "network unreachable"),
          ("reset", "connection reset"),
          ("wrong version number", "it does not speak TLS (an http:// address?)"),
          ("record layer failure", "it does not speak TLS (an http:// address?)"),
          ("disconnected without", "it closed the connection without an answer (an "
                                   "https:// address?)"),
          ("certificate", "TLS certificate not accepted"))


def reason(exc: httpx.HTTPError | OSError) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    for needle, said in _KNOWN:
        if needle in lowered:
            return said
    return " ".join(text.splitlines()[0].split())[:200] if text.strip() else type(exc).__name__
