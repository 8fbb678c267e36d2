"""Composing from answer units: quotes are cited by their document offsets (across chunk boundaries too),
a list item comes with its lead-in, a card is cited where its values are printed, and the confidence
rises with the evidence (no models: synthetic units and chunks)."""

from __future__ import annotations

from rag.citations import CitationBuilder
from rag.engines.units_answer import AnswerabilityParams, UnitComposer, confidence
from rag.question_index import UnitRecord
from rag.retrieval_units import UnitCandidate, UnitEvidence
from rag.types import Chunk, Document

TEXT = (
    "Zwolle, 3 maart 2021\n\nDe gemeente kiest drie speerpunten:\n- betaalbare woningen;\n- schone lucht;\n"
    "- veilige fietspaden.\n\nDe raad besluit in juni over het budget van € 12 miljoen."
)
DOC = Document(doc_id="d", title="Testnota", text=TEXT)


def _chunks() -> list[Chunk]:
    cut = TEXT.index("- schone")
    return [
        Chunk("d:0", "d", "Testnota", TEXT[: cut + 5], 0, cut + 5),
        Chunk("d:1", "d", "Testnota", TEXT[cut:], cut, len(TEXT)),
    ]


def _unit(uid: str, kind: str, text: str, context: str = "") -> UnitRecord:
    start = TEXT.index(text.split(" ")[0]) if kind != "card" else -1
    end = start + len(text) if kind != "card" else -1
    if kind == "list":
        end = TEXT.index("fietspaden.") + len("fietspaden.")
    cs = TEXT.index(context) if context else -1
    return UnitRecord(uid, "d", kind, "", text, context, start, end, cs, cs + len(context) if context else -1, 0)


def _composer() -> UnitComposer:
    return UnitComposer(_chunks, lambda _doc_id: DOC)


def test_a_list_item_is_quoted_with_its_lead_in_and_cited_at_its_offsets() -> None:
    item = _unit("d-2", "list_item", "schone lucht;", context="De gemeente kiest drie speerpunten:")
    builder = CitationBuilder()
    q = _composer().quote(builder, item, "nl")
    assert q is not None and q.display.startswith("De gemeente kiest drie speerpunten: …")
    quoted = [c.quote for c in builder.citations]
    assert quoted == ["De gemeente kiest drie speerpunten:", "schone lucht;"]
    for c in builder.citations:
        assert TEXT[c.start : c.end] == c.quote


def test_a_span_over_two_chunks_is_cited_in_pieces_that_are_each_verbatim() -> None:
    whole = _unit("d-1", "list", "De gemeente kiest drie speerpunten: betaalbare woningen; schone lucht; veilige fietspaden.")
    builder = CitationBuilder()
    q = _composer().quote(builder, whole, "nl")
    assert q is not None and len(q.cites) == 2
    assert "".join(c.quote for c in builder.citations) == TEXT[whole.start : whole.end]
    assert "veilige fietspaden." in q.display and "betaalbare woningen;" in q.display


def test_a_card_is_cited_where_its_values_are_printed_and_not_otherwise() -> None:
    card = _unit("d-0", "card", "Titel: Testnota; Datum: 3 maart 2021; Afzender: het college")
    builder = CitationBuilder()
    q = _composer().quote(builder, card, "nl")
    assert q is not None and [c.quote for c in builder.citations] == ["3 maart 2021"]
    unprinted = _unit("d-9", "card", "Titel: Iets anders; Kenmerk: XYZ-123")
    assert _composer().quote(CitationBuilder(), unprinted, "nl") is None


def _cand(u: UnitRecord, score: float, best: float, qi: int | None, bm: int | None, ch: int | None) -> UnitCandidate:
    return UnitCandidate(u, score, None, qi_rank=qi, qi_best=best, bm25_rank=bm, chunk_rank=ch)


def test_confidence_rises_with_agreement_similarity_and_coverage() -> None:
    budget = _unit("d-5", "sentence", "De raad besluit in juni over het budget van € 12 miljoen.")
    other = _unit("d-2", "list_item", "schone lucht;")
    qs = {"d-5": ["Wanneer beslist de raad over het geld?", "Hoe groot is het budget?"], "d-2": ["Welk speerpunt gaat over lucht?"]}
    p = AnswerabilityParams()
    strong = UnitEvidence("Wanneer neemt de raad een besluit over het budget?",
                          [_cand(budget, 0.25, 0.97, 1, 1, 1), _cand(other, 0.12, 0.85, 2, 3, 2)], qs.get)
    weak = UnitEvidence("Hoeveel bomen plant de gemeente?",
                        [_cand(budget, 0.15, 0.86, 2, None, 4), _cand(other, 0.149, 0.86, 1, None, 1)], qs.get)
    c_strong = confidence(strong.candidates[0], strong, strong.query, "nl", qs.get, p)
    c_weak = confidence(weak.candidates[0], weak, weak.query, "nl", qs.get, p)
    assert c_strong > p.answer_at > c_weak


