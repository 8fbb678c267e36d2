"""The documents' gaps (corpus/gaps.yaml): every gap belongs to a curated document, asks in Dutch and English,
and is a question of its own: none of its questions is one the documents answer (a unit's hypothetical
question) or an evaluation item (the gaps are written from the documents, never from an item)."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.gaps import GAPS_FILE, load_gaps, read_gaps
from ingest.units import load_units
from rag.config import ROOT

CORPUS = ROOT / "corpus"


def _norm(q: str) -> str:
    return " ".join(q.casefold().split()).rstrip("?!. ")


def test_every_gap_belongs_to_a_curated_document_and_asks_in_both_languages(documents: dict[str, str]) -> None:
    gaps = read_gaps(CORPUS / GAPS_FILE)
    docs = documents
    assert len(gaps) >= 40
    assert {g.doc_id for g in gaps} <= set(docs)
    assert load_gaps(CORPUS, docs) == gaps
    for g in gaps:
        assert len(g.questions.get("nl", ())) >= 3 and len(g.questions.get("en", ())) >= 1, g.gap_id


def test_no_gap_question_is_one_the_documents_answer(documents: dict[str, str]) -> None:
    answered = {_norm(q) for u in load_units(CORPUS, documents) for _, q in u.all_questions()}
    clash = [(g.gap_id, q) for g in read_gaps(CORPUS / GAPS_FILE) for _, q in g.all_questions() if _norm(q) in answered]
    assert clash == []


def test_no_gap_question_is_an_evaluation_item() -> None:
    # the unread blind sets (eval/unread/) are left out: nobody has read them, so they cannot have been copied into the
    # data, and a failure here would print their questions; a set is checked from the session that reads it
    items: set[str] = set()
    read = [p for p in sorted((ROOT / "eval").rglob("*.jsonl")) if "unread" not in p.parts]
    for path in [*read, ROOT.parent / "shared" / "eval" / "dev.jsonl"]:
        if Path(path).exists():
            items |= {_norm(json.loads(x)["question"]) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()}
    assert len(items) > 500
    from ingest.gaps import CLAIMS_FILE

    every = read_gaps(CORPUS / GAPS_FILE) + read_gaps(CORPUS / CLAIMS_FILE, "claims")
    clash = [(g.gap_id, q) for g in every for _, q in g.all_questions() if _norm(q) in items]
    assert clash == []


def test_every_false_premise_names_a_unit_of_its_document(documents: dict[str, str]) -> None:
    """corpus/claims.yaml (indexed only with REGIODEAL_CLAIMS): each false premise is corrected by a unit that
    exists in the document it names, and no question of it is an evaluation item or a unit's question."""
    from ingest.gaps import CLAIMS_FILE

    claims = read_gaps(CORPUS / CLAIMS_FILE, "claims")
    assert len(claims) >= 40
    units = {u.unit_id: u for u in load_units(CORPUS, documents)}
    for c in claims:
        assert c.unit in units and units[c.unit].doc_id == c.doc_id, c.gap_id
    assert load_gaps(CORPUS, documents) == read_gaps(CORPUS / GAPS_FILE)  # claims only when asked for
    assert len(load_gaps(CORPUS, documents, claims=True)) == len(read_gaps(CORPUS / GAPS_FILE)) + len(claims)
    answered = {_norm(q) for u in units.values() for _, q in u.all_questions()}
    assert not [q for c in claims for _, q in c.all_questions() if _norm(q) in answered]
