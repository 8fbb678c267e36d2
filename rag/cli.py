"""``python -m rag``: ask questions (for people or as JSON, one or a whole batch) and run the evaluation.

The JSON output is the contract of ``../shared/eval/FORMAT.md``. Exit codes:
0 every question got an answer object (a refusal is an answer); 1 an unexpected error for at least one
question (that question still gets a refused answer object in batch mode); 2 bad usage (arguments,
unreadable files, unknown document id); 3 the index is missing, mismatched or unavailable.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from rag.config import get_settings
from rag.safe_input import clean_text, dumps

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INDEX = 0, 1, 2, 3
log = logging.getLogger("rag.cli")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m rag", description="Regio Deal Assistent: cited answers from the documents.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ask = sub.add_parser("ask", help="answer a question (or a batch of questions)")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--json", action="store_true", help="print the answer object(s) of FORMAT.md as JSON")
    ask.add_argument("--batch", type=Path, help="JSONL question set; one answer object per line, in input order")
    ask.add_argument("--history", type=Path, help='JSON file with earlier turns: [{"role": "user"|"assistant", "content": "..."}]')
    ask.add_argument("--engine", choices=["extractive", "openai", "local", "auto"], help="answer engine (default: settings)")
    ask.add_argument("--doc", action="append", dest="docs", metavar="DOC_ID", help="only use this document (repeatable)")
    ask.add_argument("--id", dest="qid", help="id to put in the answer object")
    ev = sub.add_parser("eval", help="score the assistant on a question set")
    ev.add_argument("--questions", type=Path, required=True, help="JSONL question set (FORMAT.md)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--engine", choices=["extractive", "openai", "local", "auto"])
    ev.add_argument("--no-failures", action="store_true", help="do not list the failing items")
    sub.add_parser("status", help="show the index and engine status")
    return ap


def _load_history(path: Path | None) -> list[dict[str, str]] | None:
    if path is None:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "history" in data:
        data = data["history"]
    if not isinstance(data, list) or not all(isinstance(t, dict) and "role" in t and "content" in t for t in data):
        raise ValueError(f"{path}: history must be a JSON list of {{'role', 'content'}} objects")
    return data


def _human(ans: Any) -> str:
    lines = [ans.answer]
    if ans.tool is not None:
        working = (ans.tool.result or {}).get("working", {})
        steps = working.get(ans.language) if isinstance(working, dict) else None
        if steps:
            lines += ["", "Berekening:" if ans.language == "nl" else "Calculation:"] + [f"  {s}" for s in steps]
    if ans.citations:
        lines += ["", "Bronnen:" if ans.language == "nl" else "Sources:"]
        for c in ans.citations:
            where = [c.title or c.doc_id]
            if c.page:
                where.append(f"p. {c.page}")
            if c.section:
                where.append(c.section)
            quote = " ".join(c.quote.split())
            lines.append(f"[{c.n}] {', '.join(where)}: “{quote}”")
    return "\n".join(lines)


def _error_answer(item: dict[str, Any], message: str, code: str = "internal") -> dict[str, Any]:
    """A refused answer object that also carries an ``error`` object: what went wrong, never a crash."""
    from rag.types import Answer

    q = clean_text(item.get("question", "")) if isinstance(item, dict) else ""
    qid = item.get("id") if isinstance(item, dict) else None
    ans = Answer(
        question=q,
        language="nl",
        answer=message,
        refused=True,
        engine="none",
        refusal_reason="error",
        id=clean_text(qid) if isinstance(qid, str) else None,
    )
    out = ans.to_json()
    out["error"] = {"code": code, "message": clean_text(message)}
    return out


def _emit(obj: dict[str, Any]) -> None:
    print(dumps(obj), flush=True)


def _read_batch(path: Path) -> list[dict[str, Any] | tuple[int, str]]:
    """Question items in input order; a line that is not a JSON object becomes (line number, reason), so it
    gets its own error line in the output and the rest of the batch still runs."""
    out: list[dict[str, Any] | tuple[int, str]] = []
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                out.append((n, f"line {n}: not valid JSON ({getattr(exc, 'msg', exc)})"))
                continue
            if not isinstance(item, dict):
                out.append((n, f"line {n}: not a JSON object"))
                continue
            out.append(item)
    return out


def _clean_history(history: Any) -> list[dict[str, str]] | None:
    if not isinstance(history, list):
        return None
    return [
        {"role": clean_text(h.get("role")), "content": clean_text(h.get("content"))}
        for h in history
        if isinstance(h, dict)
    ]


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.assistant import UnknownDocumentFilterError
    from rag.chroma_client import IndexUnavailableError

    if args.batch is None and args.question is None:
        print("error: give a question, or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    try:
        history = _load_history(args.history)
        items: list[dict[str, Any] | tuple[int, str]]
        if args.batch is not None:
            items = _read_batch(args.batch)
        else:
            items = [{"id": args.qid, "question": args.question, "history": history}]
    except (OSError, ValueError) as exc:
        print(f"error: {clean_text(str(exc))}", file=sys.stderr)
        if args.json:
            _emit(_error_answer({"id": args.qid, "question": args.question or ""}, str(exc), "bad_input"))
        return EXIT_USAGE
    assistant, problem = _open_assistant()
    if assistant is None:
        if args.json:
            first = next((i for i in items if isinstance(i, dict)), {"question": args.question or ""})
            _emit(_error_answer(first, problem, "index_unavailable"))
        return EXIT_INDEX
    code = EXIT_OK
    from tqdm import tqdm

    for item in tqdm(items, desc="answering", disable=len(items) < 3 or not sys.stderr.isatty(), file=sys.stderr):
        if isinstance(item, tuple):  # a batch line that is not a question: reported in its own line
            code = EXIT_ERROR
            if args.json:
                _emit(_error_answer({"id": None, "question": ""}, item[1], "bad_input"))
            else:
                print(f"error: {item[1]}", file=sys.stderr)
            continue
        qid = item.get("id")
        question = clean_text(item.get("question", ""))
        try:
            ans = assistant.ask(
                question,  # empty, emoji or symbols only: the assistant's polite refusal
                _clean_history(item.get("history")) if args.batch is not None else history,
                doc_ids=args.docs,
                engine=args.engine,
                qid=clean_text(qid) if isinstance(qid, str) else qid,
            )
            ans.question = question
        except UnknownDocumentFilterError as exc:
            print(f"error: {exc}", file=sys.stderr)
            if args.json:
                _emit(_error_answer(item, str(exc), "unknown_document"))
            return EXIT_USAGE
        except IndexUnavailableError as exc:
            print(f"error: {exc}", file=sys.stderr)
            if args.json:
                _emit(_error_answer(item, str(exc), "index_unavailable"))
            return EXIT_INDEX
        except Exception as exc:  # one bad item must not lose the batch
            log.exception("question %s failed", clean_text(str(qid)))
            code = EXIT_ERROR
            if args.json:
                _emit(_error_answer(item, f"internal error: {exc}"))
            else:
                print(f"error: {clean_text(str(exc))}", file=sys.stderr)
            continue
        if args.json:
            _emit(ans.to_json())
        else:
            if len(items) > 1:
                print(clean_text(f"=== {qid or ''} {ans.question}"))
            print(clean_text(_human(ans)))
            if len(items) > 1:
                print()
    return code


def _open_assistant() -> tuple[Any | None, str]:
    """A warmed Assistant, or (None, why) after telling the user the index cannot be used (and how to fix it)."""
    from rag.assistant import Assistant
    from rag.chroma_client import IndexUnavailableError

    try:
        assistant = Assistant(get_settings())
        assistant.warm(progress=sys.stderr.isatty())
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None, str(exc)
    except Exception as exc:  # e.g. a server that answers but not like Chroma: still an explained failure
        log.debug("opening the index failed", exc_info=True)
        msg = f"the index cannot be opened ({type(exc).__name__}: {exc})"
        print(f"error: {msg}", file=sys.stderr)
        return None, msg
    return assistant, ""


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.chroma_client import IndexUnavailableError
    from rag.evaluation import evaluate, format_report, load_questions

    try:
        items = load_questions(args.questions)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    assistant, _ = _open_assistant()
    if assistant is None:
        return EXIT_INDEX
    try:
        report = evaluate(assistant, items, engine=args.engine, progress=sys.stderr.isatty())
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INDEX
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        print(f"{args.questions} ({len(items)} questions, engine {args.engine or get_settings().engine})")
        print(format_report(report, show_failures=not args.no_failures))
    return EXIT_OK


def cmd_status(_args: argparse.Namespace) -> int:
    from rag.assistant import Assistant
    from rag.chroma_client import IndexUnavailableError

    try:
        print(json.dumps(Assistant(get_settings()).status(), ensure_ascii=False, indent=1, default=str))
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INDEX
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=get_settings().log_level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    return {"ask": cmd_ask, "eval": cmd_eval, "status": cmd_status}[args.cmd](args)
