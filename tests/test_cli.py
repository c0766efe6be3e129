"""The console command and the README's run command, on a fresh working directory."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from db import models as orm
from db.session import Database
from tests import servers
from tests.servers import cli, running_server


@pytest.fixture
def cli_env(db: Database, database_url: str) -> dict[str, str]:
    """On SQLite, the embedded default (a file under the working directory)."""
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    return servers.cli_env(None if sqlite else database_url)


def test_demo_is_idempotent_and_prints_tokens(
    cli_env: dict[str, str], tmp_path: Path, db: Database
) -> None:
    first = cli(["demo"], tmp_path, cli_env)
    assert first.returncode == 0, first.stderr
    second = cli(["demo"], tmp_path, cli_env)
    assert second.returncode == 0, second.stderr
    tokens = [line.rsplit(" ", 1)[-1] for line in second.stdout.splitlines() if "htt_" in line]
    assert len(tokens) == 3
    assert "/pathways/1" in first.stdout
    assert "/pathways/1" in second.stdout
    if "PATHWAYS_DATABASE_URL" not in cli_env:
        assert (tmp_path / "var" / "pathways.db").exists()
        return
    with db.reader() as session:
        actions = session.scalars(select(orm.HistoryEntry.action).order_by(orm.HistoryEntry.id))
        assert list(actions) == ["pathway.import", "participant.add"]
        assert session.scalar(select(func.count()).select_from(orm.Organization)) == 2


def test_org_and_token_create(cli_env: dict[str, str], tmp_path: Path) -> None:
    created = cli(
        ["org", "create", "--name", "Elvik kommune", "--level", "municipality", "--json"],
        tmp_path,
        cli_env,
    )
    assert created.returncode == 0, created.stderr
    org = json.loads(created.stdout)
    assert org["level"] == "municipality"
    token = cli(
        ["token", "create", "--org", str(org["id"]), "--scope", "edit", "--name", "script"],
        tmp_path,
        cli_env,
    )
    assert token.returncode == 0, token.stderr
    assert token.stdout.count("\n") == 1
    assert token.stdout.startswith("htt_")
    duplicate = cli(
        ["org", "create", "--name", "Elvik kommune", "--level", "hospital"], tmp_path, cli_env
    )
    assert duplicate.returncode == 2
    assert "already exists" in duplicate.stderr
    missing = cli(
        ["token", "create", "--org", "999", "--scope", "read", "--name", "x"], tmp_path, cli_env
    )
    assert missing.returncode == 2


def test_readme_run_command_serves_the_demo_pathway(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    demo = cli(["demo"], tmp_path, cli_env)
    assert demo.returncode == 0, demo.stderr
    token = next(
        line.rsplit(" ", 1)[-1] for line in demo.stdout.splitlines() if "municipality, edit" in line
    )
    with running_server(tmp_path, cli_env, output=subprocess.PIPE) as server:
        response = httpx.get(
            f"{server.url}/pathways/1/graph",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert response.status_code == 200
        assert len(response.json()["steps"]) == 10
        server.process.terminate()
        output, _ = server.process.communicate(timeout=30)
    assert server.url in output


def _check(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli(["check", *args], cwd, servers.cli_env(None))


def test_check_passes_the_example_and_fails_a_broken_copy(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "pathways" / "examples" / "hip-fracture.json"
    good = _check([str(example)], tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 error(s)" in good.stdout

    data = json.loads(example.read_bytes())
    data["transitions"][1]["handover"] = None  # admit: municipality → hospital
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    failed = _check([str(broken), "--format", "json"], tmp_path)
    assert failed.returncode == 1
    report = json.loads(failed.stdout)
    assert report["errors"] >= 1
    assert {"code": "missing-handover", "transitions": ["admit"]}.items() <= {
        k: v for f in report["findings"] if f["code"] == "missing-handover" for k, v in f.items()
    }.items()

    norwegian = _check([str(example), "--rules", "core,norway", "--language", "nb"], tmp_path)
    assert norwegian.returncode == 1
    assert "no-municipal-reply" in norwegian.stdout
    assert "utskrivningsklar" in norwegian.stdout

    unreadable = tmp_path / "bad.json"
    unreadable.write_text('{"format": "something else"}', encoding="utf-8")
    assert _check([str(unreadable)], tmp_path).returncode == 2
    assert _check([str(tmp_path / "missing.json")], tmp_path).returncode == 2
