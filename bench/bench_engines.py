"""Engines side by side on the shared dev set: accuracy, refusals, citation validity, first text, latency.

Run: ``.venv/bin/python -m bench engines``. Environment:

- ``BENCH_DEV``: question set (default ``../shared/eval/dev.jsonl``); ``BENCH_STRATIFIED=N`` takes N items
  spread over the question types instead of all (deterministic: round-robin over types in file order).
- ``BENCH_LLM_N``: items the generative engines answer (default all; a 1.5B model on 2 CPU cores takes
  about a minute per question). Extractive answers all items and, when fewer, the same subset too.
- ``BENCH_ENGINES``: comma-separated engines (default ``extractive,local,openai``).
- ``BENCH_OPENAI_LOCAL=1``: measure ``openai`` against xllamacpp's OpenAI-compatible server serving the
  local GGUF on a free loopback port (started here, stopped afterwards), so no outside server is needed.
  Otherwise ``openai`` runs only when ``REGIODEAL_LLM_BASE_URL`` answers.
- ``BENCH_LOG``: JSONL file that gets one line per answer as it is produced (default
  ``bench/out/engines.jsonl``), so a long run can be followed and its partial results read.
- ``BENCH_FROM_LOG=1``: print the table from ``BENCH_LOG`` (e.g. of a run still in progress) instead of running.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from rag.config import get_settings

log = logging.getLogger(__name__)

DEV = Path(os.environ.get("BENCH_DEV", Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"))
LOG = Path(os.environ.get("BENCH_LOG", Path(__file__).resolve().parent / "out" / "engines.jsonl"))


def stratified(items: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` items spread evenly over the question types (round-robin, file order within a type)."""
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_type[item.get("type", "?")].append(item)
    out: list[dict[str, Any]] = []
    while len(out) < min(n, len(items)):
        for queue in by_type.values():
            if queue and len(out) < n:
                out.append(queue.pop(0))
    return out


def _run(assistant: Any, items: list[dict[str, Any]], engine: str, label: str) -> dict[str, Any]:
    from tqdm import tqdm

    from rag.evaluation import _pct, aggregate, score_item
    from rag.types import Answer

    rows, ttft, fallbacks, tool_calls = [], [], 0, 0
    LOG.parent.mkdir(parents=True, exist_ok=True)
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
        tool_calls += len(final.tool_calls)
        if first is not None:
            ttft.append(first)
        row = score_item(item, final, assistant.store.document)
        rows.append(row)
        with LOG.open("a", encoding="utf-8") as fh:
            record = {
                "engine": engine, "label": label, "first_text_ms": first, "engine_used": final.engine,
                "fallback": final.fallback, "tool_calls": [t.to_json() for t in final.tool_calls], **row,
            }  # fmt: skip
            fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    agg = aggregate(rows)
    agg["ttft_p50_ms"] = _pct(ttft, 0.5)
    agg["fallbacks"] = fallbacks
    agg["tool_calls"] = tool_calls
    agg["refused"] = sum(r["refused"] for r in rows)
    return agg


