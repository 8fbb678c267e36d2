"""The JSON contract of ``python -m rag ask --json`` holds for any input, and a server that is down is an
error object and a non-zero exit, never a traceback or an empty listing."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from rag.config import Settings
from tests.security.conftest import run_module

pytestmark = pytest.mark.slow

BAD_QUESTIONS: list[bytes] = [
    b"Wat is een Regio Deal? \xff\xfe",  # not UTF-8
    b"\xed\xa0\x80 lone surrogate",  # a surrogate encoded in UTF-8
    b"bel \x07 en escape \x1b[31m en tab\t",  # NUL cannot be passed in argv; see the batch test
    "😀🎉🚀".encode(),
    ("Regio Deal " * 5000).encode(),  # 55 kB
    b"<script>alert('x')</script> Wat is de Regio Envelop?",
]


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _objects(stdout: bytes) -> list[dict]:
    text = stdout.decode("utf-8")  # must be valid UTF-8
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_any_single_question_gives_valid_json(built_settings: Settings) -> None:
    for q in BAD_QUESTIONS[:4]:
        p = run_module(built_settings, "rag", "ask", "--json", q)
        assert p.returncode == 0, p.stderr.decode(errors="replace")
        (obj,) = _objects(p.stdout)
        assert isinstance(obj["refused"], bool) and "answer" in obj
        if obj["refused"]:
            assert obj["refusal_reason"]


def test_batch_reports_each_bad_line_and_goes_on(built_settings: Settings, tmp_path: Path) -> None:
    lines = [json.dumps({"id": "ok1", "question": "Wat is de maximale bijdrage per Regio Deal?"}).encode()]
    lines.append(b"{not json at all")
    lines.append(b'{"id": "bytes", "question": "bijdrage \xff\xfe"}')
    lines.append(b'{"id": "surr", "question": "bijdrage \\udcff \\ud800"}')
    lines.append(b"[1, 2, 3]")
    lines.append(json.dumps({"id": "nul", "question": "nul\u0000teken"}).encode())
    lines.append(json.dumps({"id": "emoji", "question": "😀😀"}).encode())
    lines.append(json.dumps({"id": "long", "question": "x" * 50_000}).encode())
    lines.append(json.dumps({"id": "html", "question": "<img src=x onerror=alert(1)>"}).encode())
    lines.append(json.dumps({"id": "num", "question": 42}).encode())
    lines.append(json.dumps({"id": "ok2", "question": "Wie heeft de Kamerbrief ondertekend?"}).encode())
    f = tmp_path / "q.jsonl"
    f.write_bytes(b"\n".join(lines))
    p = run_module(built_settings, "rag", "ask", "--json", "--batch", str(f))
    out = _objects(p.stdout)
    assert len(out) == len(lines)  # one output line per input line, in order
    assert out[0]["id"] == "ok1" and not out[0]["refused"]
    assert out[-1]["id"] == "ok2" and not out[-1]["refused"]
    assert out[1]["error"]["code"] == "bad_input" and out[1]["refused"] and out[1]["refusal_reason"] == "error"
    assert out[4]["error"]["code"] == "bad_input"
    by_id = {o.get("id"): o for o in out if o.get("id")}
    assert by_id["emoji"]["refused"] and by_id["emoji"]["refusal_reason"] == "no_words"
    assert by_id["long"]["refused"] and by_id["long"]["refusal_reason"] == "too_long"
    assert "\x00" not in by_id["nul"]["question"]
    assert p.returncode == 1  # the bad lines are counted, the good ones answered


def test_server_down_gives_an_error_object_and_exit_code(built_settings: Settings) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    p = run_module(built_settings, "rag", "ask", "--json", "Wat is een Regio Deal?", REGIODEAL_CHROMA_URL=url)
    assert p.returncode != 0
    (obj,) = _objects(p.stdout)
    assert obj["error"]["code"] == "index_unavailable" and obj["refused"] is True
    p = run_module(built_settings, "ingest", "list", REGIODEAL_CHROMA_URL=url)
    assert p.returncode != 0 and b"not reachable" in p.stderr
