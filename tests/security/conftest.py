"""Fixtures of the security suite: a private, writable copy of the small mini index per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag.config import ROOT, Settings
from views.support import settings_env

APP = str(ROOT / "app.py")
TIMEOUT = 300


@pytest.fixture
def writable(mini_built: Settings, tmp_path: Path) -> Settings:
    """The mini corpus (alpha, beta) and its index, copied: uploads and removals may change them."""
    shutil.copytree(mini_built.corpus_dir, tmp_path / "corpus")
    shutil.copytree(mini_built.index_dir, tmp_path / "index")
    return mini_built.model_copy(
        update={
            "corpus_dir": tmp_path / "corpus",
            "index_dir": tmp_path / "index",
            "uploads_dir": tmp_path / "uploads",
            "feedback_path": tmp_path / "feedback.jsonl",
        }
    )


def open_app(page: str = "") -> AppTest:
    """A fresh app session (a new browser tab), switched to ``page`` (e.g. "views/documents.py") when given."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_in_app(at: AppTest, name: str, data: bytes) -> AppTest:
    """Upload a Markdown file into the session's own library on the Documents page and wait for it."""
    from views.text import t

    at.get("file_uploader")[0].upload(name, data, "text/markdown").run()
    next(b for b in at.button if b.label == t("docs_upload_button_private", "nl")).click().run()
    job = at.session_state["session_library"].job
    assert job is not None and job.thread is not None
    job.thread.join(timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask_in_app(at: AppTest, question: str) -> dict:
    """Ask on the chat page; the last message (the answer, as the chat keeps it)."""
    at.switch_page("views/chat.py").run()
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["messages"][-1]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove a folder was not touched)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_module(settings: Settings, module: str, *args: str | bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m module args`` in a subprocess over ``settings`` (bytes in, bytes out: bad bytes allowed)."""
    full = dict(os.environ)
    full.update(settings_env(settings))
    full.update({"REGIODEAL_LOG_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1"})
    full.update(env)
    return subprocess.run(
        [sys.executable.encode(), b"-m", module.encode(), *[a if isinstance(a, bytes) else a.encode() for a in args]],
        cwd=ROOT, env=full, capture_output=True, timeout=600,
    )
