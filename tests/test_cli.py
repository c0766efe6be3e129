"""The console command and the README's run command, on a fresh working directory.

On SQLite the console runs on the embedded default: ``pathways.db`` in the user's data
directory, which each test points at a directory of its own (``XDG_DATA_HOME``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from api.services.demo import DEMO_ORGANIZATIONS
from db import models as orm
from db.session import Database, describe_database
from tests import coordinator_cases, servers
from tests.servers import cli, running_server


@pytest.fixture
def cli_env(db: Database, database_url: str, tmp_path: Path) -> dict[str, str]:
    """On SQLite, the embedded default (in a data directory of the test's own)."""
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    env = servers.cli_env(None if sqlite else database_url)
    env["XDG_DATA_HOME"] = str(tmp_path / "data-home")
    return env


def _default_database(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "hjem-til-hjem" / "pathways.db"


def _tokens(output: str) -> list[str]:
    return [line.rsplit(" ", 1)[-1] for line in output.splitlines() if "htt_" in line]


def test_demo_is_idempotent_and_prints_tokens(
    cli_env: dict[str, str], tmp_path: Path, db: Database
) -> None:
    first = cli(["demo"], tmp_path, cli_env)
    assert first.returncode == 0, first.stderr
    second = cli(["demo"], tmp_path, cli_env)
    assert second.returncode == 0, second.stderr
    tokens = _tokens(second.stdout)
    assert len(tokens) == len(DEMO_ORGANIZATIONS) + 1
    assert "/pathways/1" in first.stdout
    assert "/pathways/1" in second.stdout
    assert "/partnerships/1" in second.stdout
    assert "(hospital, operator): htt_" in second.stdout
    assert "(secretariat, edit): htt_" in second.stdout
    assert "(user_representatives, edit): htt_" in second.stdout
    if "PATHWAYS_DATABASE_URL" not in cli_env:
        assert _default_database(cli_env).exists()
        assert f"SQLite file {_default_database(cli_env)}" in first.stdout
        assert not (tmp_path / "var").exists()
        return
    with db.reader() as session:
        actions = session.scalars(select(orm.HistoryEntry.action).order_by(orm.HistoryEntry.id))
        # The three municipalities and the user committee join; the secretariat takes
        # part through the partnership.
        assert list(actions) == ["pathway.import"] + ["participant.add"] * 4
        organizations = select(func.count()).select_from(orm.Organization)
        assert session.scalar(organizations) == len(DEMO_ORGANIZATIONS)
        members = select(func.count()).select_from(orm.PartnershipMember)
        assert session.scalar(members) == len(DEMO_ORGANIZATIONS)


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
    database = cli_env.get("PATHWAYS_DATABASE_URL") or f"sqlite:///{_default_database(cli_env)}"
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
    assert f"Database: {describe_database(database)}" in output
    assert "GET /pathways/1/graph" not in output  # no access log by default


def test_access_log_is_a_setting(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli(["migrate"], tmp_path, cli_env)
    env = dict(cli_env, PATHWAYS_ACCESS_LOG="true")
    with running_server(tmp_path, env, output=subprocess.PIPE) as server:
        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
        server.process.terminate()
        output, _ = server.process.communicate(timeout=30)
    assert "Access log: on" in output
    assert '"GET /health HTTP/1.1" 200' in output


def test_demo_again_revokes_the_earlier_demo_tokens(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    first = _tokens(cli(["demo"], tmp_path, cli_env).stdout)
    second = _tokens(cli(["demo"], tmp_path, cli_env).stdout)
    assert len(first) == len(second) == len(DEMO_ORGANIZATIONS) + 1
    listed = []
    for org in range(1, len(DEMO_ORGANIZATIONS) + 1):
        done = cli(["token", "list", "--org", str(org), "--json"], tmp_path, cli_env)
        assert done.returncode == 0, done.stderr
        listed += json.loads(done.stdout)
    by_prefix = {t["prefix"]: t for t in listed}
    assert all(by_prefix[token[:12]]["revoked_at"] is not None for token in first)
    assert all(by_prefix[token[:12]]["revoked_at"] is None for token in second)
    active = {(t["organization_id"], t["name"], t["scope"]) for t in listed if not t["revoked_at"]}
    assert active == {
        *((org, "demo editor", "edit") for org in range(1, len(DEMO_ORGANIZATIONS) + 1)),
        (1, "demo operator", "operator"),
    }


def test_org_list_token_list_and_revoke(cli_env: dict[str, str], tmp_path: Path) -> None:
    created = cli(
        [
            "org",
            "create",
            "--name",
            "Elvik kommune",
            "--level",
            "municipality",
            "--organization-number",
            "123456789",
            "--her-id",
            "4242",
            "--json",
        ],
        tmp_path,
        cli_env,
    )
    assert created.returncode == 0, created.stderr
    org = str(json.loads(created.stdout)["id"])
    orgs = cli(["org", "list", "--json"], tmp_path, cli_env)
    assert orgs.returncode == 0, orgs.stderr
    assert {
        "id": int(org),
        "name": "Elvik kommune",
        "kind": "care_provider",
        "level": "municipality",
        "organization_number": "123456789",
        "her_id": "4242",
    } in json.loads(orgs.stdout)
    text = cli(["org", "list"], tmp_path, cli_env).stdout
    assert text.splitlines()[0].split() == [
        "id",
        "name",
        "kind",
        "level",
        "organization",
        "number",
        "HER-id",
    ]
    assert "Elvik kommune" in text
    assert "123456789" in text

    secrets = {}
    for scope in ("edit", "operator"):
        done = cli(
            ["token", "create", "--org", org, "--scope", scope, "--name", f"{scope} script"],
            tmp_path,
            cli_env,
        )
        assert done.returncode == 0, done.stderr
        secrets[scope] = done.stdout.strip()
    listed = json.loads(cli(["token", "list", "--org", org, "--json"], tmp_path, cli_env).stdout)
    assert [(t["name"], t["scope"], t["revoked_at"]) for t in listed] == [
        ("edit script", "edit", None),
        ("operator script", "operator", None),
    ]
    assert all(secrets[t["scope"]].startswith(t["prefix"]) for t in listed)
    assert not any(secret in json.dumps(listed) for secret in secrets.values())
    text = cli(["token", "list", "--org", org], tmp_path, cli_env).stdout
    header, *rows = text.splitlines()
    assert header.split() == ["id", "name", "scope", "prefix", "created", "revoked"]
    assert len(rows) == 2
    assert "operator" in rows[1]

    revoked = cli(["token", "revoke", str(listed[0]["id"])], tmp_path, cli_env)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    again = json.loads(cli(["token", "list", "--org", org, "--json"], tmp_path, cli_env).stdout)
    assert again[0]["revoked_at"] is not None
    assert again[1]["revoked_at"] is None
    assert cli(["token", "revoke", str(listed[0]["id"])], tmp_path, cli_env).returncode == 0
    missing = cli(["token", "revoke", "99999"], tmp_path, cli_env)
    assert missing.returncode == 2
    assert "no token 99999" in missing.stderr
    assert cli(["token", "list", "--org", "999"], tmp_path, cli_env).returncode == 2


def test_default_database_is_one_place_whatever_the_working_directory(tmp_path: Path) -> None:
    """Before, the default was ./var/pathways.db: another folder, another (empty) database."""
    home = tmp_path / "home"
    env = servers.cli_env(None)
    env.pop("XDG_DATA_HOME", None)
    env["HOME"] = str(home)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    demo = cli(["demo"], first, env)
    assert demo.returncode == 0, demo.stderr
    expected = home / ".local" / "share" / "hjem-til-hjem" / "pathways.db"
    assert f"SQLite file {expected}" in demo.stdout
    created = cli(["org", "create", "--name", "Elvik kommune", "--level", "hospital"], second, env)
    assert created.returncode == 0, created.stderr
    names = {o["name"] for o in json.loads(cli(["org", "list", "--json"], first, env).stdout)}
    assert names == {*(org[0] for org in DEMO_ORGANIZATIONS), "Elvik kommune"}
    assert expected.is_file()
    assert not (first / "var").exists()
    assert not (second / "var").exists()

    # XDG_DATA_HOME moves it; a relative path given explicitly stays relative.
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    xdg = cli(["migrate"], second, env)
    assert str(tmp_path / "xdg" / "hjem-til-hjem" / "pathways.db") in xdg.stdout
    relative = cli(["migrate"], second, dict(env, PATHWAYS_DATABASE_URL="sqlite:///local.db"))
    assert relative.returncode == 0, relative.stderr
    assert (second / "local.db").is_file()


def test_printed_database_urls_never_show_a_password() -> None:
    shown = describe_database("postgresql+psycopg://hjem:s3cret@db.example:5432/pathways")
    assert "s3cret" not in shown
    assert shown == "postgresql+psycopg://hjem:***@db.example:5432/pathways"


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


def test_check_reads_the_copd_pathway_as_a_coordinator(tmp_path: Path) -> None:
    clean = tmp_path / "kols.json"
    clean.write_bytes(coordinator_cases.encode(coordinator_cases.copd()))
    passed = _check([str(clean), "--format", "json"], tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert json.loads(passed.stdout)["findings"] == []

    broken = tmp_path / "kols-uten-varsel.json"
    variant = coordinator_cases.variant(coordinator_cases.with_a_check_that_is_no_notice)
    broken.write_bytes(coordinator_cases.encode(variant))
    failed = _check([str(broken), "--language", "nn"], tmp_path)
    assert failed.returncode == 1
    assert "no-admission-notice" in failed.stdout
    assert "innan 24 timar etter innlegginga" in failed.stdout
    assert "PT24H" not in failed.stdout

    warned = tmp_path / "kols-uten-avmelding.json"
    variant = coordinator_cases.variant(coordinator_cases.without_withdrawal)
    warned.write_bytes(coordinator_cases.encode(variant))
    warning = _check([str(warned), "--format", "json"], tmp_path)
    assert warning.returncode == 0  # a warning does not fail the check
    assert [f["code"] for f in json.loads(warning.stdout)["findings"]] == ["no-withdrawal-notice"]
