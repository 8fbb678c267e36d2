"""Retrieval and answering figures: the fusion ablation (recall per signal) and the full evaluation of the
extractive assistant on both question sets, plus the LangChain-tutorial baseline.

Run: ``.venv/bin/python -m bench answering`` (builds the real corpus into a temporary index; the real
index is not touched). Latencies are per question with the models loaded (warm process).
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from rag.config import ROOT, Settings
from rag.evaluation import chunk_hits, evaluate, load_questions

SETS = {"eval/questions.jsonl": ROOT / "eval" / "questions.jsonl", "dev.jsonl": ROOT.parent / "shared" / "eval" / "dev.jsonl"}
log = logging.getLogger(__name__)


def _ablation(assistant: Any, sets: dict[str, list[dict[str, Any]]]) -> list[str]:
    from rag.condense import condense
    from rag.retrieval import FusionParams

    configs = {
        "dense (e5 chunks) only": FusionParams(sparse_weight=0, exact_bonus=0, sentence_weight=0),
        "BM25 (Dutch stems) only": FusionParams(dense_weight=0, exact_bonus=0, sentence_weight=0),
        "best-sentence e5 only": FusionParams(dense_weight=0, sparse_weight=0, exact_bonus=0),
        "RRF dense+BM25 (k=60)": FusionParams(rrf_k=60, exact_bonus=0, sentence_weight=0),
        "RRF dense+BM25+exact (k=60)": FusionParams(rrf_k=60, sentence_weight=0),
        "RRF dense+BM25+sentence+exact (k=60)": FusionParams(rrf_k=60),
        "RRF dense+BM25+sentence+exact (k=20) [default]": FusionParams(),
    }
    r = assistant.retriever
    saved = r.params
    lines = ["| fusion | " + " | ".join(f"{n} R@1 / R@5 / R@10 / MRR" for n in sets) + " |", "|---|" + "---|" * len(sets)]
    for name, params in configs.items():
        r.params = params
        cells = []
        for items in sets.values():
            ranks = []
            for it in items:
                if not it.get("sources"):
                    continue
                hits = r.search(condense(it["question"], it.get("history")), 10).hits
                ranks.append(next((h.rank for h in hits if chunk_hits(h.chunk.text, it["sources"], h.chunk.doc_id)), None))
            n = len(ranks) or 1
            rec = [sum(1 for x in ranks if x and x <= k) / n for k in (1, 5, 10)]
            mrr = sum(1 / x for x in ranks if x) / n
            cells.append(f"{rec[0]:.2f} / {rec[1]:.2f} / {rec[2]:.2f} / {mrr:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    r.params = saved
    return lines


def main() -> str:
    from ingest.api import build
    from rag.assistant import Assistant

    tmp = Path(tempfile.mkdtemp(prefix="bench-answering-"))
    settings = Settings(index_dir=tmp / "index", uploads_dir=tmp / "uploads", feedback_path=tmp / "fb.jsonl")
    build(settings, progress=False)
    t0 = time.perf_counter()
    assistant = Assistant(settings)
    assistant.warm(progress=False)
    warm_s = time.perf_counter() - t0
    sets = {name: load_questions(p) for name, p in SETS.items() if p.exists()}
    out = [f"Cold start (store open + e5 load + embedding every sentence once): {warm_s:.1f} s.", "", "Fusion ablation:", ""]
    out += _ablation(assistant, sets)
    out += ["", "Extractive assistant, end to end:", ""]
    head = "| set | n | R@1 | R@3 | R@5 | R@10 | MRR | answer acc. | refusal acc. | false refusals | calc | citations valid | retrieval p50/p90 ms | answer p50/p90 ms |"
    out += [head, "|" + "---|" * 14]
    for name, items in sets.items():
        rep = evaluate(assistant, items, progress=False)
        o = rep["overall"]

        def f(x: Any) -> str:
            return "-" if x is None else f"{x:.2f}"

        out.append(
            f"| {name} | {o['n']} | {f(o['recall@1'])} | {f(o['recall@3'])} | {f(o['recall@5'])} | {f(o['recall@10'])} | {f(o['mrr'])} "
            f"| {f(o['answer_accuracy'])} | {f(o['refusal_accuracy'])} | {f(o['false_refusal_rate'])} | {f(o['calc_accuracy'])} "
            f"| {f(o['citation_validity'])} | {o['retrieve_p50_ms']:.0f} / {o['retrieve_p90_ms']:.0f} | {o['total_p50_ms']:.0f} / {o['total_p90_ms']:.0f} |"
        )
        for t, m in rep["by_type"].items():
            out.append(
                f"| {name} · {t} | {m['n']} | {f(m['recall@1'])} | {f(m['recall@3'])} | {f(m['recall@5'])} | {f(m['recall@10'])} | {f(m['mrr'])} "
                f"| {f(m['answer_accuracy'])} | {f(m['refusal_accuracy'])} | {f(m['false_refusal_rate'])} | {f(m['calc_accuracy'])} "
                f"| {f(m['citation_validity'])} | | |"
            )
    from bench.baseline_tutorial import main as baseline

    out += ["", baseline()]
    return "\n".join(out)


if __name__ == "__main__":
    print(main())
