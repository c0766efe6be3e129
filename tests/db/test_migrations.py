"""One migration chain for both databases: one head, matches the models, reversible."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from api.services.auth import Scope
from db import models as orm
from db.migrate import downgrade, heads, upgrade
from db.models import Base
from db.repositories.pathways import PathwayRepository
from db.session import Database
from pathways.checklists import handover_transitions
from pathways.document import read_stored_document
from pathways.model import Level
from pathways.participation import description_elements, transition_elements
from tests.conftest import EXAMPLE, derived_test_database, recreate_test_database

BEFORE_OPERATOR = "448fd2025780"
"""The revision before the ``operator`` scope."""


def test_single_head(database_url: str) -> None:
    assert len(heads(database_url)) == 1


def test_schema_matches_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": database.is_sqlite},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_history_is_append_only_and_versions_immutable(db: Database) -> None:
    with db.writer() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO organizations (id, name, level, created_at) "
                "VALUES (1, 'O', 'hospital', CURRENT_TIMESTAMP)"
            )
        )
        session.execute(
            text(
                "INSERT INTO pathways (id, title, description, target_group, agreement_ref, "
                "rules, revision, created_at, updated_at) VALUES (1, 'P', '', '', '', '{}', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        session.execute(
            text(
                "INSERT INTO history (pathway_id, at, organization_id, organization_name, level, "
                "token_name, action, summary, changes, revision_before, revision_after) VALUES "
                "(1, CURRENT_TIMESTAMP, 1, 'O', 'hospital', 't', 'a', 's', '{}', 0, 1)"
            )
        )
        session.execute(
            text(
                "INSERT INTO versions (pathway_id, number, revision, document, approvals, "
                "created_at) VALUES (1, 1, 1, '{}', '[]', CURRENT_TIMESTAMP)"
            )
        )
    with pytest.raises(DBAPIError, match="append-only"), db.writer() as session, session.begin():
        session.execute(text("UPDATE history SET summary = 'rewritten'"))
    with pytest.raises(DBAPIError, match="immutable"), db.writer() as session, session.begin():
        session.execute(text("UPDATE versions SET document = '{\"forged\": true}'"))


def _own_database(tmp_path: Path, database_url: str, purpose: str) -> str:
    """A database of the test's own (next to the suite's), empty, without a schema."""
    if make_url(database_url).get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path}/{purpose}.db"
    url = derived_test_database(database_url, purpose)
    recreate_test_database(url)
    return url


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path, database_url: str) -> None:
    """Runs on a database of its own, so that the shared test database stays at head."""
    url = _own_database(tmp_path, database_url, "migration")
    upgrade(url)
    database = Database.connect(url, pool_size=1)
    try:
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO organizations (name, level, created_at) "
                    "VALUES ('Kept', 'municipality', CURRENT_TIMESTAMP)"
                )
            )
        downgrade(url, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert "history" in inspect(database.engine).get_table_names()
    finally:
        database.dispose()


def _insert_token(database: Database, token_id: int, name: str, scope: str) -> None:
    with database.writer() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO tokens (id, organization_id, name, scope, prefix, secret_hash, "
                "created_at) VALUES (:id, 1, :name, :scope, 'htt_x', :hash, CURRENT_TIMESTAMP)"
            ),
            {"id": token_id, "name": name, "scope": scope, "hash": f"hash-{token_id}"},
        )


def _scopes(database: Database) -> dict[str, str]:
    with database.reader() as session:
        return dict(session.execute(text("SELECT name, scope FROM tokens")).all())


def test_operator_scope_migration_moves_the_demo_operator_and_keeps_admins(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it, with history rows that refer to the tokens (a
    table copy would fail on those): the demo's operator token becomes ``operator``,
    other ``admin`` tokens stay ``admin``; the constraint admits ``operator`` and still
    refuses what is no scope; down again, ``operator`` tokens become ``admin``."""
    url = _own_database(tmp_path, database_url, "operator_scope")
    upgrade(url, BEFORE_OPERATOR)
    database = Database.connect(url, pool_size=1)
    try:
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO organizations (id, name, level, created_at) "
                    "VALUES (1, 'Helse Fjordvik HF', 'hospital', CURRENT_TIMESTAMP)"
                )
            )
            session.execute(
                text(
                    "INSERT INTO pathways (id, title, description, target_group, agreement_ref,"
                    " rules, revision, created_at, updated_at) VALUES (1, 'P', '', '', '', '{}',"
                    " 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        for token_id, name, scope in [
            (1, "demo operator", "admin"),
            (2, "IT department", "admin"),
            (3, "demo editor", "edit"),
            (4, "DIPS", "read"),
        ]:
            _insert_token(database, token_id, name, scope)
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO history (pathway_id, at, organization_id, organization_name, "
                    "level, token_id, token_name, action, summary, changes, revision_before, "
                    "revision_after) VALUES (1, CURRENT_TIMESTAMP, 1, 'O', 'hospital', :token, "
                    "'t', 'a', 's', '{}', 0, 1)"
                ),
                [{"token": token_id} for token_id in (1, 2, 3)],
            )
        with pytest.raises(IntegrityError):
            _insert_token(database, 5, "too early", "operator")
        database.dispose()

        upgrade(url)
        assert _scopes(database) == {
            "demo operator": "operator",
            "IT department": "admin",
            "demo editor": "edit",
            "DIPS": "read",
        }
        for token_id, scope in enumerate(Scope, start=10):
            _insert_token(database, token_id, f"new {scope.value}", scope.value)
        with pytest.raises(IntegrityError):
            _insert_token(database, 20, "owner", "owner")
        with database.reader() as session:
            history = session.execute(text("SELECT count(*) FROM history")).scalar_one()
        assert history == 3
        database.dispose()

        downgrade(url, BEFORE_OPERATOR)
        scopes = _scopes(database)
        assert scopes["demo operator"] == scopes["new operator"] == "admin"
        assert scopes["IT department"] == "admin"
        with pytest.raises(IntegrityError):
            _insert_token(database, 21, "operator again", "operator")
        database.dispose()
        upgrade(url)
        assert _scopes(database)["demo operator"] == "operator"
    finally:
        database.dispose()


