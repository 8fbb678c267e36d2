"""Chunking follows structure, returns spans over the document text, and gives stable unique ids."""

from __future__ import annotations

import itertools

import pytest

from ingest.chunking import chunk_document
from ingest.loaders import load_file
from rag.config import ROOT
from rag.types import Document


@pytest.mark.parametrize("name", ["letter.md", "twopager.md", "kamerbrief.md"])
def test_corpus_chunks_are_exact_spans_with_pages_and_sections(name: str) -> None:
    doc = load_file(ROOT / "corpus" / name)
    chunks = chunk_document(doc, 900, 120)
    assert chunks
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
        assert c.text == c.text.strip() and c.page == doc.page_at(c.start)
        assert len(c.text) <= 900 + 120 + 200  # size, overlap, a heading glued to its first block
    covered = "".join(doc.text[c.start : c.end] for c in chunks)
    assert sum(ch.isalnum() for ch in covered) >= sum(ch.isalnum() for ch in doc.text)  # nothing lost
    assert chunk_document(doc, 900, 120) == chunks  # deterministic, ids stable


def test_sections_tables_and_headings() -> None:
    text = (
        "# Titel\n\nInleiding.\n\n## Randvoorwaarden\n\n### 2. Cofinanciering\n\n"
        "De regio betaalt minstens de helft.\n\n| Partij | Bedrag |\n|---|---|\n| Rijk | € 40 miljoen |\n\n"
        "## Planning\n\n- Eerste punt\n- Tweede punt"
    )
    doc = Document("t", "Titel", text)
    chunks = chunk_document(doc, 300, 50)
    by_section = {c.section: c for c in chunks}
    cof = by_section["Randvoorwaarden > 2. Cofinanciering"]
    assert "## Randvoorwaarden\n\n### 2. Cofinanciering\n\nDe regio" in cof.text  # headings stick to content
    assert "| Rijk | € 40 miljoen |" in cof.text and "|---|---|" in cof.text  # table kept whole
    assert "Planning" in by_section and "" not in by_section  # single opening H1 is the title, not a section
    assert chunks[0].text.startswith("# Titel\n\nInleiding.")  # a tiny intro joins the first section


def test_long_paragraph_is_split_at_sentences_with_overlap() -> None:
    sentences = [f"Zin nummer {i} gaat over de Regio Deal en de leefbaarheid in Drenthe." for i in range(40)]
    doc = Document("long", "Lang", " ".join(sentences))
    chunks = chunk_document(doc, 400, 100)
    assert len(chunks) >= 6
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end  # overlap
        assert b.text.startswith("Zin nummer")  # starts at a sentence
        assert len(a.text) <= 500


def test_identical_text_twice_gets_distinct_stable_ids() -> None:
    para = "Dit is een herhaalde alinea over de Regio Envelop."
    doc = Document("dup", "Dup", f"## A\n\n{para}\n\n## B\n\n{para}")
    c1 = chunk_document(Document("dup", "Dup", f"## A\n\n{para}\n\n## A\n\n{para}"), 60, 0)
    assert len(c1) == 2 and c1[0].text == c1[1].text
    assert c1[0].chunk_id != c1[1].chunk_id and c1[1].chunk_id.endswith("-2")
    assert all(c.chunk_id.startswith("dup:") for c in chunk_document(doc, 60, 0))


def test_short_chunks_are_merged_within_their_top_level_section() -> None:
    body = " ".join(f"Zin {i} over werk en inkomen in de regio Zuid- en Oost-Drenthe." for i in range(12))
    text = (
        "# Titel\n\nOndertitel\n\n## Werken\n\n" + body + "\n\n### Looptijd\n\n- Pijler 1\n- Pijler 2\n\n"
        "## Wonen\n\n" + body
    )
    doc = Document("m", "Titel", text)
    chunks = chunk_document(doc, 900, 120)
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
    texts = [c.text for c in chunks]
    assert not any(len(t) < 300 for t in texts)  # no heading-only / two-line chunks left
    assert texts[0].startswith("# Titel") and "## Werken" in texts[0]  # the title joins the first section
    assert any("### Looptijd" in t and "## Werken" in t for t in texts)  # a short sub-section joins its section
    assert not any("Pijler 2" in t and "## Wonen" in t for t in texts)  # never across a top-level section
