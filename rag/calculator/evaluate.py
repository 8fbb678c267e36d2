"""Score the money-question parser on a question set, printing aggregate figures only (no item text).

    python -m rag.calculator.evaluate FILE [FILE ...]

An item is right when the parsed operation, roles, years and replacement equal the item's ``request``
and the computed figures equal its ``expected`` (or, for ``request: null`` items, when the parser
returns nothing, or asks a clarifying question exactly where ``clarify`` is true). The set format is
described in ``eval/calc/README.md``. Nothing of an item (id, question, figures) is printed, so a set
that must stay unseen can be scored by anyone.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from rag.calculator.compute import calculate
from rag.calculator.parse import Clarify, parse_request
from rag.calculator.rules import TRANCHE
from rag.money import MILLION, UserInputError

TRANCHE_EUR_M = TRANCHE.value / MILLION  # type: ignore[operator]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or a == b
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except ArithmeticError:
        return False


# Operations whose tranche is the Kamerbrief's € 200 miljoen when the question names none: a request that
# states that default and one that leaves it out are the same request (the sets write it both ways).
_DEFAULT_TRANCHE_OPS = ("deals_per_tranche", "tranche_remainder")


def _roles(request: dict[str, Any]) -> dict[str, Any]:
    roles = dict(request.get("roles") or {})
    if request.get("operation") in _DEFAULT_TRANCHE_OPS and "tranche" in roles and _same(roles["tranche"], TRANCHE_EUR_M):
        roles.pop("tranche")
    return roles


def score_item(item: dict[str, Any]) -> dict[str, Any]:
    """What the parser did with one item: ``ok`` plus which part went wrong (no item text)."""
    want, clarify = item.get("request"), bool(item.get("clarify"))
    out: dict[str, Any] = {"lang": item.get("lang", "?"), "op": (want or {}).get("operation") or ("(clarify)" if clarify else "(not money)")}
    try:
        req = parse_request(item["question"], item.get("lang", "nl"), item.get("history"))
        asked = False
    except Clarify:
        req, asked = None, True
    except UserInputError:
        req, asked = None, False
        out["error"] = True
    except Exception:  # a crash is a miss, never the end of the scoring run
        logging.getLogger(__name__).debug("parser crashed", exc_info=True)
        req, asked = None, False
        out["error"] = True
    out["asked"] = asked
    out["routed"] = req is not None and req.operation != "rules"
    if want is None:
        out["ok"] = req is None and asked == clarify
        out["part"] = None if out["ok"] else ("clarify" if clarify != asked else "routing")
        return out
    if req is None:
        out["ok"], out["part"] = False, "clarify" if asked else "routing"
        return out
    got = req.to_schema()
    if got["operation"] != want["operation"]:
        out["ok"], out["part"] = False, "operation"
        return out
    if not (_same(_roles(got), _roles(want)) and got["years"] == want.get("years") and _same(got["replace"] or {}, want.get("replace") or {})):
        out["ok"], out["part"] = False, "roles"
        return out
    try:
        result = calculate(req).expected
    except UserInputError:
        out["ok"], out["part"] = False, "result"
        return out
    out["ok"] = _same(result, item.get("expected") or {})
    out["part"] = None if out["ok"] else "result"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rows = []
    for path in args.files:
        with path.open(encoding="utf-8") as fh:
            rows += [score_item(json.loads(line)) for line in fh if line.strip()]
    if not rows:
        print("no items")
        return 1
    n, ok = len(rows), sum(r["ok"] for r in rows)
    print(f"items {n}  correct {ok}  accuracy {ok / n:.3f}")
    for label, key in (("operation", "op"), ("language", "lang")):
        tot, good = Counter(r[key] for r in rows), Counter(r[key] for r in rows if r["ok"])
        print(f"by {label}:")
        for k in sorted(tot):
            print(f"  {k:20s} {good[k]:3d}/{tot[k]:3d}  {good[k] / tot[k]:.3f}")
    misses = Counter(r["part"] for r in rows if not r["ok"])
    print("misses by part: " + (", ".join(f"{k} {v}" for k, v in sorted(misses.items())) or "none"))
    not_money = [r for r in rows if r["op"] == "(not money)"]
    clar = [r for r in rows if r["op"] == "(clarify)"]
    print(f"not-money items routed to the calculator: {sum(r['routed'] for r in not_money)}/{len(not_money)}")
    print(f"clarify items answered with a clarifying question: {sum(r['asked'] for r in clar)}/{len(clar)}")
    print(f"clarifying questions asked where none was due: {sum(r['asked'] for r in rows if r['op'] != '(clarify)')}")
    print(f"crashes or unusable-figure errors: {sum(bool(r.get('error')) for r in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
