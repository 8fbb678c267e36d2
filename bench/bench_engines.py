"""Engines side by side on the shared dev set: accuracy, refusals, citation validity, first token, latency.

Run: ``.venv/bin/python -m bench engines``. ``extractive`` answers every item; ``local`` (when ``make llm``
has been run) answers the first ``BENCH_LLM_N`` items (default 20: a 1.5B model on 2 shared CPU cores
takes about a minute per question); ``openai`` runs when ``REGIODEAL_LLM_BASE_URL`` answers. Extractive is
also scored on the same subset, so the comparison is like for like.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from rag.config import get_settings
from rag.engines.registry import EngineUnavailableError

DEV = Path(os.environ.get("BENCH_DEV", Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"))


def _run(assistant: Any, items: list[dict[str, Any]], engine: str) -> dict[str, Any]:
    from tqdm import tqdm

    from rag.evaluation import aggregate, score_item
    from rag.types import Answer

    rows, ttft, fallbacks = [], [], 0
    for item in tqdm(items, desc=engine):
        t0 = time.perf_counter()
        first: float | None = None
        final: Answer | None = None
        for piece in assistant.stream(item["question"], item.get("history"), engine=engine, qid=item.get("id")):
            if isinstance(piece, Answer):
                final = piece
            elif first is None and piece.strip():
                first = (time.perf_counter() - t0) * 1000
        assert final is not None
        fallbacks += bool(final.fallback)
        if first is not None:
            ttft.append(first)
        rows.append(score_item(item, final, assistant.store.document))
    agg = aggregate(rows)
    agg["ttft_p50_ms"] = sorted(ttft)[len(ttft) // 2] if ttft else None
    agg["fallbacks"] = fallbacks
    agg["refused"] = sum(r["refused"] for r in rows)
    return agg


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "–"
    if pct:
        return f"{100 * v:.0f}%"
    return f"{v / 1000:.1f} s" if isinstance(v, float) else str(v)


def main() -> str:
    from rag.assistant import Assistant
    from rag.evaluation import load_questions

    settings = get_settings()
    assistant = Assistant(settings)
    items = load_questions(DEV)
    n_llm = int(os.environ.get("BENCH_LLM_N", "20"))
    subset = items[:n_llm]
    runs: list[tuple[str, str, dict[str, Any]]] = [("extractive", f"all {len(items)}", _run(assistant, items, "extractive"))]
    runs.append(("extractive", f"first {len(subset)}", _run(assistant, subset, "extractive")))
    for name in ("local", "openai"):
        try:
            if name == "openai":
                from rag.engines.registry import resolve_auto

                if not settings.llm_base_url or resolve_auto(settings) != "openai":
                    continue
            assistant.engine(name)
        except EngineUnavailableError as exc:
            runs.append((name, f"skipped: {exc}", {}))
            continue
        runs.append((name, f"first {len(subset)}", _run(assistant, subset, name)))

    lines = [
        f"Shared dev set `{DEV.name}`; CPU only (2 cores, shared with other work while measured).",
        "",
        "| engine | items | answer accuracy | refusal accuracy | refused | citation validity | fallbacks | first text p50 | total p50 | total p90 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label, m in runs:
        if not m:
            lines.append(f"| {name} | {label} | | | | | | | | |")
            continue
        lines.append(
            f"| {name} | {label} | {_fmt(m['answer_accuracy'], True)} | {_fmt(m['refusal_accuracy'], True)} | "
            f"{m['refused']} | {_fmt(m['citation_validity'], True)} | {m['fallbacks']} | {_fmt(m['ttft_p50_ms'])} | "
            f"{_fmt(m['total_p50_ms'])} | {_fmt(m['total_p90_ms'])} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
