"""Learnt decisions about the amounts of a money question, from written exemplars instead of word lists.

``join``: two figures joined by "to"/"tot" ("van 80 tot 100 miljoen") are a CHANGE (two figures: where a
figure started and where it ended) or a RANGE (one figure not known yet). ``rag.money.scan_amounts``
offers both readings (``AmountSpan.pair``); the sentence around them decides, by a logistic probe on its
e5 vector fitted on ``join_exemplars.yaml`` (``python -m scripts.fit_calc_intent --amounts --write`` →
``amount_probe.json``). A range is never guessed into two figures: the calculator asks which figure is
meant. Switched off by ``REGIODEAL_ABLATE=calc_join_probe`` (every "X to Y million" is then a range).

``role``: whose money an amount is (rijk, cofinancing, total, tranche, envelope, or ``other``: no role),
from the words between it and its neighbours in the sentence, by a probe fitted on ``role_exemplars.yaml``.
The lexicon (``rag.calculator.reading``) decides first; the probe gives only a whole (total, tranche,
envelope) to an amount the lexicon left without a role ("Totale begroting van de deal: € 95 miljoen",
"in a deal totalling €72m"), or the envelope/tranche to a document-sized amount held by a weak cue. Switched off by ``REGIODEAL_ABLATE=calc_role_probe``.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from rag.calculator.intent import OperationProbe

log = logging.getLogger(__name__)

PROBE_FILE = Path(__file__).with_name("amount_probe.json")
JOIN_EXEMPLARS = Path(__file__).with_name("join_exemplars.yaml")
ROLE_EXEMPLARS = Path(__file__).with_name("role_exemplars.yaml")
JOIN_ABLATION = "calc_join_probe"
ROLE_ABLATION = "calc_role_probe"
CONTEXT_WORDS = 6  # words either side of an amount the role probe reads (the written exemplars are as short)
NO_ROLE = ("other", "unclear")  # the probe's classes that give no role (a figure of no role; words that say nothing)
CHANGE = "change"


@lru_cache(maxsize=1)
def _probes() -> dict[str, OperationProbe]:
    from rag.config import get_settings
    from rag.embeddings import E5_SPEC, describe_spec

    if not PROBE_FILE.exists() or describe_spec(get_settings().sentence_embedding) != E5_SPEC:
        return {}
    data = json.loads(PROBE_FILE.read_text(encoding="utf-8"))
    return {k: OperationProbe.from_json(v) for k, v in data.items()}


def _probe(name: str, ablation: str) -> OperationProbe | None:
    from rag.config import ablated, get_settings

    if ablated(get_settings(), ablation):
        return None
    return _probes().get(name)


def join_context(text: str, start: int, end: int) -> str:
    """What the join probe reads for the figures at ``text[start:end]``: their sentence up to and including
    them (what follows, "... wat mag het Rijk dan geven?", says nothing about change or range)."""
    from rag.text import sentence_spans

    first = next((a for a, b in sentence_spans(text) if a <= start < b), 0)
    return text[first:end].strip()


def exemplar_context(sentence: str) -> str:
    """An exemplar cut as a question is: up to its joined figures (the whole sentence when it has none)."""
    from rag.money import scan_amounts

    span = next((s for s in scan_amounts(sentence) if s.pair is not None), None)
    return join_context(sentence, span.start, span.end) if span else sentence


@lru_cache(maxsize=512)
def _vector(text: str) -> np.ndarray | None:
    try:
        from rag.embeddings import embed_sentence_query

        return embed_sentence_query(text)
    except Exception:  # no model: the lexicon's reading stands
        log.debug("amount probe: text not embedded", exc_info=True)
        return None


@lru_cache(maxsize=256)
def p_change(sentence: str) -> float | None:
    """The probability that the two figures joined by "to"/"tot" in ``sentence`` state a change; None
    without a probe or a model (the caller then keeps the range reading)."""
    probe = _probe("join", JOIN_ABLATION)
    if probe is None or not sentence.strip():
        return None
    vec = _vector(sentence)
    return None if vec is None else probe.probabilities(vec).get(CHANGE, 0.0)


def is_change(sentence: str) -> bool:
    """Do the two figures joined by "to"/"tot" state a change (two figures), sure beyond the probe's
    cross-validated ``confident_at``? Otherwise they are a range."""
    p = p_change(sentence)
    probe = _probe("join", JOIN_ABLATION)
    return p is not None and probe is not None and p >= probe.confident_at


def role_of(context: str) -> str | None:
    """The role the role probe gives an amount with ``context`` around it, when it is sure beyond its
    cross-validated ``confident_at``; a ``NO_ROLE`` class for a figure that plays none or words that say nothing; None when unsure."""
    probe = _probe("role", ROLE_ABLATION)
    if probe is None or not context.strip():
        return None
    vec = _vector(context)
    if vec is None:
        return None
    p = probe.probabilities(vec)
    top = max(p, key=lambda k: p[k])
    return top if p[top] >= probe.confident_at else None


def amount_context(text: str, start: int, end: int, others: list[tuple[int, int]]) -> str:
    """The words around the amount at ``text[start:end]`` that can say whose money it is: its sentence,
    cut at the commas and the other amounts on either side ("In a deal totalling €72m, ..."), at most
    ``CONTEXT_WORDS`` words each way."""
    from rag.text import sentence_spans

    a, b = next(((x, y) for x, y in sentence_spans(text) if x <= start < y), (0, len(text)))
    a = max([a] + [e for s_, e in others if e <= start] + [i + 1 for i in range(a, start) if text[i] == ","])
    b = min([b] + [s_ for s_, _e in others if s_ >= end] + [i for i in range(end, b) if text[i] == ","])
    left, right = text[a:start].split(), text[end:b].split()
    return " ".join([*left[-CONTEXT_WORDS:], text[start:end], *right[:CONTEXT_WORDS]])


def role_exemplars() -> dict[str, list[str]]:
    """The written amount contexts the role probe is fitted on, by role."""
    data = yaml.safe_load(ROLE_EXEMPLARS.read_text(encoding="utf-8")) or {}
    return {str(k): [str(x) for x in v or []] for k, v in data.items()}


def join_exemplars() -> dict[str, list[str]]:
    """The written change/range sentences the join probe is fitted on."""
    data = yaml.safe_load(JOIN_EXEMPLARS.read_text(encoding="utf-8")) or {}
    return {str(k): [str(x) for x in v or []] for k, v in data.items()}
