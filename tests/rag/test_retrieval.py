"""Retrieval: tokenising, BM25, fusion, filters, index refresh, the LangChain face; then the real index.

Unit tests run on hand-made chunks and a tiny fake store (fusion is arithmetic); the integration tests
use the real store over the real corpus with the real e5 model (``built_settings``).
"""

from __future__ import annotations

from typing import Any

import pytest

from rag.retrieval import BM25, FusionParams, HybridRetriever
from rag.text import detect_language, exact_terms, sentence_spans, terms
from rag.types import Chunk


def _chunk(cid: str, text: str, doc: str = "kamerbrief", start: int = 0) -> Chunk:
    return Chunk(cid, doc, doc.title(), text, start, start + len(text), 1, "Sectie")


CHUNKS = [
    _chunk("a", "Snellere verbindingen met onze buurregio's via onder meer de E233, de N34 en openbaar vervoer.", "twopager"),
    _chunk("b", "Goede bereikbaarheid van de regio is belangrijk voor wegen en verbindingen in het algemeen.", "twopager"),
    _chunk("c", "De bijdrage uit de Regio Envelop is minimaal € 5 miljoen en maximaal € 40 miljoen per Regio Deal."),
    _chunk("d", "De Drentse Duitslandagenda 2017-2020 steunt lopende samenwerkingen in de grensregio.", "twopager"),
    _chunk("e", "In delen van onze regio verzorgt de toeristische sector meer dan 20% van de werkgelegenheid.", "twopager"),
    _chunk("f", "Dutch TechZone resulteerde in een investeringsimpuls van € 60 miljoen en 405 nieuwe arbeidsplaatsen.", "twopager"),
]


class FakeStore:
    """A store whose dense ranking is given: it deliberately prefers the vague chunk 'b'."""

    def __init__(self, chunks: list[Chunk], dense_order: list[str]) -> None:
        self._chunks = list(chunks)
        self.dense_order = dense_order
        self._version = "v1"
        self.changed = False

    def chunks(self) -> list[Chunk]:
        return list(self._chunks)

    def version(self) -> str:
        return self._version

    def refresh(self) -> bool:
        changed, self.changed = self.changed, False
        return changed

    def dense_search(
        self, query: str, k: int, doc_ids: list[str] | None = None, *, vector: Any = None
    ) -> list[tuple[Chunk, float]]:
        by_id = {c.chunk_id: c for c in self._chunks}
        out = [(by_id[c], 0.9 - i * 0.01) for i, c in enumerate(self.dense_order) if c in by_id]
        return [h for h in out if not doc_ids or h[0].doc_id in doc_ids][:k]


def _retriever(store: Any, **params: Any) -> HybridRetriever:
    from rag.config import Settings

    return HybridRetriever(store, Settings(top_k=5), FusionParams(sentence_weight=0, **params))


# --- text ------------------------------------------------------------------------------------------


def test_tokens_keep_numbers_codes_ranges_and_percentages() -> None:
    t = terms("Via de N34, € 60 miljoen, 2017-2020 en 20% van de banen")
    assert "n34" in t
    assert "60" in t
    assert {"2017-2020", "2017", "2020"} <= set(t)
    assert {"20%", "20"} <= set(t)
    assert "de" not in t  # stopword
    # Dutch stemming makes inflections meet; diacritics are folded
    assert terms("dorpscoöperaties")[0] == terms("dorpscooperatie")[0]
    assert terms("investeringen")[0] == terms("investering")[0]


def test_exact_terms_are_names_and_numbers() -> None:
    ex = exact_terms("Wat leverde Dutch TechZone op, en hoe zit het met de N34 en 405 banen?")
    assert {"n34", "405"} <= ex
    assert any(t.startswith("techzon") for t in ex)


def test_sentence_spans_split_sentences_lists_and_table_rows() -> None:
    text = "Eerste zin d.d. 18 juni. Tweede zin!\n\n- punt een\n- punt twee\n\n| a | b |\n|---|---|\n| Rokers | 22% |"
    parts = [text[s:e] for s, e in sentence_spans(text)]
    assert parts[0] == "Eerste zin d.d. 18 juni."
    assert "Tweede zin!" in parts
    assert "- punt een" in parts and "- punt twee" in parts
    assert "| Rokers | 22% |" in parts



@pytest.mark.parametrize(
    "sentence",
    [
        "De kosten zijn ca. 40 miljoen euro.",
        "Partners zijn o.a. Emmen en Coevorden.",
        "Denk aan wegen, bijv. N34 en N37, die sneller moeten.",
        "Het budget geldt voor 2018 t/m 2022 en is eenmalig.",
        "De brief van dhr. Jansen en mw. De Vries kwam jl. Maandag binnen.",
        "Mr. Pietersen tekende namens Ernst & Young B.V. Nederland.",
        "Hoogachtend, A.C.W. Annyas, secretaris.",
    ],
)
def test_sentence_spans_do_not_cut_after_abbreviations_or_initials(sentence: str) -> None:
    text = f"Eerste zin. {sentence} Laatste zin."
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Eerste zin.", sentence, "Laatste zin."]


