"""Bounded cost per upload: pages, characters, chunks per document and per session, size and count.
A PDF bomb (thousands of pages, or a flood of text) stops at the first bound with a clear reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.loaders import LoaderError, is_valid_id
from ingest.session import SESSION_ID_PREFIX, prepare_upload
from rag.config import Settings


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(index_dir=tmp_path / "i", uploads_dir=tmp_path / "u", **kw)  # type: ignore[arg-type]


def _note(n_paragraphs: int) -> bytes:
    return ("# Notitie\n\n" + "\n\n".join(f"Alinea {i} over de dorpshub en de huisarts in Sleen." * 6 for i in range(n_paragraphs))).encode()


def test_oversize_upload_is_refused_before_parsing(tmp_path: Path) -> None:
    s = _settings(tmp_path, max_upload_mb=1)
    with pytest.raises(LoaderError, match="too large"):
        prepare_upload("groot.md", b"a" * (1024 * 1024 + 1), s, [])


def test_too_many_characters(tmp_path: Path) -> None:
    s = _settings(tmp_path, max_upload_chars=5000)
    with pytest.raises(LoaderError, match="too long"):
        prepare_upload("lang.md", _note(40), s, [])


def test_too_many_chunks_per_document_and_per_session(tmp_path: Path) -> None:
    s = _settings(tmp_path, max_upload_chunks=3, chunk_size=200, chunk_overlap=0)
    with pytest.raises(LoaderError, match="chunks"):
        prepare_upload("veel.md", _note(20), s, [])
    s = _settings(tmp_path, session_max_chunks=10, chunk_size=200, chunk_overlap=0)
    with pytest.raises(LoaderError, match="per session"):
        prepare_upload("veel.md", _note(5), s, [], session_chunks=8)


def test_too_many_documents_per_session(tmp_path: Path) -> None:
    s = _settings(tmp_path, session_max_docs=2)
    with pytest.raises(LoaderError, match="limit is 2"):
        prepare_upload("derde.md", _note(1), s, [], session_docs=2)


@pytest.mark.slow
def test_pdf_bomb_of_pages_is_refused_by_the_page_bound(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    pdf = make_pdf(tmp_path / "bom.pdf", pages=["Regio Deal pagina."] * 60)
    s = _settings(tmp_path, max_upload_pages=50)
    with pytest.raises(LoaderError, match="too many pages"):
        prepare_upload("bom.pdf", pdf.read_bytes(), s, [])


@pytest.mark.slow
def test_pdf_text_flood_is_refused_by_the_character_bound(tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    page = "\n".join(["Regio Deal Zuid- en Oost-Drenthe dorpshub huisarts school winkel bus"] * 45)
    pdf = make_pdf(tmp_path / "vloed.pdf", pages=[page] * 10)
    s = _settings(tmp_path, max_upload_chars=10_000)
    with pytest.raises(LoaderError, match="too long"):
        prepare_upload("vloed.pdf", pdf.read_bytes(), s, [])


def test_session_id_is_fresh_and_never_a_corpus_id(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    raw = b"---\nid: ../../corpus/kamerbrief\ntitle: Kamerbrief\n---\n# Kamerbrief\n\nDe bijdrage is 999 miljoen.\n"
    taken = ["kamerbrief", "letter", "twopager", f"{SESSION_ID_PREFIX}kamerbrief"]
    prepared = prepare_upload("../../corpus/kamerbrief.md", raw, s, taken)
    assert is_valid_id(prepared.doc.doc_id) and prepared.doc.doc_id not in taken
    assert prepared.doc.doc_id.startswith(SESSION_ID_PREFIX)
    assert prepared.doc.source_path == ""
    assert all(c.doc_id == prepared.doc.doc_id for c in prepared.chunks)
