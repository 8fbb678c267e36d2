"""typed_veto_parts: a multi-part question with a part the answer units do not answer is judged on its
answered parts alone (rag.engines.extractive.engine.ExtractiveEngine._typed_veto). Fast: no index, no model.
The wordings are not those of the evaluation items that revealed the class (holdout11 h11-023, h11-052, h11-082).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.config import get_settings
from rag.engines.base import EngineNotes
from rag.engines.extractive import ExtractiveEngine
from rag.question_index import UnitRecord


def _unit(text: str, unit_id: str = "u1") -> UnitRecord:
    return UnitRecord(unit_id, "kamerbrief", "sentence", "", text, "", 0, len(text), -1, -1, 0)


def _ctx(question: str, answered: list[tuple[str, float, bool]], confidences: list[float]) -> SimpleNamespace:
    notes = EngineNotes(unit_confidence=confidences, unit_answered_parts=answered)
    return SimpleNamespace(standalone_question=question, notes=notes, language="nl")


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> ExtractiveEngine:
    monkeypatch.delenv("REGIODEAL_ABLATE", raising=False)
    get_settings.cache_clear()
    yield ExtractiveEngine()
    get_settings.cache_clear()


def test_a_weak_other_part_no_longer_vetoes_a_confident_typed_part(engine: ExtractiveEngine) -> None:
    q = "In welk jaar verscheen de nota, en welke ambtenaar schreef hem?"
    ctx = _ctx(q, [("In welk jaar verscheen de nota", 0.8, True)], [0.8, 0.1])
    assert not engine._typed_veto(ctx)


def test_a_typed_part_whose_units_miss_a_word_of_it_is_still_vetoed(engine: ExtractiveEngine) -> None:
    # "de derde ronde" answered by a unit on "deze ronde": the subject asked is not the unit's
    q = "Hoeveel euro is er voor de derde ronde en wie beslist daarover?"
    ctx = _ctx(q, [("Hoeveel euro is er voor de derde ronde", 0.8, False)], [0.8, 0.1])
    assert engine._typed_veto(ctx)


def test_a_typed_part_below_the_typed_threshold_is_vetoed(engine: ExtractiveEngine) -> None:
    q = "Hoeveel euro is er voor deze ronde en wie beslist daarover?"
    ctx = _ctx(q, [("Hoeveel euro is er voor deze ronde", 0.4, True)], [0.4, 0.1])
    assert engine._typed_veto(ctx)


def test_every_part_answered_or_one_question_is_judged_as_before(engine: ExtractiveEngine) -> None:
    one = _ctx("Hoeveel euro is er voor deze ronde?", [("Hoeveel euro is er voor deze ronde", 0.4, True)], [0.4])
    assert engine._typed_veto(one)
    both = "Hoeveel euro is er voor deze ronde en wie beslist daarover?"
    ctx = _ctx(both, [("Hoeveel euro is er voor deze ronde", 0.8, True), ("wie beslist daarover", 0.35, True)], [0.8, 0.35])
    assert engine._typed_veto(ctx)  # the whole question asks an amount, its least confident part is weak


def test_ablation_restores_the_whole_question_rule(engine: ExtractiveEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIODEAL_ABLATE", "typed_veto_parts")
    get_settings.cache_clear()
    ablated_engine = ExtractiveEngine()
    q = "In welk jaar verscheen de nota, en welke ambtenaar schreef hem?"
    ctx = _ctx(q, [("In welk jaar verscheen de nota", 0.8, True)], [0.8, 0.1])
    assert ablated_engine._typed_veto(ctx)


def test_covers_reads_text_context_and_hypothetical_questions() -> None:
    ctx = SimpleNamespace(language="nl")
    unit = _unit("De bijdrage voor deze ronde bedraagt € 200 miljoen.")
    asked = {"u1": ["Hoe groot is het budget van de ronde?"]}
    assert ExtractiveEngine._covers(ctx, "Hoe groot is het budget van deze ronde", [unit], asked.get)
    assert not ExtractiveEngine._covers(ctx, "Hoe groot is het budget van de derde ronde", [unit], asked.get)
