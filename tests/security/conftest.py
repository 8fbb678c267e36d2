"""Fixtures of the security suite: a private, writable copy of the small mini index per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.config import ROOT, Settings
from views.support import settings_env


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
