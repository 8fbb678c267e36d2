"""A browser session that ends without saying so (its library is garbage-collected) leaves no vectors behind
in the process's in-memory Chroma client."""

from __future__ import annotations

import gc

import numpy as np

from ingest.session import prepare_upload
from rag.config import Settings
from rag.session_docs import SessionLibrary, _memory_client


def _names() -> set[str]:
    return {getattr(c, "name", c) for c in _memory_client().list_collections()}


def test_a_forgotten_library_drops_its_collection(mini_settings: Settings) -> None:
    lib = SessionLibrary(mini_settings)
    prepared = prepare_upload("notitie.md", b"# Notitie\n\nHet zwembad krijgt 7,3 miljoen euro.\n", mini_settings, [])
    vectors = np.random.default_rng(0).random((len(prepared.chunks), 384), dtype=np.float32)
    lib.add(prepared.doc, prepared.chunks, vectors, prepared.sha256, prepared.name)
    name = lib._collection_name
    assert name in _names()
    del lib
    gc.collect()
    assert name not in _names()