BEFORE_AUTHORSHIP = "a1449a93990b"
"""The revision before authorship by content (``written_by``, ``writers``)."""

_HANDOVER_BEFORE = {
    "sender_role": "ward nurse",
    "receiver_role": "home nursing",
    "messages": ["EPIKRISE"],
    "deadline": "PT0H",
    "checklist": [
        {
            "key": "med-list",
            "text": "Medication list",
            "side": "sender",
            "required": True,
            "due": None,
        },
        {"key": "visit", "text": "Visit", "side": "receiver", "required": True, "due": None},
    ],
}
_HANDOVER_AFTER = {
    **_HANDOVER_BEFORE,
    "deadline": "PT2H",
    "checklist": [
        _HANDOVER_BEFORE["checklist"][0],
        {
            "key": "visit",
            "text": "First visit",
            "side": "receiver",
            "required": True,
            "due": "PT12H",
        },
    ],
}


def _load_before_authorship(database: Database) -> None:
    """Two organisations; pathway 1 imported by the hospital (1), then changed by the
    municipality (2) step by step; pathway 2 without any history."""
    hospital, municipality = 1, 2
    history = [
        (hospital, "pathway.import", {"pathway": {"title": "P"}, "participant": 1}),
        (hospital, "participant.add", {"organization_id": 2}),
        (municipality, "step.update", {"key": "ward", "fields": {"name": {"from": "W"}}}),
        (
            municipality,
            "transition.update",
            {
                "key": "discharge",
                "fields": {"handover": {"from": _HANDOVER_BEFORE, "to": _HANDOVER_AFTER}},
            },
        ),
        (
            municipality,
            "graph.replace",
            {
                "steps": {"added": ["gp"], "removed": [], "changed": {}},
                "transitions": {"added": ["to-gp"], "removed": [], "changed": {}},
            },
        ),
        (municipality, "pathway.update", {"rules": {"from": {}, "to": {}}}),
        (hospital, "pathway.approve", {"revision": 7}),
    ]
    with database.writer() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO organizations (id, name, level, created_at) VALUES "
                "(1, 'Helse Fjordvik HF', 'hospital', CURRENT_TIMESTAMP), "
                "(2, 'Fjordvik kommune', 'municipality', CURRENT_TIMESTAMP)"
            )
        )
        session.execute(
            text(
                "INSERT INTO pathways (id, title, description, target_group, agreement_ref, "
                "rules, revision, created_at, updated_at) VALUES (:id, 'P', '', 'Adults', '', "
                ":rules, 7, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            [
                {"id": 1, "rules": '{"rule_sets": ["core", "norway"], "deadlines": {}}'},
                {"id": 2, "rules": '{"rule_sets": ["core"], "deadlines": {}}'},
            ],
        )
        session.execute(
            text(
                "INSERT INTO steps (pathway_id, position, key, name, level, kind, responsible, "
                "description) VALUES (:p, :position, :key, :name, :level, :kind, '', '')"
            ),
            [
                {
                    "p": 1,
                    "position": 0,
                    "key": "home",
                    "name": "Home",
                    "level": "municipality",
                    "kind": "home",
                },
                {
                    "p": 1,
                    "position": 1,
                    "key": "ward",
                    "name": "Ward",
                    "level": "hospital",
                    "kind": "treatment",
                },
                {
                    "p": 1,
                    "position": 2,
                    "key": "gp",
                    "name": "GP",
                    "level": "municipality",
                    "kind": "follow_up",
                },
                {
                    "p": 2,
                    "position": 0,
                    "key": "home",
                    "name": "Home",
                    "level": "municipality",
                    "kind": "home",
                },
            ],
        )
        session.execute(
            text(
                "INSERT INTO transitions (pathway_id, position, key, from_key, to_key, label, "
                "handover) VALUES (1, :position, :key, :source, :target, '', :handover)"
            ),
            [
                {
                    "position": 0,
                    "key": "discharge",
                    "source": "ward",
                    "target": "home",
                    "handover": json.dumps(_HANDOVER_AFTER),
                },
                {"position": 1, "key": "to-gp", "source": "home", "target": "gp", "handover": None},
            ],
        )
        session.execute(
            text(
                "INSERT INTO history (pathway_id, at, organization_id, organization_name, "
                "level, token_name, action, summary, changes, revision_before, revision_after)"
                " VALUES (1, CURRENT_TIMESTAMP, :org, 'O', 'hospital', 't', :action, 's', "
                ":changes, :before, :after)"
            ),
            [
                {
                    "org": org,
                    "action": action,
                    "changes": json.dumps(changes),
                    "before": index,
                    "after": index + (action != "pathway.approve"),
                }
                for index, (org, action, changes) in enumerate(history)
            ],
        )


