"""Multi-part questions: each part judged on its own (issue 14, point 3). Fast unit tests with stand-ins for
the evidence; the end-to-end behaviour is measured on the tuning sets (BENCHMARKS.md, "Session 10: multi-part")."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from rag.config import Settings
from rag.engines.base import EngineNotes
from rag.engines.extractive import ExtractiveEngine
from rag.engines.extractive import answerability as answerability_mod


@dataclass
class _Ctx:
    standalone_question: str
    unit_parts: list[tuple[str, Any]]
    notes: EngineNotes = field(default_factory=EngineNotes)


def _engine(ablate: str = "") -> ExtractiveEngine:
    return ExtractiveEngine(Settings(ablate=ablate))


def test_typed_veto_reads_each_answered_part() -> None:
    # the whole question opens with a date question; its confident part holds the date, the weak part
    # asks for a person (no typed value), is named as unanswered and does not veto the dated one
    ctx = _Ctx("Op welke dag is de brief verstuurd, en wie heeft hem ondertekend?",
               [("Op welke dag is de brief verstuurd", None), ("wie heeft hem ondertekend", None)])
    ctx.notes.unit_confidence = [0.8, 0.2]
    ctx.notes.unit_weak_parts = ["wie heeft hem ondertekend"]
    assert _engine()._typed_veto(ctx, by_part=True) is False
    # without the mechanism: the whole question's kind and its weakest part decide, as before
    assert _engine()._typed_veto(ctx, by_part=False) is True
    # a weak part that asks for a value (a date, an amount) the units do not hold confidently still vetoes
    ctx.unit_parts = [("Wie heeft de brief ondertekend", None), ("wanneer gaat de volgende ronde open", None)]
    ctx.notes.unit_weak_parts = ["wanneer gaat de volgende ronde open"]
    assert _engine()._typed_veto(ctx, by_part=True) is True
    # an answered part that asks for an amount with low confidence still vetoes
    ctx.notes.unit_confidence = [0.8, 0.4]
    ctx.unit_parts = [("Wie heeft de brief ondertekend", None), ("hoeveel kost het programma", None)]
    ctx.notes.unit_weak_parts = []
    assert _engine()._typed_veto(ctx, by_part=True) is True



def test_a_held_value_part_is_named_when_another_part_is_answered() -> None:
    # the amount part is held by the typed veto (0.4 < typed_at); the name part is answered: only the amount
    # part is set apart (named as unanswered), instead of the veto sinking the answered part with it
    ctx = _Ctx("Wie heeft de brief ondertekend, en hoeveel kost het programma?",
               [("Wie heeft de brief ondertekend", None), ("hoeveel kost het programma", None)])
    ctx.notes.unit_confidence = [0.8, 0.4]
    assert _engine()._vetoed_parts(ctx, by_part=True) == ["hoeveel kost het programma"]
    assert _engine("part_typed_veto")._vetoed_parts(ctx, by_part=True) == []  # the old behaviour: the veto decides
    assert _engine()._vetoed_parts(ctx, by_part=False) == []
    # no part answered besides the held one (the other is weak): nothing set apart, the veto decides for the whole
    ctx.notes.unit_weak_parts = ["Wie heeft de brief ondertekend"]
    assert _engine()._vetoed_parts(ctx, by_part=True) == []
    # every part asks for a value and none is held confidently: nothing set apart
    ctx.unit_parts = [("Wanneer is de brief verstuurd", None), ("hoeveel kost het programma", None)]
    ctx.notes.unit_confidence, ctx.notes.unit_weak_parts = [0.5, 0.4], []
    assert _engine()._vetoed_parts(ctx, by_part=True) == []
    # a confident value part is not held
    ctx.notes.unit_confidence = [0.9, 0.4]
    assert _engine()._vetoed_parts(ctx, by_part=True) == ["hoeveel kost het programma"]

def test_unanswered_parts_only_when_some_part_is_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = {"Wat vraagt de provincie van het Rijk": 0.9, "wie wint de volgende verkiezingen": 0.05}
    ev = SimpleNamespace(candidates=[object()])

    def fake(ctx: Any, q: str, e: Any) -> Any:
        return SimpleNamespace(answers=lambda model, c=conf[q]: c >= 0.15)

    import rag.engines.confidence as confidence

    monkeypatch.setattr(confidence, "part_features", fake)
    ctx = SimpleNamespace(unit_parts=[(q, ev) for q in conf])
    assert _engine()._unanswered_parts(ctx) == ["wie wint de volgende verkiezingen"]
    conf["Wat vraagt de provincie van het Rijk"] = 0.01  # no part answered: the whole is judged by _closest
    assert _engine()._unanswered_parts(ctx) == []
    ctx.unit_parts = ctx.unit_parts[:1]  # one part: nothing to judge per part
    assert _engine()._unanswered_parts(ctx) == []
    assert answerability_mod.AnswerabilityMixin._unanswered_parts  # beside _closest, not inside it


class _Calc:
    """A calculator stand-in that reads only a whole question that names both limits."""

    def parse_question(self, q: str, lang: str) -> Any:
        return object() if "minimale" in q and "maximale" in q and "pot" in q else None


def test_joined_parts_go_to_the_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag import router

    q = "Wat is de minimale bijdrage per deal, wat de maximale en wat zit er in de pot?"
    assert router._joined_parts(q, "nl", _Calc(), None) is True
    # a figure of the user's own (digits or a number word) keeps it a calculation
    assert router._joined_parts("Wat is de minimale bijdrage bij 30 miljoen, wat de maximale en wat zit er in de pot?", "nl", _Calc(), None) is False
    assert router._joined_parts("Wat is de minimale bijdrage bij twintig miljoen, wat de maximale en wat zit er in de pot?", "nl", _Calc(), None) is False
    # one question, or a follow-up in a conversation: not judged per part
    assert router._joined_parts("Wat is de minimale bijdrage voor de maximale pot?", "nl", _Calc(), None) is False
    assert router._joined_parts(q, "nl", _Calc(), [{"role": "user", "content": "x"}]) is False
    monkeypatch.setenv("REGIODEAL_ABLATE", "part_calc")
    router.get_settings.cache_clear()
    try:
        assert router._joined_parts(q, "nl", _Calc(), None) is False
    finally:
        monkeypatch.delenv("REGIODEAL_ABLATE")
        router.get_settings.cache_clear()


def test_composing_again_for_fewer_parts_starts_from_clean_notes() -> None:
    # after a held part is set apart the answer is composed again: nothing the first composition noted (a
    # counted list, an unanswered part, the units' confidences) may be shown twice or judged against the new parts
    notes = EngineNotes(list_counts=[(3, "twopager", 10)], unanswered_parts=["wanneer"], select_debug=[{"part": "x"}],
                        unit_confidence=[0.8, 0.4], unit_weak_parts=["wie"], answerability=0.7,
                        unit_closest=[("wie", None)])  # type: ignore[list-item]
    notes.forget_composition()
    assert (notes.list_counts, notes.unanswered_parts, notes.select_debug, notes.unit_confidence, notes.unit_weak_parts,
            notes.unit_closest) == ([], [], [], [], [], [])
    assert notes.answerability == 0.7  # the whole question's confidence is not part of a composition


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Welke gemeente trekt het project, wie betaalt de rest, en wanneer begint het?",
         ["Welke gemeente trekt het project", "wie betaalt de rest", "wanneer begint het"]),
        ("Bij welke afdeling ligt het dossier, en namens wie schrijft de wethouder?",
         ["Bij welke afdeling ligt het dossier", "namens wie schrijft de wethouder"]),
        # the words before the comma ask nothing: a condition, not a part
        ("Als het plan wordt goedgekeurd, wanneer komt het geld dan?", ["Als het plan wordt goedgekeurd, wanneer komt het geld dan?"]),
    ],
)
def test_a_comma_before_a_question_word_ends_a_part_that_asks(question: str, parts: list[str]) -> None:
    from rag.engines.extractive import question_parts

    assert question_parts(question) == parts


def test_without_comma_parts_only_joining_words_split(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.engines.extractive import analysis

    monkeypatch.setenv("REGIODEAL_ABLATE", "comma_parts")
    analysis.get_settings.cache_clear()
    try:
        assert len(analysis.question_parts("Welke gemeente trekt het project, wie betaalt de rest?")) == 1
    finally:
        monkeypatch.delenv("REGIODEAL_ABLATE")
        analysis.get_settings.cache_clear()

