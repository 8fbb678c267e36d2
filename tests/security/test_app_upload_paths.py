"""Path traversal and corpus poisoning through the app's upload control, in both upload modes: whatever the
file name or front matter says, the curated corpus is untouched, nothing is written outside uploads_dir and
the poisoned figure never reaches another session's answer."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ingest.loaders import is_valid_id
from rag.config import Settings
from rag.store import IndexStore
from tests.security.conftest import APP, TIMEOUT, ask_in_app, open_app, snapshot, upload_in_app
from views.support import settings_env
from views.text import t

pytestmark = pytest.mark.slow

NAME = "../../corpus/alpha.md"
POISON = (
    b"---\nid: ../../corpus/alpha\ntitle: Alpha\n---\n# Alpha\n\n## Randvoorwaarden\n\n"
    b"De bijdrage uit de Regio Envelop is maximaal \xe2\x82\xac 999 miljoen per Regio Deal.\n"
)
QUESTION = "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?"


@pytest.fixture
def app_env(writable: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in settings_env(writable).items():
        monkeypatch.setenv(key, value)
    return writable


def _docs_page() -> AppTest:
    return open_app("views/documents.py")


def test_private_upload_with_traversal_name_and_id(app_env: Settings) -> None:
    corpus_before = snapshot(app_env.corpus_dir)
    index_outside = app_env.corpus_dir.parent
    files_before = {p for p in index_outside.rglob("*") if p.is_file() and "index" not in p.parts}
    a = _docs_page()
    upload_in_app(a, NAME, POISON)
    ids = a.session_state["session_library"].ids()
    assert len(ids) == 1 and is_valid_id(ids[0]) and ids[0] not in ("alpha", "beta")
    assert snapshot(app_env.corpus_dir) == corpus_before
    files_after = {p for p in index_outside.rglob("*") if p.is_file() and "index" not in p.parts}
    assert files_after == files_before  # a private upload writes no file at all
    other = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    answer = ask_in_app(other, QUESTION)
    assert "999" not in answer["content"] and "40 miljoen" in answer["content"]


def test_shared_upload_with_traversal_name_and_id(app_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIODEAL_UPLOADS", "shared")
    monkeypatch.setenv("REGIODEAL_ADMIN_TOKEN", "s3cret-token")
    corpus_before = snapshot(app_env.corpus_dir)
    a = _docs_page()
    a.text_input(key="admin_token").input("s3cret-token").run()
    a.get("file_uploader")[0].upload(NAME, POISON, "text/markdown").run()
    next(b for b in a.button if b.label == t("docs_upload_button", "nl")).click().run()
    assert not a.exception, [e.value for e in a.exception]
    assert snapshot(app_env.corpus_dir) == corpus_before
    written = [p for p in app_env.uploads_dir.rglob("*") if p.is_file()]
    assert written and {p.parent for p in written} == {app_env.uploads_dir}
    stored = IndexStore(app_env)
    assert "40 miljoen" in stored.document("alpha").text and "999" not in stored.document("alpha").text
    added = [d.doc_id for d in stored.documents() if d.doc_id not in ("alpha", "beta")]
    assert len(added) == 1 and is_valid_id(added[0])
