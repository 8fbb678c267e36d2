"""Ids are data, never paths: front matter ids, file names and CLI ids cannot write, replace, shadow or
delete anything outside the uploads folder, least of all a curated corpus document."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.api import CorpusDocumentError, UnsafePathError, add_files, path_inside, remove_document
from ingest.loaders import is_valid_id, safe_doc_id, slugify
from ingest.pipeline import read_registry
from rag.config import Settings
from rag.store import IndexStore, UnknownDocumentError
from tests.pause_ingest import kill_ingest_at_pause
from tests.security.conftest import run_module, snapshot

pytestmark = pytest.mark.slow

POISON = "De bijdrage uit de Regio Envelop is maximaal € 999 miljoen per Regio Deal."
NASTY_IDS = [
    "../../corpus/kamerbrief",
    "../../../../outside/x",
    "sub/dir/x",
    "/etc/passwd",
    "..",
    ".",
    "",
    "a\x00b",
    "ALPHA",
    "x" * 200,
    "kamerbrief.md",
    "\\..\\..\\corpus\\alpha",
    "\udcff\udcfe",
    "-leading-dash",
]


def _md(doc_id: str, body: str = POISON) -> str:
    return f"---\nid: {doc_id!r}\ntitle: Kamerbrief\n---\n# Kamerbrief\n\n{body}\n"


@pytest.mark.parametrize("value", NASTY_IDS)
def test_any_id_from_front_matter_becomes_a_valid_id(value: str) -> None:
    doc_id = safe_doc_id(value, "upload.md")
    assert is_valid_id(doc_id) and "/" not in doc_id and ".." not in doc_id


@pytest.mark.parametrize("name", ["../../x.md", "..", "a/b", "a\\b", "", ".", "x\x00.md"])
def test_store_paths_never_leave_their_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePathError):
        path_inside(tmp_path, name)
    assert path_inside(tmp_path, "ok-name.md").parent == tmp_path.resolve()


def test_slug_of_a_bad_file_name_is_valid() -> None:
    assert is_valid_id(slugify(os.fsdecode(b"notitie-\xff\xfe.md")))
    assert is_valid_id(slugify("../../corpus/kamerbrief.md"))


@pytest.mark.parametrize("front_id", ["../corpus/alpha", "../../../../outside/x", "sub/dir/x", "alpha"])
def test_front_matter_id_cannot_replace_or_shadow_a_corpus_document(writable: Settings, tmp_path: Path, front_id: str) -> None:
    corpus_before = snapshot(writable.corpus_dir)
    upload = tmp_path / "incoming" / "notitie.md"
    upload.parent.mkdir()
    upload.write_text(_md(front_id), encoding="utf-8")
    report = add_files([upload], writable, progress=False)
    assert report.ok, report.lines()
    new_id = report.files[0].doc_id
    assert is_valid_id(new_id) and new_id not in ("alpha", "beta")
    assert snapshot(writable.corpus_dir) == corpus_before  # the corpus is read-only to uploads
    assert not (tmp_path / "outside").exists() and not (tmp_path.parent / "outside").exists()
    written = [p for p in writable.uploads_dir.rglob("*") if p.is_file()]
    assert {p.parent for p in written} == {writable.uploads_dir}
    assert not list(writable.uploads_dir.glob("*.tmp"))
    store = IndexStore(writable)
    assert "40 miljoen" in store.document("alpha").text and "999" not in store.document("alpha").text


def test_file_name_with_a_bad_byte_is_added_without_orphans(writable: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    raw_name = os.path.join(os.fsencode(folder), b"notitie-\xff.md")
    with open(raw_name, "wb") as fh:
        fh.write(b"# Notitie\n\nDe gemeente Coevorden opent een dorpshub in Dalen.\n")
    report = add_files([os.fsdecode(raw_name)], writable, progress=False)
    assert report.ok, report.lines()
    assert is_valid_id(report.files[0].doc_id)
    files = {p.name for p in writable.uploads_dir.iterdir()}
    assert files == {"registry.json", f"{report.files[0].doc_id}.md"}
    assert "\n".join(report.lines())  # printable


def test_remove_refuses_corpus_and_path_ids(writable: Settings) -> None:
    before = snapshot(writable.corpus_dir)
    with pytest.raises(CorpusDocumentError):
        remove_document("alpha", writable, progress=False)
    for bad in ("../corpus/alpha", "alpha.md", "/etc/passwd", "..\\alpha"):
        with pytest.raises(UnknownDocumentError):
            remove_document(bad, writable, progress=False)
    assert snapshot(writable.corpus_dir) == before


def test_cli_add_with_traversal_id_keeps_the_corpus(writable: Settings, tmp_path: Path) -> None:
    before = snapshot(writable.corpus_dir)
    upload = tmp_path / "evil.md"
    upload.write_text(_md("../../corpus/alpha"), encoding="utf-8")
    p = run_module(writable, "ingest", "-q", "add", str(upload))
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    assert snapshot(writable.corpus_dir) == before
    p = run_module(writable, "ingest", "remove", "../corpus/alpha")
    assert p.returncode == 2 and snapshot(writable.corpus_dir) == before


def test_killed_add_does_not_block_adding_again(writable: Settings, tmp_path: Path) -> None:

    from views.support import settings_env

    upload = tmp_path / "lang.md"
    upload.write_text(
        "# Lang\n\n" + "\n\n".join(f"Alinea {i}: de dorpshub in Sleen {i} krijgt een huisarts." * 8 for i in range(30)),
        encoding="utf-8",
    )
    env = {**os.environ, **settings_env(writable), "REGIODEAL_LOG_LEVEL": "WARNING"}
    kill_ingest_at_pause(1, ["-q", "add", str(upload)], env)
    report = add_files([upload], writable, progress=False)
    assert report.ok, report.lines()  # not "duplicate of indexed document"
    assert [e["doc_id"] for e in read_registry(writable)] == [report.files[0].doc_id]
    assert not any(e.get("pending") for e in read_registry(writable))
