"""The evaluation every change is judged by: retrieval recall/MRR, answer and refusal accuracy, calculator
accuracy, citation validity and latency, on a question set in the format of ``../shared/eval/FORMAT.md``.

The scoring rules are FORMAT.md's, implemented literally (``passes_must_include``, ``chunk_hits``), so an
outside checker and this harness agree on every item.

One reading of FORMAT.md's "after normalising" is ours: quotes come from the raw seed text while the corpus
is curated Markdown, so before the whitespace/hyphenation rules both chunk text and quote lose Markdown
markup (:func:`strip_markdown`: table pipes and separator rows, leading ``#``/``>``/list bullets, ``\\*``
escapes and footnote marks ``[^n]``). Otherwise a seed quote of a table ("Rokers\\n22%   20%") could never
match its curated row ("| Rokers | 22% | 20% |") although the passage is the same. Words and numbers are
never changed, so a hit still means the same text was retrieved.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rag.citations import verify
from rag.markdown import (
    ESCAPE,
    FOOTNOTE_DEF,
    FOOTNOTE_MARK,
    HEADING,
    QUOTE,
    SYMBOL_BULLET,
    TABLE_SEP,
    multiline,
)
from rag.text import normalize_for_match
from rag.types import Answer

log = logging.getLogger(__name__)

RECALL_KS = (1, 3, 5, 10)
HIT_CHARS = 30


def load_questions(path: str | Path) -> list[dict[str, Any]]:
    """Items of a JSONL question set (blank lines and ``//`` comments skipped)."""
    items = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return items


# --- the FORMAT.md rules -----------------------------------------------------------------------


def alternative_in(answer: str, alt: str) -> bool:
    """Case-insensitive containment; an alternative starting with a digit must not follow a digit, '.' or ','."""
    a, t = answer.lower(), alt.lower()
    if not t:
        return False
    if t[0].isdigit():
        return re.search(r"(?<![\d.,])" + re.escape(t), a) is not None
    return t in a


def passes_must_include(answer: str, must_include: list[list[str]], must_not_include: Iterable[str] = ()) -> bool:
    """Every group has an alternative in the answer, and no forbidden string occurs."""
    if any(alternative_in(answer, bad) for bad in must_not_include):
        return False
    return all(any(alternative_in(answer, alt) for alt in group) for group in must_include)


_MD_TABLE_SEP = multiline(TABLE_SEP)
_MD_LINE_MARKS = tuple(multiline(rx) for rx in (HEADING, QUOTE, SYMBOL_BULLET))
_MD_FOOTNOTE_DEF = multiline(FOOTNOTE_DEF)


def strip_markdown(text: str) -> str:
    """Markdown markup out, words and numbers untouched (see the module docstring for why)."""
    text = _MD_TABLE_SEP.sub(" ", text)
    text = _MD_FOOTNOTE_DEF.sub("", text)
    text = FOOTNOTE_MARK.sub("", text)
    for rx in _MD_LINE_MARKS:
        text = rx.sub("", text)
    text = ESCAPE.sub("", text)
    return text.replace("|", " ")


def match_form(text: str) -> str:
    """The comparison form of a chunk or a quote: Markdown stripped, then FORMAT.md's rules."""
    return normalize_for_match(strip_markdown(text))


def shares_span(chunk_text: str, quote: str, n: int = HIT_CHARS) -> bool:
    """Do chunk and quote share ``n`` characters, after normalisation (:func:`match_form`)?"""
    c, q = match_form(chunk_text), match_form(quote)
    if len(q) < n:
        return bool(q) and q in c
    return any(q[i : i + n] in c for i in range(len(q) - n + 1))


def chunk_hits(chunk_text: str, sources: list[dict[str, str]], doc_id: str | None = None) -> bool:
    return any(shares_span(chunk_text, s.get("quote", "")) for s in sources if doc_id is None or s.get("doc") in (doc_id, None))


def first_hit_rank(retrieved: list[dict[str, Any]], sources: list[dict[str, str]]) -> int | None:
    for r in retrieved:
        if chunk_hits(r.get("text", ""), sources, r.get("doc_id")):
            return int(r.get("rank", 0)) or None
    return None


def _reported_figures(result: dict[str, Any]) -> list[float]:
    """The figures a calculator result reports: its numeric fields and the numbers of its nested figure tables
    (e.g. per year per base), not the rule limits inside its checks or its citations."""
    out: list[float] = []
    for value in result.values():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out.append(float(value))
        elif isinstance(value, dict):
            out.extend(float(v) for v in value.values() if isinstance(v, int | float) and not isinstance(v, bool))
    return out


def _expected_figure_found(result: dict[str, Any], key: str, want: Any, tol: float) -> bool:
    """One expected figure of a calc item. FORMAT.md names no result keys, so a set's writer names them freely
    ("min_regio", "regional_eur_m"): a key the result has is compared under that key; a key it lacks is matched
    by value, a yes/no against the result's verdict (``allowed``), a number against any figure it reports."""
    if key in result:
        got = result[key]
        if isinstance(want, bool) or isinstance(got, bool):
            return got is not None and bool(got) == bool(want)
        if isinstance(want, int | float):
            return isinstance(got, int | float) and abs(float(got) - float(want)) <= tol
        return bool(got == want)
    if isinstance(want, bool):
        return "allowed" in result and bool(result["allowed"]) == want
    if isinstance(want, int | float):
        return any(abs(got - float(want)) <= tol for got in _reported_figures(result))
    return False


def calc_miss_reason(result: dict[str, Any] | None, expected: dict[str, Any]) -> str:
    """Why a calc item missed, in one word (for aggregate counts): 'not_routed' (no calculator result),
    'error' (the calculator refused the figures), 'key' (an expected figure it reports under no key and no
    value), 'value' (a figure under the expected key with another value)."""
    if not result:
        return "not_routed"
    if result.get("kind") == "error":
        return "error"
    if any(key not in result and not _expected_figure_found(result, key, want, 0.05) for key, want in expected.items()):
        return "key"
    return "value"


def calc_matches(result: dict[str, Any] | None, expected: dict[str, Any], tol: float = 0.05) -> bool:
    if not result:
        return False
    return all(_expected_figure_found(result, key, want, tol) for key, want in expected.items())


# --- running -----------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    vs = sorted(values)
    i = min(len(vs) - 1, max(0, round(q * (len(vs) - 1))))
    return vs[i]


def score_item(item: dict[str, Any], ans: Answer, document: Callable[[str], Any]) -> dict[str, Any]:
    """One item's verdicts."""
    obj = ans.to_json()
    must_refuse = bool(item.get("must_refuse"))
    sources = item.get("sources") or []
    rank = first_hit_rank(obj["retrieved"], sources) if sources else None
    must_include = item.get("must_include") or []
    answer_ok = None
    if not must_refuse and must_include:
        answer_ok = passes_must_include(ans.answer, must_include, item.get("must_not_include") or [])
    forbidden_ok = not any(alternative_in(ans.answer, bad) for bad in item.get("must_not_include") or [])
    calc_ok, calc_miss = None, None
    if item.get("calc"):
        calc_ok = calc_matches(ans.tool.result if ans.tool else None, item["calc"].get("expected", {}))
        calc_miss = None if calc_ok else calc_miss_reason(ans.tool.result if ans.tool else None, item["calc"].get("expected", {}))
    problems = verify(ans, document)
    return {
        "id": item.get("id"),
        "type": item.get("type"),
        "lang": item.get("lang"),
        "question": item.get("question"),
        "answer": ans.answer,
        "standalone_question": ans.standalone_question,
        "has_sources": bool(sources),
        "hit_rank": rank,
        "answer_ok": answer_ok,
        "forbidden_ok": forbidden_ok,
        "must_refuse": must_refuse,
        "refused": ans.refused,
        "refusal_ok": ans.refused == must_refuse,
        "calc_ok": calc_ok,
        "calc_miss": calc_miss,
        # an item that is not a money question (no "calc") answered by the co-financing calculator
        "calc_misrouted": not item.get("calc") and ans.tool is not None and ans.tool.name == "cofinancing",
        "citations_ok": not problems,
        "citation_problems": problems,
        "t_retrieve": ans.timings_ms.get("retrieve"),
        "t_total": ans.timings_ms.get("total"),
    }


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Metrics over a group of scored items (None where a metric has no items)."""

    def mean(xs: list[bool]) -> float | None:
        return round(sum(xs) / len(xs), 4) if xs else None

    with_src = [r for r in rows if r["has_sources"]]
    out: dict[str, Any] = {"n": len(rows)}
    for k in RECALL_KS:
        out[f"recall@{k}"] = mean([r["hit_rank"] is not None and r["hit_rank"] <= k for r in with_src])
    out["mrr"] = round(statistics.fmean([1 / r["hit_rank"] if r["hit_rank"] else 0.0 for r in with_src]), 4) if with_src else None
    out["answer_accuracy"] = mean([r["answer_ok"] for r in rows if r["answer_ok"] is not None])
    out["refusal_accuracy"] = mean([r["refusal_ok"] for r in rows])
    answerable = [r for r in rows if not r["must_refuse"]]
    out["false_refusal_rate"] = mean([r["refused"] for r in answerable])
    out["must_refuse_recall"] = mean([r["refused"] for r in rows if r["must_refuse"]])
    out["calc_accuracy"] = mean([r["calc_ok"] for r in rows if r["calc_ok"] is not None])
    out["calc_misrouted"] = sum(bool(r.get("calc_misrouted")) for r in rows)
    out["citation_validity"] = mean([r["citations_ok"] for r in rows])
    out["must_not_include_ok"] = mean([r["forbidden_ok"] for r in rows])
    tr = [r["t_retrieve"] for r in rows if r["t_retrieve"] is not None]
    tt = [r["t_total"] for r in rows if r["t_total"] is not None]
    out["retrieve_p50_ms"], out["retrieve_p90_ms"] = _pct(tr, 0.5), _pct(tr, 0.9)
    out["total_p50_ms"], out["total_p90_ms"] = _pct(tt, 0.5), _pct(tt, 0.9)
    return out


def evaluate(
    assistant: Any, items: list[dict[str, Any]], engine: str | None = None, progress: bool = True
) -> dict[str, Any]:
    """Ask every item (one process, models loaded once) and score it."""
    from tqdm import tqdm

    rows = []
    for item in tqdm(items, desc="evaluating", disable=not progress):
        ans = assistant.ask(item["question"], item.get("history"), engine=engine, qid=item.get("id"))
        rows.append(score_item(item, ans, assistant.store.document))
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_type[str(r["type"])].append(r)
        by_lang[str(r["lang"])].append(r)
    return {
        "overall": aggregate(rows),
        "by_type": {k: aggregate(v) for k, v in sorted(by_type.items())},
        "by_lang": {k: aggregate(v) for k, v in sorted(by_lang.items())},
        "items": rows,
    }


_COLUMNS = [
    ("n", "n"),
    ("R@1", "recall@1"),
    ("R@3", "recall@3"),
    ("R@5", "recall@5"),
    ("R@10", "recall@10"),
    ("MRR", "mrr"),
    ("ans", "answer_accuracy"),
    ("refuse", "refusal_accuracy"),
    ("falseref", "false_refusal_rate"),
    ("calc", "calc_accuracy"),
    ("→calc", "calc_misrouted"),
    ("cite", "citation_validity"),
    ("ret p50", "retrieve_p50_ms"),
    ("ret p90", "retrieve_p90_ms"),
    ("tot p50", "total_p50_ms"),
    ("tot p90", "total_p90_ms"),
]


def format_report(report: dict[str, Any], show_failures: bool = True) -> str:
    """A plain-text table (overall, per type, per language) and the failing items."""

    def cell(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.0f}" if v >= 10 else f"{v:.2f}"
        return str(v)

    head = f"{'group':<14}" + "".join(f"{h:>9}" for h, _ in _COLUMNS)
    lines = [head, "-" * len(head)]
    groups = [("overall", report["overall"])]
    groups += [(f"type:{k}", v) for k, v in report["by_type"].items()]
    groups += [(f"lang:{k}", v) for k, v in report["by_lang"].items()]
    for name, m in groups:
        lines.append(f"{name:<14}" + "".join(f"{cell(m.get(key)):>9}" for _, key in _COLUMNS))
    misses = [r.get("calc_miss") for r in report.get("items", []) if r.get("calc_miss")]
    if misses:
        lines.append("calc misses: " + ", ".join(f"{k} {misses.count(k)}" for k in sorted(set(misses))))
    if show_failures:
        fails = [
            r
            for r in report["items"]
            if r["answer_ok"] is False or not r["refusal_ok"] or r["calc_ok"] is False or not r["citations_ok"]
            or (r["has_sources"] and (r["hit_rank"] is None or r["hit_rank"] > 5))
        ]
        if fails:
            lines += ["", f"failures ({len(fails)}):"]
            for r in fails:
                flags = []
                if r["answer_ok"] is False:
                    flags.append("answer")
                if not r["refusal_ok"]:
                    flags.append("refused" if r["refused"] else "not-refused")
                if r["calc_ok"] is False:
                    flags.append("calc")
                if not r["citations_ok"]:
                    flags.append("citations")
                if r["has_sources"] and (r["hit_rank"] is None or r["hit_rank"] > 5):
                    flags.append(f"recall(rank={r['hit_rank']})")
                ans = " ".join(r["answer"].split())
                lines.append(f"  {r['id']} [{r['type']}/{r['lang']}] {','.join(flags)}: {r['question'][:90]}")
                lines.append(f"      -> {ans[:240]}")
    return "\n".join(lines)
