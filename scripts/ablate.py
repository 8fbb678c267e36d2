"""Ablation table: every answer mechanism switched off in turn (``REGIODEAL_ABLATE``), on every question set.

    .venv/bin/python -m scripts.ablate --out ablation.jsonl --sets eval/questions.jsonl ... [--validation eval/holdout6.jsonl ...]

One warmed Assistant; retrieval and query embeddings are memoised per input (they are deterministic), so
each setting after the first costs only what changes. One JSON line per (setting, set) with the aggregate
figures only; validation sets never have their items printed or stored.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

MECHANISMS = ["list_count", "false_premise", "decline", "translation", "units", "unit_chunks", "answer_type"]


def _memoise(assistant: Any, saved: dict[str, Any]) -> dict[str, Any]:
    """Cache the deterministic, expensive steps (embedding a query, chunk search, unit search) by input;
    ``saved`` holds the caches of an earlier run (``--cache``), which must have used the same index."""
    import rag.retrieval as retrieval

    emb_cache: dict[str, Any] = saved.get("emb", {})
    orig_embed = retrieval.embed_sentence_query

    def embed(text: str) -> Any:
        if text not in emb_cache:
            emb_cache[text] = orig_embed(text)
        return emb_cache[text]

    retrieval.embed_sentence_query = embed
    chunk_cache: dict[Any, Any] = saved.get("chunk", {})
    orig_search = assistant.retriever.search

    def search(query: str, k: int | None = None, doc_ids: list[str] | None = None) -> Any:
        key = (query, k, tuple(doc_ids or ()))
        if key not in chunk_cache:
            chunk_cache[key] = orig_search(query, k, doc_ids)
        return chunk_cache[key]

    assistant.retriever.search = search
    unit_cache: dict[Any, Any] = saved.get("unit", {})
    for ev in unit_cache.values():
        if ev is not None:
            ev.questions_of = assistant.units.qindex.questions_of
    orig_units = assistant.units.search

    def units(query: str, vec: Any, passages: list[Any], doc_ids: list[str] | None = None, conversation: Any = None) -> Any:
        key = (query, tuple(h.chunk.chunk_id for h in passages), tuple(doc_ids or ()), conversation[0] if conversation else None)
        if key not in unit_cache:
            unit_cache[key] = orig_units(query, vec, passages, doc_ids, conversation)
        return unit_cache[key]

    assistant.units.search = units
    return {"emb": emb_cache, "chunk": chunk_cache, "unit": unit_cache}


def _save(caches: dict[str, Any], path: Path) -> None:
    import copy
    import pickle

    units = {k: (copy.copy(v) if v is not None else None) for k, v in caches["unit"].items()}
    for v in units.values():
        if v is not None:
            v.questions_of = None  # a bound method of the live index: restored on load
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps({"emb": caches["emb"], "chunk": caches["chunk"], "unit": units}))
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", type=Path, default=[], help="tuning sets (failing ids are stored)")
    ap.add_argument("--validation", nargs="*", type=Path, default=[], help="validation sets (aggregates only)")
    ap.add_argument("--settings", nargs="*", default=None, help="mechanisms to switch off (default: all)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, help="pickle of retrieval results to reuse and extend (same index only)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from rag.assistant import Assistant
    from rag.config import get_settings
    from rag.evaluation import aggregate, load_questions, score_item

    settings = get_settings()
    assistant = Assistant(settings)
    assistant.warm(progress=False)
    # the engine and the chunk fusion read these in-memory structures even when every search is cached
    assistant.retriever.ensure_fresh()
    assistant.units.prepare()
    saved: dict[str, Any] = {}
    if args.cache and args.cache.exists():
        import pickle

        saved = pickle.loads(args.cache.read_bytes())
    caches = _memoise(assistant, saved)
    sets = [(p, load_questions(p), False) for p in args.sets] + [(p, load_questions(p), True) for p in args.validation]
    names = ["none", *(args.settings if args.settings is not None else MECHANISMS)]
    with args.out.open("a", encoding="utf-8") as out:
        for name in names:
            settings.ablate = "" if name == "none" else name
            for path, items, validation in sets:
                rows = []
                for item in items:
                    ans = assistant.ask(item["question"], item.get("history"), qid=item.get("id"))
                    rows.append(score_item(item, ans, assistant.store.document))
                agg = aggregate(rows)
                rec: dict[str, Any] = {"ablate": name, "set": path.name, "validation": validation,
                                       **{k: agg[k] for k in ("n", "answer_accuracy", "refusal_accuracy",
                                                              "false_refusal_rate", "recall@5")}}
                if not validation:
                    rec["failing"] = sorted(str(r["id"]) for r in rows if r["answer_ok"] is False or not r["refusal_ok"])
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                if args.cache and name == "none":
                    _save(caches, args.cache)
                out.flush()
                print(name, path.name, agg["answer_accuracy"], agg["refusal_accuracy"], agg["false_refusal_rate"],
                      agg["recall@5"], file=sys.stderr, flush=True)
    settings.ablate = ""
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