def table_from_log(path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """The runs recorded in a ``BENCH_LOG`` file, aggregated like a live run (partial runs included)."""
    from rag.evaluation import _pct, aggregate

    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            groups[(row["engine"], row["label"])].append(row)
    runs = []
    for (engine, label), rows in groups.items():
        agg = aggregate(rows)
        ttft = sorted(r["first_text_ms"] for r in rows if r["first_text_ms"] is not None)
        agg["ttft_p50_ms"] = _pct(ttft, 0.5)
        agg["fallbacks"] = sum(bool(r["fallback"]) for r in rows)
        agg["tool_calls"] = sum(len(r["tool_calls"]) for r in rows)
        agg["refused"] = sum(r["refused"] for r in rows)
        done = f"{len(rows)} done" if not label.endswith(str(len(rows))) else label
        runs.append((engine, done, agg))
    return runs


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "–"
    if pct:
        return f"{100 * v:.0f}%"
    return f"{v / 1000:.1f} s" if isinstance(v, float) else str(v)


def _loopback_openai(settings: Any) -> tuple[Any, str]:
    """Settings pointing ``openai`` at xllamacpp's server for the local GGUF, and its base URL."""
    from rag.engines.local import local_base_url

    url = local_base_url(settings)
    os.environ["REGIODEAL_LLM_BASE_URL"] = url
    log.info("openai engine measured against xllamacpp on %s", url)
    return settings.model_copy(update={"llm_base_url": url}), url


def main() -> str:
    from rag.assistant import Assistant
    from rag.evaluation import load_questions

    if os.environ.get("BENCH_FROM_LOG") == "1":
        return _table(table_from_log(LOG), "", 0, f"(from {LOG.name})")
    settings = get_settings()
    engines = [e.strip() for e in os.environ.get("BENCH_ENGINES", "extractive,local,openai").split(",") if e.strip()]
    server_note = ""
    loopback = os.environ.get("BENCH_OPENAI_LOCAL") == "1" and "openai" in engines
    if loopback:
        settings, url = _loopback_openai(settings)
        server_note = f" `openai` = xllamacpp's OpenAI-compatible server on {url.rsplit(':', 1)[0]}:<port> serving the same GGUF."
    try:
        assistant = Assistant(settings)
        items = load_questions(DEV)
        strat = int(os.environ.get("BENCH_STRATIFIED", "0"))
        if strat:
            items = stratified(items, strat)
        n_llm = int(os.environ.get("BENCH_LLM_N", str(len(items))))
        subset = items[:n_llm]
        runs: list[tuple[str, str, dict[str, Any]]] = []
        if "extractive" in engines:
            runs.append(("extractive", f"all {len(items)}", _run(assistant, items, "extractive", f"all {len(items)}")))
            if len(subset) < len(items):
                runs.append(("extractive", f"first {len(subset)}", _run(assistant, subset, "extractive", f"first {len(subset)}")))
        for name in ("local", "openai"):
            if name not in engines:
                continue
            if name == "openai" and not loopback:
                from rag.engines.registry import resolve_auto

                if not settings.llm_base_url or resolve_auto(settings) != "openai":
                    runs.append((name, "skipped: no OpenAI-compatible server answers (set BENCH_OPENAI_LOCAL=1)", {}))
                    continue
            if assistant.engine(name).name != name:
                runs.append((name, "skipped: engine unavailable here (see the log)", {}))
                continue
            label = f"all {len(subset)}" if len(subset) == len(items) else f"first {len(subset)}"
            runs.append((name, label, _run(assistant, subset, name, label)))
    finally:
        if loopback:
            from rag.engines.local import stop_local_servers

            stop_local_servers()
    return _table(runs, server_note, strat)


def _table(runs: list[tuple[str, str, dict[str, Any]]], server_note: str, strat: int, source: str = "") -> str:
    lines = [
        f"Question set `{DEV.name}`{f' (stratified {strat})' if strat else ''}{f' {source}' if source else ''}; "
        f"CPU only (2 cores, shared with other work while measured).{server_note}",
        "",
        "| engine | items | answer accuracy | refusal accuracy | refused | calc accuracy | citation validity | fallbacks | model tool calls | first text p50 | total p50 | total p90 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label, m in runs:
        if not m:
            lines.append(f"| {name} | {label} | | | | | | | | | | |")
            continue
        lines.append(
            f"| {name} | {label} | {_fmt(m['answer_accuracy'], True)} | {_fmt(m['refusal_accuracy'], True)} | "
            f"{m['refused']} | {_fmt(m['calc_accuracy'], True)} | {_fmt(m['citation_validity'], True)} | {m['fallbacks']} | "
            f"{m['tool_calls']} | {_fmt(m['ttft_p50_ms'])} | {_fmt(m['total_p50_ms'])} | {_fmt(m['total_p90_ms'])} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
