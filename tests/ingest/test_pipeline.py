"""Building, adding, removing: incremental, atomic under SIGKILL, visible to a running reader."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.api import CorpusDocumentError, add_files, build, list_documents, remove_document
from rag.chroma_client import close_client, list_builds, open_client
from rag.config import ROOT, Settings
from rag.store import IndexStore, UnknownDocumentError
from tests.pause_ingest import kill_ingest_at_pause

pytestmark = pytest.mark.slow


def _builds(settings: Settings) -> int:
    client = open_client(settings)
    try:
        return len(list_builds(client, settings.collection))
    finally:
        close_client(client)


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "REGIODEAL_CORPUS_DIR": str(settings.corpus_dir),
            "REGIODEAL_INDEX_DIR": str(settings.index_dir),
            "REGIODEAL_UPLOADS_DIR": str(settings.uploads_dir),
            "REGIODEAL_EMBED_BATCH_SIZE": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def test_add_list_remove_with_bad_files(
    mini_settings: Settings, tmp_path: Path, make_pdf: Callable[..., Path]
) -> None:
    build(mini_settings, progress=False)
    good = make_pdf(tmp_path / "Notitie Financiën.pdf")
    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"")
    png = tmp_path / "foto.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    enc = make_pdf(tmp_path / "geheim.pdf", encrypt="x")
    dup = tmp_path / "alpha-kopie.md"
    shutil.copy(Path(mini_settings.corpus_dir) / "alpha.md", dup)

    report = add_files([good, empty, png, enc, dup], mini_settings, progress=False)
    assert not report.ok
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name[good.name].ok and by_name[good.name].doc_id == "notitie-financien" and by_name[good.name].chunks > 0
    assert "empty file" in by_name["leeg.txt"].reason
    assert "not a document" in by_name["foto.png"].reason
    assert "encrypted" in by_name["geheim.pdf"].reason
    assert "duplicate of indexed document 'alpha'" in by_name["alpha-kopie.md"].reason
    assert all(line.count("\n") == 0 for line in report.lines())

    store = IndexStore(mini_settings)
    assert store.document("notitie-financien").pages[0].page == 1
    assert any(c.doc_id == "notitie-financien" for c, _ in store.dense_search("coöperatie dorpshubs", 3))
    assert (Path(mini_settings.uploads_dir) / "notitie-financien.pdf").exists()
    # an added document survives a forced rebuild (registry), and a second copy gets a new id
    assert build(mini_settings, progress=False, force=True).documents == 3
    rows = {r["doc_id"]: r for r in list_documents(mini_settings)}
    assert rows["notitie-financien"]["kind"] == "upload" and rows["alpha"]["kind"] == "corpus"

    with pytest.raises(CorpusDocumentError, match="cannot be removed"):
        remove_document("alpha", mini_settings)
    with pytest.raises(UnknownDocumentError, match="unknown document id 'zzz'"):
        remove_document("zzz", mini_settings)
    remove_document("notitie-financien", mini_settings, progress=False)
    assert store.refresh()
    assert {d.doc_id for d in store.documents()} == {"alpha", "beta"}


def test_changed_document_reembeds_only_its_chunks(mini_settings: Settings) -> None:
    first = build(mini_settings, progress=False)
    assert first.embedded == first.chunks > 0
    beta = Path(mini_settings.corpus_dir) / "beta.md"
    beta.write_text(beta.read_text(encoding="utf-8") + "\nNieuwe alinea over openbaar vervoer in Emmen.\n", encoding="utf-8")
    second = build(mini_settings, progress=False)
    assert not second.noop and 0 < second.embedded < second.chunks and second.reused >= 2
    chunks = IndexStore(mini_settings).chunks()
    assert any("openbaar vervoer" in c.text for c in chunks)
    assert len(chunks) == second.chunks
    assert _builds(mini_settings) == 2  # active + previous


def test_killed_ingest_leaves_the_old_index_usable(mini_settings: Settings) -> None:
    build(mini_settings, progress=False)
    store = IndexStore(mini_settings)
    old_version = store.version()
    assert store.dense_search("cofinanciering", 2)
    (Path(mini_settings.corpus_dir) / "gamma.md").write_text(
        "---\nid: gamma\ntitle: Gamma\n---\n# Gamma\n\n"
        + "\n\n".join(f"Alinea {i} over de bereikbaarheid van voorzieningen." for i in range(6)),
        encoding="utf-8",
    )
    assert kill_ingest_at_pause(2, ["-q", "build", "--force"], _env(mini_settings)) == -signal.SIGKILL

    fresh = IndexStore(mini_settings)
    assert fresh.version() == old_version  # the pointer never moved
    assert {d.doc_id for d in fresh.documents()} == {"alpha", "beta"}
    assert any("40 miljoen" in c.text for c, _ in fresh.dense_search("maximale bijdrage Regio Envelop", 3))
    assert _builds(mini_settings) == 2  # old + orphan

    report = build(mini_settings, progress=False)
    assert report.ok and report.documents == 3
    assert _builds(mini_settings) == 2  # orphan cleaned
    assert store.refresh() and "gamma" in {d.doc_id for d in store.documents()}


def test_running_reader_sees_a_reindex_by_another_process(mini_settings: Settings) -> None:
    build(mini_settings, progress=False)
    store = IndexStore(mini_settings)
    assert store.dense_search("huisartsen in de dorpen", 2)
    v1 = store.version()
    (Path(mini_settings.corpus_dir) / "delta.md").write_text(
        "---\nid: delta\ntitle: Delta\n---\n# Delta\n\nDe glasvezelkabel bereikt in 2020 alle boerderijen in Borger-Odoorn.\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "-q", "build"], env=_env(mini_settings), cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "Index built: 3 documents" in done.stdout
    assert store.refresh() is True and store.version() != v1
    assert store.refresh() is False
    hits = store.dense_search("glasvezel voor boerderijen", 1)
    assert hits[0][0].doc_id == "delta"
    assert any(c.doc_id == "delta" for c in store.chunks())


def test_cli_noop_and_exit_codes(mini_built: Settings, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ingest", "build"], env=_env(mini_built), cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.strip().startswith("Index up to date") and out.stdout.count("\n") == 1
    assert "loading embedding model" not in out.stderr
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    out = subprocess.run(
        [sys.executable, "-m", "ingest", "add", str(bad)], env=_env(mini_built), cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 1 and f"ERROR {bad}: not a readable PDF" in out.stdout
