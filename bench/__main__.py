"""``python -m bench [NAME...]`` runs every ``bench/bench_*.py`` (or the named ones) and prints their reports.

Each module's ``main()`` returns Markdown; copy the relevant part into BENCHMARKS.md with the command.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    names = argv if argv is not None else sys.argv[1:]
    logging.basicConfig(level=logging.WARNING)
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m in names or m.removeprefix("bench_") in names]
    failed = 0
    for name in modules:
        print(f"## {name}\n", flush=True)
        try:
            print(importlib.import_module(f"bench.{name}").main(), flush=True)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed += 1
            logging.exception("benchmark %s failed", name)
            print(f"FAILED: {exc}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
