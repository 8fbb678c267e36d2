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


def _error_answer(item: dict[str, Any], message: str) -> dict[str, Any]:
    from rag.types import Answer

    q = str(item.get("question", ""))
    ans = Answer(question=q, language="nl", answer=message, refused=True, engine="none", refusal_reason="error", id=item.get("id"))
    return ans.to_json()


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.assistant import UnknownDocumentFilterError
    from rag.store import IndexUnavailableError

    if args.batch is None and args.question is None:
        print("error: give a question, or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    try:
        history = _load_history(args.history)
        items: list[dict[str, Any]]
        if args.batch is not None:
            from rag.evaluation import load_questions

            items = load_questions(args.batch)
        else:
            items = [{"id": args.qid, "question": args.question, "history": history}]
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    assistant = _open_assistant()
    if assistant is None:
        return EXIT_INDEX
    code = EXIT_OK
    from tqdm import tqdm

    for item in tqdm(items, desc="answering", disable=len(items) < 3 or not sys.stderr.isatty(), file=sys.stderr):
        try:
            ans = assistant.ask(
                str(item.get("question", "")),
                item.get("history") if args.batch is not None else history,
                doc_ids=args.docs,
                engine=args.engine,
                qid=item.get("id"),
            )
        except UnknownDocumentFilterError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except IndexUnavailableError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_INDEX
        except Exception as exc:  # one bad item must not lose the batch
            log.exception("question %s failed", item.get("id"))
            code = EXIT_ERROR
            if args.json:
                print(json.dumps(_error_answer(item, f"internal error: {exc}"), ensure_ascii=False), flush=True)
            else:
                print(f"error: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(ans.to_json(), ensure_ascii=False), flush=True)
        else:
            if len(items) > 1:
                print(f"=== {item.get('id') or ''} {ans.question}")
            print(_human(ans))
            if len(items) > 1:
                print()
    return code


def _open_assistant() -> Any | None:
    """A warmed Assistant, or None after telling the user the index cannot be used (and how to build it)."""
    from rag.assistant import Assistant
    from rag.store import IndexUnavailableError

    try:
        assistant = Assistant(get_settings())
        assistant.warm(progress=sys.stderr.isatty())
    except IndexUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return assistant


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.evaluation import evaluate, format_report, load_questions
    from rag.store import IndexUnavailableError

    try:
        items = load_questions(args.questions)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    assistant = _open_assistant()
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
    from rag.store import IndexUnavailableError

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