def test_sentence_spans_still_end_a_paragraph_or_list_after_an_abbreviation() -> None:
    text = "Zie bijv.\n\nNieuwe alinea. Zoals o.a.\n- een punt"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Zie bijv.", "Nieuwe alinea.", "Zoals o.a.", "- een punt"]

def test_language_detection() -> None:
    assert detect_language("Wat is de maximale bijdrage per Regio Deal?") == "nl"
    assert detect_language("What is the maximum contribution per Regio Deal?") == "en"
    assert detect_language("Who signed it?") == "en"


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        # Dutch names and terms inside an English sentence: its grammar words decide, not the nouns
        ("Which three pillars does the proposal rest on, and what do the pillars Wonen and Welzijn cost?", "en"),
        ("What is the Transformatiefonds of the woningcorporaties for, and who pays for it?", "en"),
        # and the other way round: English terms in a Dutch sentence
        ("Wat is de rol van de Dutch TechZone en de shared facilities in het plan van de regio?", "nl"),
        # a short English question naming one long Dutch term: two English grammar words and no Dutch one decide
        ("How big is the Herstructureringsfonds?", "en"),
        ("What does the Omgevingsvisie say?", "en"),
        ("Wat is de Smart Energy Region?", "nl"),
    ],
)
def test_language_is_read_from_the_grammar_words_when_they_agree_clearly(question: str, lang: str) -> None:
    assert detect_language(question) == lang


# --- BM25 and fusion ---------------------------------------------------------------------------------


def test_bm25_prefers_rare_terms() -> None:
    bm = BM25([["a", "b"], ["a", "c"], ["a", "a", "b"]])
    s = bm.scores(["c"])
    assert s.argmax() == 1 and s[0] == 0
    assert bm.idf("c") > bm.idf("a")


def test_exact_code_beats_vague_dense_match() -> None:
    store = FakeStore(CHUNKS, dense_order=["b", "c", "d", "e", "f", "a"])  # dense puts the N34 chunk last
    hits = _retriever(store).retrieve("Welke wegen zoals de N34 moeten sneller?")
    assert hits[0].chunk.chunk_id == "a"
    assert hits[0].sparse_rank == 1 and hits[0].dense_rank == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [("€ 60 miljoen", "f"), ("Duitslandagenda 2017-2020", "d"), ("meer dan 20% werkgelegenheid", "e"), ("Dutch TechZone", "f")],
)
def test_amounts_ranges_and_names_are_found(query: str, expected: str) -> None:
    store = FakeStore(CHUNKS, dense_order=["b", "a", "c", "d", "e", "f"])
    assert _retriever(store).retrieve(query)[0].chunk.chunk_id == expected


def test_glossary_expands_synonyms_and_english_terms_into_document_stems() -> None:
    from rag.glossary import expand

    assert set(terms("tranche")) <= set(expand("In hoeveel rondes wordt het verdeeld?"))
    assert set(terms("ondertekend")) <= set(expand("Wanneer moet de deal getekend zijn?"))
    assert set(terms("komende tranche")) <= set(expand("the upcoming round"))
    assert set(terms("cofinanciering")) <= set(expand("What about co-financing?"))
    assert expand("Noaberschap en dorpscoöperaties") == []  # words outside the glossary add nothing
    assert not set(expand("Wat is de tranche?")) & set(terms("Wat is de tranche?"))  # nothing the query has


