"""Do the documents answer this question? A probe learnt from many written examples, not from tuning items.

The confidence of ``rag.engines.confidence`` was fitted on the tuning sets' ~180 items and carried little
out of set (session 6: AUC 0.67). This probe is fitted on examples written for it from the documents alone
(``answerability_examples.yaml``: ~280 questions close to the documents' topics that ask for a figure,
name, date or detail they do not give, and ~100 that they do answer, in the same style) plus every
hypothetical question of ``corpus/questions`` as answerable. A corpus question is in the question index
itself, so its evidence is computed without its own entry (leave-one-out; ``scripts/fit_answerability.py
answerability-dump``); otherwise it would always find itself at similarity 1.0.

It reads the evidence over the pair (question, best evidence) the engine already computes:
- scalars: the best hypothetical question's similarity, the second unit's and the margin, how many of the
  best unit's questions are among the nearest, the best passage's cosine, coverage of the question's own
  content words by the best units, an asked-for kind (amount, date, name, ...) missing from them, the
  question's language;
- the question's e5 vector, and its elementwise product with the vector of the nearest hypothetical
  question (what they share, dimension by dimension: a question about the campus's cost against one about
  the campus's purpose share the campus, not the cost).
A logistic regression (``answerability_probe.json`` beside this module, written by ``python -m
scripts.fit_answerability answerability --write``) gives P(the documents answer). Below ``refuse_below``
the engine says the documents do not say this precisely, with the closest passages, cited.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

PROBE_FILE = Path(__file__).with_name("answerability_probe.json")
EXAMPLES_FILE = Path(__file__).with_name("answerability_examples.yaml")

SCALARS = ("qi_top", "qi_second", "qi_margin", "dense_top", "cover", "unknown_doc", "type_missing", "english")


@dataclass
class ProbeEvidence:
    """What the probe reads for one question (or part)."""

    scalars: dict[str, float]
    qvec: np.ndarray | None
    nvec: np.ndarray | None  # vector of the nearest hypothetical question


@dataclass(frozen=True)
class AnswerabilityProbe:
    """Standardised scalar weights, weights over the question vector and the product vector, a bias and the
    decision threshold."""

    names: tuple[str, ...]
    means: np.ndarray
    sds: np.ndarray
    w_scalar: np.ndarray
    w_qvec: np.ndarray | None
    w_pair: np.ndarray | None
    bias: float
    refuse_below: float
    meta: dict[str, Any] = field(default_factory=dict)

    def design(self, ev: ProbeEvidence) -> np.ndarray:
        return design_row(ev, self.names, self.w_qvec is not None, self.w_pair is not None, self.means, self.sds)

    @property
    def weights(self) -> np.ndarray:
        parts = [self.w_scalar]
        if self.w_qvec is not None:
            parts.append(self.w_qvec)
        if self.w_pair is not None:
            parts.append(self.w_pair)
        return np.concatenate(parts)

    def probability(self, ev: ProbeEvidence) -> float:
        z = float(self.design(ev) @ self.weights + self.bias)
        return 1.0 / (1.0 + np.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        def r(a: np.ndarray | None) -> list[float] | None:
            return None if a is None else [round(float(x), 5) for x in a]

        return {"names": list(self.names), "means": r(self.means), "sds": r(self.sds), "w_scalar": r(self.w_scalar),
                "w_qvec": r(self.w_qvec), "w_pair": r(self.w_pair), "bias": round(self.bias, 5),
                "refuse_below": self.refuse_below, "meta": self.meta}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AnswerabilityProbe:
        def a(x: list[float] | None) -> np.ndarray | None:
            return None if x is None else np.asarray(x, dtype=np.float64)

        return cls(tuple(d["names"]), a(d["means"]), a(d["sds"]), a(d["w_scalar"]), a(d.get("w_qvec")),  # type: ignore[arg-type]
                   a(d.get("w_pair")), float(d["bias"]), float(d["refuse_below"]), dict(d.get("meta") or {}))


def _unit(v: np.ndarray | None, dim: int = 384) -> np.ndarray:
    if v is None:
        return np.zeros(dim)
    v = np.asarray(v, dtype=np.float64)
    return v / (np.linalg.norm(v) or 1.0)


def design_row(ev: ProbeEvidence, names: tuple[str, ...], use_qvec: bool, use_pair: bool,
               means: np.ndarray | None = None, sds: np.ndarray | None = None) -> np.ndarray:
    """The probe's input row: standardised scalars, then the question vector, then question ⊙ nearest."""
    x = np.array([float(ev.scalars.get(n, 0.0)) for n in names])
    if means is not None and sds is not None:
        x = (x - means) / np.where(sds == 0, 1.0, sds)
    parts = [x]
    q = _unit(ev.qvec)
    if use_qvec:
        parts.append(q)
    if use_pair:
        parts.append(q * _unit(ev.nvec, len(q)) * np.sqrt(len(q)))
    return np.concatenate(parts)


@lru_cache(maxsize=1)
def load_probe() -> AnswerabilityProbe | None:
    """The fitted probe; None (the engine behaves as without it) when the file is missing or the question
    vectors come from another model than the e5 one it was fitted on."""
    from rag.config import get_settings
    from rag.embeddings import E5_SPEC, describe_spec

    if not PROBE_FILE.exists() or describe_spec(get_settings().sentence_embedding) != E5_SPEC:
        return None
    return AnswerabilityProbe.from_json(json.loads(PROBE_FILE.read_text(encoding="utf-8")))