def _content(database: Database) -> list[Any]:
    """The rows' content, without the writers."""
    with database.reader() as session:
        rows = [
            *session.execute(text("SELECT id, title, target_group, rules FROM pathways")),
            *session.execute(text("SELECT pathway_id, key, name, level, kind FROM steps")),
            *session.execute(
                text("SELECT key, from_key, to_key, label, handover FROM transitions")
            ),
        ]
    return sorted(
        (
            tuple(json.loads(v) if isinstance(v, str) and v[:1] in ("{", "[") else v for v in row)
            for row in rows
        ),
        key=repr,
    )


def test_content_authorship_migration_keeps_content_and_gives_each_element_a_writer(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it: every element of pathway 1 gets the organisation
    of the latest history entry that touched it, else the importer; its content is as
    it was; the writers name exactly the elements the service counts. Pathway 2, with
    no history, gets none. Down again, the columns go and the content stays."""
    url = _own_database(tmp_path, database_url, "content_authorship")
    upgrade(url, BEFORE_AUTHORSHIP)
    database = Database.connect(url, pool_size=1)
    try:
        _load_before_authorship(database)
        content = _content(database)
        database.dispose()

        upgrade(url)
        assert _content(database) == content
        with database.reader() as session:
            repository = PathwayRepository(session)
            row = session.get_one(orm.Pathway, 1)
            before = repository.load(row)
            assert row.writers == {"title": 1, "target_group": 1, "rules": 2}
            assert row.writers.keys() == description_elements(before.info, before.rules).keys()
            steps = session.execute(
                select(orm.Step.pathway_id, orm.Step.key, orm.Step.written_by)
            ).all()
            assert sorted(steps) == [
                (1, "gp", 2),
                (1, "home", 1),
                (1, "ward", 2),
                (2, "home", None),
            ]
            transitions = {
                t.key: t.writers
                for t in session.scalars(select(orm.Transition).order_by(orm.Transition.id))
            }
            assert transitions == {
                "discharge": {
                    "transition": 1,
                    "handover.sender_role": 1,
                    "handover.receiver_role": 1,
                    "handover.messages": 1,
                    "handover.deadline": 2,
                    "checklist.med-list": 1,
                    "checklist.visit": 2,
                },
                "to-gp": {"transition": 2},
            }
            for transition in before.transitions:
                assert transitions[transition.key].keys() == transition_elements(transition).keys()
            assert session.get_one(orm.Pathway, 2).writers is None
            assert repository.content_writers([1, 2]) == {
                1: [
                    (1, "Helse Fjordvik HF", Level.HOSPITAL, 8),
                    (2, "Fjordvik kommune", Level.MUNICIPALITY, 6),
                ],
                2: [],
            }
        database.dispose()

        downgrade(url, BEFORE_AUTHORSHIP)
        columns = {c["name"] for c in inspect(database.engine).get_columns("steps")}
        assert "written_by" not in columns
        assert "writers" not in {
            c["name"] for c in inspect(database.engine).get_columns("transitions")
        }
        with database.reader() as session:
            assert session.execute(text("SELECT count(*) FROM steps")).scalar_one() == 4
    finally:
        database.dispose()


BEFORE_CATALOGUE_FIELDS = "5c0d7e1f9a2b"


def test_catalogue_fields_migration_copies_each_versions_own_document(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it: each existing version gets its fields from its
    own document (not from the draft, retitled since), and the participants of its day
    from the history (not today's), and stays immutable."""
    url = _own_database(tmp_path, database_url, "catalogue_fields")
    upgrade(url, BEFORE_CATALOGUE_FIELDS)
    database = Database.connect(url, pool_size=1)
    document = {
        "format": "hjem-til-hjem/pathway",
        "format_version": 1,
        "pathway": {
            "title": "Hoftebrudd",
            "description": "Fra fallet hjemme til hjem igjen.",
            "target_group": "Eldre 65+",
            "agreement_ref": "Tjenesteavtale 2",
            "review_due": "2027-06-30",
        },
        "rules": {"rule_sets": ["core"], "deadlines": {}},
        "steps": [],
        "transitions": [],
    }
    try:
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO pathways (id, title, description, target_group, agreement_ref,"
                    " rules, revision, created_at, updated_at) VALUES (1, 'Retitled draft', '',"
                    " '', '', '{}', 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            session.execute(
                text(
                    "INSERT INTO versions (pathway_id, number, revision, document, approvals,"
                    " created_at) VALUES (1, 1, 2, :document, '[]', CURRENT_TIMESTAMP)"
                ),
                {"document": json.dumps(document)},
            )
            for org, name, level in [
                (1, "Helse Vest HF", "hospital"),
                (2, "Ørsta kommune", "municipality"),
                (3, "Volda kommune", "municipality"),
            ]:
                session.execute(
                    text(
                        "INSERT INTO organizations (id, name, level, created_at)"
                        " VALUES (:id, :name, :level, CURRENT_TIMESTAMP)"
                    ),
                    {"id": org, "name": name, "level": level},
                )
            history = [
                (1, "pathway.import", {"pathway": {"title": "Hoftebrudd"}}),
                (1, "participant.add", {"organization_id": 2}),
                (2, "version.create", {"version": 1, "revision": 2}),
                (2, "participant.add", {"organization_id": 3}),
                (2, "participant.remove", {"organization_id": 2}),
            ]
            for at, (org, action, changes) in enumerate(history):
                session.execute(
                    text(
                        "INSERT INTO history (pathway_id, at, organization_id, organization_name,"
                        " level, token_name, action, summary, changes, revision_before,"
                        " revision_after) VALUES (1, CURRENT_TIMESTAMP, :org, 'x', 'hospital',"
                        " 't', :action, 's', :changes, :at, :after)"
                    ),
                    {
                        "org": org,
                        "action": action,
                        "changes": json.dumps(changes),
                        "at": at,
                        "after": at + 1,
                    },
                )
            for org in (1, 3):
                session.execute(
                    text(
                        "INSERT INTO participants (pathway_id, organization_id, joined_at)"
                        " VALUES (1, :org, CURRENT_TIMESTAMP)"
                    ),
                    {"org": org},
                )
        database.dispose()
        upgrade(url)
        with database.reader() as session:
            version = session.scalars(select(orm.Version)).one()
            assert (
                version.title,
                version.description,
                version.target_group,
                version.agreement_ref,
                str(version.review_due),
            ) == tuple(document["pathway"].values())
            assert version.search_text == (
                "hoftebrudd\nfra fallet hjemme til hjem igjen.\neldre 65+\ntjenesteavtale 2"
            )
            assert version.target_group_key == "eldre 65+"
            took_part = session.execute(
                select(
                    orm.VersionParticipant.organization_id, orm.VersionParticipant.name
                ).order_by(orm.VersionParticipant.position)
            ).all()
            assert took_part == [(1, "Helse Vest HF"), (2, "Ørsta kommune")]
        with pytest.raises(DBAPIError), database.writer() as session, session.begin():
            session.execute(text("UPDATE versions SET title = 'changed'"))
        downgrade(url, BEFORE_CATALOGUE_FIELDS)
        assert "title" not in {c["name"] for c in inspect(database.engine).get_columns("versions")}
        with pytest.raises(DBAPIError), database.writer() as session, session.begin():
            session.execute(text("UPDATE versions SET revision = 9"))
    finally:
        database.dispose()


BEFORE_PARTNERSHIPS = "7d3e9b2c4f10"
PARTNERSHIPS = "c3f58a1e9b47"
"""Partnerships, organisation kinds, participant roles, decisions."""

_TABLES_BEFORE_PARTNERSHIPS = (
    "organizations",
    "tokens",
    "pathways",
    "participants",
    "steps",
    "transitions",
    "history",
    "approvals",
    "versions",
    "version_participants",
)


def _execute(database: Database, statement: str, parameters: Any = None) -> None:
    with database.writer() as session, session.begin():
        session.execute(text(statement), parameters)


def _load_before_partnerships(database: Database) -> None:
    """A hospital and a municipality with tokens; pathway 1 imported by the hospital,
    joined by the municipality, changed by it, approved by both at revision 3 and
    published as version 1 (with the two as its participants); pathway 2, the
    municipality's, without a partner."""
    _execute(
        database,
        "INSERT INTO organizations (id, name, level, organization_number, her_id, created_at)"
        " VALUES (1, 'Helse Fjordvik HF', 'hospital', '983974678', '12345', CURRENT_TIMESTAMP),"
        " (2, 'Fjordvik kommune', 'municipality', NULL, NULL, CURRENT_TIMESTAMP)",
    )
    for token_id, org, name, scope in [
        (1, 1, "hospital editor", "edit"),
        (2, 2, "municipality editor", "edit"),
        (3, 1, "demo operator", "operator"),
        (4, 2, "DIPS", "read"),
    ]:
        _execute(
            database,
            "INSERT INTO tokens (id, organization_id, name, scope, prefix, secret_hash, "
            "created_at, revoked_at) VALUES (:id, :org, :name, :scope, 'htt_x', :hash, "
            "CURRENT_TIMESTAMP, NULL)",
            {"id": token_id, "org": org, "name": name, "scope": scope, "hash": f"h{token_id}"},
        )
    _execute(
        database,
        "INSERT INTO pathways (id, title, description, target_group, agreement_ref, review_due,"
        " rules, revision, created_at, updated_at) VALUES (:id, :title, '', 'Eldre 65+',"
        " 'Tjenesteavtale 2', NULL, :rules, :revision, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        [
            {
                "id": 1,
                "title": "Hoftebrudd",
                "rules": '{"rule_sets": ["core", "norway"], "deadlines": {}}',
                "revision": 3,
            },
            {
                "id": 2,
                "title": "KOLS",
                "rules": '{"rule_sets": ["core"], "deadlines": {}}',
                "revision": 1,
            },
        ],
    )
    _execute(
        database,
        "INSERT INTO steps (pathway_id, position, key, name, level, kind, responsible, "
        "description, written_by) VALUES (:p, :position, :key, :name, :level, :kind, '', '',"
        " :writer)",
        [
            {
                "p": 1,
                "position": 0,
                "key": "ward",
                "name": "Ward",
                "level": "hospital",
                "kind": "treatment",
                "writer": 1,
            },
            {
                "p": 1,
                "position": 1,
                "key": "home",
                "name": "Home",
                "level": "municipality",
                "kind": "home",
                "writer": 2,
            },
            {
                "p": 2,
                "position": 0,
                "key": "home",
                "name": "Home",
                "level": "municipality",
                "kind": "home",
                "writer": 2,
            },
        ],
    )
    _execute(
        database,
        "INSERT INTO transitions (pathway_id, position, key, from_key, to_key, label, handover,"
        " writers) VALUES (1, 0, 'discharge', 'ward', 'home', 'Utskrivning', :handover,"
        " :writers)",
        {"handover": json.dumps(_HANDOVER_AFTER), "writers": '{"transition": 1}'},
    )
    for pathway, org in [(1, 1), (1, 2), (2, 2)]:
        _execute(
            database,
            "INSERT INTO participants (pathway_id, organization_id, joined_at)"
            " VALUES (:p, :org, CURRENT_TIMESTAMP)",
            {"p": pathway, "org": org},
        )
    history = [
        (1, 1, 1, "hospital", "pathway.import", {"pathway": {"title": "Hoftebrudd"}}, 0, 1),
        (1, 1, 1, "hospital", "participant.add", {"organization_id": 2}, 1, 1),
        (1, 2, 2, "municipality", "step.update", {"key": "home"}, 1, 2),
        (1, 2, 2, "municipality", "pathway.update", {"rules": {}}, 2, 3),
        (1, 1, 1, "hospital", "pathway.approve", {"revision": 3}, 3, 3),
        (1, 2, 2, "municipality", "pathway.approve", {"revision": 3}, 3, 3),
        (1, 2, None, "municipality", "version.create", {"version": 1, "revision": 3}, 3, 3),
        (2, 2, 2, "municipality", "pathway.create", {"pathway": {"title": "KOLS"}}, 0, 1),
    ]
    _execute(
        database,
        "INSERT INTO history (pathway_id, at, organization_id, organization_name, level, "
        "token_id, token_name, action, summary, changes, revision_before, revision_after) "
        "VALUES (:p, CURRENT_TIMESTAMP, :org, :org_name, :level, :token, 't', :action, 's', "
        ":changes, :before, :after)",
        [
            {
                "p": pathway,
                "org": org,
                "org_name": f"organisation {org}",
                "level": level,
                "token": token,
                "action": action,
                "changes": json.dumps(changes),
                "before": before,
                "after": after,
            }
            for pathway, org, token, level, action, changes, before, after in history
        ],
    )
    _execute(
        database,
        "INSERT INTO approvals (pathway_id, revision, organization_id, organization_name, "
        "level, token_id, token_name, approved_at) VALUES (1, 3, :org, :name, :level, :token, "
        "'t', CURRENT_TIMESTAMP)",
        [
            {"org": 1, "name": "Helse Fjordvik HF", "level": "hospital", "token": 1},
            {"org": 2, "name": "Fjordvik kommune", "level": "municipality", "token": 2},
        ],
    )
    document = {
        "format": "hjem-til-hjem/pathway",
        "format_version": 1,
        "pathway": {"title": "Hoftebrudd", "target_group": "Eldre 65+"},
        "rules": {"rule_sets": ["core", "norway"], "deadlines": {}},
        "steps": [],
        "transitions": [],
    }
    approvals = [
        {"organization_id": 1, "level": "hospital"},
        {"organization_id": 2, "level": "municipality"},
    ]
    _execute(
        database,
        "INSERT INTO versions (id, pathway_id, number, revision, document, approvals, created_at,"
        " title, target_group, agreement_ref, target_group_key, description, search_text,"
        " review_due) VALUES (1, 1, 1, 3, :document, :approvals, CURRENT_TIMESTAMP,"
        " 'Hoftebrudd', 'Eldre 65+', 'Tjenesteavtale 2', 'eldre 65+', '', 'hoftebrudd',"
        " '2027-06-30')",
        {"document": json.dumps(document), "approvals": json.dumps(approvals)},
    )
    _execute(
        database,
        "INSERT INTO version_participants (version_id, organization_id, position, name, level)"
        " VALUES (1, 1, 0, 'Helse Fjordvik HF', 'hospital'),"
        " (1, 2, 1, 'Fjordvik kommune', 'municipality')",
    )


