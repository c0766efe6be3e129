"""Schemathesis against the app's own OpenAPI spec, with real tokens and every check.

Every operation gets generated requests, valid and invalid; the service must answer each
with a documented status and a body matching the spec, never a 500. The spec says what
the server enforces, so the only leniency is for what the spec cannot express: a valid
request may name an ETag that is not the current one (412), and leaving out the
required If-Match gets 428 (the product's contract), not 400 or 422. Everything else
(no such pathway: 404; a conflict: 409) is in schemathesis's own defaults.

Two ways in: the strategies driven directly in this process (each operation, then
stateful sequences), and the schemathesis command line against a real server with every
check and every phase, as an outside fuzzer runs it (``scripts/fuzz.py`` runs that one
without a bound on examples).

The token is given to schemathesis itself (its ``auth`` configuration), so that the
cases that leave authentication out on purpose are sent without it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from sqlalchemy import text

from api.errors import Unprocessable
from db.session import Database
from tests.conftest import World
from tests.servers import ROOT, cli, cli_env, running_server

EXPECTED_STATUSES: dict[str, list[str]] = {
    # schemathesis's defaults; a valid If-Match that names another revision (412); and
    # a pathway the domain rules refuse (422 "Invalid pathway": a transition to a step
    # that does not exist), but never the 422 of request validation: see
    # valid_requests_pass_request_validation.
    "positive_data_acceptance": [
        *["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]
    ],
    # schemathesis's defaults, and 428 for a change without If-Match.
    "missing_required_header": ["400", "401", "403", "406", "415", "422", "428"],
}
"""Statuses a check accepts beyond what the spec alone implies, by check."""

CLI_MAX_EXAMPLES = 12
"""Examples per operation and phase for the command-line run in CI (about a minute)."""


REQUEST_VALIDATION_TITLES = frozenset({Unprocessable.title.en, Unprocessable.title.nb})
"""The title of the 422 that request validation answers (api.problems), in English and
in bokmål (the fuzzer may send Accept-Language); the domain rules answer 422 "Invalid
pathway"."""


@schemathesis.check
def valid_requests_pass_request_validation(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A request the spec calls valid is never refused by request validation (a 422
    titled "Invalid input"): that would be the spec promising more than the server takes.
    The domain's 422 (references between steps, a deadline's total) is the one the spec
    cannot state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        body = {}
    if isinstance(body, dict) and body.get("title") in REQUEST_VALIDATION_TITLES:
        raise AssertionError(
            f"a request valid by the spec failed request validation: {body.get('detail')}"
        )
    return None


def schemathesis_config(token: str) -> dict[str, Any]:
    """The configuration both ways in share: the bearer token and the leniency."""
    return {
        "auth": {"openapi": {"HTTPBearer": {"bearer": token}}},
        "checks": {name: {"expected-statuses": s} for name, s in EXPECTED_STATUSES.items()},
    }


def schemathesis_toml(token: str, *, lenient: bool = True) -> str:
    """:func:`schemathesis_config` as ``schemathesis.toml`` for the command line."""
    lines = ["[auth.openapi.HTTPBearer]", f"bearer = {json.dumps(token)}", ""]
    for name, statuses in (EXPECTED_STATUSES if lenient else {}).items():
        lines += [f"[checks.{name}]", f"expected-statuses = {json.dumps(statuses)}", ""]
    return "\n".join(lines)


def operator_token(demo_output: str) -> str:
    """The operator's token in the output of ``pathways demo``."""
    found = re.search(r", (?:operator|admin)\): (\S+)", demo_output)
    if found:
        return found.group(1)
    raise AssertionError(f"no operator token in the demo output:\n{demo_output}")


def run_schemathesis(
    spec_url: str, config: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    """``schemathesis run`` on ``spec_url``: every check, every phase."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        spec_url,
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--no-color",
        "--generation-database",
        "none",
        *arguments,
    ]
    # The command loads this module for valid_requests_pass_request_validation.
    env = dict(os.environ, PYTHONPATH=str(ROOT), SCHEMATHESIS_HOOKS=__name__)
    return subprocess.run(
        command, cwd=config.parent, env=env, capture_output=True, text=True, check=False
    )


def _schema(world: World) -> schemathesis.schemas.BaseSchema:
    config = SchemathesisConfig.from_dict(schemathesis_config(world.operator.token))
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


def _forget_partnerships(database: Database) -> None:
    """Remove the partnerships a sequence created. Their names are unique: left in place,
    a replay of the same sequence would get 409 where it got 201, and hypothesis would
    see the same choices lead elsewhere (FlakyStrategyDefinition)."""
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE pathways SET partnership_id = NULL"))
        for table in ("decisions", "partnership_members", "partnerships"):
            connection.execute(text(f"DELETE FROM {table}"))


def test_stateful_sequences_conform_and_never_fail(fuzzed: World, db: Database) -> None:
    """Chains of calls linked through the responses (ids, keys, Location headers)."""
    machine = _schema(fuzzed).as_state_machine()
    statuses: list[int] = []

    class Recorded(machine):  # type: ignore[misc,valid-type]
        def after_call(self, response: object, case: schemathesis.Case) -> None:
            statuses.append(int(getattr(response, "status_code", 0)))

        def teardown(self) -> None:
            _forget_partnerships(db)
            super().teardown()

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


def test_the_outside_fuzzer_finds_no_failure(database_url: str, db: object, tmp_path: Path) -> None:
    """The schemathesis command line against a real server on the demo data: every
    check, and the examples, coverage, fuzzing and stateful phases."""
    sqlite = database_url.startswith("sqlite")
    env = cli_env(None if sqlite else database_url)
    demo = cli(["demo"], tmp_path, env)
    assert demo.returncode == 0, demo.stderr
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_toml(operator_token(demo.stdout)), encoding="utf-8")
    started = time.monotonic()
    with running_server(tmp_path, env, "--no-access-log") as server:
        result = run_schemathesis(
            f"{server.url}/openapi.json",
            config,
            "--max-examples",
            str(CLI_MAX_EXAMPLES),
            "--seed",
            "1",
            "--workers",
            "1",
        )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5000:]
    assert "No issues found" in result.stdout or "passed" in result.stdout, result.stdout
    sys.stdout.write(f"schemathesis run took {elapsed:.0f} s\n")
