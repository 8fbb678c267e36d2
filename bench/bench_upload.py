"""Does a private upload hold up other users' answers? A 300 KB document uploaded while questions are asked.

Run: ``.venv/bin/python -m bench upload``. One process, as the app runs it: a warmed shared Assistant
answers a fixed set of questions (one at a time, like the app's answer lock) before the upload (baseline)
and again and again while one session's 300 KB Markdown upload is parsed, chunked and embedded in its
background thread (``rag.session_docs.run_upload``, the app's own code path), until the upload is done.
A question is asked every ``BENCH_UPLOAD_PAUSE_S`` (0.5) seconds, each with an empty query-embedding cache.
Reports the answer latency without and during the upload, the extra delay per question (p50, p95, max
against the same question's baseline), and the upload's own wall time and chunk count. Nothing is written
to the shared index. ``BENCH_UPLOAD_KB`` changes the size (default 300).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from typing import Any

QUESTIONS = [
    "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?",
    "Wie heeft de Kamerbrief ondertekend?",
    "Welke opgaven noemt de two-pager voor Zuid- en Oost-Drenthe?",
    "How much co-financing must the region provide?",
    "Wanneer moesten de voorstellen worden ingediend?",
]

PAUSE_S = float(os.environ.get("BENCH_UPLOAD_PAUSE_S", "0.5"))
WORDS = [
    "gemeente",
    "provincie",
    "dorpshub",
    "huisarts",
    "school",
    "bus",
    "leefbaarheid",
    "zorg",
    "onderwijs",
    "energie",
    "waterstof",
    "woningbouw",
    "werkgelegenheid",
    "arbeidsmarkt",
    "innovatie",
    "bereikbaarheid",
    "voorzieningen",
    "inwoners",
    "cooperatie",
    "subsidie",
    "budget",
    "planning",
    "evaluatie",
    "samenwerking",
    "ondernemers",
    "jongeren",
    "ouderen",
    "krimp",
    "vitaliteit",
    "natuur",
    "landbouw",
    "toerisme",
]


def make_document(kb: int) -> bytes:
    """A deterministic Dutch-looking note of about ``kb`` kilobytes, with headings and paragraphs."""
    parts = ["# Notitie uitvoeringsprogramma (benchmark)\n"]
    size, n = 0, 0
    while size < kb * 1024:
        n += 1
        if n % 12 == 1:
            parts.append(f"\n## Onderdeel {n // 12 + 1}\n")
        words = [WORDS[(n * 7 + i * 13) % len(WORDS)] for i in range(60)]
        sentence = (
            f"In project {n} werken de {words[0]} en de {words[1]} samen aan " + " ".join(words[2:]) + "."
        )
        para = (
            f"\n{sentence.capitalize()} Het budget voor project {n} is {n % 17 + 1},{n % 10} miljoen euro.\n"
        )
        parts.append(para)
        size += len(para.encode())
    return "".join(parts).encode()


def _timed_ask(assistant: Any, lock: threading.Lock, question: str) -> float:
    """One answer as a fresh question costs it: the query-embedding cache is emptied first."""
    from rag.retrieval import embed_query

    embed_query.cache_clear()
    t0 = time.perf_counter()
    with lock:
        assistant.ask(question)
    return time.perf_counter() - t0


def _ask_all(assistant: Any, lock: threading.Lock) -> list[float]:
    return [_timed_ask(assistant, lock, q) for q in QUESTIONS]


def main() -> str:
    from ingest.session import embed_chunks, prepare_upload
    from rag.assistant import Assistant
    from rag.config import get_settings
    from rag.session_docs import SessionLibrary, UploadJob, run_upload

    kb = int(os.environ.get("BENCH_UPLOAD_KB", "300"))
    settings = get_settings()
    shared = Assistant(settings)
    shared.warm(progress=False)
    lock = threading.Lock()
    for q in QUESTIONS:  # warm-up of every question's caches
        shared.ask(q)
    base_runs = [_ask_all(shared, lock) for _ in range(3)]
    baseline = [statistics.median(r[i] for r in base_runs) for i in range(len(QUESTIONS))]

    raw = make_document(kb)
    library = SessionLibrary(settings)
    job = UploadJob("bench.md")
    taken = [c.doc_id for c in shared.retriever.chunks]
    t_up = time.perf_counter()
    thread = threading.Thread(
        target=run_upload,
        args=(
            library,
            job,
            lambda: prepare_upload("bench.md", raw, settings, taken),
            lambda p, cb: embed_chunks(p.chunks, shared.store.embedder(), settings.embed_batch_size, cb),
            lambda: shared,
        ),
        daemon=True,
    )
    thread.start()
    during: list[float] = []
    delays: list[float] = []
    while thread.is_alive():  # another user asks a question every PAUSE_S seconds while the upload runs
        for i, q in enumerate(QUESTIONS):
            dt = _timed_ask(shared, lock, q)
            if thread.is_alive():
                during.append(dt)
                delays.append(dt - baseline[i])
            time.sleep(PAUSE_S)
    thread.join()
    upload_s = time.perf_counter() - t_up
    assert job.state == "ok", job.message
    own = library.assistant_for(shared).ask("Wat is het budget voor project 5?")
    library.close()

    def ms(x: float) -> str:
        return f"{x * 1000:.0f}"

    delays.sort()
    p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))] if delays else 0.0
    return "\n".join(
        [
            f"Upload: {len(raw) / 1024:.0f} KB Markdown -> {job.total} chunks, embedded and made answerable in "
            f"{upload_s:.1f} s in the background (the session's answer cites it: "
            f"{'yes' if any(c.doc_id == job.doc_id for c in own.citations) else 'no'}).",
            "",
            "| | questions | p50 (ms) | max (ms) |",
            "|---|---|---|---|",
            f"| answer, no upload (baseline) | {len(baseline)} | {ms(statistics.median(baseline))} | {ms(max(baseline))} |",
            f"| answer during the upload | {len(during)} | {ms(statistics.median(during)) if during else '-'} | "
            f"{ms(max(during)) if during else '-'} |",
            f"| extra delay per question | {len(delays)} | {ms(statistics.median(delays)) if delays else '-'} | "
            f"{ms(delays[-1]) if delays else '-'} (p95 {ms(p95)}) |",
            "",
        ]
    )
