"""Fit the calculator's operation probe (``rag/calculator/intent.py``) on the written exemplars.

    python -m scripts.fit_calc_intent [--C 4] [--precision 0.97] [--lean-precision 0.92] [--cache vecs.json] [--write]
    python -m scripts.fit_calc_intent --amounts [--C 100] [--precision 0.97] [--write]   # the join probe (change or range)

The examples: ``operation_exemplars.yaml`` (written per operation) plus every hypothetical question of
``corpus/questions/*.yaml`` as ``not_money`` (questions the documents answer). Prints 5-fold
cross-validated accuracy per class and a reliability table of the top probability, picks the
thresholds ``confident_at`` / ``lean_at`` as the lowest probabilities at which the cross-validated top
operation of the written examples is right at least ``--precision`` / ``--lean-precision`` of the time,
and with ``--write`` saves
``operation_probe.json``. No evaluation item is used (fit time only; needs scikit-learn).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

import numpy as np

from rag.calculator.intent import NOT_MONEY, PROBE_FILE, OperationProbe, exemplars
from scripts.fit_answerability import cached_vectors, corpus_questions

log = logging.getLogger(__name__)


def fit(c: float, precision: float, lean_precision: float, route_share: float, cache: str | None, write: bool) -> OperationProbe:
    from sklearn.model_selection import StratifiedKFold

    from rag.engines.request_probe import fit_probe

    ex = exemplars()
    written = [(t, k) for k in ex for t in ex[k]]
    corpus = corpus_questions()
    texts = [t for t, _k in written] + corpus
    labels = [k for _t, k in written] + [NOT_MONEY] * len(corpus)
    is_written = np.array([True] * len(written) + [False] * len(corpus))
    sw = np.ones(len(texts))  # every class weighs the same in total (the corpus's many questions too)
    vecs = cached_vectors(texts, cache)
    y = np.array(labels)
    top = np.empty(len(texts), dtype=object)
    ptop = np.zeros(len(texts))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(vecs, y):
        classes, w, b = fit_probe(list(y[tr]), vecs[tr], c, sw[tr])
        p = OperationProbe(classes, w, b, 0.5)
        for i in te:
            probs = p.probabilities(vecs[i])
            top[i] = max(probs, key=lambda k: probs[k])
            ptop[i] = probs[top[i]]
    right = top == y
    print(f"examples: {len(texts)} (written {len(written)}, corpus {len(corpus)}), C={c}")
    print("5-fold cross-validated accuracy of the top operation, per class (written examples | corpus):")
    for k in sorted(set(labels)):
        m = (y == k) & is_written
        line = f"  {k:18s} {right[m].mean():.3f} ({m.sum()})"
        if k == NOT_MONEY:
            mc = (y == k) & ~is_written
            line += f"  corpus {right[mc].mean():.3f} ({mc.sum()})"
        print(line)
    wrong_corpus = [(ptop[i], top[i], texts[i]) for i in range(len(texts)) if not is_written[i] and not right[i]]
    print("reliability of the top probability (written examples):")
    for lo, hi in ((0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01)):
        m = is_written & (ptop >= lo) & (ptop < hi)
        if m.any():
            print(f"  p in [{lo:.2f}, {hi:.2f}): {m.sum():4d} examples, right {right[m].mean():.3f}")
    def lowest(prec: float) -> float:
        for t in np.arange(0.2, 0.96, 0.05):
            m = is_written & (ptop >= t)
            if m.any() and right[m].mean() >= prec:
                return float(round(t, 2))
        return 1.0

    threshold, lean = lowest(precision), lowest(lean_precision)
    for name, t in (("confident_at", threshold), ("lean_at", lean)):
        m = is_written & (ptop >= t)
        print(f"{name} {t}: {m.sum()}/{is_written.sum()} written examples over it, right {right[m].mean():.3f}")
    # routing a question the parser left to the documents: the not-money questions (written and corpus)
    # whose top class is an operation with figures must stay under route_share
    from rag.calculator.slots import MONEY_OPERATIONS

    notm = y == NOT_MONEY
    route = 1.0
    for t in np.arange(0.5, 0.99, 0.025):
        wrong = notm & np.isin(top, MONEY_OPERATIONS) & (ptop >= t)
        if wrong.sum() / notm.sum() <= route_share:
            route = float(round(t, 3))
            break
    m = is_written & ~notm & (ptop >= route)
    print(f"route_at {route}: not-money examples over it as an operation {(notm & np.isin(top, MONEY_OPERATIONS) & (ptop >= route)).sum()}/{notm.sum()}, "
          f"money examples over it {m.sum()}/{(is_written & ~notm).sum()}, right {right[m].mean():.3f}")
    money_corpus = [(p_, k_, t_) for p_, k_, t_ in wrong_corpus if p_ >= threshold]
    print(f"corpus questions read confidently as a money operation: {len(money_corpus)}/{len(corpus)}")
    for p_, k_, t_ in sorted(money_corpus, reverse=True)[:25]:
        print(f"    {p_:.2f} {k_:18s} {t_}")
    for i in np.argsort(ptop)[::-1]:
        if is_written[i] and not right[i] and ptop[i] >= threshold:
            print(f"    written, confidently wrong: {ptop[i]:.2f} {top[i]} (is {y[i]}): {texts[i]}")
    classes, w, b = fit_probe(labels, vecs, c, sw)
    probe = OperationProbe(classes, w, b, threshold, lean, route)
    if write:
        PROBE_FILE.write_text(json.dumps(probe.to_json()) + "\n", encoding="utf-8")
        print(f"wrote {PROBE_FILE.name}")
    return probe



def _cross_validated(vecs: np.ndarray, y: np.ndarray, c: float, fit: Any) -> list[dict[str, float]]:
    """Every example's class probabilities from a probe fitted without its fold (5 stratified folds, seed 0)."""
    from sklearn.model_selection import StratifiedKFold

    out: list[dict[str, float]] = [{} for _ in range(len(y))]
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(vecs, y):
        classes, w, b = fit(list(y[tr]), vecs[tr], c)
        p = OperationProbe(classes, w, b, 0.5)
        for i in te:
            out[i] = p.probabilities(vecs[i])
    return out


