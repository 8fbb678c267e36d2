"""A private upload must not hold up other users' questions: the delay a 300 KB upload adds to a question.

Run: ``.venv/bin/python -m bench uploads``. One warmed Assistant (extractive engine, the configured index)
answers the questions of ``eval/questions.jsonl`` (``BENCH_UPLOAD_QUESTIONS``, default 20 of them) once
alone (the baseline), then again and again while a browser session uploads a generated ~300 KB Markdown
document (within the upload limits) exactly as the Documents page does: ``ingest.session.prepare_upload``,
``embed_chunks`` with progress and ``SessionLibrary.prepare_answering`` in the background thread of
``rag.session_docs.start_upload``. Reports the baseline and concurrent answer latencies and the delay
(concurrent minus the baseline median) at p50, p90 and max; the bar is a max delay below 2 s.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.jsonl"

_TOPICS = [
    "de renovatie van het zwembad", "het fietspad langs het kanaal", "de bibliotheek in het dorpshuis",
    "de glasvezelaansluiting van de buitengebieden", "het zorgcentrum aan de Hoofdstraat",
    "de herinrichting van het marktplein", "de busverbinding naar Emmen", "het bedrijventerrein Zuid",
]


def upload_text(target_bytes: int = 300_000) -> bytes:
    """A Markdown document of about ``target_bytes`` bytes of varied Dutch prose (sections and paragraphs)."""
    parts = ["# Gemeentelijke notitie over lokale projecten\n"]
    n = 0
    while sum(len(p) for p in parts) < target_bytes:
        topic = _TOPICS[n % len(_TOPICS)]
        parts.append(
            f"\n## Project {n + 1}: {topic}\n\n"
            f"In {2020 + n % 7} besprak de raad {topic}. Het college raamt de kosten op {n % 9 + 1},{n % 10} miljoen "
            f"euro, waarvan de provincie {n % 5 + 1}0 procent bijdraagt. De uitvoering start in kwartaal {n % 4 + 1} "
            f"en duurt naar verwachting {n % 3 + 1} jaar. Inwoners konden tot {n % 28 + 1} maart reageren op het plan; "
            f"er kwamen {n * 7 % 130 + 12} reacties binnen, vooral over de planning en de bereikbaarheid.\n\n"
            f"De wethouder wees erop dat {topic} past in de regionale ambities voor leefbaarheid en werkgelegenheid. "
            f"Een evaluatie volgt na {n % 5 + 2} jaar; de resultaten worden gedeeld met de gemeenteraad en de "
            f"dorpsbelangenverenigingen. Project {n + 1} heeft kenmerk GN-{1000 + n}.\n"
        )
        n += 1
    return "".join(parts).encode("utf-8")


def _answer_ms(assistant: Any, question: str) -> float:
    t0 = time.perf_counter()
    assistant.ask(question)
    return (time.perf_counter() - t0) * 1000


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> str:
    from ingest.session import embed_chunks, prepare_upload
    from rag.assistant import Assistant
    from rag.config import get_settings
    from rag.evaluation import load_questions
    from rag.retrieval import embed_query
    from rag.session_docs import SessionLibrary, UploadJob, start_upload

    settings = get_settings()
    n_questions = int(os.environ.get("BENCH_UPLOAD_QUESTIONS", "20"))
    questions = [it["question"] for it in load_questions(QUESTIONS)][:n_questions]
    shared = Assistant(settings=settings)
    shared.warm(progress=False)
    for q in questions:  # warm-up: models, BM25, caches of the first answers
        shared.ask(q)

    embed_query.cache_clear()
    baseline = [_answer_ms(shared, q) for q in questions]
    base_p50 = statistics.median(baseline)

    raw = upload_text()
    library = SessionLibrary(settings)
    taken = [d.doc_id for d in shared.store.documents()]

    def prepare() -> Any:
        return prepare_upload("notitie-projecten.md", raw, settings, taken)

    def embed(prepared: Any, progress: Any) -> Any:
        return embed_chunks(prepared.chunks, shared.store.embedder(), settings.embed_batch_size, progress)

    embed_query.cache_clear()
    t0 = time.perf_counter()
    job = start_upload(library, UploadJob("notitie-projecten.md"), prepare, embed, lambda: shared)
    concurrent: list[float] = []
    i = 0
    while job.state == "running":
        if i and i % len(questions) == 0:
            embed_query.cache_clear()  # every pass embeds its questions again, as new questions would
        concurrent.append(_answer_ms(shared, questions[i % len(questions)]))
        i += 1
    assert job.thread is not None
    job.thread.join()
    upload_s = time.perf_counter() - t0
    if job.state != "ok":
        raise RuntimeError(f"the upload was refused: {job.message}")
    chunks = library.chunk_count()

    # the uploading session can then ask about its own document
    own = library.assistant_for(shared)
    own_answer = own.ask("Wat is het kenmerk van project 3 over de bibliotheek in het dorpshuis?")
    own_cited = any(c.doc_id == job.doc_id for c in own_answer.citations)
    library.close()

    delays = [c - base_p50 for c in concurrent]
    lines = [
        f"Upload: {len(raw) / 1000:.0f} KB Markdown, {chunks} chunks, embedded and made answerable in "
        f"{upload_s:.1f} s in the background thread; the session's own question cites it: {own_cited}.",
        "",
        "| questions | n | p50 (ms) | p90 (ms) | max (ms) |",
        "|---|---|---|---|---|",
        f"| alone (baseline) | {len(baseline)} | {base_p50:.0f} | {_pct(baseline, 0.9):.0f} | {max(baseline):.0f} |",
        f"| during the upload | {len(concurrent)} | {statistics.median(concurrent):.0f} | "
        f"{_pct(concurrent, 0.9):.0f} | {max(concurrent):.0f} |",
        f"| delay (during - baseline p50) | {len(delays)} | {statistics.median(delays):.0f} | "
        f"{_pct(delays, 0.9):.0f} | {max(delays):.0f} |",
        "",
        f"Bar: max delay < 2000 ms: {'met' if max(delays) < 2000 else 'NOT met'}.",
    ]
    return "\n".join(lines) + "\n"
