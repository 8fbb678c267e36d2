"""Fit the answerability confidence (``rag/engines/confidence.py``) on tuning sets.

    python -m scripts.fit_answerability dump --out rows.jsonl eval/questions.jsonl eval/holdout.jsonl ...
    python -m scripts.fit_answerability fit rows.jsonl [--write]
    python -m scripts.fit_answerability probe [--kind requests|outcomes|restate] [--cache vecs.json] [--C 4] [--threshold 0.2] [--write]
    python -m scripts.fit_answerability shift [--n 900] eval/holdout*.jsonl ...

``dump`` answers every item with the confidence gate switched off (``REGIODEAL_ABLATE=answerability``)
and writes, per item, the evidence features, the label (the item must be refused) and what the engine
answered. ``fit`` fits a small logistic model (label: the documents answer), estimates generalisation by
leave-one-set-out cross-validation, prints a reliability table and the combined system's figures per
threshold (the gate added to the engine's own refusals), and with ``--write`` saves the model.
``probe`` fits the request probe (``rag/engines/request_probe.py``) on ``decline_exemplars.yaml`` and the
corpus's hypothetical questions, prints cross-validated decline rates and with ``--write`` saves
``decline_probe.json``; ``--kind outcomes`` does the same for the outcome probe (``outcome_exemplars.yaml`` →
``outcome_probe.json``); no evaluation item is used. ``shift`` prints, per language, the unit-confidence features'
means for the top unit of answerable and to-be-refused items (single questions, a seeded sample): the English shift
of ``AnswerabilityParams.english_shift`` is the Dutch minus the English mean of the answerable ones. Only tuning
sets (whose items may be read) belong here; validation sets are scored with ``rag eval``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def dump(paths: list[str], out: str) -> None:
    os.environ["REGIODEAL_ABLATE"] = ",".join(x for x in (os.environ.get("REGIODEAL_ABLATE", ""), "answerability") if x)
    from tqdm import tqdm

    from rag.assistant import Assistant
    from rag.engines.confidence import features
    from rag.evaluation import passes_must_include

    a = Assistant()
    with open(out, "w", encoding="utf-8") as fh:
        for path in paths:
            items = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]
            for item in tqdm(items, desc=Path(path).stem):
                ctx = a.prepare(item["question"], item.get("history"))
                row = {"set": Path(path).stem, "id": item["id"], "type": item["type"], "lang": item["lang"],
                       "must_refuse": bool(item.get("must_refuse")), "declined": ctx.decline, "tool": ctx.tool is not None}
                ev = features(ctx) if not ctx.decline else None
                row["x"] = ev.features if ev else None
                row["unknown"] = ev.unknown if ev else []
                if ctx.decline:
                    row["refused"], row["answer_ok"] = True, None
                else:
                    ans = a._finish(a.extractive.answer(ctx), ctx, item["id"], 0.0, 0.0)
                    row["refused"] = ans.refused
                    mi = item.get("must_include") or []
                    row["answer_ok"] = (passes_must_include(ans.answer, mi, item.get("must_not_include") or [])
                                        if mi and not row["must_refuse"] else None)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def cached_vectors(texts: list[str], cache: str | None) -> Any:
    """e5 query vectors of ``texts`` (an array, one row each), reusing and extending a JSON cache of text -> vector."""
    import numpy as np
    from tqdm import tqdm

    from rag.engines.request_probe import embed_questions

    known: dict[str, list[float]] = json.loads(Path(cache).read_text(encoding="utf-8")) if cache and Path(cache).exists() else {}
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    for i in tqdm(range(0, len(todo), 32), desc="embedding (batches of 32)"):
        for t, v in zip(todo[i : i + 32], embed_questions(todo[i : i + 32]), strict=True):
            known[t] = [float(x) for x in v]
    if cache:
        Path(cache).write_text(json.dumps(known), encoding="utf-8")
    return np.array([known[t] for t in texts], dtype=np.float64)


def corpus_questions() -> list[str]:
    """Every hypothetical question of ``corpus/questions/*.yaml`` (information questions by construction)."""
    import yaml

    out: list[str] = []
    for f in sorted(Path("corpus/questions").glob("*.yaml")):
        for u in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("units", []):
            for qs in (u.get("questions") or {}).values():
                out.extend(str(q) for q in qs or [])
    return out


def probe(write: bool, c: float, threshold: float, cache: str | None = None, drop: tuple[str, ...] = (),
          written_weight: float = 10.0, kind: str = "requests") -> None:
    """Fit a probe of ``rag/engines/request_probe.py`` (``kind``: the request probe, or the outcome probe) on
    its exemplars and the corpus's hypothetical questions; 5-fold cross-validated decline rates per class and
    threshold."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from rag.engines.request_probe import (
        EXEMPLARS_FILE,
        OUTCOME_EXEMPLARS_FILE,
        OUTCOME_PROBE_FILE,
        PROBE_FILE,
        QUESTION,
        RESTATE_EXEMPLARS_FILE,
        RESTATE_PROBE_FILE,
        RequestProbe,
        exemplars,
        fit_probe,
    )

    source_file, out_file = {
        "outcomes": (OUTCOME_EXEMPLARS_FILE, OUTCOME_PROBE_FILE),
        "restate": (RESTATE_EXEMPLARS_FILE, RESTATE_PROBE_FILE),
    }.get(kind, (EXEMPLARS_FILE, PROBE_FILE))
    ex = {k: v for k, v in exemplars(source_file).items() if k not in drop}
    texts = [t for k in ex for t in ex[k]] + corpus_questions()
    labels = [k for k in ex for _ in ex[k]] + [QUESTION] * (len(texts) - sum(len(v) for v in ex.values()))
    source = [f"written:{k}" for k in ex for _ in ex[k]] + ["corpus:question"] * (len(texts) - sum(len(v) for v in ex.values()))
    vecs = cached_vectors(texts, cache)
    y = np.array(labels)
    # the written questions are the hard cases (request words, follow-ups, informal): each weighs as much
    # as `written_weight` hypothetical questions of the corpus
    sw = np.array([written_weight if s_ == f"written:{QUESTION}" else 1.0 for s_ in source])
    pq = np.zeros(len(texts))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(vecs, y):
        classes, w, b = fit_probe(list(y[tr]), vecs[tr], c, sw[tr])
        p = RequestProbe(classes, w, b, 0.5)
        pq[te] = [p.probabilities(v)[QUESTION] for v in vecs[te]]
    print(f"examples: {len(texts)} ({', '.join(f'{k} {labels.count(k)}' for k in sorted(set(labels)))}), C={c}")
    print("5-fold cross-validated share declined (P(question) < t), per source:")
    for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        cells = [f"{s.split(':')[1]}[{s.split(':')[0][0]}] {np.mean([pq[i] < t for i in range(len(texts)) if source[i] == s]):.3f}"
                 for s in sorted(set(source))]
        print(f"  t={t:.1f}  " + "  ".join(cells))
    wrong = [(pq[i], texts[i]) for i in range(len(texts)) if (labels[i] == QUESTION) == (pq[i] < threshold)]
    for p_, t_ in sorted(wrong)[:40]:
        print(f"    misclassified at t={threshold}: P(question)={p_:.2f}  {t_}")
    classes, w, b = fit_probe(labels, vecs, c, sw)
    if write:
        out_file.write_text(json.dumps(RequestProbe(classes, w, b, threshold).to_json()) + "\n", encoding="utf-8")
        print(f"wrote {out_file}")


def _fit(X, y, c: float):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mu, sd = X.mean(0), X.std(0)
    sd[sd == 0] = 1.0
    m = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit((X - mu) / sd, y)
    return mu, sd, m.coef_[0], float(m.intercept_[0]), lambda Z: m.predict_proba((np.asarray(Z) - mu) / sd)[:, 1]


def fit(rows_path: str, write: bool, c: float, drop: list[str], only: list[str] | None = None) -> None:
    import numpy as np

    from rag.engines.confidence import FEATURES, MODEL_FILE

    names = [n for n in (only or FEATURES) if n not in drop]
    rows = [json.loads(x) for x in Path(rows_path).read_text(encoding="utf-8").splitlines() if x.strip()]
    gated = [r for r in rows if r["x"] is not None and not r["tool"] and not r["declined"]]
    X = np.array([[r["x"][n] for n in names] for r in gated])
    y = np.array([0 if r["must_refuse"] else 1 for r in gated])
    sets = sorted({r["set"] for r in gated})
    cv = np.zeros(len(gated))
    for s in sets:
        test = np.array([r["set"] == s for r in gated])
        *_, predict = _fit(X[~test], y[~test], c)
        cv[test] = predict(X[test])
    mu, sd, w, b, predict = _fit(X, y, c)
    print(f"items with evidence: {len(gated)} ({int((1 - y).sum())} must be refused); sets: {', '.join(sets)}")
    print("weights (standardised): " + ", ".join(f"{n} {v:+.2f}" for n, v in zip(names, w, strict=True)) + f", bias {b:+.2f}")
    print("\nreliability (leave-one-set-out confidence -> share the documents answer; engine's final answer right):")
    edges = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]
    for lo, hi in itertools.pairwise(edges):
        idx = [i for i in range(len(gated)) if lo <= cv[i] < hi]
        if not idx:
            continue
        ok = [gated[i]["answer_ok"] for i in idx if gated[i]["answer_ok"] is not None]
        print(f"  {lo:.1f}-{min(hi, 1):.1f}  n={len(idx):3d}  answerable={np.mean([y[i] for i in idx]):.2f}"
              f"  answered right={np.mean(ok) if ok else float('nan'):.2f} (n={len(ok)})")
    everyone = [r for r in rows]
    print("\nthreshold -> whole tuning sets, gate (leave-one-set-out) added to the engine's own refusals:")
    conf = {id(r): p for r, p in zip(gated, cv, strict=True)}
    for t in [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]:
        refused = [r["refused"] or (id(r) in conf and conf[id(r)] < t) for r in everyone]
        unans = [f for r, f in zip(everyone, refused, strict=True) if r["must_refuse"] and r["type"] != "adversarial"]
        adv = [f for r, f in zip(everyone, refused, strict=True) if r["must_refuse"] and r["type"] == "adversarial"]
        ansb = [f for r, f in zip(everyone, refused, strict=True) if not r["must_refuse"]]
        right = [bool(r["answer_ok"]) and not f for r, f in zip(everyone, refused, strict=True) if r["answer_ok"] is not None]
        gate_only = [(conf[id(r)] < t) for r in gated]
        g_unans = np.mean([g for g, r in zip(gate_only, gated, strict=True) if r["must_refuse"]])
        g_false = np.mean([g for g, r in zip(gate_only, gated, strict=True) if not r["must_refuse"]])
        print(f"  t={t:.2f}  unanswerable {np.mean(unans):.2f}  adversarial {np.mean(adv):.2f}  false refusals {np.mean(ansb):.3f}"
              f"  answer acc {np.mean(right):.3f}   | gate alone: refuses {g_unans:.2f} of must-refuse, {g_false:.3f} of answerable")
    if write:
        data = {"names": names, "means": [round(float(v), 4) for v in mu], "sds": [round(float(v), 4) for v in sd],
                "weights": [round(float(v), 4) for v in w], "bias": round(b, 4), "closest_at": args_threshold}
        MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {MODEL_FILE}")


def shift(paths: list[str], n: int) -> None:
    import random
    import statistics

    from rag.assistant import Assistant
    from rag.condense import split_carried
    from rag.engines.units_answer import features

    items = [json.loads(x) for p in paths for x in Path(p).read_text(encoding="utf-8").splitlines() if x.strip()]
    items = [i for i in items if not i.get("history") and i.get("type") != "calc"]
    random.Random(0).shuffle(items)
    a = Assistant()
    seen: dict[tuple[str, bool], list[list[float]]] = {}
    for item in items[:n]:
        ctx = a.prepare(item["question"], None)
        ev = ctx.units
        if ev is None or not ev.candidates or ev.questions_of is None:
            continue
        x = features(ev.candidates[0], ev, split_carried(ctx.standalone_question)[0], ctx.language, ev.questions_of)
        seen.setdefault((item["lang"], bool(item.get("must_refuse"))), []).append(x)
    for (lang, refuse), rows in sorted(seen.items()):
        means = [round(statistics.mean(r[i] for r in rows), 4) for i in range(3)]
        print(f"{lang} {'refuse' if refuse else 'answer'} n={len(rows)} similarity/coverage/margin means {means}")


args_threshold = 0.0


def main(argv: list[str] | None = None) -> int:
    global args_threshold
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(prog="python -m scripts.fit_answerability")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--out", required=True)
    d.add_argument("paths", nargs="+")
    pr = sub.add_parser("probe")
    pr.add_argument("--write", action="store_true")
    pr.add_argument("--C", type=float, default=4.0)
    pr.add_argument("--threshold", type=float, default=0.5)
    pr.add_argument("--cache", help="JSON file of text -> vector, reused between fits")
    pr.add_argument("--drop", default="", help="comma-separated exemplar classes to leave out")
    pr.add_argument("--written-weight", type=float, default=10.0, help="weight of a written question against a corpus one")
    pr.add_argument("--kind", choices=("requests", "outcomes", "restate"), default="requests",
                    help="requests: decline_exemplars.yaml -> decline_probe.json; outcomes: outcome_exemplars.yaml -> "
                         "outcome_probe.json; restate: restate_exemplars.yaml -> restate_probe.json")
    sh = sub.add_parser("shift")
    sh.add_argument("--n", type=int, default=900)
    sh.add_argument("paths", nargs="+")
    f = sub.add_parser("fit")
    f.add_argument("rows")
    f.add_argument("--write", action="store_true")
    f.add_argument("--threshold", type=float, default=0.2)
    f.add_argument("--C", type=float, default=0.5)
    f.add_argument("--drop", default="")
    f.add_argument("--only", default="", help="comma-separated features to fit on (default: all of FEATURES)")
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        dump(args.paths, args.out)
    elif args.cmd == "shift":
        shift(args.paths, args.n)
    elif args.cmd == "probe":
        probe(args.write, args.C, args.threshold, args.cache, tuple(x for x in args.drop.split(",") if x), args.written_weight, args.kind)
    else:
        args_threshold = args.threshold
        fit(args.rows, args.write, args.C, [x for x in args.drop.split(",") if x], [x for x in args.only.split(",") if x] or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
