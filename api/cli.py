"""The ``pathways`` console command.

    pathways serve [--host H] [--port P] [--database-url URL] [--workers N]
                   [--access-log | --no-access-log] [--forwarded-allow-ips IPS]
    pathways demo [--database-url URL]
    pathways migrate [--database-url URL]
    pathways org create --name NAME [--kind KIND] [--level hospital|municipality] [--json]
    pathways org list [--json]
    pathways token create --org ID --scope read|edit|admin|operator --name NAME
    pathways token list --org ID [--json]
    pathways token revoke ID
    pathways check FILE [--rules core,norway] [--format text|json] [--language en|nb|nn]
    pathways export FILE --format bpmn|fhir|svg|html|... [--output OUT] [--language en|nb|nn]

``PATHWAYS_DATABASE_URL`` selects the database (default: the SQLite file ``pathways.db``
in the user's data directory, e.g. ``~/.local/share/hjem-til-hjem`` on Linux). The
console acts as the operator: it manages every organisation and token.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api.errors import ApiError
from api.services.auth import Scope
from api.services.demo import DEMO_PARTNERSHIP, load_demo
from api.services.organizations import (
    create_organization,
    create_token,
    list_organizations,
    list_tokens,
    revoke_token,
)
from api.settings import Settings
from db import models as orm
from db.migrate import upgrade
from db.session import Database, default_database_url, describe_database
from pathways.document import parse_document
from pathways.errors import InvalidPathway, PathwayError
from pathways.export import FORMATS, ExportContext, export
from pathways.findings import LANGUAGES, Severity
from pathways.gaps import find_gaps
from pathways.model import Level
from pathways.roles import OrganizationKind

__all__ = ["main"]


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "database_url", None):
        os.environ["PATHWAYS_DATABASE_URL"] = args.database_url
    return Settings()


@contextmanager
def _transaction(settings: Settings) -> Iterator[Session]:
    upgrade(settings.database_url)
    database = Database.connect(settings.database_url, pool_size=1)
    try:
        with database.writer() as session, session.begin():
            yield session
    finally:
        database.dispose()


def _where(settings: Settings) -> str:
    """The database, as the console prints it (never a password), with a hint when the
    default is used while an older default database is in the working directory."""
    where = describe_database(settings.database_url)
    old = Path("var") / "pathways.db"
    if settings.database_url == default_database_url() and old.is_file():
        where += (
            f" (not {old.resolve()}, the default of older versions: to keep using it, set "
            f"PATHWAYS_DATABASE_URL=sqlite:///{old.resolve().as_posix()})"
        )
    return where


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    upgrade(settings.database_url)
    url = f"http://{args.host}:{args.port}"
    access_log = settings.access_log if args.access_log is None else args.access_log
    print(f"Hjem til hjem on {url}  (web editor: {url}/app/, API docs: {url}/docs)")
    print(f"Database: {_where(settings)}")
    print(f"Access log: {'on' if access_log else 'off (PATHWAYS_ACCESS_LOG=true to log requests)'}")
    sys.stdout.flush()
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=access_log,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips or settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _transaction(settings) as session:
        demo = load_demo(session, limits=settings.limits)
    print(f"Demo data loaded into {_where(settings)}")
    print(f"Demo partnership: {DEMO_PARTNERSHIP}: /partnerships/{demo.partnership_id}")
    print(f"Demo pathway: /pathways/{demo.pathway_id}")
    print("Tokens (shown once; running 'pathways demo' again revokes them and issues new ones):")
    for token in demo.tokens:
        print(f"  {token.organization} ({token.described}, {token.scope.value}): {token.token}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    upgrade(settings.database_url)
    print(f"{describe_database(settings.database_url)} is at the newest schema")
    return 0


def _org_create(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _transaction(settings) as session:
        row = create_organization(
            session,
            client=None,
            name=args.name,
            kind=OrganizationKind(args.kind),
            level=Level(args.level) if args.level else None,
            organization_number=args.organization_number,
            her_id=args.her_id,
            limits=settings.limits,
        )
        result = {"id": row.id, "name": row.name, "kind": row.kind, "level": row.level}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"organisation {result['id']}: {result['name']} ({result['level'] or row.kind})")
    return 0


def _org_list(args: argparse.Namespace) -> int:
    settings = _settings(args)
    rows: list[dict[str, Any]] = []
    with _transaction(settings) as session:
        while True:
            page, total = list_organizations(session, level=None, limit=200, offset=len(rows))
            rows += [
                {
                    "id": row.id,
                    "name": row.name,
                    "kind": row.kind,
                    "level": row.level,
                    "organization_number": row.organization_number,
                    "her_id": row.her_id,
                }
                for row in page
            ]
            if not page or len(rows) >= total:
                break
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    _table(
        ["id", "name", "kind", "level", "organization number", "HER-id"],
        [
            [
                r["id"],
                r["name"],
                r["kind"],
                r["level"] or "-",
                r["organization_number"] or "-",
                r["her_id"] or "-",
            ]
            for r in rows
        ],
    )
    return 0


def _token_fields(row: orm.Token) -> dict[str, Any]:
    return {
        "id": row.id,
        "organization_id": row.organization_id,
        "name": row.name,
        "scope": row.scope,
        "prefix": row.prefix,
        "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def _token_list(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _transaction(settings) as session:
        found, _ = list_tokens(session, client=None, organization_id=args.org, limit=None)
        rows = [_token_fields(row) for row in found]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    _table(
        ["id", "name", "scope", "prefix", "created", "revoked"],
        [
            [r["id"], r["name"], r["scope"], r["prefix"], r["created_at"], r["revoked_at"] or "-"]
            for r in rows
        ],
    )
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _transaction(settings) as session:
        fields = _token_fields(revoke_token(session, client=None, token_id=args.id))
    print(
        f"token {fields['id']} ({fields['name']!r}, {fields['scope']}, organisation "
        f"{fields['organization_id']}) is revoked (since {fields['revoked_at']}); a running "
        "server's checklist routes may accept it for up to PATHWAYS_TOKEN_CACHE_SECONDS more"
    )
    return 0


def _table(header: list[str], rows: list[list[Any]]) -> None:
    cells = [header, *[[str(value) for value in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print(
            "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        )


def _token_create(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _transaction(settings) as session:
        _, secret = create_token(
            session,
            client=None,
            organization_id=args.org,
            name=args.name,
            scope=Scope(args.scope),
            limits=settings.limits,
        )
    print(secret)
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        print(f"pathways: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    pathway = parse_document(raw)
    rules = pathway.rules
    if args.rules:
        rules = dataclasses.replace(rules, rule_sets=tuple(args.rules.split(",")))
    findings = find_gaps(pathway, rules=rules)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    if args.format == "json":
        report = {
            "file": args.file,
            "rule_sets": list(rules.rule_sets),
            "errors": errors,
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity.value,
                    "message": f.message(args.language),
                    "steps": list(f.steps),
                    "transitions": list(f.transitions),
                }
                for f in findings
            ],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for f in findings:
            where = ", ".join([*f.steps, *f.transitions])
            print(
                f"{f.severity.value:7} {f.code}: {f.message(args.language)}"
                + (f" [{where}]" if where else "")
            )
        print(
            f"{args.file}: {errors} error(s), {len(findings) - errors} other finding(s) "
            f"(rule sets: {', '.join(rules.rule_sets)})"
        )
    return 1 if errors else 0


def _export(args: argparse.Namespace) -> int:
    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        print(f"pathways: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    pathway = parse_document(raw)
    context = ExportContext(findings=tuple(find_gaps(pathway)), language=args.language)
    base_url = Settings().fhir_base_url  # PATHWAYS_FHIR_BASE_URL, as the API's exports
    if base_url:
        context = dataclasses.replace(context, base_url=base_url)
    content = export(pathway, args.format, context=context)
    if args.output in (None, "-"):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        Path(args.output).write_bytes(content)
        print(f"wrote {args.output} ({FORMATS[args.format].media_type}, {len(content)} bytes)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pathways", description="Hjem til hjem")
    commands = parser.add_subparsers(dest="command", required=True)

    def database(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--database-url", help="default: $PATHWAYS_DATABASE_URL or SQLite")

    serve = commands.add_parser("serve", help="migrate the database and serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="log one line per request (default: $PATHWAYS_ACCESS_LOG, off)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        help="proxies whose X-Forwarded-For/-Proto are trusted "
        "(default: $PATHWAYS_FORWARDED_ALLOW_IPS, 127.0.0.1,::1)",
    )
    database(serve)
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="load demo organisations and pathway, print tokens")
    database(demo)
    demo.set_defaults(run=_demo)

    migrate = commands.add_parser("migrate", help="migrate the database to the newest schema")
    database(migrate)
    migrate.set_defaults(run=_migrate)

    org = commands.add_parser("org", help="organisations").add_subparsers(
        dest="org_command", required=True
    )
    org_create = org.add_parser("create", help="register an organisation")
    org_create.add_argument("--name", required=True)
    org_create.add_argument(
        "--kind",
        default=OrganizationKind.CARE_PROVIDER.value,
        choices=[kind.value for kind in OrganizationKind],
    )
    org_create.add_argument(
        "--level", choices=[level.value for level in Level], help="a care provider's level"
    )
    org_create.add_argument("--organization-number")
    org_create.add_argument("--her-id")
    org_create.add_argument("--json", action="store_true", help="print the result as JSON")
    database(org_create)
    org_create.set_defaults(run=_org_create)
    org_list = org.add_parser("list", help="every organisation: id, name, level, identifiers")
    org_list.add_argument("--json", action="store_true", help="print the result as JSON")
    database(org_list)
    org_list.set_defaults(run=_org_list)

    check = commands.add_parser(
        "check", help="gap analysis of a native document; exit code 1 on error findings"
    )
    check.add_argument("file", help="a hjem-til-hjem/pathway JSON document")
    check.add_argument("--rules", help="rule sets, e.g. core,norway (default: the document's)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--language", choices=list(LANGUAGES), default="en")
    check.set_defaults(run=_check)

    export_command = commands.add_parser("export", help="a native document in another format")
    export_command.add_argument("file", help="a hjem-til-hjem/pathway JSON document")
    export_command.add_argument("--format", required=True, choices=list(FORMATS))
    export_command.add_argument("--output", "-o", help="a file (default: standard output)")
    export_command.add_argument("--language", choices=list(LANGUAGES), default="en")
    export_command.set_defaults(run=_export)

    token = commands.add_parser("token", help="tokens").add_subparsers(
        dest="token_command", required=True
    )
    token_create = token.add_parser("create", help="issue a token; prints it alone")
    token_create.add_argument("--org", type=int, required=True, help="organisation id")
    token_create.add_argument("--scope", required=True, choices=[s.value for s in Scope])
    token_create.add_argument("--name", required=True, help="what uses it")
    database(token_create)
    token_create.set_defaults(run=_token_create)
    token_list = token.add_parser(
        "list", help="an organisation's tokens, revoked ones too (never the secrets)"
    )
    token_list.add_argument("--org", type=int, required=True, help="organisation id")
    token_list.add_argument("--json", action="store_true", help="print the result as JSON")
    database(token_list)
    token_list.set_defaults(run=_token_list)
    token_revoke = token.add_parser("revoke", help="revoke a token (see 'token list' for ids)")
    token_revoke.add_argument("id", type=int, help="token id")
    database(token_revoke)
    token_revoke.set_defaults(run=_token_revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except InvalidPathway as error:
        print(f"pathways: {error}", file=sys.stderr)
        for violation in error.violations:
            where = "/".join(str(part) for part in violation.loc)
            print(f"  {where}: {violation.message}", file=sys.stderr)
        return 2
    except (ApiError, PathwayError) as error:
        print(f"pathways: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
