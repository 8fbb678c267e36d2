"""Server mode as a deployment with no local state: with ``REGIODEAL_SNAPSHOT_CACHE_DIR=`` (empty) an ingest
against a real ``chroma run`` server and a client answering from it write no file anywhere on the client's
machine: not in the user's folders (HOME, XDG cache/data/config/state), not in the temporary folder, not in the
configured index, uploads or working folder. Both run as their own processes, as a deployment runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_ingest_and_ask_against_a_server_write_nothing_locally(tmp_path: Path) -> None:
    from bench.bench_scale import start_chroma_server

    corpus = ROOT / "corpus"  # the curated corpus: its answer units' questions and gaps go into the question index
    local = tmp_path / "local"  # everything the client machine could write to
    home, tmp, work = local / "home", local / "tmp", local / "work"
    for folder in (home, tmp, work):
        folder.mkdir(parents=True)
    server, url = start_chroma_server(tmp_path / "server")
    try:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "TMPDIR": str(tmp),
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",  # the interpreter's own bytecode cache is not the application's
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            "TOKENIZERS_PARALLELISM": "false",
            "REGIODEAL_CHROMA_URL": url,
            "REGIODEAL_SNAPSHOT_CACHE_DIR": "",
            "REGIODEAL_CORPUS_DIR": str(corpus),
            "REGIODEAL_INDEX_DIR": str(local / "index"),
            "REGIODEAL_UPLOADS_DIR": str(local / "uploads"),
            "REGIODEAL_FEEDBACK_PATH": str(local / "feedback.jsonl"),
            "REGIODEAL_EMBEDDING": "hash-384",
            "REGIODEAL_SENTENCE_EMBEDDING": "hash-384",
        }
        for cmd in (
            ["-m", "ingest", "build"],
            ["-m", "rag", "ask", "--json", "Hoeveel mag een Regio Deal maximaal uit de Regio Envelop krijgen?"],
        ):
            out = subprocess.run([sys.executable, *cmd], env=env, cwd=work, capture_output=True, text=True)
            assert out.returncode == 0, out.stderr[-3000:]
        answer = json.loads(out.stdout)
        assert "40 miljoen" in answer["answer"] and answer["citations"]
        made = _files(local)
        assert made == ["home", "tmp", "work"], made  # the three empty folders made above, nothing else
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_only_a_server_deployment_with_an_empty_cache_setting_keeps_no_local_state(tmp_path: Path) -> None:
    from rag.config import Settings

    server = {"index_dir": tmp_path / "index", "chroma_url": "http://127.0.0.1:9"}
    assert not Settings(**server, snapshot_cache_dir="").keeps_local_state  # type: ignore[arg-type]
    assert Settings(**server, snapshot_cache_dir=tmp_path / "c").keeps_local_state  # type: ignore[arg-type]
    assert Settings(index_dir=tmp_path / "index", snapshot_cache_dir="").keeps_local_state  # embedded: the index
    assert Settings(index_dir=tmp_path / "index", question_cache_dir="").question_cache_dir is None


def test_the_build_lock_of_a_deployment_without_local_state(tmp_path: Path) -> None:
    """No lock file unless the machine holds uploads (then it is beside them); with local state, in the index."""
    from ingest.pipeline import build_lock
    from rag.config import Settings

    s = Settings(index_dir=tmp_path / "index", uploads_dir=tmp_path / "uploads", chroma_url="http://127.0.0.1:9",
                 snapshot_cache_dir="")  # type: ignore[arg-type]
    with build_lock(s):
        pass
    assert _files(tmp_path) == []
    with build_lock(s, writes_uploads=True):
        pass
    assert _files(tmp_path) == ["uploads", "uploads/.build.lock"]
    with build_lock(s.model_copy(update={"snapshot_cache_dir": tmp_path / "cache"})):
        pass
    assert (tmp_path / "index" / ".build.lock").exists()
