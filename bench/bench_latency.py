"""Answering latency, repeated: the p50 of one pass moves by ±3 ms on 2 cores, more than some targets' margin.

Run: ``.venv/bin/python -m bench latency``. One warmed Assistant (extractive engine, the configured index)
answers every question of each set once to warm up, then ``BENCH_PASSES`` (default 5) more times with the
query-embedding cache emptied before each pass, so every pass embeds as a fresh process would. Reports the
retrieval and whole-answer p50 of each pass and their median.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETS = [
    ROOT / "eval" / "questions.jsonl",
    ROOT.parent / "shared" / "eval" / "dev.jsonl",
    ROOT / "eval" / "holdout.jsonl",
    ROOT / "eval" / "holdout2.jsonl",
    ROOT / "eval" / "holdout3.jsonl",
    ROOT / "eval" / "holdout4.jsonl",
    ROOT / "eval" / "holdout5.jsonl",
]


def _passes(assistant: Any, items: list[dict[str, Any]], passes: int) -> tuple[list[float], list[float]]:
    from rag.retrieval import embed_query

    retrieve, total = [], []
    for _ in range(passes):
        embed_query.cache_clear()
        r, t = [], []
        for it in items:
            ans = assistant.ask(it["question"], it.get("history"))
            r.append(ans.timings_ms["retrieve"])
            t.append(ans.timings_ms["total"])
        retrieve.append(statistics.median(r))
        total.append(statistics.median(t))
    return retrieve, total


def main() -> str:
    from tqdm import tqdm

    from rag.assistant import Assistant
    from rag.evaluation import load_questions

    passes = int(os.environ.get("BENCH_PASSES", "5"))
    assistant = Assistant()
    assistant.warm(progress=False)
    lines = [
        f"{passes} passes per set after one warm-up pass; p50 per pass, then the median of the passes.",
        "",
        "| set | n | retrieval p50 per pass (ms) | median | whole answer p50 per pass (ms) | median |",
        "|---|---|---|---|---|---|",
    ]
    for path in tqdm([p for p in SETS if p.exists()], desc="sets"):
        items = load_questions(path)
        for it in items:  # warm-up: models, sentence vectors, BM25, caches of the first answers
            assistant.ask(it["question"], it.get("history"))
        r, t = _passes(assistant, items, passes)
        fr = ", ".join(f"{x:.0f}" for x in r)
        ft = ", ".join(f"{x:.0f}" for x in t)
        lines.append(
            f"| {path.name} | {len(items)} | {fr} | {statistics.median(r):.0f} | {ft} | {statistics.median(t):.0f} |"
        )
    return "\n".join(lines) + "\n"
