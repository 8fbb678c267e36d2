"""Evidence rows for the answerability probe (``rag/engines/answerability_probe.py``), used by
``scripts/fit_answerability.py``: the written examples and the corpus's hypothetical questions (computed
leave-one-out), and the tuning sets' items (for held-out checks only, never for fitting)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class LeaveOneOut:
    """A question-index collection that never returns one excluded hypothetical question (its own entry),
    so a corpus question's evidence is what a new phrasing of it would find."""

    def __init__(self, col: Any) -> None:
        self.col = col
        self.exclude: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.col, name)

    def query(self, **kw: Any) -> Any:
        if self.exclude is None:
            return self.col.query(**kw)
        n = kw["n_results"]
        kw["n_results"] = min(n + 3, self.col.count())
        res = self.col.query(**kw)
        keep = [i for i, d in enumerate(res["documents"][0]) if d != self.exclude][:n]
        return {k: ([[v[0][i] for i in keep]] if isinstance(v, list) and v and isinstance(v[0], list) else v)
                for k, v in res.items()}


def written_examples() -> list[tuple[str, str, int]]:
    """(text, language, label) of ``answerability_examples.yaml``; label 1 = the documents answer."""
    import yaml

    from rag.engines.answerability_probe import EXAMPLES_FILE

    data = yaml.safe_load(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return [(t, lang, int(kind == "answerable")) for kind in ("unanswerable", "answerable")
            for lang, texts in (data.get(kind) or {}).items() for t in texts]


def corpus_examples() -> list[tuple[str, str]]:
    import yaml

    out: list[tuple[str, str]] = []
    for f in sorted(Path("corpus/questions").glob("*.yaml")):
        for u in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("units", []):
            for lang, qs in (u.get("questions") or {}).items():
                out.extend((str(q), lang) for q in qs or [])
    return out


def _row(a: Any, ctx: Any, question: str, loo: LeaveOneOut | None, exclude: str | None) -> dict[str, Any] | None:
    from rag.engines.answerability_probe import evidence

    ev = evidence(ctx, ctx.standalone_question, ctx.units, ctx.query_vec, a.units.qindex, exclude)
    if ev is None:
        return None
    return {"x": ev.scalars, "qvec": [round(float(v), 5) for v in ev.qvec] if ev.qvec is not None else None,
            "nvec": [round(float(v), 5) for v in ev.nvec] if ev.nvec is not None else None}


def dump_examples(out: str, corpus_every: int = 1, reuse: str | None = None) -> None:
    """Rows of the written examples and (leave-one-out) of every ``corpus_every``-th corpus question;
    ``reuse``: an earlier dump whose corpus rows are kept (only the written examples are computed again)."""
    from tqdm import tqdm

    from rag.assistant import Assistant

    a = Assistant()
    a.warm(progress=False)
    a.units._prepare()
    loo = LeaveOneOut(a.units.qindex._qcol)
    a.units.qindex._qcol = loo
    items = [(t, lang, y, "written") for t, lang, y in written_examples()]
    kept = [x for x in Path(reuse).read_text(encoding="utf-8").splitlines() if x.strip() and json.loads(x)["source"] == "corpus"] if reuse else []
    if not kept:
        items += [(t, lang, 1, "corpus") for t, lang in corpus_examples()[::corpus_every]]
    with open(out, "w", encoding="utf-8") as fh:
        fh.writelines(x + "\n" for x in kept)
        for text, lang, y, source in tqdm(items, desc="examples"):
            loo.exclude = text if source == "corpus" else None
            ctx = a.prepare(text)
            if ctx.decline or ctx.tool is not None:
                continue
            row = _row(a, ctx, text, loo, loo.exclude)
            if row is None:
                continue
            row.update({"text": text, "lang": lang, "y": y, "source": source})
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def dump_items(paths: list[str], out: str) -> None:
    """Rows of tuning-set items with what the engine answers now (held-out checks, never fitted on)."""
    from tqdm import tqdm

    from rag.assistant import Assistant
    from rag.engines.answerability_probe import evidence
    from rag.evaluation import passes_must_include

    a = Assistant()
    with open(out, "w", encoding="utf-8") as fh:
        for path in paths:
            items = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]
            for item in tqdm(items, desc=Path(path).stem):
                ctx = a.prepare(item["question"], item.get("history"))
                row: dict[str, Any] = {"set": Path(path).stem, "id": item["id"], "type": item["type"], "lang": item["lang"],
                                       "must_refuse": bool(item.get("must_refuse")), "declined": bool(ctx.decline),
                                       "tool": ctx.tool is not None, "question": item["question"],
                                       "history": bool(item.get("history"))}
                parts = [(q, ev, v) for (q, ev), (_, v) in zip(ctx.unit_parts or [], ctx.parts or [], strict=False)]
                if len(parts) < 2:
                    parts = [(ctx.standalone_question, ctx.units, ctx.query_vec)]
                evs = []
                for q, ev, v in parts:
                    e = evidence(ctx, q, ev, v, a.units.qindex) if not ctx.decline else None
                    if e is not None:
                        evs.append({"x": e.scalars, "qvec": [round(float(t), 5) for t in e.qvec] if e.qvec is not None else None,
                                    "nvec": [round(float(t), 5) for t in e.nvec] if e.nvec is not None else None})
                row["parts"] = evs
                if ctx.decline:
                    row["refused"], row["answer_ok"] = True, None
                else:
                    ans = a._finish(a.extractive.answer(ctx), ctx, item["id"], 0.0, 0.0)
                    row["refused"] = ans.refused
                    row["reason"] = ans.refusal_reason if ans.refused else None
                    row["answer"] = ans.answer
                    mi = item.get("must_include") or []
                    row["answer_ok"] = (passes_must_include(ans.answer, mi, item.get("must_not_include") or [])
                                        if mi and not row["must_refuse"] else None)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

