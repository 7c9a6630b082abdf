"""HTTP to pretix's REST API (httpx): token auth, pages, retries, one-line errors.

Contract:

- ``Client(url, token, *, retries=RETRIES, backoff=BACKOFF, timeout=TIMEOUT)`` is a context
  manager over one keep-alive connection; ``client.requests`` counts every request sent,
  retries included (the benchmark reports it).
- ``get(path, params)`` / ``post(path, body)`` return a ``Response`` (status, JSON body,
  the server's Date header) for 2xx and 4xx answers alike: a 4xx is pretix's answer, for
  the caller to judge (a refused redeem is recorded, a 401 at connect is an error).
- Connection errors, timeouts, 429 and 5xx are retried ``retries`` times with exponential
  backoff (BACKOFF, doubling, at most MAX_BACKOFF; a Retry-After of pretix is honoured up to
  MAX_BACKOFF); then ``PretixUnavailable`` (a CheckinError: one line naming the URL and
  why). Bounded: one request costs at most about 10 s of waiting with the defaults.
- ``pages(path, params)`` follows ``next`` through every page of a list endpoint and
  yields the results; it raises ``PretixError`` on any non-2xx page.

The token goes into the Authorization header only; nothing here logs it.
"""

import email.utils
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from checkin import __version__
from checkin.errors import CheckinError

log = logging.getLogger(__name__)

RETRIES = 3
BACKOFF = 0.5  # seconds before the first retry, doubling
MAX_BACKOFF = 4.0
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


class PretixError(CheckinError):
    """pretix answered, but not with success; str() is one line with pretix's reason."""

    def __init__(self, message: str, status: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class PretixUnavailable(PretixError):
    """pretix could not be reached, timed out or answered 5xx/429, also after retries."""


@dataclass
class Response:
    status: int
    body: Any  # parsed JSON, or None
    text: str
    date: datetime | None  # the server's clock (HTTP Date header), if it sent one

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def reason(self) -> str:
        """pretix's own words for a refusal: reason code and explanation, or detail."""
        return reason_of(self.body, self.text, self.status)


def reason_of(body: Any, text: str, status: int) -> str:
    if isinstance(body, dict):
        parts = []
        for key in ("reason", "reason_explanation", "detail", "non_field_errors"):
            value = body.get(key)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            if value:
                parts.append(str(value))
        if not parts:  # a serializer error: {"field": ["message"]}
            parts = [f"{key}: {'; '.join(map(str, value)) if isinstance(value, list) else value}"
                     for key, value in body.items() if key not in ("status", "position")]
        if parts:
            return ": ".join(dict.fromkeys(parts))
    snippet = " ".join(text.split())[:120]
    return snippet or f"HTTP {status}"


class Client:
    def __init__(self, url: str, token: str, *, retries: int = RETRIES,
                 backoff: float = BACKOFF, timeout: httpx.Timeout | float = TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.requests = 0
        self._http = httpx.Client(
            base_url=self.url + "/api/v1/", timeout=timeout, follow_redirects=False,
            headers={"Authorization": f"Token {token}", "Accept": "application/json",
                     "User-Agent": f"checkin-station/{__version__}"})

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Response:
        return self._request("GET", path, params=params)

    def post(self, path: str, body: Mapping[str, Any]) -> Response:
        return self._request("POST", path, json=body)

    def _request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                 json: Mapping[str, Any] | None = None) -> Response:
        attempt = 0
        while True:
            self.requests += 1
            why, wait = "", 0.0
            try:
                answer = self._http.request(method, path.lstrip("/"), params=params, json=json)
            except httpx.TimeoutException:
                why = "no answer in time"
            except httpx.TransportError as exc:
                why = _transport_reason(exc)
            except (httpx.RequestError, httpx.InvalidURL) as exc:  # not worth a retry
                raise PretixError(f"pretix at {self.url}: {exc}", reason=str(exc)) from None
            else:
                response = _response(answer)
                if answer.status_code < 500 and answer.status_code != 429:
                    return response
                why = f"HTTP {answer.status_code} ({response.reason()})"
                wait = _retry_after(answer)
            if attempt >= self.retries:
                raise PretixUnavailable(f"pretix at {self.url} is unavailable: {why}",
                                        reason=why)
            delay = max(wait, min(self.backoff * 2 ** attempt, MAX_BACKOFF))
            attempt += 1
            log.info("pretix %s %s: %s; retry %d of %d in %.1f s", method, path, why,
                     attempt, self.retries, delay)
            time.sleep(delay)

    def pages(self, path: str, params: Mapping[str, str] | None = None) -> Iterator[Any]:
        """Every result of a paginated list endpoint, following `next`."""
        response = self.get(path, params)
        while True:
            if not response.ok or not isinstance(response.body, dict):
                raise PretixError(f"pretix refused {path}: {response.reason()}",
                                  response.status, response.reason())
            yield from response.body.get("results") or []
            following = response.body.get("next")
            if not following:
                return
            # pretix builds `next` from its own configured URL, which behind a proxy can
            # name another host: keep ours and follow only the path and query.
            response = self.get(str(following).split("/api/v1/", 1)[-1])


def _response(answer: httpx.Response) -> Response:
    try:
        body = answer.json()
    except ValueError:
        body = None
    date = None
    header = answer.headers.get("date")
    if header:
        try:
            date = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            date = None
    return Response(answer.status_code, body, answer.text if body is None else "", date)


def _retry_after(answer: httpx.Response) -> float:
    try:
        return min(float(answer.headers.get("retry-after", "0")), MAX_BACKOFF)
    except ValueError:
        return 0.0


def _transport_reason(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        if "refused" in text.lower():
            return "connection refused"
        return f"cannot connect ({text})"
    return text
