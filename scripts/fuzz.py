"""Fuzz a running service with the schemathesis command line, as an outside fuzzer would.

    python scripts/fuzz.py [--database-url URL] [--max-examples N] [--strict] [-- ARGS]

It loads the demo data into the database (default: a new SQLite file in a temporary
directory; a PostgreSQL database named by the URL is dropped and created anew), starts
``pathways serve`` on a free local port, and runs ``schemathesis run`` on its
``/openapi.json`` with every check and every phase (examples, coverage, fuzzing,
stateful), authenticated with the demo operator token (given to schemathesis as the
spec's bearer auth, so that the checks that leave it out on purpose can). ARGS go to
``schemathesis run`` as they are. The exit status is schemathesis's.

The statuses accepted beyond schemathesis's defaults are those of
``tests.api.test_fuzz.EXPECTED_STATUSES`` (the test runs the same command with fewer
examples); ``--strict`` leaves them out.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url

from tests.api.test_fuzz import operator_token, run_schemathesis, schemathesis_toml
from tests.conftest import recreate_test_database
from tests.servers import cli, cli_env, running_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    parser.add_argument("--max-examples", type=int, help="per operation and phase")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--workers", default="1")
    parser.add_argument(
        "--strict", action="store_true", help="no leniency for state-dependent statuses"
    )
    parser.add_argument("extra", nargs="*", help="more schemathesis run arguments")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pathways-fuzz-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'fuzz.db'}"
        if make_url(url).get_backend_name() == "postgresql":
            recreate_test_database(url)  # refuses a name that does not end in _test
        env = cli_env(url)
        demo = cli(["demo"], cwd=workdir, env=env)
        if demo.returncode != 0:
            sys.stderr.write(demo.stdout + demo.stderr)
            return 2
        config = workdir / "schemathesis.toml"
        config.write_text(
            schemathesis_toml(operator_token(demo.stdout), lenient=not args.strict),
            encoding="utf-8",
        )
        with running_server(workdir, env, "--no-access-log") as server:
            result = run_schemathesis(
                f"{server.url}/openapi.json",
                config,
                "--workers",
                args.workers,
                *(["--max-examples", str(args.max_examples)] if args.max_examples else []),
                *(["--seed", str(args.seed)] if args.seed is not None else []),
                *args.extra,
            )
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    found = re.search(r"(\d+) unique failures?", result.stdout)
    sys.stdout.write(f"\nunique failures: {found.group(1) if found else 0}\n")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