class QuestionVectors:
    """The stored e5 vectors of the question index's hypothetical questions, by text (read once per index
    version from the collection the engine already queries; nothing is embedded at question time). Kept on
    the index object itself, so two indexes in one process never share them."""

    ATTR = "_answerability_vectors"

    def get(self, qindex: Any, text: str) -> np.ndarray | None:
        version = getattr(qindex, "_version", None)
        col = getattr(qindex, "_qcol", None)
        if col is None or not text:
            return None
        cached = getattr(qindex, self.ATTR, None)
        if cached is None or cached[0] != version or cached[1] is not col:
            try:
                res = col.get(include=["documents", "embeddings"])
            except Exception:  # an unreadable collection: no pair evidence
                return None
            by_text = {d: np.asarray(e, dtype=np.float64) for d, e in zip(res["documents"], res["embeddings"], strict=True)}
            cached = (version, col, by_text)
            setattr(qindex, self.ATTR, cached)
        return cached[2].get(text)


QUESTION_VECTORS = QuestionVectors()


class DocumentVocabulary:
    """The words of the documents and the glossary, without the hypothetical questions (whose words would
    make every corpus question "known" in the fit): a question word none of them uses ("architect",
    "windmolens") is evidence that the documents do not answer. Built once per set of words, kept on the
    retriever object."""

    ATTR = "_answerability_vocabulary"

    def get(self, retriever: Any) -> Any:
        words_of = getattr(retriever, "corpus_words", None)
        if words_of is None:
            return None
        words = words_of()
        key = (len(words), words[0], words[-1]) if words else (0, "", "")
        cached = getattr(retriever, self.ATTR, None)
        if cached is None or cached[0] != key:
            from rag.glossary import DUTCH_SYNONYMS, ENGLISH_TO_DUTCH
            from rag.retrieval_units import Vocabulary

            v = Vocabulary()
            v.add_words(words)
            v.add(" ".join(w for group in DUTCH_SYNONYMS for w in group))
            v.add(" ".join(f"{k} {' '.join(x)}" for k, x in ENGLISH_TO_DUTCH.items()))
            cached = (key, v)
            with contextlib.suppress(AttributeError):  # a retriever that takes no attributes: built each time
                setattr(retriever, self.ATTR, cached)
        return cached[1]


DOCUMENT_VOCABULARY = DocumentVocabulary()


def evidence(ctx: Any, question: str, ev: Any, qvec: np.ndarray | None, qindex: Any = None,
             exclude: str | None = None) -> ProbeEvidence | None:
    """The probe's evidence for ``question`` and its unit evidence ``ev`` (None without units). ``exclude``
    is a hypothetical question to leave out of the coverage (the fit's leave-one-out)."""
    from rag.engines.confidence import part_features

    if ev is None or not ev.candidates or ev.questions_of is None:
        return None
    if exclude is not None:
        base = ev.questions_of
        ev = type(ev)(ev.query, ev.candidates, lambda uid: [q for q in base(uid) if q != exclude], ev.vocabulary)
    a = part_features(ctx, question, ev)
    if a is None:
        return None
    by_qi = sorted(ev.candidates, key=lambda c: -c.qi_best)
    top = by_qi[0]
    x = dict(a.features)
    x["qi_second"] = by_qi[1].qi_best if len(by_qi) > 1 else 0.0
    vocab = DOCUMENT_VOCABULARY.get(getattr(ctx, "retriever", None))
    if vocab is not None:
        from rag.engines.confidence import content_words

        x["unknown_doc"] = float(sum(not vocab.knows(w, ctx.language) for w, _ in content_words(question, ctx.language)))
    nvec = QUESTION_VECTORS.get(qindex, top.qi_question) if qindex is not None else None
    return ProbeEvidence(x, qvec, nvec)


def probability(ctx: Any) -> float | None:
    """P(the documents answer) for ``ctx`` (an ``AnswerContext``): a multi-part question is as answerable as
    its most answerable part (the engine names the parts the documents do not answer). None without a
    fitted probe or without unit evidence."""
    probe = load_probe()
    if probe is None:
        return None
    qindex = getattr(getattr(getattr(ctx, "units", None), "questions_of", None), "__self__", None)
    units_of = getattr(qindex, "units_of", None)
    if units_of is not None and any(not units_of(p.chunk.doc_id) for p in (ctx.passages or [])[:3]):
        # the best passages come from a document without answer units (an upload answered from its
        # passages alone): the question index, which the probe reads, knows nothing of it
        return None
    parts = [(q, ev, v) for (q, ev), (_, v) in zip(ctx.unit_parts or [], ctx.parts or [], strict=False)
             if ev is not None and ev.candidates]
    if len(parts) < 2:
        parts = [(ctx.standalone_question, ctx.units, ctx.query_vec)]
    found = []
    for q, ev, v in parts:
        qindex = getattr(getattr(ev, "questions_of", None), "__self__", None)  # the index the evidence came from
        e = evidence(ctx, q, ev, v, qindex)
        if e is not None:
            found.append(probe.probability(e))
    return max(found) if found else None
