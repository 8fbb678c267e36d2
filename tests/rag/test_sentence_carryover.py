"""An add or a remove never makes the answering side embed every sentence of the index again: the sentence
vectors of the previous build are carried over by the text that was embedded; only new sentences are missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.api import add_files, remove_document
from rag.config import Settings
from rag.retrieval import HybridRetriever
from rag.store import IndexStore

pytestmark = pytest.mark.slow


@pytest.fixture
def writable_index(mini_built: Settings, tmp_path: Path) -> Settings:
    shutil.copytree(mini_built.index_dir, tmp_path / "index")
    return mini_built.model_copy(update={"index_dir": tmp_path / "index", "uploads_dir": tmp_path / "uploads"})


def _missing(r: HybridRetriever) -> list[str]:
    r.ensure_fresh(force=True)
    if r._sent_emb is None:
        r._load_sentence_cache()
    assert r._sent_done is not None
    return [r.sentences[i].chunk.doc_id for i in range(len(r.sentences)) if not r._sent_done[i]]


def test_add_and_remove_embed_only_the_changed_sentences(writable_index: Settings, tmp_path: Path) -> None:
    retriever = HybridRetriever(IndexStore(writable_index), writable_index)
    retriever.warm(progress=False)
    before = len(retriever.sentences)
    doc = tmp_path / "extra.md"
    doc.write_text("# Extra\n\nDe fietsroute langs het kanaal wordt verbreed. Het werk begint in mei.\n")
    assert add_files([doc], writable_index, progress=False).ok
    missing = _missing(retriever)
    assert len(retriever.sentences) > before
    assert missing and set(missing) == {"extra"}, missing  # only the new document's sentences
    retriever.warm(progress=False)
    remove_document("extra", writable_index, progress=False)
    assert _missing(retriever) == []
    assert len(retriever.sentences) == before
