"""Which operation a money question asks for, learnt from many written examples: a linear probe on the
question's e5 vector.

The lexicon parser (``rag.calculator.parse``) reads amounts and notations reliably but decides the
operation from cue words, which did not carry over to questions nobody had read (session 7: 0.76 on a
blind set). This probe is a multinomial logistic regression over ``operation_exemplars.yaml`` (≥ 30
written questions per operation, Dutch and English, plus every hypothetical question of
``corpus/questions`` as "not_money"), fitted by ``python -m scripts.fit_calc_intent --write`` into
``operation_probe.json``. The parser asks it only where its own reading is unsure (see
``rag.calculator.parse.parse_request``); a probability under the file's ``confident_at`` leaves the
parser's decision (or its clarifying question) as it was. Switched off by ``REGIODEAL_ABLATE=calc_intent``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PROBE_FILE = Path(__file__).with_name("operation_probe.json")
EXEMPLARS_GLOB = "operation_exemplars*.yaml"  # beside this module
NOT_MONEY = "not_money"
ABLATION = "calc_intent"


@dataclass(frozen=True)
class OperationProbe:
    """Softmax weights over the operations (and ``NOT_MONEY``) and two thresholds on the top
    probability, both from cross-validation on the written examples: ``confident_at`` (right ≥ 97% of
    the time: enough to overrule the parser's own operation) and ``lean_at`` (right ≥ 92%: enough where
    the parser would ask, given that the operation's slots must then also fill); ``route_at``: the
    probability over which at most 0.1% of the not-money questions read as an operation with figures
    (enough to send a question the parser left to the documents to the calculator)."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (classes, dim), applied to the unit-length question vector
    bias: np.ndarray  # (classes,)
    confident_at: float
    lean_at: float = 1.0
    route_at: float = 1.0  # a question the parser left to the documents goes to the calculator only over this

    def probabilities(self, vec: np.ndarray) -> dict[str, float]:
        from rag.engines.request_probe import class_probabilities

        return class_probabilities(self.classes, self.weights, self.bias, vec)

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "confident_at": self.confident_at, "lean_at": self.lean_at, "route_at": self.route_at,
                "bias": [round(float(x), 5) for x in self.bias],
                "weights": [[round(float(x), 5) for x in row] for row in self.weights]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OperationProbe:
        return cls(tuple(data["classes"]), np.asarray(data["weights"], dtype=np.float64),
                   np.asarray(data["bias"], dtype=np.float64), float(data["confident_at"]),
                   float(data.get("lean_at", data["confident_at"])), float(data.get("route_at", 1.0)))


@dataclass(frozen=True)
class OperationGuess:
    """The probe's top operation for a question, its probability and which threshold that clears."""

    operation: str
    probability: float
    confident: bool
    leaning: bool
    routing: bool
    probabilities: dict[str, float]

    def rank(self, op: str) -> float:
        return self.probabilities.get(op, 0.0)


@lru_cache(maxsize=1)
def load_probe() -> OperationProbe | None:
    """The fitted probe; None (the parser decides alone) when it is switched off, its file is missing or
    the question vectors come from another model than the e5 one it was fitted on."""
    from rag.config import ablated, get_settings
    from rag.embeddings import E5_SPEC, describe_spec

    settings = get_settings()
    if ablated(settings, ABLATION) or not PROBE_FILE.exists() or describe_spec(settings.sentence_embedding) != E5_SPEC:
        return None
    return OperationProbe.from_json(json.loads(PROBE_FILE.read_text(encoding="utf-8")))


@lru_cache(maxsize=512)
def guess(text: str) -> OperationGuess | None:
    """The probe's reading of ``text``; None without a probe or when the text cannot be embedded."""
    probe = load_probe()
    if probe is None or not text.strip():
        return None
    try:
        from rag.embeddings import embed_sentence_query

        vec = embed_sentence_query(text)
    except Exception:  # no model: the parser decides alone
        log.debug("operation probe: question not embedded", exc_info=True)
        return None
    p = probe.probabilities(vec)
    top = max(p, key=lambda k: p[k])
    return OperationGuess(top, p[top], p[top] >= probe.confident_at, p[top] >= probe.lean_at, p[top] >= probe.route_at, p)


def exemplars() -> dict[str, list[str]]:
    """The labelled examples written for the probe (without the corpus's hypothetical questions), from
    every ``operation_exemplars*.yaml`` beside this module."""
    import yaml

    out: dict[str, list[str]] = {}
    for path in sorted(Path(__file__).parent.glob(EXEMPLARS_GLOB)):
        for k, v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            out.setdefault(str(k), []).extend(str(x) for x in v or [])
    return out