def test_a_card_value_printed_only_in_pieces_is_cited_by_those_pieces() -> None:
    # "het college (De raad besluit ...)": neither value is printed whole; the part in brackets is
    card = _unit("d-8", "card", "Titel: Iets anders; Afzender: de wethouder (De raad besluit in juni), namens het college")
    builder = CitationBuilder()
    q = _composer().quote(builder, card, "nl")
    assert q is not None and [c.quote for c in builder.citations] == ["De raad besluit in juni"]
    assert UnitComposer(_chunks, lambda _d: DOC, AnswerabilityParams(card_pieces=False)).quote(CitationBuilder(), card, "nl") is None


def test_the_most_confident_of_the_best_few_units_answers_when_the_top_is_not_confident() -> None:
    from rag.engines.units_answer import most_confident

    card = _unit("d-0", "card", "Titel: Testnota; Datum: 3 maart 2021; Afzender: het college")
    other = _unit("d-2", "list_item", "schone lucht;")
    qs = {"d-0": ["Van wanneer is de testnota?", "Wie stuurde de testnota?"], "d-2": ["Welk speerpunt gaat over lucht?"]}
    p = AnswerabilityParams()
    # the fusion puts a unit that merely shares the passage above the card, which the question index and BM25 rank first
    ev = UnitEvidence("Van wanneer is de testnota?", [_cand(other, 0.20, 0.86, 3, None, 1), _cand(card, 0.19, 0.99, 1, 1, None)], qs.get)
    picked, conf = most_confident(ev, ev.query, "nl", qs.get, p, p.answer_at)
    assert picked.top is not None and picked.top.unit.unit_id == "d-0" and conf >= p.answer_at
    assert [c.unit.unit_id for c in picked.candidates] == ["d-0", "d-2"]
    unchanged, conf1 = most_confident(ev, ev.query, "nl", qs.get, p, p.answer_at, depth=1)
    assert unchanged.top is not None and unchanged.top.unit.unit_id == "d-2" and conf1 < p.answer_at


QUOTES = "Stemmen uit de wijk\n\n> Piet (34): “De bus komt te laat.”\n\n> Joke (61): “Er is geen bakker meer.”\n"
QDOC = Document(doc_id="q", title="Wijkkrant", text=QUOTES)


def test_a_span_whose_chunks_leave_the_blank_lines_between_them_out_is_still_cited() -> None:
    """Session 26: chunks leave the blank lines between two blockquotes to neither, so a list of quotes over two
    chunks could not be cited and was not quoted; its pieces are now cited in each chunk, the blank skipped."""
    cut = QUOTES.index("> Joke")
    chunks = [Chunk("q:0", "q", "Wijkkrant", QUOTES[: cut - 2], 0, cut - 2), Chunk("q:1", "q", "Wijkkrant", QUOTES[cut:], cut, len(QUOTES))]
    start, end = QUOTES.index("> Piet"), QUOTES.index("meer.”") + len("meer.”")
    lst = UnitRecord("q-1", "q", "list", "", "Piet (34): “De bus komt te laat.” Joke (61): “Er is geen bakker meer.”", "", start, end, -1, -1, 0)
    builder = CitationBuilder()
    q = UnitComposer(lambda: chunks, lambda _doc_id: QDOC).quote(builder, lst, "nl")
    assert q is not None and len(q.cites) == 2
    for c in builder.citations:
        assert QUOTES[c.start : c.end] == c.quote
    assert q.display == "Piet (34): “De bus komt te laat.” Joke (61): “Er is geen bakker meer.”"  # no quote markers shown
    # a gap that holds text is no blank: the span is not cited around it
    words = [Chunk("q:0", "q", "Wijkkrant", QUOTES[: cut - 8], 0, cut - 8), chunks[1]]
    assert UnitComposer(lambda: words, lambda _doc_id: QDOC).quote(CitationBuilder(), lst, "nl") is None


def test_a_claims_document_nouns_are_not_counted_as_what_it_says(monkeypatch) -> None:
    """"Volgens de Kamerbrief werkt het kabinet met ... tranches" says where the claim stands, not what it says: the nouns
    naming a document are not the claim's words, in Dutch and English, so a passage saying the rest covers all of it
    (and the number in "two-pager" is not a noun of a document)."""
    from rag.config import get_settings
    from rag.doc_description import document_noun_terms
    from rag.engines.units_answer import claim_cover

    unit = _unit("u1", "sentence", "De raad besluit in juni over het budget van € 12 miljoen.")
    no_questions = lambda _uid: []  # noqa: E731
    nl = "Volgens de Kamerbrief besluit de raad in juni over het budget"
    en = "According to the letter the raad besluit in juni over het budget"
    assert "two" not in document_noun_terms() and "kamerbrief" in document_noun_terms()
    get_settings.cache_clear()
    try:
        assert claim_cover(nl, unit, no_questions, "nl") == 1.0
        assert claim_cover(en, unit, no_questions, "en") == 1.0
        monkeypatch.setenv("REGIODEAL_ABLATE", "claim_document_nouns")
        get_settings.cache_clear()
        assert claim_cover(nl, unit, no_questions, "nl") < 1.0
        assert claim_cover(en, unit, no_questions, "en") < 1.0
    finally:
        get_settings.cache_clear()
