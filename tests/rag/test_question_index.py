"""The question index: hypothetical questions embedded at ingest into their own collection, reused on
rebuild, and matched against a user's question worded differently (real Chroma, real e5)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import yaml

from rag.config import Settings

UNITS = {
    "doc_id": "alpha",
    "units": [
        {"id": "al-001", "kind": "card", "text": "Titel: Alpha: spelregels voor de Regio Envelop",
         "questions": {"nl": ["Hoe heet het document?"], "en": ["What is the document called?"]}},
        {"id": "al-002", "kind": "sentence",
         "text": "De bijdrage uit de Regio Envelop is minimaal € 5 miljoen en maximaal € 40 miljoen per Regio Deal.",
         "questions": {"nl": ["Wat is het hoogste bedrag dat een deal uit de envelop kan krijgen?",
                              "Hoeveel geld geeft de Regio Envelop minstens?"],
                       "en": ["What is the largest contribution a deal can receive?"]}},
        {"id": "al-003", "kind": "sentence", "text": "De regio levert zelf ten minste 50% cofinanciering.",
         "questions": {"nl": ["Welk deel moet de regio zelf betalen?"], "en": ["How much must the region co-fund?"]}},
        {"id": "al-004", "kind": "sentence",
         "text": "Voorstellen kunnen tot 1 september 2018 worden ingediend bij het ministerie van LNV.",
         "questions": {"nl": ["Wat is de uiterste datum om een voorstel in te sturen?"],
                       "en": ["What is the deadline for proposals?"]}},
    ],
}


def _build(settings: Settings) -> str:
    from ingest.api import build

    report = build(settings, progress=False, force=True)
    assert report.ok, report.lines()
    return report.message


def test_questions_are_embedded_reused_and_matched(mini_settings: Settings) -> None:
    from rag.question_index import QuestionIndex
    from rag.retrieval import embed_query

    mini_settings = mini_settings.model_copy(update={"question_cache_dir": None})  # count real embedding
    units = copy.deepcopy(UNITS)
    folder = mini_settings.corpus_dir / "questions"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    first = _build(mini_settings)
    assert re.search(r"4 units, 9 questions \(9 embedded, 0 reused\)", first), first

    qi = QuestionIndex(mini_settings)
    qi.refresh()
    assert qi.available
    hits = qi.search(embed_query("Tot welke dag mag je plannen aanleveren?"), k=8)
    assert hits[0].unit.unit_id == "al-004"
    doc = "Voorstellen kunnen tot 1 september 2018"
    assert hits[0].unit.start >= 0 and hits[0].unit.text.startswith(doc)
    assert qi.card("alpha") is not None and qi.card("alpha").is_card

    # one question changed: only that one is embedded again
    units["units"][3]["questions"]["en"] = ["By when must a proposal be submitted?"]
    (folder / "alpha.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    second = _build(mini_settings)
    assert re.search(r"\(1 embedded, 8 reused\)", second), second
    assert "Question index up to date" in _build(mini_settings)


def test_vectors_are_cached_between_index_folders(mini_settings: Settings, tmp_path: Path) -> None:
    units = copy.deepcopy(UNITS)
    folder = mini_settings.corpus_dir / "questions"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    first = mini_settings.model_copy(update={"question_cache_dir": tmp_path / "cache"})
    assert "(9 embedded, 0 reused)" in _build(first)
    other_index = first.model_copy(update={"index_dir": tmp_path / "other-index"})
    assert "(0 embedded, 9 reused)" in _build(other_index)


def test_no_units_files_means_passages_only(mini_built: Settings) -> None:
    from rag.question_index import QuestionIndex

    qi = QuestionIndex(mini_built)
    qi.refresh()
    assert qi.search(None) == []


GAPS = {
    "gaps": [
        {"id": "gap-001", "doc_id": "alpha", "topic": "Welke deals uiteindelijk gekozen zijn",
         "questions": {"nl": ["Welke regio's hebben uiteindelijk een deal gekregen?", "Wie heeft de envelop gewonnen?"],
                       "en": ["Which regions were finally awarded a deal?"]}},
        {"id": "gap-002", "doc_id": "omega", "topic": "Iets over een document dat niet geïndexeerd is",
         "questions": {"nl": ["Wat staat er in omega?"]}},
    ],
}


def test_gaps_are_embedded_apart_and_found_for_other_words(mini_settings: Settings) -> None:
    """The documents' gaps (corpus/gaps.yaml) get their own collection: a question worded otherwise finds the
    gap, a question the documents answer is nearer to its unit's questions than to any gap, and the unit
    search never returns a gap."""
    from rag.question_index import QuestionIndex
    from rag.retrieval import embed_query

    mini_settings = mini_settings.model_copy(update={"question_cache_dir": None})  # count real embedding
    folder = mini_settings.corpus_dir / "questions"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(yaml.safe_dump(UNITS, allow_unicode=True), encoding="utf-8")
    (mini_settings.corpus_dir / "gaps.yaml").write_text(yaml.safe_dump(GAPS, allow_unicode=True), encoding="utf-8")
    report = _build(mini_settings)
    assert "1 gaps with 3 questions" in report, report  # the gap of a document that is not indexed is left out

    qi = QuestionIndex(mini_settings)
    qi.refresh()
    asked = embed_query("Welke regio's zijn er uiteindelijk gekozen voor een Regio Deal?")
    gap = qi.nearest_gap(asked)
    assert gap is not None and gap.gap_id == "gap-001" and gap.topic.startswith("Welke deals")
    assert all(h.unit.unit_id.startswith("al-") for h in qi.search(asked, k=20))
    answered = embed_query("Tot welke dag mag je plannen aanleveren?")
    near = qi.nearest_gap(answered)
    assert near is not None and near.best < qi.search(answered, k=5)[0].best
    assert qi.nearest_gap(None) is None
    # the nearest gap questions' and unit questions' similarities, best first, for answerability's gap share
    many = qi.nearest_gap(asked, k=10)
    assert many is not None and len(many.near) == 3 and many.near[0] == many.best  # the gap has 3 questions
    assert list(many.near) == sorted(many.near, reverse=True)
    hits = qi.search(asked, k=20)
    assert all(h.sims and h.sims[0] == h.best and list(h.sims) == sorted(h.sims, reverse=True) for h in hits)
    assert sum(len(h.sims) for h in hits) == sum(h.support for h in hits)

    def no_count() -> int:
        raise AssertionError("the gap collection is counted once per version, not per question")

    qi._gcol.count = no_count  # type: ignore[method-assign]
    assert qi.nearest_gap(asked) is not None

    # a changed gap is a new version of the index; the unchanged questions are reused
    gaps = copy.deepcopy(GAPS)
    gaps["gaps"][0]["questions"]["en"].append("Who got the money in the end?")
    (mini_settings.corpus_dir / "gaps.yaml").write_text(yaml.safe_dump(gaps, allow_unicode=True), encoding="utf-8")
    assert re.search(r"1 gaps with 4 questions \(1 embedded, 12 reused\)", _build(mini_settings))


def test_a_malformed_gaps_file_names_the_entry(tmp_path: Path) -> None:
    import pytest

    from ingest.gaps import read_gaps
    from ingest.units import UnitsError

    bad = {"gaps": [GAPS["gaps"][0], {"id": "gap-001", "doc_id": "alpha", "topic": "twice", "questions": {"nl": ["x?"]}}]}
    path = tmp_path / "gaps.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(UnitsError, match="entry 2"):
        read_gaps(path)
    path.write_text(yaml.safe_dump({"gaps": [{"id": "gap-003", "doc_id": "alpha", "topic": "no questions"}]}), encoding="utf-8")
    with pytest.raises(UnitsError, match="no questions"):
        read_gaps(path)
    path.write_text("gaps: [unclosed", encoding="utf-8")
    with pytest.raises(UnitsError, match="cannot read"):
        read_gaps(path)
    from ingest.gaps import load_gaps

    assert load_gaps(tmp_path, {"alpha": "text"}) == []  # the build goes on without them (and logs why)


def test_a_small_index_is_searched_exactly(mini_settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Up to ``EXACT_QUESTION_LIMIT`` questions, unit and gap search compare the query with every stored vector (an
    approximate HNSW graph, rebuilt, can return other neighbours): same neighbours and similarities as Chroma's own
    search over so few, the document filter kept, and the collections not queried at all; above the limit, HNSW."""
    import rag.question_index as qmod
    from rag.question_index import QuestionIndex
    from rag.retrieval import embed_query

    folder = mini_settings.corpus_dir / "questions"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(yaml.safe_dump(UNITS, allow_unicode=True), encoding="utf-8")
    (mini_settings.corpus_dir / "gaps.yaml").write_text(yaml.safe_dump(GAPS, allow_unicode=True), encoding="utf-8")
    _build(mini_settings)
    asked = embed_query("Welke regio's zijn er uiteindelijk gekozen voor een Regio Deal?")

    monkeypatch.setattr(qmod, "EXACT_QUESTION_LIMIT", 0)
    approx = QuestionIndex(mini_settings)
    approx.refresh()
    assert approx._qexact is None and approx._gexact is None
    want, want_gap = approx.search(asked, k=20), approx.nearest_gap(asked, k=3)

    monkeypatch.setattr(qmod, "EXACT_QUESTION_LIMIT", 20_000)
    exact = QuestionIndex(mini_settings)
    exact.refresh()
    assert exact._qexact is not None and len(exact._qexact) == 9 and exact._gexact is not None

    def no_query(*_a: object, **_k: object) -> None:
        raise AssertionError("a small index is not searched through Chroma")

    exact._qcol.query = no_query  # type: ignore[method-assign]
    exact._gcol.query = no_query  # type: ignore[method-assign]
    got, got_gap = exact.search(asked, k=20), exact.nearest_gap(asked, k=3)
    assert [h.unit.unit_id for h in got] == [h.unit.unit_id for h in want]
    assert all(abs(a - b) < 1e-4 for g, w in zip(got, want, strict=True) for a, b in zip(g.sims, w.sims, strict=True))
    assert got_gap is not None and want_gap is not None and got_gap.gap_id == want_gap.gap_id
    assert all(abs(a - b) < 1e-4 for a, b in zip(got_gap.near, want_gap.near, strict=True))
    assert len(exact.search(asked, k=3)[0].sims) <= 3  # k nearest questions, as Chroma's n_results
    assert exact.search(asked, k=20, doc_ids=["omega"]) == []
    assert exact.nearest_gap(asked, doc_ids=["omega"]) is None
