"""The graph's JSON written from the native document's dicts is the JSON of its model."""

from __future__ import annotations

import json

from api.schemas.pathways import GraphRead
from benchmarks.gaps import layered_pathway
from pathways.document import read_stored_document
from tests.conftest import EXAMPLE


def test_the_graph_json_is_what_the_model_writes() -> None:
    for pathway in (read_stored_document(EXAMPLE.read_text()), layered_pathway(300)):
        written = json.loads(GraphRead.json_of(pathway, 7))
        modelled = json.loads(GraphRead.of(pathway, 7).model_dump_json(by_alias=True))
        assert written == modelled
        assert any(t["handover"] for t in written["transitions"])
        # What a client parses back is the model it was told about, field for field.
        assert GraphRead.model_validate(written) == GraphRead.of(pathway, 7)