def _columns(database: Database) -> dict[str, list[str]]:
    """The columns of the tables that exist before the partnerships."""
    inspector = inspect(database.engine)
    return {
        table: [c["name"] for c in inspector.get_columns(table)]
        for table in _TABLES_BEFORE_PARTNERSHIPS
    }


def _rows(database: Database, columns: dict[str, list[str]]) -> dict[str, list[Any]]:
    """Every row of those tables, in the given columns, in a stable order."""
    rows: dict[str, list[Any]] = {}
    with database.reader() as session:
        for table, names in columns.items():
            selected = ", ".join(f'"{name}"' for name in names)
            result = session.execute(text(f"SELECT {selected} FROM {table}"))
            rows[table] = sorted((tuple(row) for row in result), key=repr)
    return rows


def _query(database: Database, statement: str) -> list[Any]:
    with database.reader() as session:
        return [tuple(row) for row in session.execute(text(statement))]


def _revision(database: Database) -> str:
    with database.reader() as session:
        return session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_partnerships_migration_keeps_every_row_and_gives_old_data_the_old_rules(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it: every organisation is a care provider with its
    level, every participant an editor, no pathway in a partnership, every version
    approved under ``one_per_level``; every row is as it was. The new constraints hold,
    history stays append-only and versions immutable, and foreign keys (into
    ``organizations``, which SQLite's definition edit must not break) are enforced. Down
    again, the rows are as before; with a secretariat, the downgrade is refused."""
    url = _own_database(tmp_path, database_url, "partnerships")
    upgrade(url, BEFORE_PARTNERSHIPS)
    database = Database.connect(url, pool_size=1)
    try:
        _load_before_partnerships(database)
        columns = _columns(database)
        before = _rows(database, columns)
        assert {table: len(rows) for table, rows in before.items()} == {
            "organizations": 2,
            "tokens": 4,
            "pathways": 2,
            "participants": 3,
            "steps": 3,
            "transitions": 1,
            "history": 8,
            "approvals": 2,
            "versions": 1,
            "version_participants": 2,
        }
        database.dispose()

        upgrade(url, PARTNERSHIPS)
        assert _rows(database, columns) == before
        assert _query(database, "SELECT id, kind, level FROM organizations ORDER BY id") == [
            (1, "care_provider", "hospital"),
            (2, "care_provider", "municipality"),
        ]
        assert _query(database, "SELECT DISTINCT role FROM participants") == [("editor",)]
        assert _query(database, "SELECT id, partnership_id FROM pathways ORDER BY id") == [
            (1, None),
            (2, None),
        ]
        assert _query(
            database, "SELECT id, approval_policy, partnership_id, decision FROM versions"
        ) == [(1, "one_per_level", None, None)]
        for table in ("partnerships", "partnership_members", "decisions"):
            assert _query(database, f"SELECT count(*) FROM {table}") == [(0,)]

        # The new constraints: a level for care providers and only for them; roles.
        organization = (
            "INSERT INTO organizations (id, name, kind, level, created_at)"
            " VALUES (:id, :name, :kind, :level, CURRENT_TIMESTAMP)"
        )
        for kind, level in [
            ("secretariat", "hospital"),
            ("user_representatives", "municipality"),
            ("care_provider", None),
            ("hospital", "hospital"),
        ]:
            with pytest.raises(IntegrityError):
                _execute(
                    database,
                    organization,
                    {"id": 9, "name": "Refused", "kind": kind, "level": level},
                )
        with pytest.raises(IntegrityError):
            _execute(
                database,
                "INSERT INTO participants (pathway_id, organization_id, joined_at, role)"
                " VALUES (2, 1, CURRENT_TIMESTAMP, 'owner')",
            )
        # Foreign keys, including those into organizations, are still enforced.
        if database.is_sqlite:
            assert _query(database, "PRAGMA foreign_keys") == [(1,)]
            assert _query(database, "PRAGMA foreign_key_check") == []
            assert _query(database, "PRAGMA integrity_check") == [("ok",)]
        with pytest.raises(IntegrityError):
            _execute(
                database,
                "INSERT INTO participants (pathway_id, organization_id, joined_at)"
                " VALUES (2, 99, CURRENT_TIMESTAMP)",
            )
        with pytest.raises(IntegrityError):
            _execute(database, "UPDATE pathways SET partnership_id = 99 WHERE id = 2")
        # History is still append-only, versions immutable.
        with pytest.raises(DBAPIError, match="append-only"):
            _execute(database, "UPDATE history SET summary = 'rewritten'")
        with pytest.raises(DBAPIError, match="immutable"):
            _execute(database, "UPDATE versions SET approval_policy = 'decision'")
        assert _rows(database, columns) == before
        database.dispose()

        # Down again, with every organisation a care provider: the rows are as before.
        downgrade(url, BEFORE_PARTNERSHIPS)
        assert _revision(database) == BEFORE_PARTNERSHIPS
        assert _columns(database) == columns
        assert _rows(database, columns) == before
        assert not {"partnerships", "partnership_members", "decisions"} & set(
            inspect(database.engine).get_table_names()
        )
        if database.is_sqlite:
            assert _query(database, "PRAGMA foreign_key_check") == []
            assert _query(database, "PRAGMA integrity_check") == [("ok",)]
        with pytest.raises(IntegrityError):
            _execute(
                database,
                "INSERT INTO organizations (id, name, level, created_at)"
                " VALUES (9, 'No level', NULL, CURRENT_TIMESTAMP)",
            )
        with pytest.raises(DBAPIError, match="append-only"):
            _execute(database, "UPDATE history SET summary = 'rewritten'")
        with pytest.raises(DBAPIError, match="immutable"):
            _execute(database, "UPDATE versions SET revision = 9")
        database.dispose()

        # Up again: a secretariat without a level joins and writes history without one.
        upgrade(url, PARTNERSHIPS)
        with pytest.raises(IntegrityError):
            _execute(
                database,
                organization,
                {"id": 9, "name": "Refused", "kind": "secretariat", "level": "hospital"},
            )
        _execute(
            database,
            organization,
            {"id": 3, "name": "Sekretariatet", "kind": "secretariat", "level": None},
        )
        _execute(
            database,
            "INSERT INTO participants (pathway_id, organization_id, joined_at, role)"
            " VALUES (1, 3, CURRENT_TIMESTAMP, 'secretariat')",
        )
        _execute(
            database,
            "INSERT INTO history (pathway_id, at, organization_id, organization_name, level, "
            "token_name, action, summary, changes, revision_before, revision_after) VALUES "
            "(1, CURRENT_TIMESTAMP, 3, 'Sekretariatet', NULL, 't', 'participant.add', 's', "
            "'{}', 3, 3)",
        )
        database.dispose()
        with pytest.raises(RuntimeError, match="cannot downgrade"):
            downgrade(url, BEFORE_PARTNERSHIPS)
        assert _revision(database) == PARTNERSHIPS
        assert _query(database, "SELECT id, kind, level FROM organizations ORDER BY id") == [
            (1, "care_provider", "hospital"),
            (2, "care_provider", "municipality"),
            (3, "secretariat", None),
        ]
        assert _query(database, "SELECT count(*) FROM history WHERE level IS NULL") == [(1,)]
    finally:
        database.dispose()


BEFORE_HANDOVER_COUNTS = "c3f58a1e9b47"


def test_handover_counts_migration_counts_each_versions_own_document(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it: each existing version gets the number of
    handovers its own document has (as the feed counts them), and stays immutable."""
    url = _own_database(tmp_path, database_url, "handover_counts")
    upgrade(url, BEFORE_HANDOVER_COUNTS)
    database = Database.connect(url, pool_size=1)
    example = EXAMPLE.read_text()
    empty = json.dumps({**json.loads(example), "transitions": []})
    try:
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO pathways (id, title, description, target_group, agreement_ref,"
                    " rules, revision, created_at, updated_at) VALUES (1, 'Draft', '',"
                    " '', '', '{}', 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            for number, document in ((1, example), (2, empty)):
                session.execute(
                    text(
                        "INSERT INTO versions (pathway_id, number, revision, document, approvals,"
                        " created_at) VALUES (1, :number, :number, :document, '[]',"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"number": number, "document": document},
                )
        database.dispose()
        upgrade(url)
        with database.reader() as session:
            counts = session.execute(
                select(orm.Version.number, orm.Version.handovers).order_by(orm.Version.number)
            ).all()
        expected = len(handover_transitions(read_stored_document(example)))
        assert expected > 0
        assert counts == [(1, expected), (2, 0)]
        with pytest.raises(DBAPIError), database.writer() as session, session.begin():
            session.execute(text("UPDATE versions SET handovers = 0"))
        indexes = {i["name"] for i in inspect(database.engine).get_indexes("transitions")}
        assert {"ix_transitions_pathway_id_from_key", "ix_transitions_pathway_id_to_key"} <= indexes
        database.dispose()
        downgrade(url, BEFORE_HANDOVER_COUNTS)
        columns = {c["name"] for c in inspect(database.engine).get_columns("versions")}
        assert "handovers" not in columns
        with pytest.raises(DBAPIError), database.writer() as session, session.begin():
            session.execute(text("UPDATE versions SET revision = 9"))
    finally:
        database.dispose()


BEFORE_VARIANTS = "e4b1d2c3a5f6"


def test_variants_migration_keeps_pathways_and_makes_none_a_variant(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it: every pathway and version stays as it was, none is
    a variant or borrowed; a variant can then point at its shared pathway, and down
    again the columns go and the rows stay."""
    url = _own_database(tmp_path, database_url, "variants")
    upgrade(url, BEFORE_VARIANTS)
    database = Database.connect(url, pool_size=1)
    try:
        with database.writer() as session, session.begin():
            for pathway_id, title in ((1, "Hoftebrudd"), (2, "KOLS")):
                session.execute(
                    text(
                        "INSERT INTO pathways (id, title, description, target_group,"
                        " agreement_ref, rules, revision, created_at, updated_at) VALUES"
                        " (:id, :title, '', '', '', '{}', 3, CURRENT_TIMESTAMP,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": pathway_id, "title": title},
                )
        database.dispose()
        upgrade(url)
        with database.reader() as session:
            rows = session.execute(
                select(
                    orm.Pathway.id,
                    orm.Pathway.title,
                    orm.Pathway.revision,
                    orm.Pathway.variant_of_id,
                    orm.Pathway.variant_of_version,
                    orm.Pathway.origin,
                ).order_by(orm.Pathway.id)
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, "Hoftebrudd", 3, None, None, None),
            (2, "KOLS", 3, None, None, None),
        ]
        with database.writer() as session, session.begin():
            session.execute(
                text("UPDATE pathways SET variant_of_id = 1, variant_of_version = 1 WHERE id = 2")
            )
        with pytest.raises(IntegrityError), database.writer() as session, session.begin():
            session.execute(text("UPDATE pathways SET variant_of_id = 99 WHERE id = 2"))
        database.dispose()
        downgrade(url, BEFORE_VARIANTS)
        columns = {c["name"] for c in inspect(database.engine).get_columns("pathways")}
        assert not {"variant_of_id", "variant_of_version", "origin"} & columns
        with database.reader() as session:
            titles = session.scalars(text("SELECT title FROM pathways ORDER BY id")).all()
        assert titles == ["Hoftebrudd", "KOLS"]
    finally:
        database.dispose()


BEFORE_HEARINGS = "b7c2d9e4f1a3"


def test_hearings_migration_keeps_each_partnerships_policy_without_a_hearing(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it: each partnership keeps its approval policy and
    requires no hearing (so no pathway's approval changes); the new tables start empty;
    down again the column and the tables go, and the partnerships stay with their
    members and pathways."""
    url = _own_database(tmp_path, database_url, "hearings")
    upgrade(url, BEFORE_HEARINGS)
    database = Database.connect(url, pool_size=1)
    try:
        with database.writer() as session, session.begin():
            for number, name, policy in (
                (1, "Vest", "decision"),
                (2, "Nord", "one_per_level"),
            ):
                session.execute(
                    text(
                        "INSERT INTO partnerships (id, name, rules, approval_policy,"
                        " decision_body, revision, created_at, updated_at) VALUES"
                        " (:id, :name, '{}', :policy, '', 4, CURRENT_TIMESTAMP,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "name": name, "policy": policy},
                )
            session.execute(
                text(
                    "INSERT INTO organizations (id, name, kind, level, created_at) VALUES"
                    " (1, 'Helse Vest HF', 'care_provider', 'hospital', CURRENT_TIMESTAMP)"
                )
            )
            session.execute(
                text(
                    "INSERT INTO partnership_members (partnership_id, organization_id,"
                    " joined_at) VALUES (1, 1, CURRENT_TIMESTAMP)"
                )
            )
            session.execute(
                text(
                    "INSERT INTO pathways (id, partnership_id, title, description, target_group,"
                    " agreement_ref, rules, revision, created_at, updated_at) VALUES"
                    " (1, 1, 'Hoftebrudd', '', '', '', '{}', 3, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                )
            )
        database.dispose()
        upgrade(url)
        with database.reader() as session:
            rows = session.execute(
                select(
                    orm.Partnership.name,
                    orm.Partnership.approval_policy,
                    orm.Partnership.revision,
                    orm.Partnership.hearing_required,
                ).order_by(orm.Partnership.id)
            ).all()
            assert session.scalar(select(func.count()).select_from(orm.Comment)) == 0
            assert session.scalar(select(func.count()).select_from(orm.Event)) == 0
        assert [tuple(row) for row in rows] == [
            ("Vest", "decision", 4, False),
            ("Nord", "one_per_level", 4, False),
        ]
        database.dispose()
        downgrade(url, BEFORE_HEARINGS)
        tables = set(inspect(database.engine).get_table_names())
        assert not {"comments", "hearings", "webhooks", "events", "webhook_deliveries"} & tables
        columns = {c["name"] for c in inspect(database.engine).get_columns("partnerships")}
        assert "hearing_required" not in columns
        with database.reader() as session:
            names = session.scalars(text("SELECT name FROM partnerships ORDER BY id")).all()
            members = session.execute(
                text("SELECT partnership_id, organization_id FROM partnership_members")
            ).all()
            pathways = session.execute(text("SELECT id, partnership_id FROM pathways")).all()
        assert names == ["Vest", "Nord"]
        # Its members and pathways stay with it (a copy of the table would lose them).
        assert [tuple(row) for row in members] == [(1, 1)]
        assert [tuple(row) for row in pathways] == [(1, 1)]
    finally:
        database.dispose()


BEFORE_CONFORMANCE = "d5e8a3c1f7b2"
"""The revision before handover events and conformance."""


def test_conformance_migration_adds_empty_tables_and_keeps_versions_both_ways(
    tmp_path: Path, database_url: str
) -> None:
    """Up from the revision before it: an approved version stays as it was and its log
    tables start empty, then take events and checks; down again the tables go and the
    version stays; up again works."""
    url = _own_database(tmp_path, database_url, "conformance")
    upgrade(url, BEFORE_CONFORMANCE)
    database = Database.connect(url, pool_size=1)
    document = EXAMPLE.read_text(encoding="utf-8")
    try:
        with database.writer() as session, session.begin():
            session.execute(
                text(
                    "INSERT INTO pathways (id, title, description, target_group, agreement_ref,"
                    " rules, revision, created_at, updated_at) VALUES (1, 'Hoftebrudd', '',"
                    " '', '', '{}', 5, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            session.execute(
                text(
                    "INSERT INTO versions (id, pathway_id, number, revision, document,"
                    " approvals, created_at) VALUES (1, 1, 1, 5, :document, '[]',"
                    " CURRENT_TIMESTAMP)"
                ),
                {"document": document},
            )
        database.dispose()
        upgrade(url)
        with database.writer() as session, session.begin():
            assert session.scalar(select(func.count()).select_from(orm.HandoverEvent)) == 0
            session.add(
                orm.HandoverEvent(
                    version_id=1, key=-7, episode="ep1", kind="step", code="ward",
                    at=1_700_000_000, sender="HF", receiver="", answer="",
                )
            )  # fmt: skip
            session.add(
                orm.HandoverCheck(
                    version_id=1, episode="ep1", position=0, transition="admit",
                    kind="message", code="LOG_INNLAGT", organization="HF", month="2023-11",
                    due=None, arrived=None, delay=None, on_time=False,
                )
            )  # fmt: skip
        with database.reader() as session:
            assert session.scalar(select(orm.Version.document)) == document
        database.dispose()
        downgrade(url, BEFORE_CONFORMANCE)
        tables = set(inspect(database.engine).get_table_names())
        gone = {"handover_events", "handover_checks", "conformance_episodes", "payment_days"}
        assert not gone & tables
        with database.reader() as session:
            kept = session.execute(text("SELECT id, number, document FROM versions")).all()
        assert [tuple(row) for row in kept] == [(1, 1, document)]
        database.dispose()
        upgrade(url)
        assert gone <= set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()
