"""``python -m bench [NAME...]`` runs every ``bench/bench_*.py`` (or the named ones) and prints their reports.

Each module's ``main()`` returns Markdown; copy the relevant part into BENCHMARKS.md with the command.
Benchmarks take their options from environment variables (each module's docstring names them); ``--help``
lists the benchmarks and runs none, and an unknown name is an error, never a silent run of nothing.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path


def available() -> list[str]:
    """The benchmark names (``bench_scale.py`` → ``scale``)."""
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def _summary(name: str) -> str:
    """The first line of a benchmark's docstring, read without importing it (imports load models)."""
    import ast

    source = (Path(__file__).parent / f"bench_{name}.py").read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source)) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def main(argv: list[str] | None = None) -> int:
    names = available()
    ap = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the benchmarks (all, or the named ones) and print their Markdown reports.",
        epilog="benchmarks:\n" + "\n".join(f"  {n:10s} {_summary(n)}" for n in names),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    wanted = [n.removeprefix("bench_") for n in args.names]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)} (available: {', '.join(names)})")
    logging.basicConfig(level=logging.WARNING)
    failed = 0
    for name in [n for n in names if not wanted or n in wanted]:
        print(f"## bench_{name}\n", flush=True)
        try:
            print(importlib.import_module(f"bench.bench_{name}").main(), flush=True)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed += 1
            logging.exception("benchmark %s failed", name)
            print(f"FAILED: {exc}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
