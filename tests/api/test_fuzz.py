"""Schemathesis against the app's own OpenAPI spec, with real tokens and all checks.

Every operation gets generated requests, valid and invalid; the service must answer each
with a documented status and a body matching the spec, never a 500. Requests that are
valid by the schema may still be refused because of state the schema cannot express:
no such pathway (404), a conflict (409), a stale or missing If-Match (412/428).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig

from tests.conftest import World

STATE_DEPENDENT = ["2xx", "304", "400", "401", "403", "404", "409", "412", "413", "422", "428"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": STATE_DEPENDENT},
            "missing_required_header": {"expected-statuses": ["401", "404", "406", "422", "428"]},
        },
    }
)


@pytest.fixture
def fuzzed(world: World, example_bytes: bytes, app_client: TestClient) -> World:
    imported = world.hospital.post(
        "/pathways/import", content=example_bytes, headers={"Content-Type": "application/json"}
    )
    assert imported.status_code == 201
    return world


def _labels() -> list[str]:
    from api.app import create_app
    from api.settings import Settings

    spec = create_app(Settings(database_url="sqlite://")).openapi()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method in operations
    )


@pytest.mark.parametrize("label", _labels())
def test_operations_conform_and_never_fail(label: str, fuzzed: World) -> None:
    """One generated batch per operation (the schemathesis pytest plugin does not yet
    run under this pytest, so its strategies are driven directly)."""
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", fuzzed.hospital.http.app, config=CONFIG
    )
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": f"Bearer {fuzzed.operator.token}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers)

    run()


def test_stateful_sequences_conform_and_never_fail(fuzzed: World) -> None:
    """Chains of calls linked through the responses (ids, keys, Location headers)."""
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", fuzzed.hospital.http.app, config=CONFIG
    )
    machine = schema.as_state_machine()
    headers = {"Authorization": f"Bearer {fuzzed.operator.token}"}
    calls: list[int] = []

    class Authenticated(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": headers}

        def after_call(self, response: object, case: schemathesis.Case) -> None:
            calls.append(1)

    Authenticated.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
    assert len(calls) > 40
