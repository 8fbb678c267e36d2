"""Do the documents answer this question at all? One calibrated confidence from the fused evidence.

The unit confidence (``rag.engines.units_answer.confidence``) asks which unit is best; this one asks
whether any unit answers. It reads only general evidence, no phrasing:
- the question index: how close the best hypothetical question is, and its margin to the next unit;
- coverage of the question's own content words by the best units (text, context, hypothetical
  questions), and by the whole corpus vocabulary: a content word that no document, hypothetical question
  or glossary entry uses ("verkiezingen", "2031", another province's project) is strong evidence that the
  documents do not answer;
- whether an asked-for kind of answer (an amount, a date, a count, a name) is in the best units;
- whether the kind the question asks for (a place, a time, a reason, a quantity: ``wh_class``) is one that any of
  the best units' own hypothetical questions asks (``wh_unseen``; switch off with ``REGIODEAL_ABLATE=wh_unseen``);
- whether the question index, BM25 and the passages agree on the best unit, and the best passage's
  cosine similarity;
- the documents' gaps (``corpus/gaps.yaml``: questions about their subjects that they do not answer):
  how much nearer the nearest gap question is than the nearest question they answer (``gap_margin``), and the
  gaps' share of the whole neighbourhood of nearest questions, each weighed by its nearness (``gap_share``).
A small logistic model (``corpus``-independent weights in ``confidence.json`` beside this module, fitted
on the tuning sets by ``scripts/fit_answerability.py``, reliability table in BENCHMARKS.md) turns them
into P(the documents answer). Below ``closest_at`` the engine says the documents do not say this
precisely and shows what comes closest, cited (``refused`` is true). It says the same when a question asks for a
figure that its best units state only about something else (``figure_elsewhere``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.condense import split_carried
from rag.config import ablated, get_settings
from rag.engines.extractive.analysis import (
    DOC_NAME_TERMS,
    FRAME_TERMS,
    STRICT_TYPES,
    _figures_in,
    answer_type,
    holds_type,
    wh_class,
)
from rag.text import fold, terms

MODEL_FILE = Path(__file__).with_name("confidence.json")

FEATURES = ("qi_top", "qi_margin", "cover", "unknown_frac", "unknown_any", "dense_top", "agree", "type_missing", "english",
            "gap_top", "gap_margin", "wh_unseen", "gap_share")

# the nearest questions ``gap_share`` weighs, and how fast a question's weight falls with its distance from the nearest
_SHARE_DEPTH = 30
_SHARE_TEMPERATURE = 0.01


@dataclass(frozen=True)
class ConfidenceModel:
    """Standardised logistic weights over ``FEATURES`` and the decision threshold."""

    names: tuple[str, ...] = FEATURES
    means: tuple[float, ...] = (0.0,) * len(FEATURES)
    sds: tuple[float, ...] = (1.0,) * len(FEATURES)
    weights: tuple[float, ...] = (0.0,) * len(FEATURES)
    bias: float = 10.0  # unfitted: always confident, the engine behaves as without this model
    closest_at: float = 0.0  # below: "de documenten zeggen dit niet precies; dit komt het dichtst in de buurt"

    def score(self, x: dict[str, float]) -> float:
        z = self.bias
        for n, m, s, w in zip(self.names, self.means, self.sds, self.weights, strict=True):
            z += w * (x.get(n, 0.0) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConfidenceModel:
        return cls(
            names=tuple(data["names"]), means=tuple(data["means"]), sds=tuple(data["sds"]),
            weights=tuple(data["weights"]), bias=float(data["bias"]), closest_at=float(data["closest_at"]),
        )


@lru_cache(maxsize=1)
def load_model() -> ConfidenceModel:
    """The fitted model (an unfitted, always-confident one when the file is missing)."""
    if not MODEL_FILE.exists():
        return ConfidenceModel()
    return ConfidenceModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


@dataclass
class Answerability:
    """The confidence for one question, with the evidence it was computed from (for logs and tests)."""

    confidence: float
    features: dict[str, float] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # the question's content words no document uses
    foreign: bool = False  # none of its words is the documents': nothing they say comes close either

    def answers(self, model: ConfidenceModel) -> bool:
        return self.confidence >= model.closest_at


def content_words(question: str, lang: str) -> list[tuple[str, str]]:
    """The question's own salient words as (typed form, search stem), without what the conversation
    carried over, question frames and document names."""
    own = split_carried(question)[0]
    out: dict[str, tuple[str, str]] = {}
    for w in re.findall(r"[^\W_]+", fold(own)):
        t = terms(w, lang)
        if len(w) >= 3 and len(t) == 1 and t[0] not in FRAME_TERMS and t[0] not in DOC_NAME_TERMS:
            out.setdefault(t[0], (w, t[0]))
    return list(out.values())


def features(ctx: Any) -> Answerability | None:
    """The evidence features of ``ctx`` (an ``AnswerContext``); None when there is no unit evidence. A
    multi-part question is as answerable as its most answerable part (the engine names the parts the
    documents do not answer)."""
    parts = [(q, ev) for q, ev in (ctx.unit_parts or []) if ev is not None and ev.candidates]
    if len(parts) > 1:
        found = [a for q, ev in parts if (a := part_features(ctx, q, ev)) is not None]
        return max(found, key=lambda a: a.confidence) if found else None
    return part_features(ctx, ctx.standalone_question, ctx.units)


def part_features(ctx: Any, question: str, ev: Any) -> Answerability | None:
    """The evidence features of one question (or part) and its unit evidence."""
    if ev is None or not ev.candidates or ev.questions_of is None:
        return None
    lang = ctx.language
    own = split_carried(question)[0]
    pairs = content_words(question, lang)
    words = [t for _, t in pairs]
    unknown = [w for w, _ in pairs if ev.vocabulary is not None and not ev.vocabulary.knows(w, lang)]
    top = ev.candidates[:3]
    covered: set[str] = set()
    for c in top:
        covered |= held_terms(c.unit, ev.questions_of)
    by_qi = sorted(ev.candidates, key=lambda c: -c.qi_best)
    qi_top = by_qi[0].qi_best
    qi_second = by_qi[1].qi_best if len(by_qi) > 1 else 0.0
    first = ev.candidates[0]
    kind = answer_type(own)
    typed_text = " ".join(f"{c.unit.context} {c.unit.text}" for c in top)
    dense = getattr(ctx.retrieval, "dense", None) or {}
    # the kind the question asks for (a place, a time, a reason, ...) is one none of the best units' own questions asks:
    # the units are about its subject, not about what it asks ("Waar wordt de Statenbijeenkomst gehouden?")
    # (units without hypothetical questions, as an upload's may be, say nothing either way)
    wh = None if ablated(get_settings(), "wh_unseen") else wh_class(own)
    asked = [q for c in top for q in ev.questions_of(c.unit.unit_id)] if wh is not None else []
    asked_of_top = {wh_class(q) for q in asked}
    x = {
        "qi_top": qi_top,
        "qi_margin": (qi_top - qi_second) * 10,
        "cover": len(set(words) & covered) / max(1, len(words)),
        "unknown_frac": len(unknown) / max(1, len(words)),
        "unknown_any": 1.0 if unknown else 0.0,
        "dense_top": max(dense.values()) if dense else 0.0,
        "agree": ((first.qi_rank == 1) + (first.bm25_rank == 1) + (first.chunk_rank is not None and first.chunk_rank <= 2)) / 3,
        "type_missing": 1.0 if kind in STRICT_TYPES and not holds_type(typed_text, kind, own, lang) else 0.0,
        "english": 1.0 if lang == "en" else 0.0,
        # the nearest of the documents' gaps (corpus/gaps.yaml) against the nearest question they answer
        "gap_top": ev.gap.best if ev.gap is not None else 0.0,
        "gap_margin": ((ev.gap.best - qi_top) * 10) if ev.gap is not None else -1.0,
        "wh_unseen": 1.0 if wh is not None and asked and wh not in asked_of_top else 0.0,
        "gap_share": gap_share(ev),
    }
    # not one of its words is used by the documents, their units' questions or the glossary, nor held by the best units
    # ("Wat is de hoofdstad van Frankrijk?"): they cannot answer it, however the fitted model, calibrated on questions
    # about their subjects, reads its far-off similarities (``REGIODEAL_ABLATE=foreign_words``). Not a question that
    # leans on the conversation ("waar staat die afkorting voor?"): its subject is there, not in its own words
    foreign = bool(words) and len(unknown) == len(words) and not set(words) & covered and not split_carried(question)[1]
    if foreign and not ablated(get_settings(), "foreign_words"):
        return Answerability(0.0, x, unknown, foreign=True)
    return Answerability(load_model().score(x), x, unknown)


def gap_share(ev: Any) -> float:
    """Of the questions nearest to this one, the documents' answered ones (the units' hypothetical questions) and
    their gaps' (``corpus/gaps.yaml``), the gaps' share, each question weighed by how near it is (a softmax over the
    similarities, ``_SHARE_TEMPERATURE``): a neighbourhood of gap questions says the documents do not answer, where
    one nearest question decides ``gap_margin`` alone. 0 without gaps; switch off with
    ``REGIODEAL_ABLATE=gap_share``."""
    gap = ev.gap
    if gap is None or not gap.near or ablated(get_settings(), "gap_share"):
        return 0.0
    near = sorted([*((s, True) for s in gap.near), *((s, False) for s in ev.question_sims)], reverse=True)[:_SHARE_DEPTH]
    top = near[0][0]
    weights = [(math.exp((s - top) / _SHARE_TEMPERATURE), is_gap) for s, is_gap in near]
    return sum(w for w, is_gap in weights if is_gap) / sum(w for w, _ in weights)


def held_terms(unit: Any, questions_of: Any) -> set[str]:
    """The search terms a unit holds: its text, its context and its hypothetical questions (Dutch and English)."""
    qs = " ".join(questions_of(unit.unit_id))
    return set(terms(f"{unit.context} {unit.text} {qs}", "nl")) | set(terms(qs, "en"))


# a question is about what a unit says when the unit holds this share of its content words, not counting the words that
# ask for confirmation ("Klopt het dat ...", "Is it true that ...") nor those of the values it states
_ABOUT_UNIT = 0.75
_CONFIRM_TERMS = frozenset(terms("klopt klop juist waar correct", "nl") + terms("true right correct", "en"))


def about_unit(ctx: Any, unit: Any) -> bool:
    """Is the question about what ``unit`` says: does the unit (its text, context and hypothetical questions) hold at
    least ``_ABOUT_UNIT`` of the question's content words? A question that states the value a false premise is
    corrected with, but asks about something that unit does not say ("Hoeveel van de 40 miljoen is voor de pijler
    wonen?"), is not answered for agreeing with it (``REGIODEAL_ABLATE=claims_agree_covered``)."""
    if ablated(get_settings(), "claims_agree_covered") or ctx.units is None or ctx.units.questions_of is None:
        return True
    from rag.typed_values import typed_values

    stated = {t for v in typed_values(ctx.standalone_question, ctx.language) for t in terms(v.text, ctx.language)}
    words = {t for _, t in content_words(ctx.standalone_question, ctx.language)} - stated - _CONFIRM_TERMS
    return not words or len(words & held_terms(unit, ctx.units.questions_of)) >= _ABOUT_UNIT * len(words)


# the kinds of answer that are a figure: a unit holds one only with a figure the question does not state itself
_FIGURE_KINDS = ("amount", "percentage")
# a share of the question's content words: how much better the best unit covers them than the best unit that holds the
# asked figure, for that figure to be about something else
_SUBJECT_GAP = 0.15


def figure_elsewhere(ctx: Any) -> bool:
    """A question asking for a figure (an amount, a share, a count) whose best units hold one only in a passage about
    something else: the unit that covers the question's words best states no figure of that kind, and the units that
    do state one cover them clearly less ("Op welk bedrag zijn de kosten voor Wonen en Welzijn geraamd?" against
    "de kosten voor de pijler Werken ... € 70 miljoen" beside "De kosten voor Wonen en Welzijn zijn nog veel hoger").
    The documents do not give that figure. Single questions only (a multi-part question's parts are judged each
    by its own confidence); switch off with ``REGIODEAL_ABLATE=figure_elsewhere``."""
    if ablated(get_settings(), "figure_elsewhere") or len(ctx.unit_parts or []) > 1:
        return False
    ev = ctx.units
    if ev is None or not ev.candidates or ev.questions_of is None:
        return False
    own = split_carried(ctx.standalone_question)[0]
    kind = answer_type(own)
    if kind not in (*_FIGURE_KINDS, "count"):
        return False
    words = {t for _, t in content_words(ctx.standalone_question, ctx.language)}
    if not words:
        return False
    asked = _figures_in(own)

    def cover(u: Any) -> float:
        return len(words & held_terms(u, ev.questions_of)) / len(words)

    top = [c.unit for c in ev.candidates[:3]]
    # a unit's context (the sentence before, quoted to carry its subject) that is itself one of the best units states
    # its figure as that unit, about its own subject ("... Werken ... € 70 miljoen" before "Wonen en Welzijn ... hoger")
    judged = {(u.doc_id, u.start, u.end) for u in top}

    def states(u: Any) -> bool:
        own = (kind in _FIGURE_KINDS and (u.doc_id, u.context_start, u.context_end) in judged
               and not ablated(get_settings(), "figure_own_text"))
        text = u.text if own else f"{u.context} {u.text}"
        return holds_type(text, kind, ctx.standalone_question, ctx.language) and (kind not in _FIGURE_KINDS or bool(_figures_in(text) - asked))

    best = max(cover(u) for u in top)
    stating = max((cover(u) for u in top if states(u)), default=0.0)
    return best - stating >= _SUBJECT_GAP


# --- requests to decline, as data -----------------------------------------------------------------


def intent_decline(vec: np.ndarray | None, units: Any = None, outcomes: bool = True) -> str | None:
    """Why a question is declined when a probe on its e5 vector (``rag.engines.request_probe``) says so: a
    request to advise, write or invent, or an instruction to the assistant (``decline_exemplars.yaml``); or,
    with ``outcomes``, a question about what happened after the documents (``outcome_exemplars.yaml``:
    reason "outcome"). None for a question they may answer (or without fitted probes)."""
    from rag.engines.request_probe import OUTCOME_PROBE_FILE, load_probe

    probe = load_probe()
    reason = probe.decline(vec) if probe is not None else None
    if reason is None and outcomes:
        later = load_probe(OUTCOME_PROBE_FILE)
        reason = later.decline(vec) if later is not None else None
    return reason
