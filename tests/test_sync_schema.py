"""schemathesis against the OpenAPI schema of a real hub process (tests/hub_server.py),
with a desk's valid token and without one.

- With the token: requests made from the schema, valid ones and ones the schema forbids;
  the hub never answers 5xx, refuses what the schema forbids with a 4xx, and its answers
  match the schema wherever it declares them (body and content type).
- Without a valid token (none, a wrong one, a revoked one, another scheme): every answer
  to every one of those requests is 401 and the body is the refusal alone, no data field.

The examples are the same on every run (derandomize) and few enough that this module
takes well under a minute on a loaded 2-core machine; the hub listens on 127.0.0.1 only.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from checkin.sync import stations
from checkin.sync.protocol import API, OPENAPI
from tests.hub_server import HubProcess
from tests.test_admission_support import make_event

TIMEOUT = 10  # seconds per request: a hub that hangs fails the test instead of stalling it
UNAUTHORIZED = {"error": "unauthorized"}

# Per operation and test; derandomize: CI and local runs send the same requests, so a
# failure here is one to fix, not a seed to chase.
EXAMPLES = settings(max_examples=40, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck))


@dataclass
class Hub:
    url: str
    token: str
    revoked: str


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder: Path = tmp_path_factory.mktemp("hub")
    event = make_event(folder / "event.sqlite")
    token = stations.add_station(event.store, "desk-schema")
    revoked = stations.add_station(event.store, "desk-lost")
    stations.revoke_station(event.store, "desk-lost")
    event.store.close()
    process = HubProcess(event.path, folder).start()
    try:
        yield Hub(process.url, token, revoked)
    finally:
        process.stop()


@pytest.fixture(scope="module")
def hub_schema(hub: Hub) -> Any:
    return schemathesis.openapi.from_url(f"{hub.url}{OPENAPI}", timeout=TIMEOUT,
                                         headers={"Authorization": f"Bearer {hub.token}"})


# The hub's operations; test_the_schema_lists_these_operations keeps this list whole.
# (schemathesis' own pytest parametrisation of a schema from a fixture does not run on
# this pytest, so each operation gets a Hypothesis test of its own here.)
OPERATIONS = [("GET", f"{API}/status"), ("GET", f"{API}/snapshot"), ("GET", f"{API}/pull"),
              ("POST", f"{API}/push"), ("POST", f"{API}/station-key"), ("POST", f"{API}/final")]
WITH_INPUT = OPERATIONS[2:]  # /status and /snapshot take nothing that could be wrong


def test_the_schema_lists_these_operations(hub_schema: Any) -> None:
    listed = {(op.ok().method.upper(), op.ok().path) for op in hub_schema.get_all_operations()}
    assert listed == set(OPERATIONS)


def test_the_schema_declares_the_refusal_body(hub_schema: Any) -> None:
    raw = hub_schema.raw_schema
    refusal = raw["components"]["schemas"]["ErrorAnswer"]
    assert refusal["required"] == ["error"] and refusal["additionalProperties"] is False
    for _method, path in OPERATIONS:
        for operation in raw["paths"][path].values():
            for status in ("400", "401", "409", "413", "422", "503"):
                body = operation["responses"][status]["content"]["application/json"]
                assert body["schema"] == {"$ref": "#/components/schemas/ErrorAnswer"}


def _run(strategy: Any, check: Callable[[Any], None]) -> None:
    @given(case=strategy)
    @EXAMPLES
    def examples(case: Any) -> None:
        check(case)

    examples()


def _valid_token(hub: Hub) -> Callable[[Any], None]:
    def check(case: Any) -> None:
        case.call_and_validate(
            base_url=hub.url, headers={"Authorization": f"Bearer {hub.token}"},
            timeout=TIMEOUT, checks=[not_a_server_error, response_schema_conformance,
                                     content_type_conformance, negative_data_rejection])
    return check


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_requests_the_schema_allows_are_answered_as_it_says(
        hub: Hub, hub_schema: Any, method: str, path: str) -> None:
    _run(hub_schema[path][method].as_strategy(GenerationMode.POSITIVE), _valid_token(hub))


@pytest.mark.parametrize(("method", "path"), WITH_INPUT)
def test_requests_the_schema_forbids_are_refused_with_a_4xx(
        hub: Hub, hub_schema: Any, method: str, path: str) -> None:
    _run(hub_schema[path][method].as_strategy(GenerationMode.NEGATIVE), _valid_token(hub))


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_without_a_valid_token_every_answer_is_401_and_nothing_else(
        hub: Hub, hub_schema: Any, method: str, path: str) -> None:
    wrong = hub.token[:-4] + ("AAAA" if not hub.token.endswith("AAAA") else "BBBB")

    def check(case: Any) -> None:
        for headers in ({}, {"Authorization": f"Bearer {wrong}"},
                        {"Authorization": f"Bearer {hub.revoked}"},
                        {"Authorization": f"Basic {hub.token}"}):
            answer = case.call(base_url=hub.url, headers=headers, timeout=TIMEOUT)
            assert answer.status_code == 401, (headers, answer.status_code, answer.text[:200])
            assert answer.json() == UNAUTHORIZED, (headers, answer.text[:200])
            assert answer.headers.get("www-authenticate") == ["Bearer"]

    operation = hub_schema[path][method]
    _run(st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                   *([operation.as_strategy(GenerationMode.NEGATIVE)]
                     if (method, path) in WITH_INPUT else [])), check)
