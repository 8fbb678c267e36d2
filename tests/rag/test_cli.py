"""``python -m rag``: the FORMAT.md contract from the outside (real subprocesses, real index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag.config import ROOT

pytestmark = pytest.mark.slow


def _run(settings: Any, *args: str, index_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        {
            "REGIODEAL_INDEX_DIR": str(index_dir or settings.index_dir),
            "REGIODEAL_CORPUS_DIR": str(settings.corpus_dir),
            "REGIODEAL_LOG_LEVEL": "WARNING",
            "HF_HUB_OFFLINE": "1",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "rag", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_ask_json_single(built_settings: Any) -> None:
    p = _run(built_settings, "ask", "--json", "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?")
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert obj["refused"] is False and "40 miljoen" in obj["answer"]
    assert obj["citations"] and obj["retrieved"]


def test_ask_batch_with_history_keeps_order(built_settings: Any, tmp_path: Path) -> None:
    items = [
        {"id": "b1", "question": "Wie heeft de Kamerbrief ondertekend?"},
        {"id": "b2", "question": "", "history": []},
        {
            "id": "b3",
            "question": "En waarom zou de regio zich zo goed lenen voor dat soort projecten?",
            "history": [
                {"role": "user", "content": "Welk experimenteergebied voor duurzame energie noemt de two-pager?"},
                {"role": "assistant", "content": "Smart Energy Region Emmen-Haren (SEREH)."},
            ],
        },
    ]
    f = tmp_path / "q.jsonl"
    f.write_text("\n".join(json.dumps(i) for i in items), encoding="utf-8")
    p = _run(built_settings, "ask", "--json", "--batch", str(f))
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o["id"] for o in out] == ["b1", "b2", "b3"]
    assert out[1]["refused"] is True
    assert out[2]["standalone_question"] != items[2]["question"]


def test_ask_for_people_prints_answer_then_sources(built_settings: Any, tmp_path: Path) -> None:
    hist = tmp_path / "h.json"
    hist.write_text(json.dumps([{"role": "user", "content": "Wat is de Regio Envelop?"}]), encoding="utf-8")
    p = _run(built_settings, "ask", "--history", str(hist), "--doc", "kamerbrief", "Hoeveel geld is er in totaal?")
    assert p.returncode == 0, p.stderr
    assert "Bronnen:" in p.stdout and "[1]" in p.stdout


def test_clear_errors_and_exit_codes(built_settings: Any, tmp_path: Path) -> None:
    missing = _run(built_settings, "ask", "Wat is de Regio Envelop?", index_dir=tmp_path / "no-index")
    assert missing.returncode == 3
    assert "Traceback" not in missing.stderr and missing.stderr.strip()
    unknown = _run(built_settings, "ask", "--doc", "nope", "Wat is de Regio Envelop?")
    assert unknown.returncode == 2 and "nope" in unknown.stderr and "Traceback" not in unknown.stderr
    noq = _run(built_settings, "ask")
    assert noq.returncode == 2
    big = _run(built_settings, "ask", "--json", "x" * 50_000)
    assert big.returncode == 0
    assert json.loads(big.stdout)["refusal_reason"] == "too_long"


def test_eval_json(built_settings: Any, tmp_path: Path) -> None:
    f = tmp_path / "set.jsonl"
    f.write_text(
        json.dumps(
            {"id": "e1", "lang": "nl", "type": "fact", "question": "Wat is de maximale bijdrage per Regio Deal?",
             "must_include": [["40 miljoen"]], "sources": [{"doc": "kamerbrief", "quote": "maximaal € 40 miljoen per Regio Deal"}]}
        ),
        encoding="utf-8",
    )
    p = _run(built_settings, "eval", "--questions", str(f), "--json")
    assert p.returncode == 0, p.stderr
    rep = json.loads(p.stdout)
    assert rep["overall"]["answer_accuracy"] == 1.0 and rep["overall"]["citation_validity"] == 1.0
