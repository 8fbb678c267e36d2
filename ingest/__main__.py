"""``python -m ingest [build|add FILE...|list|remove ID|questions ID|stats]`` — build and maintain the index.

Exit codes: 0 success, 1 a file failed (the others were still ingested) or question writing stopped early,
2 the index could not be built / the id is wrong / no generative engine can write questions (nothing changed).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import TYPE_CHECKING

from rag.config import get_settings

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport
    from ingest.upload_questions import QuestionsReport


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.splitlines()[0])
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = p.add_subparsers(dest="command")
    b = sub.add_parser("build", help="build the index if missing or stale (default)")
    b.add_argument("--force", action="store_true", help="rebuild and re-embed everything")
    b.add_argument("--workers", type=int, default=None, metavar="N", help="embed in N processes (default 1)")
    a = sub.add_parser("add", help="add documents (PDF, Markdown, text) to the index")
    a.add_argument("files", nargs="+")
    sub.add_parser("list", help="list indexed documents")
    r = sub.add_parser("remove", help="remove an added document by id")
    r.add_argument("doc_id")
    qp = sub.add_parser("questions", help="write hypothetical questions for an added document with the generative engine")
    qp.add_argument("doc_id")
    qp.add_argument("--limit", type=int, default=None, help="most units this run (default REGIODEAL_QUESTION_UNITS_PER_RUN)")
    qp.add_argument("--engine", choices=["auto", "openai", "local"], default=None,
                    help="engine that writes them (default REGIODEAL_QUESTION_ENGINE)")
    s = sub.add_parser("stats", help="index statistics as JSON")
    s.add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("chromadb", "httpx", "urllib3", "sentence_transformers", "pypdf"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from ingest import api
    from rag.chroma_client import IndexUnavailableError
    from rag.store import IndexStore, UnknownDocumentError

    progress = not args.quiet
    if getattr(args, "workers", None):
        if args.workers < 1:
            print("error: --workers must be at least 1", file=sys.stderr)
            return 2
        settings = settings.model_copy(update={"ingest_workers": args.workers})
    command = args.command or "build"
    report: IngestReport | QuestionsReport
    try:
        if command == "build":
            report = api.build(settings, progress=progress, force=getattr(args, "force", False))
        elif command == "add":
            report = api.add_files(args.files, settings, progress=progress)
        elif command == "questions":
            from ingest.upload_questions import generate_questions

            if args.limit is not None and args.limit < 1:
                print("error: --limit must be at least 1", file=sys.stderr)
                return 2
            report = generate_questions(args.doc_id, settings, progress=progress, limit=args.limit, engine=args.engine)
        elif command == "remove":
            report = api.remove_document(args.doc_id, settings, progress=progress)
        elif command == "list":
            rows = api.list_documents(settings)
            if not rows:
                print("No documents indexed yet: run `make index`.")
            for row in rows:
                state = f"{row['chunks']:4d} chunks" if row["indexed"] else "not indexed"
                print(f"{row['doc_id']:<24} {row['kind']:<7} {state}  {row['title']}")
            return 0
        else:  # stats
            print(json.dumps(IndexStore(settings).stats(), indent=2, ensure_ascii=False))
            return 0
    except (IndexUnavailableError, api.CorpusDocumentError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except UnknownDocumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
