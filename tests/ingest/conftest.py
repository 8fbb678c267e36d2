"""Fixtures of the ingest tests: the curated documents' text, keyed by id (those with a units file)."""

from __future__ import annotations

import pytest

from ingest.loaders import load_file
from ingest.units import read_units_file
from rag.config import ROOT

CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    out = {}
    for path in sorted((CORPUS / "questions").glob("*.yaml")):
        doc_id, _ = read_units_file(path)
        out[doc_id] = load_file(CORPUS / f"{doc_id}.md").text
    assert set(out) >= {"kamerbrief", "letter", "twopager"}
    return out
