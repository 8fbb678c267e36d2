"""Switching builds leaves no folder of a replaced build behind: Chroma 1.5 keeps a deleted collection's
HNSW folder on disk, so without cleanup every add or remove would grow the index folder for good."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest.api import add_files, remove_document, remove_orphan_segments
from rag.config import Settings

pytestmark = pytest.mark.slow
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def writable_index(mini_built: Settings, tmp_path: Path) -> Settings:
    shutil.copytree(mini_built.index_dir, tmp_path / "index")
    return mini_built.model_copy(update={"index_dir": tmp_path / "index", "uploads_dir": tmp_path / "uploads"})


def _folders(index: Path) -> set[str]:
    return {p.name for p in index.iterdir() if p.is_dir() and UUID.fullmatch(p.name)}


def _live(index: Path) -> set[str]:
    con = sqlite3.connect(f"file:{index / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        return {r[0] for r in con.execute("SELECT id FROM segments")}
    finally:
        con.close()


def test_add_and_remove_leave_only_live_build_folders(writable_index: Settings, tmp_path: Path) -> None:
    index = Path(writable_index.index_dir)
    for n in range(2):
        doc = tmp_path / f"extra{n}.md"
        doc.write_text(f"# Extra {n}\n\nDit is aanvullend document nummer {n} over fietspaden in Drenthe.\n")
        assert add_files([doc], writable_index, progress=False).ok
    remove_document("extra0", writable_index, progress=False)
    folders = _folders(index)
    assert folders and folders <= _live(index), folders - _live(index)


def test_only_uuid_folders_that_chroma_no_longer_lists_are_removed(writable_index: Settings) -> None:
    index = Path(writable_index.index_dir)
    live_before = _folders(index)
    orphan = index / "0123abcd-0000-4000-8000-00000000abcd"
    orphan.mkdir()
    (orphan / "data_level0.bin").write_bytes(b"x")
    keep = index / "notes"
    keep.mkdir()
    assert remove_orphan_segments(writable_index) == [orphan.name]
    assert not orphan.exists() and keep.exists() and _folders(index) == live_before


def test_nothing_is_removed_from_a_server_index(writable_index: Settings) -> None:
    orphan = Path(writable_index.index_dir) / "0123abcd-0000-4000-8000-00000000abcd"
    orphan.mkdir()
    remote = writable_index.model_copy(update={"chroma_url": "http://127.0.0.1:9"})
    assert remove_orphan_segments(remote) == [] and orphan.exists()
