"""Schemathesis against the app's own OpenAPI spec, with real tokens and all checks.

Every operation gets generated requests, valid and invalid; the service must answer each
with a documented status and a body matching the spec, never a 500. Requests that are
valid by the schema may still be refused because of state the schema cannot express:
no such pathway (404), a conflict (409), a stale or missing If-Match (412/428).

The token is given to schemathesis itself (its ``auth`` configuration), so that the
cases that leave authentication out on purpose are sent without it.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig

from tests.conftest import World

STATE_DEPENDENT = ["2xx", "304", "400", "401", "403", "404", "409", "412", "413", "422", "428"]


def _schema(world: World) -> schemathesis.schemas.BaseSchema:
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"openapi": {"HTTPBearer": {"bearer": world.operator.token}}},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": STATE_DEPENDENT},
                "missing_required_header": {
                    "expected-statuses": ["401", "404", "406", "422", "428"]
                },
            },
        }
    )
    return schemathesis.openapi.from_asgi("/openapi.json", world.hospital.http.app, config=config)


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
    operation = _schema(fuzzed).find_operation_by_label(label)
    assert operation is not None, label

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate()

    run()


def test_stateful_sequences_conform_and_never_fail(fuzzed: World) -> None:
    """Chains of calls linked through the responses (ids, keys, Location headers)."""
    machine = _schema(fuzzed).as_state_machine()
    statuses: list[int] = []

    class Recorded(machine):  # type: ignore[misc,valid-type]
        def after_call(self, response: object, case: schemathesis.Case) -> None:
            statuses.append(int(getattr(response, "status_code", 0)))

    Recorded.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
    assert len(statuses) > 40
    # Most calls got past authentication: the sequences reach the service's logic.
    assert sum(1 for status in statuses if status != 401) > len(statuses) // 2
