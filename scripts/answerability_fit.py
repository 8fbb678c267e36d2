"""Fit and check the answerability probe (``rag/engines/answerability_probe.py``); run through
``python -m scripts.fit_answerability answerability``. Fitted on the written examples and the corpus's
hypothetical questions only; the tuning sets' items are held-out checks (reported, never fitted on)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np

EDGES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]


def _rows(path: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]


def _ev(r: dict[str, Any]) -> Any:
    from rag.engines.answerability_probe import ProbeEvidence

    return ProbeEvidence(r["x"], np.asarray(r["qvec"]) if r.get("qvec") else None, np.asarray(r["nvec"]) if r.get("nvec") else None)


def _matrix(evs: list[Any], names: tuple[str, ...], qvec: bool, pair: bool) -> np.ndarray:
    from rag.engines.answerability_probe import design_row

    return np.array([design_row(e, names, qvec, pair) for e in evs])


def fit_probe(rows: list[dict[str, Any]], names: tuple[str, ...], qvec: bool, pair: bool, c: float,
              written_weight: float) -> Any:
    """The probe fitted on ``rows`` (written examples weigh ``written_weight`` corpus questions; both classes
    weigh the same in total)."""
    from sklearn.linear_model import LogisticRegression

    from rag.engines.answerability_probe import AnswerabilityProbe

    evs = [_ev(r) for r in rows]
    y = np.array([r["y"] for r in rows])
    X = _matrix(evs, names, qvec, pair)
    k = len(names)
    mu, sd = X[:, :k].mean(0), X[:, :k].std(0)
    sd[sd == 0] = 1.0
    X[:, :k] = (X[:, :k] - mu) / sd
    sw = np.array([written_weight if r["source"] == "written" else 1.0 for r in rows])
    for cls in (0, 1):  # every class weighs the same in total
        sw[y == cls] *= len(y) / (2 * sw[y == cls].sum())
    m = LogisticRegression(C=c, max_iter=5000).fit(X, y, sample_weight=sw)
    w = m.coef_[0]
    d = 384
    wq = w[k : k + d] if qvec else None
    wp = w[k + (d if qvec else 0) :] if pair else None
    return AnswerabilityProbe(names, mu, sd, w[:k], wq, wp, float(m.intercept_[0]), 0.5)


def item_probability(probe: Any, row: dict[str, Any]) -> float | None:
    """P(the documents answer) of a tuning item: the most answerable of its parts (None: no evidence)."""
    ps = [probe.probability(_ev(p)) for p in row.get("parts") or []]
    return max(ps) if ps else None


def run(examples: str, items: str, names: tuple[str, ...], qvec: bool, pair: bool, c: float, written_weight: float,
        threshold: float, write: bool, folds: int = 5) -> None:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from rag.engines.answerability_probe import PROBE_FILE

    rows = _rows(examples)
    y = np.array([r["y"] for r in rows])
    strat = np.array([f"{r['source']}{r['y']}" for r in rows])
    cv = np.zeros(len(rows))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(rows, strat):
        p = fit_probe([rows[i] for i in tr], names, qvec, pair, c, written_weight)
        cv[te] = [p.probability(_ev(rows[i])) for i in te]
    print(f"examples: {len(rows)} (unanswerable {int((y == 0).sum())}, written answerable "
          f"{sum(1 for r in rows if r['y'] and r['source'] == 'written')}, corpus {sum(1 for r in rows if r['source'] == 'corpus')});"
          f" features {', '.join(names)}{' + question vector' if qvec else ''}{' + question*nearest' if pair else ''}; C={c}")
    print(f"{folds}-fold AUC {roc_auc_score(y, cv):.3f}; refused at t (unanswerable / written answerable / corpus):")
    for t in (0.1, 0.15, 0.2, 0.3, 0.4, 0.5):
        cells = [np.mean([cv[i] < t for i in range(len(rows)) if (rows[i]['y'], rows[i]['source']) == k])
                 for k in ((0, "written"), (1, "written"), (1, "corpus"))]
        print(f"  t={t:.2f}  {cells[0]:.2f} / {cells[1]:.3f} / {cells[2]:.3f}")
    probe = fit_probe(rows, names, qvec, pair, c, written_weight)
    check(probe, _rows(items), threshold)
    if write:
        from dataclasses import replace

        meta = {"examples": len(rows), "C": c, "written_weight": written_weight, "cv_auc": round(float(roc_auc_score(y, cv)), 4)}
        PROBE_FILE.write_text(json.dumps(replace(probe, refuse_below=threshold, meta=meta).to_json()) + "\n", encoding="utf-8")
        print(f"wrote {PROBE_FILE}")


def check(probe: Any, items: list[dict[str, Any]], threshold: float) -> None:
    """Held-out: the tuning sets' items, the probe added to the engine's own refusals."""
    from sklearn.metrics import roc_auc_score

    # as in the engine, a follow-up (a question with history) is not gated by the probe
    p = {id(r): None if r.get("history") else item_probability(probe, r) for r in items}
    gated = [r for r in items if p[id(r)] is not None and not r["declined"] and not r["tool"]]
    lab = [0 if r["must_refuse"] else 1 for r in gated]
    if len(set(lab)) == 2:
        print(f"\nheld-out (tuning items with evidence {len(gated)}, must refuse {lab.count(0)}): AUC "
              f"{roc_auc_score(lab, [p[id(r)] for r in gated]):.3f}; unanswerable only: "
              f"{roc_auc_score([0 if r['must_refuse'] else 1 for r in gated if r['type'] != 'adversarial'], [p[id(r)] for r in gated if r['type'] != 'adversarial']):.3f}")
    print("reliability (P(documents answer) -> share answerable, engine's answer right):")
    for lo, hi in itertools.pairwise(EDGES):
        idx = [r for r in gated if lo <= p[id(r)] < hi]
        if idx:
            ok = [r["answer_ok"] for r in idx if r["answer_ok"] is not None]
            print(f"  {lo:.1f}-{min(hi, 1):.1f}  n={len(idx):3d}  answerable {np.mean([not r['must_refuse'] for r in idx]):.2f}"
                  f"  answered right {np.mean(ok) if ok else float('nan'):.2f} (n={len(ok)})")
    print("per set, before -> after at each threshold (unanswerable / adversarial / false refusals / answer acc):")
    sets = list(dict.fromkeys(r["set"] for r in items))
    for t in sorted({0.0, 0.2, 0.3, threshold, 0.4, 0.5}):
        line = []
        tot = {"u": [], "a": [], "f": [], "ok": []}
        for s in [*sets, "ALL"]:
            rs = [r for r in items if s in ("ALL", r["set"])]
            refused = [r["refused"] or (p[id(r)] is not None and not r["declined"] and not r["tool"] and p[id(r)] < t) for r in rs]
            u = [f for r, f in zip(rs, refused, strict=True) if r["must_refuse"] and r["type"] != "adversarial"]
            a = [f for r, f in zip(rs, refused, strict=True) if r["must_refuse"] and r["type"] == "adversarial"]
            fr = [f for r, f in zip(rs, refused, strict=True) if not r["must_refuse"]]
            ok = [bool(r["answer_ok"]) and (r["refused"] or not f) for r, f in zip(rs, refused, strict=True) if r["answer_ok"] is not None]
            if s == "ALL":
                tot = {"u": u, "a": a, "f": fr, "ok": ok}
            else:
                line.append(f"{s} {np.mean(u) if u else float('nan'):.2f}/{np.mean(a) if a else float('nan'):.2f}/{np.mean(fr):.3f}/{np.mean(ok):.3f}")
        print(f"  t={t:.2f} ALL {np.mean(tot['u']):.2f}/{np.mean(tot['a']):.2f}/{np.mean(tot['f']):.3f}/{np.mean(tot['ok']):.3f} | " + "  ".join(line))
    newly = sorted(((p[id(r)], r) for r in gated if not r["refused"] and p[id(r)] < threshold), key=lambda x: x[0])
    print(f"items the probe newly refuses at t={threshold}: {len(newly)} "
          f"({sum(1 for _, r in newly if r['must_refuse'])} must be refused)")
    for pv, r in newly:
        print(f"    {pv:.2f} {'REFUSE' if r['must_refuse'] else 'answerable'} {r['set']}/{r['id']} {r['question'][:90]}")
