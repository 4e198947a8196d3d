"""The OpenAPI contract, tried with requests generated from itself (schemathesis): whatever a
client sends with a valid token, the answer is never a 500, and every answer is one the
contract declares, shaped as it says."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from api_client import Api, make_api
from habitcore import Store
from habitcore.testing import FakeClock
from habitcore_api import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 30  # per operation: about 700 requests a backend, a few seconds each


@pytest.fixture
def seeded(store: Store, clock: FakeClock) -> Iterator[Api]:
    """Ann with habits whose ids a generated request may well hit (1, 2, 3) and some history."""
    for api in make_api(store, clock):
        for name in ("Read", "Pages", "Gym"):
            api.ann.add_habit(name, target=20 if name == "Pages" else None)
        api.ann.check("Read")
        api.ann.pause("Gym", start=api.ann.today())
        yield api


# Every operation of the contract, read from an application on a throwaway in-memory database.
OPERATIONS = sorted(
    (path, method.upper())
    for path, methods in create_app(Store("sqlite://")).openapi()["paths"].items()
    for method in methods
)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_request_with_a_valid_token_gets_a_500_or_an_answer_off_the_contract(
    seeded: Api, path: str, method: str
) -> None:
    operation = schemathesis.openapi.from_asgi("/openapi.json", seeded.client.app)[path][method]
    headers = seeded.auth()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def answers_by_the_contract(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    answers_by_the_contract()


def test_every_route_is_in_the_contract_with_its_refusals(store: Store) -> None:
    paths = create_app(store).openapi()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path.startswith("/v1"):
                assert {"401", "422", "429", "503"} <= codes, (method, path)
                assert operation["security"] == [{"HTTPBearer": []}], (method, path)
            for code in codes - {"200", "201", "204"}:
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Problem"}, (method, path, code)