def _lowest_threshold(scores: np.ndarray, right: np.ndarray, precision: float, start: float) -> float:
    """The lowest score (from ``start`` in steps of 0.025) over which the examples are right at least
    ``precision`` of the time; 1.0 when there is none."""
    for t in np.arange(start, 0.99, 0.025):
        m = scores >= t
        if m.any() and right[m].mean() >= precision:
            return float(round(t, 3))
    return 1.0

def fit_join(c: float, precision: float, cache: str | None, write: bool) -> OperationProbe:
    """The join probe (``rag.calculator.amount_probe``): change or range, from ``join_exemplars.yaml``.
    ``confident_at`` is the lowest P(change) at which the cross-validated "change" readings are right at
    least ``precision`` of the time (a range read as two figures gives a wrong verdict instead of a question)."""
    from rag.calculator.amount_probe import CHANGE, exemplar_context, join_exemplars
    from rag.calculator.amount_probe import PROBE_FILE as AMOUNT_FILE
    from rag.engines.request_probe import fit_probe as fit_two

    def fit_probe(labels: list[str], x: np.ndarray, c: float) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        classes, w, b = fit_two(labels, x, c)
        if len(w) == 1:  # two classes: scikit-learn gives one row (the second class against the first)
            w, b = np.vstack([np.zeros_like(w[0]), w[0]]), np.array([0.0, b[0]])
        return classes, w, b

    ex = join_exemplars()
    texts = [exemplar_context(t) for k in ex for t in ex[k]]  # cut as the questions are
    y = np.array([k for k in ex for _t in ex[k]])
    vecs = cached_vectors(texts, cache)
    pc = np.array([p[CHANGE] for p in _cross_validated(vecs, y, c, fit_probe)])
    is_change = y == CHANGE
    print(f"join examples: {len(texts)} ({is_change.sum()} change), C={c}")
    print(f"5-fold cross-validated accuracy at 0.5: {((pc >= 0.5) == is_change).mean():.3f}")
    threshold = _lowest_threshold(pc, is_change, precision, 0.5)
    m = pc >= threshold
    print(f"confident_at {threshold}: changes found {int((m & is_change).sum())}/{int(is_change.sum())}, ranges read as changes {int((m & ~is_change).sum())}/{int((~is_change).sum())}")
    for i in np.argsort(-pc):
        if (pc[i] >= threshold) != is_change[i]:
            print(f"    wrong: p(change) {pc[i]:.2f} (is {y[i]}): {texts[i]}")
    classes, w, b = fit_probe(list(y), vecs, c)
    probe = OperationProbe(classes, w, b, threshold)
    roles = fit_roles(c, precision, cache)
    if write:
        AMOUNT_FILE.write_text(json.dumps({"join": probe.to_json(), "role": roles.to_json()}) + "\n", encoding="utf-8")
        print(f"wrote {AMOUNT_FILE.name}")
    return probe


def fit_roles(c: float, precision: float, cache: str | None) -> OperationProbe:
    """The role probe (``rag.calculator.amount_probe.role_of``) on ``role_exemplars.yaml``; ``confident_at``
    is the lowest top probability at which the cross-validated roles are right ``precision`` of the time."""
    from rag.calculator.amount_probe import role_exemplars
    from rag.engines.request_probe import fit_probe

    ex = role_exemplars()
    texts = [t for k in ex for t in ex[k]]
    y = np.array([k for k in ex for _t in ex[k]])
    vecs = cached_vectors(texts, cache)
    probs = _cross_validated(vecs, y, c, fit_probe)
    top = np.array([max(p, key=lambda k: p[k]) for p in probs], dtype=object)
    ptop = np.array([p[t] for p, t in zip(probs, top, strict=True)])
    right = top == y
    print(f"role examples: {len(texts)}, C={c}; cross-validated accuracy {right.mean():.3f}")
    for k in sorted(ex):
        print(f"  {k:12s} {right[y == k].mean():.3f} ({(y == k).sum()})")
    threshold = _lowest_threshold(ptop, right, precision, 0.3)
    m = ptop >= threshold
    print(f"role confident_at {threshold}: {m.sum()}/{len(texts)} over it, right {right[m].mean():.3f}")
    for i in np.argsort(-ptop):
        if m[i] and not right[i]:
            print(f"    wrong: {ptop[i]:.2f} {top[i]} (is {y[i]}): {texts[i]}")
    classes, w, b = fit_probe(list(y), vecs, c)
    return OperationProbe(classes, w, b, threshold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--C", type=float, default=None, dest="c", help="regularisation (default 4; 100 for --amounts: 100 short sentences)")
    ap.add_argument("--precision", type=float, default=0.97)
    ap.add_argument("--lean-precision", type=float, default=0.92)
    ap.add_argument("--route-share", type=float, default=0.001, help="most not-money questions read as an operation at route_at")
    ap.add_argument("--cache", default=None, help="a JSON file to keep the example vectors between runs")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--amounts", action="store_true", help="fit the amount probes (join: change or range) instead")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.amounts:
        fit_join(args.c or 100.0, args.precision, args.cache, args.write)
    else:
        fit(args.c or 4.0, args.precision, args.lean_precision, args.route_share, args.cache, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
