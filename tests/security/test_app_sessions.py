"""The app through AppTest with two browser sessions: a private upload is visible, answerable and
removable only in the session that uploaded it; HTML/JS in documents and questions is shown as text;
bad bytes in a question do not break the page; the upload mode is stated on the page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag.config import Settings
from tests.security.conftest import APP, TIMEOUT, ask_in_app, open_app, upload_in_app
from views.support import settings_env
from views.text import t

pytestmark = pytest.mark.slow

SECRET = (
    b"# Vertrouwelijke notitie zwembad\n\n"
    b"Het zwembad De Zwaaikom in Sleen krijgt een renovatiebudget van 7,3 miljoen euro van de gemeente.\n\n"
    b"<script>alert('xss')</script> <img src=x onerror=alert(1)> [klik](javascript:alert(2))\n"
)
QUESTION = "Hoeveel renovatiebudget krijgt het zwembad De Zwaaikom in Sleen?"


@pytest.fixture
def app_env(mini_built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    shutil.copytree(mini_built.index_dir, tmp_path / "index")
    settings = mini_built.model_copy(
        update={"index_dir": tmp_path / "index", "uploads_dir": tmp_path / "uploads", "feedback_path": tmp_path / "f.jsonl"}
    )
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    return settings


def _session() -> AppTest:
    return open_app()


def _docs(at: AppTest, query: str = "") -> AppTest:
    at.switch_page("views/documents.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _all_markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def test_private_upload_stays_in_its_session(app_env: Settings) -> None:
    a, b = _session(), _session()
    _docs(a)
    assert any(t("docs_mode_private", "nl", hours=app_env.upload_ttl_h) in c.value for c in a.caption)
    upload_in_app(a, "zwembad.md", SECRET)
    assert a.success, [e.value for e in a.error]
    own = a.session_state["session_library"].ids()
    assert len(own) == 1 and own[0].startswith("eigen-")
    doc_id = own[0]

    answer_a = ask_in_app(a, QUESTION)
    assert "7,3 miljoen" in answer_a["content"]
    assert any(s["doc_id"] == doc_id for s in answer_a["sources"])

    # the other session: not listed, not removable, not retrieved, not openable by link
    _docs(b)
    assert not any(b_.label == t("docs_remove", "nl") for b_ in b.button)
    assert doc_id not in (b.selectbox[0].options if b.selectbox else [])
    assert not any("Zwaaikom" in m for m in _all_markdown(b))
    answer_b = ask_in_app(b, QUESTION)
    assert "7,3" not in answer_b["content"]
    assert all(s["doc_id"] != doc_id for s in answer_b.get("sources", []))
    b.switch_page("views/documents.py")
    b.query_params["doc"] = doc_id
    b.run()
    assert any(t("docs_unknown", "nl") in w.value for w in b.warning)
    assert not any("Zwaaikom" in m for m in _all_markdown(b))
    assert not list(Path(app_env.uploads_dir).glob("*")) if Path(app_env.uploads_dir).exists() else True

    # the owner removes it; then it no longer answers
    _docs(a)
    next(x for x in a.button if x.label == t("docs_remove", "nl")).click().run()
    assert a.session_state["session_library"].ids() == []
    assert "7,3 miljoen" not in ask_in_app(a, QUESTION)["content"]


def test_html_in_an_uploaded_document_is_shown_as_text(app_env: Settings) -> None:
    a = _session()
    _docs(a)
    upload_in_app(a, "zwembad.md", SECRET)
    doc_id = a.session_state["session_library"].ids()[0]
    a.query_params["doc"] = doc_id
    a.switch_page("views/documents.py").run()
    texts = _all_markdown(a)
    assert any("Zwaaikom" in m for m in texts)
    for m in texts:  # every tag and link is escaped, never live markup
        assert not re.search(r"(?<!\\)<(script|img)", m), m
        assert "](javascript:" not in m


def test_html_and_bad_characters_in_a_question(app_env: Settings) -> None:
    a = _session()
    # (a browser cannot send a lone surrogate: the wire is UTF-8; NUL and control characters it can)
    msg = ask_in_app(a, "<script>alert(1)</script> \x00\x1b[31m Wat is de bijdrage uit de Regio Envelop?")
    assert msg["role"] == "assistant"
    for m in [x.value for x in a.markdown]:
        assert not re.search(r"(?<!\\)<script", m), m


def test_expired_documents_are_forgotten(app_env: Settings) -> None:
    import time

    a = _session()
    _docs(a)
    upload_in_app(a, "zwembad.md", SECRET)
    lib = a.session_state["session_library"]
    assert lib.ids()
    assert lib.expire(now=time.time() + app_env.upload_ttl_h * 3600 + 1)
    assert lib.ids() == []


def test_upload_off_shows_no_upload_control(app_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIODEAL_UPLOADS", "off")
    a = _docs(_session())
    assert not a.get("file_uploader")
    assert any(t("docs_mode_off", "nl") in i.value for i in a.info)


def test_shared_uploads_need_the_admin_token(app_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIODEAL_UPLOADS", "shared")
    a = _docs(_session())
    assert not a.get("file_uploader")  # no token configured: CLI only
    monkeypatch.setenv("REGIODEAL_ADMIN_TOKEN", "s3cret-token")
    a = _docs(_session())
    assert not a.get("file_uploader")
    a.text_input(key="admin_token").input("wrong").run()
    assert any(t("docs_admin_wrong", "nl") in e.value for e in a.error) and not a.get("file_uploader")
    a.text_input(key="admin_token").input("s3cret-token").run()
    assert a.get("file_uploader")


def test_unreachable_index_is_named(app_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    monkeypatch.setenv("REGIODEAL_CHROMA_URL", f"http://127.0.0.1:{port}")
    a = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    shown = " ".join(e.value for e in a.error) + " ".join(w.value for w in a.warning)
    assert t("index_unreachable", "nl") in shown
