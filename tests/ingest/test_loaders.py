"""Loaders and cleaning: Markdown page markers, real PDFs (reportlab -> pypdf), and every kind of bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.cleaning import assign_page_numbers, clean_extracted, join_hyphenation, strip_running_lines
from ingest.loaders import LoaderError, load_file, strip_page_markers
from rag.config import ROOT


def test_page_markers_own_line_and_inline_become_page_spans() -> None:
    text = "<!-- page: 1 -->\n# Titel\n\nEen alinea die doorloopt <!-- page: 2 --> op pagina twee.\n\n<!-- page: 3 -->\n\nSlot."
    clean, spans = strip_page_markers(text)
    assert "<!--" not in clean
    assert clean == "# Titel\n\nEen alinea die doorloopt op pagina twee.\n\nSlot."
    assert [s.page for s in spans] == [1, 2, 3]
    assert clean[spans[1].start :].startswith("op pagina twee")
    assert clean[spans[2].start :] == "Slot."
    assert spans[0].start == 0 and spans[-1].end == len(clean)


@pytest.mark.parametrize("name", ["letter.md", "twopager.md", "kamerbrief.md"])
def test_corpus_markdown_loads_with_front_matter_and_pages(name: str) -> None:
    doc = load_file(ROOT / "corpus" / name)
    assert doc.doc_id == name.removesuffix(".md")
    assert doc.title and doc.meta.get("language") == "nl"
    assert "<!-- page" not in doc.text and not doc.text.startswith("---")
    assert doc.pages and doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.text)
    for a, b in zip(doc.pages, doc.pages[1:], strict=False):
        assert a.end == b.start and a.page < b.page
    assert doc.page_at(len(doc.text) - 1) == doc.pages[-1].page


def test_cleaning_joins_hyphenation_but_keeps_dutch_elision() -> None:
    assert join_hyphenation("verg-\nroten") == "vergroten"
    assert join_hyphenation("Zuid-\nen Oost-Drenthe") == "Zuid- en Oost-Drenthe"
    cleaned = clean_extracted("De  ﬁnanciering\u00ad van  de part-\nners is rond.")
    assert cleaned == "De financiering van de partners is rond."


def test_running_headers_and_page_numbers_are_removed() -> None:
    pages = [["Kop van het rapport", f"tekst {i}", f"- {i + 2} -"] for i in range(1, 5)]
    numbers, pages = assign_page_numbers(pages)
    assert numbers == [3, 4, 5, 6]
    pages = strip_running_lines(pages, numbers)
    assert pages == [[f"tekst {i}"] for i in range(1, 5)]


def test_pdf_round_trips_text_pages_and_printed_numbers(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(tmp_path / "Notitie Financiën.pdf", first_number=3)
    doc = load_file(pdf)
    assert doc.doc_id == "notitie-financien"
    assert "€ 40 miljoen" in doc.text and "€ 2,5 miljoen" in doc.text
    assert "‘Regio Envelop’" in doc.text and "Coöperatie" in doc.text
    assert "partners in de regio" in doc.text  # line-break hyphenation joined
    assert "vertrouwelijk concept" not in doc.text  # running header gone
    assert "Pagina" not in doc.text  # footer gone
    assert [s.page for s in doc.pages] == [3, 4, 5]  # printed numbers, not positions
    assert doc.page_at(doc.text.index("Coöperatie en")) == 4
    assert doc.title == "Testnotitie Regio Deal"


def test_plain_text_loads(tmp_path: Path) -> None:
    f = tmp_path / "notitie.txt"
    f.write_text("Titel van de notitie\n\nDe regio vraagt € 40 miljoen aan het Rijk.\n", encoding="utf-8")
    doc = load_file(f)
    assert doc.doc_id == "notitie" and "€ 40 miljoen" in doc.text and doc.pages == []


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("encrypted", "encrypted PDF"),
        ("corrupt", "not a readable PDF"),
        ("scanned", "no text layer"),
        ("empty", "empty file"),
        ("png", "not a document"),
        ("binary", "not a text document"),
        ("docx", "unsupported file type"),
        ("large", "file too large"),
    ],
)
def test_bad_inputs_fail_with_one_clear_reason(
    tmp_path: Path, make_pdf: Callable[..., Path], case: str, reason: str
) -> None:
    if case == "encrypted":
        path = make_pdf(tmp_path / "geheim.pdf", encrypt="wachtwoord")
    elif case == "corrupt":
        good = make_pdf(tmp_path / "good.pdf").read_bytes()
        path = tmp_path / "kapot.pdf"
        path.write_bytes(good[:200] + b"\x00garbage" * 50)
    elif case == "scanned":
        path = make_pdf(tmp_path / "scan.pdf", text=False)
    elif case == "empty":
        path = tmp_path / "leeg.md"
        path.write_bytes(b"")
    elif case == "png":
        path = tmp_path / "plaatje.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    elif case == "binary":
        path = tmp_path / "data.txt"
        path.write_bytes(bytes(range(256)) * 10)
    elif case == "docx":
        path = tmp_path / "stuk.odt"
        path.write_text("tekst")
    else:
        path = tmp_path / "groot.txt"
        path.write_bytes(b"woord " * 300_000)
    with pytest.raises(LoaderError) as err:
        load_file(path, max_mb=1)
    message = str(err.value)
    assert reason in message and "\n" not in message
