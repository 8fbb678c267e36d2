"""The Streamlit app through AppTest, over a real index with the real Assistant (no fakes).

The app reads its settings from ``REGIODEAL_*`` environment variables on every run, so each test points
it at the session's test index (``built_settings``) with ``monkeypatch``; tests that change an index
(upload/remove) use a private copy of the small ``mini_built`` index.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from rag.config import ROOT, Settings
from views.render import STARTER_QUESTIONS
from views.support import settings_env
from views.text import t

APP = str(ROOT / "app.py")
# The first answer in a process waits for lazy loading (embedding model, sentence vectors): be generous.
TIMEOUT = 300

pytestmark = pytest.mark.slow


def _use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def app_settings(built_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The shared test index, with this test's own feedback file."""
    settings = built_settings.model_copy(update={"feedback_path": tmp_path / "feedback.jsonl"})
    _use(monkeypatch, settings)
    return settings


@pytest.fixture
def writable_settings(mini_built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A private copy of the small mini index: uploads and removals may change it."""
    shutil.copytree(mini_built.index_dir, tmp_path / "index")
    settings = mini_built.model_copy(
        update={
            "index_dir": tmp_path / "index",
            "uploads_dir": tmp_path / "uploads",
            "feedback_path": tmp_path / "feedback.jsonl",
        }
    )
    _use(monkeypatch, settings)
    return settings


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _texts(block: Any) -> str:
    """All visible Markdown, captions and alerts of a block, for content assertions."""
    parts = [m.value for m in block.markdown] + [c.value for c in block.caption]
    for kind in ("info", "warning", "error", "success"):
        parts += [a.value for a in getattr(block, kind)]
    return "\n".join(parts).replace("\\", "")


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    _ok(at)
    return at


def _last_answer(at: AppTest) -> Any:
    messages = [m for m in at.chat_message if m.name == "assistant"]
    assert messages, "no answer shown"
    return messages[-1]


# --------------------------------------------------------------------------- chat


def test_empty_chat_shows_explanation_and_starter_questions(app_settings: Settings) -> None:
    at = _app()
    _ok(at)
    assert at.title[0].value == "Regio Deal Assistent"
    body = _texts(at.main)
    assert "Stel een vraag in gewone taal" in body
    labels = [b.label for b in at.button]
    for audience in ("council", "official", "citizen"):
        for q in STARTER_QUESTIONS["nl"][audience]:
            assert q in labels
    assert not at.chat_message


def test_starter_question_is_asked_and_answered_with_sources(app_settings: Settings) -> None:
    at = _app()
    question = STARTER_QUESTIONS["nl"]["official"][0]  # minimum and maximum per Regio Deal
    next(b for b in at.button if b.label == question).click().run()
    _ok(at)
    user = [m for m in at.chat_message if m.name == "user"]
    assert [_texts(m) for m in user] == [question]
    answer = _last_answer(at)
    text = _texts(answer)
    assert "40 miljoen" in text and "5 miljoen" in text
    assert "[1]" in text
    assert "Beantwoord door" in text
    # a numbered source card: title, page, section, quote highlighted, link to the passage
    assert "[1] Kamerbrief" in text
    assert ":orange-background[" in "\n".join(m.value for m in answer.markdown)
    links = answer.get("page_link")
    assert links and links[0].value == t("open_in_document", "nl")
    source = at.session_state["messages"][1]["sources"][0]
    assert links[0].proto.page == "documenten"
    assert links[0].proto.query_string == f"doc=kamerbrief&start={source['start']}&end={source['end']}&lang=nl"
    # the intro is gone, the conversation can be exported and restarted
    assert "Stel een vraag in gewone taal" not in _texts(at.main)
    assert not at.sidebar.button[0].disabled  # Nieuw gesprek
    assert source["doc_id"] == "kamerbrief"


def test_follow_up_question_uses_the_conversation(app_settings: Settings) -> None:
    at = _app()
    _ask(at, "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?")
    _ask(at, "En wat is het minimum?")
    assert len([m for m in at.chat_message if m.name == "assistant"]) == 2
    text = _texts(_last_answer(at))
    assert "5 miljoen" in text
    assert "Gelezen als" in text  # the standalone form of the follow-up is shown
    messages = at.session_state["messages"]
    assert messages[3]["standalone_question"] != "En wat is het minimum?"
    # sources survive reruns: they are stored with each message
    at.run()
    assert "[1] Kamerbrief" in _texts(at.chat_message[1])


def test_question_the_documents_do_not_answer_is_refused_with_a_banner(app_settings: Settings) -> None:
    at = _ask(_app(), "Wat is de hoofdstad van Frankrijk?")
    answer = _last_answer(at)
    assert any(t("banner_refused", "nl") in i.value for i in answer.info)
    text = _texts(answer)
    # either the plain refusal, or the calibrated "not precisely; the closest passages are ..." (cited)
    assert "niet in de documenten" in text or "zeggen dit niet precies" in text
    assert at.session_state["messages"][-1]["refused"] is True


def test_too_long_question_gets_a_friendly_message(app_settings: Settings) -> None:
    at = _ask(_app(), "Regio Deal " * 300)
    answer = _last_answer(at)
    assert answer.warning and "te lang" in answer.warning[0].value
    assert str(app_settings.max_question_chars) in answer.warning[0].value
    assert not at.error


def test_english_question_gets_english_answer_and_interface(app_settings: Settings) -> None:
    at = _ask(_app(), "What is the maximum contribution from the Regio Envelop per Regio Deal?")
    assert at.session_state["ui_lang"] == "en"
    text = _texts(_last_answer(at))
    assert "Answered by" in text and "40" in text
    assert at.title[0].value == "Regio Deal Assistant"
    assert "New conversation" in [b.label for b in at.sidebar.button]


def test_feedback_with_comment_is_appended_to_jsonl(app_settings: Settings) -> None:
    at = _ask(_app(), "Hoeveel vraagt de regio het Rijk te investeren?")
    at.feedback[0].set_value(1).run()
    _ok(at)
    rows = [json.loads(x) for x in app_settings.feedback_path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["rating"] == "up"
    assert rows[0]["question"] == "Hoeveel vraagt de regio het Rijk te investeren?"
    assert rows[0]["answer"] and rows[0]["sources"] and rows[0]["sources"][0]["quote"]

    at.text_area[0].input("De bron is precies goed.").run()
    next(b for b in at.button if b.label == t("feedback_send", "nl")).click().run()
    _ok(at)
    rows = [json.loads(x) for x in app_settings.feedback_path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and rows[1]["comment"] == "De bron is precies goed."
    assert rows[1]["message_id"] == rows[0]["message_id"]
    assert t("feedback_thanks", "nl") in _texts(at.main)


def test_new_conversation_clears_the_chat(app_settings: Settings) -> None:
    at = _ask(_app(), "Wat is een Regio Deal?")
    export = at.sidebar.get("download_button")
    assert export and not export[0].disabled
    next(b for b in at.sidebar.button if b.label == "Nieuw gesprek").click().run()
    _ok(at)
    assert not at.chat_message
    assert at.session_state["messages"] == []
    assert "Stel een vraag in gewone taal" in _texts(at.main)


def test_missing_index_shows_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, Settings(index_dir=tmp_path / "no-index", uploads_dir=tmp_path / "up",
                               feedback_path=tmp_path / "f.jsonl"))
    at = _app()
    _ok(at)
    assert any("make index" in w.value for w in at.warning)
    for page in ("views/documents.py", "views/about.py"):
        at.switch_page(page).run()
        _ok(at)
        assert any("make index" in w.value for w in at.warning), page


# --------------------------------------------------------------------------- other pages


def test_documents_page_opens_at_the_cited_passage(app_settings: Settings) -> None:
    at = _ask(_app(), "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?")
    source = at.session_state["messages"][-1]["sources"][0]
    at.query_params.update({"doc": source["doc_id"], "start": str(source["start"]), "end": str(source["end"])})
    at.switch_page("views/documents.py").run()
    _ok(at)
    assert at.selectbox[0].value == source["doc_id"]
    assert any(s.value == t("docs_cited", "nl") and s.proto.anchor == "passage" for s in at.subheader)
    highlighted = [m.value for m in at.markdown if ":orange-background[" in m.value]
    assert len(highlighted) >= 2  # the card on top and the passage in the full text
    assert "40 miljoen" in highlighted[0].replace("\\", "")
    assert "Minister van Landbouw" in _texts(at.main)  # front matter shown


def test_documents_page_handles_a_bad_link(app_settings: Settings) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.query_params.update({"doc": "letter", "start": "999999", "end": "1000000"})
    at.switch_page("views/documents.py").run()
    _ok(at)
    assert any(t("docs_bad_link", "nl") in w.value for w in at.warning)
    at.query_params.clear()
    at.query_params.update({"doc": "bestaat-niet"})
    at.run()
    _ok(at)
    assert any(t("docs_unknown", "nl") in w.value for w in at.warning)


def test_calculator_checks_a_plan_and_cites_the_rules(app_settings: Settings) -> None:
    at = _app()
    at.switch_page("views/calculator.py").run()
    _ok(at)
    at.text_input(key="calc_requested").input("€ 40 miljoen")
    at.text_input(key="calc_regional").input("35 mln")
    at.button[0].click().run()
    _ok(at)
    assert at.error and "niet binnen de regels" in at.error[0].value
    body = _texts(at.main)
    assert "Maximaal 50% uit de Regio Envelop" in body and "niet voldaan" in body
    assert "€ 40 mln / € 75 mln = 53,3%" in body
    assert "vanuit de Regio Envelop wordt maximaal 50% bijgedragen" in body  # rule citation, verbatim
    assert at.get("page_link")

    at.text_input(key="calc_regional").input("€40M")
    at.button[0].click().run()
    assert at.success and "past binnen de regels" in at.success[0].value


def test_calculator_explains_an_unreadable_amount(app_settings: Settings) -> None:
    at = _app()
    at.switch_page("views/calculator.py").run()
    at.text_input(key="calc_requested").input("heel veel geld")
    at.button[0].click().run()
    _ok(at)
    assert at.error and "heel veel geld" in at.error[0].value
    assert t("calc_requested", "nl") in at.error[0].value


def test_about_page_shows_engine_and_index_status(app_settings: Settings) -> None:
    at = _app()
    at.switch_page("views/about.py").run()
    _ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("about_engine", "nl")] == "extractive"
    assert int(metrics[t("about_chunks", "nl")]) > 10
    body = _texts(at.main)
    assert "e5-small" in body
    assert "Kamerbrief" in body and "seeds" in body  # provenance of each document


# --------------------------------------------------------------------------- uploads


def _go_documents(at: AppTest) -> AppTest:
    at.switch_page("views/documents.py").run()
    _ok(at)
    return at


def _upload(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    """Upload into this session's private library and wait for its background job to finish."""
    uploaders = at.get("file_uploader")
    assert uploaders, "the upload section is missing"
    uploaders[0].upload(name, data, mime).run()
    _ok(at)
    next(b for b in at.button if b.label == t("docs_upload_button_private", "nl")).click().run()
    _ok(at)
    lib = at.session_state["session_library"]
    job = lib.job
    if job is not None and job.thread is not None:
        job.thread.join(timeout=TIMEOUT)
        at.run()
        _ok(at)
    return at


def test_upload_of_a_bad_pdf_shows_the_reason(writable_settings: Settings) -> None:
    at = _go_documents(_app())
    _upload(at, "kapot.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF garbage", "application/pdf")
    errors = [e.value.replace("\\", "") for e in at.error]
    assert errors and "kapot.pdf" in errors[0] and "PDF" in errors[0].split("kapot.pdf", 1)[1]
    kept = list(writable_settings.uploads_dir.glob("*")) if writable_settings.uploads_dir.exists() else []
    assert kept == []  # a refused file is not kept

    _upload(at, "foto.pdf", b"\x89PNG\r\n\x1a\n....", "application/pdf")
    assert any(t("err_not_pdf", "nl") in e.value for e in at.error)


def test_upload_and_remove_keep_the_chat_going(writable_settings: Settings) -> None:
    at = _ask(_app(), "Wat is de bijdrage uit de Regio Envelop?")
    assert "[1]" in _texts(_last_answer(at))

    note = (
        b"# Notitie waterstofhub\n\n## Plan\n\n"
        b"De gemeente Emmen bouwt een waterstofhub bij het industrieterrein Bargermeer voor 12 bussen.\n"
    )
    _go_documents(at)
    _upload(at, "waterstof-notitie.md", note, "text/markdown")
    assert at.success, [e.value for e in at.error]
    assert any("waterstof-notitie.md" in s.value.replace("\\", "") for s in at.success)
    assert any(b.label == t("docs_remove", "nl") for b in at.button)

    at.switch_page("views/chat.py").run()
    _ok(at)
    assert len(at.chat_message) == 2  # the conversation survived the re-index
    _ask(at, "Waar bouwt Emmen de waterstofhub?")
    answer = at.session_state["messages"][-1]
    assert "Bargermeer" in answer["content"]
    assert answer["sources"] and answer["sources"][0]["doc_id"] not in ("alpha", "beta")

    _go_documents(at)
    next(b for b in at.button if b.label == t("docs_remove", "nl")).click().run()
    _ok(at)
    assert any("Verwijderd" in s.value for s in at.success), [e.value for e in at.error]
    assert not any(b.label == t("docs_remove", "nl") for b in at.button)


def test_pages_are_compiled_without_streamlit_magic() -> None:
    """Magic parses every page with ast.parse, which CPython 3.11 does not make safe across threads (two sessions at
    once: "SystemError: AST constructor recursion depth mismatch", seen once in a fresh-clone CI run). The pages need
    no magic; the project's Streamlit config switches it off, for the server and for AppTest alike."""
    import tomllib

    from streamlit import config

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["runner"]["magicEnabled"] is False
    AppTest.from_file(str(ROOT / "app.py"))  # loads the project's config, as a test session does
    assert config.get_option("runner.magicEnabled") is False