def test_one_english_table_serves_translation_and_bm25_expansion() -> None:
    from rag.glossary import ENGLISH_TO_DUTCH, TRANSLATION_ONLY, expand, translate_en

    # surface Dutch words in question order; a known phrase wins over its words
    assert translate_en("Who signed it in the upcoming round?") == "ondertekend getekend komende volgende tranche ronde"
    assert translate_en("more public transport") == "openbaar vervoer"
    assert translate_en("Blorp zork?") == ""
    # everyday words translate for sentence choice but stay out of the BM25 query
    assert set(ENGLISH_TO_DUTCH) >= TRANSLATION_ONLY
    assert "people" in TRANSLATION_ONLY and "inwoners" in translate_en("How many people live there?")
    assert not set(terms("inwoners mensen")) & set(expand("people"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [("When must it be signed?", {"s"}), ("Hoeveel jobs levert het op?", {"e", "f"}), ("In welke ronde?", {"t"})],
)
def test_glossary_lets_bm25_find_other_words_for_the_same_thing(query: str, expected: set[str]) -> None:
    chunks = [
        *CHUNKS,
        _chunk("s", "De deals moeten uiterlijk in het voorjaar van 2019 zijn ondertekend."),
        _chunk("t", "Er zal gewerkt worden met twee tranches voor de verdeling."),
    ]
    store = FakeStore(chunks, dense_order=["b", "c", "d", "e", "a", "f", "s", "t"])  # dense is no help here
    with_glossary = _retriever(store).search(query, k=8)
    best_sparse = min(with_glossary.sparse, key=lambda cid: -with_glossary.sparse[cid])
    assert best_sparse in expected
    without = _retriever(store, expansion_weight=0.0).search(query, k=8)
    assert all(without.sparse.get(cid, 0.0) == 0 for cid in expected)  # the words themselves are not there (candidates only: 0 = absent)
    rank = {h.chunk.chunk_id: h.rank for h in with_glossary.hits}
    rank0 = {h.chunk.chunk_id: h.rank for h in without.hits}
    assert min(rank[c] for c in expected) < min(rank0[c] for c in expected)


def test_a_named_document_gets_a_bonus_but_does_not_override_evidence() -> None:
    from rag.glossary import named_documents

    assert named_documents("Since the Kamerbrief says ...") == {"kamerbrief"}
    assert named_documents("Wat staat er in de two-pager en de aanbiedingsbrief?") == {"twopager", "letter"}
    assert named_documents("Hoeveel geld vraagt de regio?") == set()
    store = FakeStore(CHUNKS, dense_order=["a", "b", "d", "e", "c", "f"])
    plain = [h.chunk.chunk_id for h in _retriever(store).retrieve("snellere verbindingen via de N34")]
    named = [h.chunk.chunk_id for h in _retriever(store, doc_bonus=0.02).retrieve("snellere verbindingen via de N34 volgens de kamerbrief")]
    assert named.index("c") < plain.index("c")  # the only kamerbrief chunk moves up
    assert named[0] == plain[0] == "a"  # but the chunk that holds the words stays first


def test_without_sparse_the_dense_order_wins() -> None:
    """The fusion really uses both lists: switching BM25 off gives the dense order back."""
    store = FakeStore(CHUNKS, dense_order=["b", "c", "d", "e", "f", "a"])
    hits = _retriever(store, sparse_weight=0.0, exact_bonus=0.0).retrieve("N34")
    assert [h.chunk.chunk_id for h in hits] == ["b", "c", "d", "e", "f"]


def test_doc_filter_and_k() -> None:
    store = FakeStore(CHUNKS, dense_order=["b", "c", "d", "e", "f", "a"])
    r = _retriever(store)
    hits = r.retrieve("Regio Envelop miljoen", k=3, doc_ids=["kamerbrief"])
    assert [h.chunk.chunk_id for h in hits] == ["c"]
    assert len(r.retrieve("regio", k=2)) == 2
    assert [h.rank for h in r.retrieve("regio")] == [1, 2, 3, 4, 5]


def test_bm25_is_rebuilt_when_the_index_changes() -> None:
    store = FakeStore(CHUNKS[:2], dense_order=["b", "a"])
    r = _retriever(store)
    assert all(h.chunk.chunk_id != "f" for h in r.retrieve("TechZone"))
    store._chunks = list(CHUNKS)
    store._version = "v2"
    store.changed = True
    r._last_refresh = 0.0
    assert r.retrieve("TechZone")[0].chunk.chunk_id == "f"


def test_langchain_retriever_returns_documents_with_metadata() -> None:
    from langchain_core.retrievers import BaseRetriever

    store = FakeStore(CHUNKS, dense_order=["b", "c", "d", "e", "f", "a"])
    lc = _retriever(store).as_langchain(k=2)
    assert isinstance(lc, BaseRetriever)
    docs = lc.invoke("N34")
    assert len(docs) == 2
    assert docs[0].metadata["chunk_id"] == "a"
    assert {"doc_id", "page", "section", "start", "end", "rank", "score"} <= set(docs[0].metadata)
    assert docs[0].page_content == CHUNKS[0].text


# --- the real index ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_retriever(built_settings: Any) -> HybridRetriever:
    from rag.store import IndexStore

    r = HybridRetriever(IndexStore(built_settings), built_settings)
    r.warm(progress=False)
    return r


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("N34", "N34"),
        ("Hoeveel leverde de Dutch TechZone op?", "405 nieuwe arbeidsplaatsen"),
        ("Wat is de maximale bijdrage per Regio Deal?", "maximaal € 40 miljoen"),
        ("Which energy carrier can the area develop well?", "waterstof"),
        ("Duitslandagenda 2017-2020", "Duitslandagenda 2017-2020"),
    ],
)
def test_real_index_finds_the_passage(real_retriever: HybridRetriever, query: str, needle: str) -> None:
    hits = real_retriever.retrieve(query, k=5)
    assert any(needle in " ".join(h.chunk.text.split()) for h in hits), [h.chunk.text[:80] for h in hits]


@pytest.mark.slow
def test_real_index_doc_filter(real_retriever: HybridRetriever) -> None:
    hits = real_retriever.retrieve("Regio Envelop", k=10, doc_ids=["letter"])
    assert hits and all(h.chunk.doc_id == "letter" for h in hits)
