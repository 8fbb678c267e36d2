"""A question that says the opposite of what a statement of the documents says (``contrast_premise``,
``corpus/contrasts.yaml``, ``rag.contrasts``): the data against the answer units, unit tests of finding an opposite,
then end to end on the real index and e5. Wordings differ from every evaluation item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rag.contrasts import Contrast, asks_whether, contrary_in, contrasts
from rag.text import fold, words
from tests.conftest import corrected_only_with

ROOT = Path(__file__).resolve().parents[2]


def _units() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((ROOT / "corpus" / "questions").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for u in data["units"] if isinstance(data, dict) else data:
            out[u["id"]] = u["text"]
    return out


def test_every_statement_is_said_by_its_units_and_none_of_them_says_an_opposite() -> None:
    units = _units()
    table = contrasts()
    assert len({id(c) for cs in table.values() for c in cs}) >= 20
    for uid, cs in table.items():
        assert uid in units, f"{uid} is no answer unit"
        text = words(fold(units[uid]))
        for c in cs:
            assert any(any(tuple(text[i : i + len(s)]) == s for i in range(len(text))) for s in c.states), (uid, c.topic)
            assert contrary_in(units[uid], c) is None, (uid, c.topic)


def _one(states: list[str], contrary: list[str], about: list[str] | None = None) -> Contrast:
    def ph(xs: list[str]) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(words(fold(x))) for x in xs)

    return Contrast(("u",), "t", ph(states), ph(contrary), ph(about or []))


def test_an_opposite_is_found_unless_denied_or_the_value_itself_is_said() -> None:
    c = _one(["eenmalig", "tijdelijk"], ["structureel", "blijvend"])
    assert contrary_in("Omdat die middelen blijvend zijn, kunnen we plannen maken", c) == "blijvend"
    assert contrary_in("Die middelen zijn niet structureel", c) is None
    assert contrary_in("Zijn die middelen eenmalig of structureel?", c) is None
    assert contrary_in("Wat staat er over de planning?", c) is None


def test_an_opposite_of_a_statement_with_two_nouns_counts_near_its_own_noun() -> None:
    family = _one(["overschot"], ["tekort"], ["gezinswoningen"])
    senior = _one(["tekort"], ["overschot"], ["seniorenwoningen"])
    swapped = "Waarom ontstaat er een tekort aan gezinswoningen terwijl er op het platteland, ver weg van alles, een overschot aan seniorenwoningen is?"
    assert contrary_in(swapped, family) == "tekort" and contrary_in(swapped, senior) == "overschot"
    right = "Er is een overschot aan gezinswoningen en een tekort aan seniorenwoningen, toch?"
    assert contrary_in(right, family) is None and contrary_in(right, senior) is None


@pytest.mark.parametrize(
    ("clause", "plain"),
    [
        ("Kent zo'n deal een maximum", True),
        ("and do they have to be fully worked out", True),
        ("Blijft dat geld beschikbaar of stopt het na een jaar", True),
        ("Is het waar dat het geld blijvend is", False),
        ("Is it correct that the money keeps coming", False),
        ("Waarom heeft zo'n deal een maximum", False),
        ("Now that the money keeps coming every year", False),
    ],
)
def test_a_plain_yes_no_question_is_told_from_a_claim(clause: str, plain: bool) -> None:
    assert asks_whether(clause) is plain


@pytest.mark.parametrize(
    ("question", "correct"),
    [
        ("Omdat de rijksbijdrage uit de Regio Envelop een permanente geldstroom is, hoe plant de regio haar begroting?", "tijdelijke"),
        ("Is het waar dat de brief van GS aan de Staten ter goedkeuring is voorgelegd?", "ter informatie"),
        ("Since land prices in Zuid- en Oost-Drenthe are high, why build energy projects there?", "grondkosten zijn er laag"),
    ],
)
def test_a_question_saying_the_opposite_is_corrected_from_the_statement(assistant: Any, built_settings: Any, question: str,
                                                                       correct: str) -> None:
    corrected_only_with(assistant, built_settings, question, correct, "contrast_premise")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Blijft het geld uit de Regio Envelop elk jaar terugkomen, of is het structureel?", "eenmalig"),
        ("Geldt er een maximum voor de totale financiële omvang van een Regio Deal?", "geen bovengrens"),
    ],
)
def test_a_plain_yes_no_question_is_answered(assistant: Any, question: str, expected: str) -> None:
    ans = assistant.ask(question)
    assert not ans.refused and expected in ans.answer, ans.answer


def test_a_unit_that_speaks_of_the_other_thing_itself_is_found() -> None:
    from rag.contrasts import names_other

    c = _one(["komende", "deze"], ["volgende", "tweede"], ["tranche"])
    assert names_other("De lessen worden gebruikt voor de volgende tranche.", c)
    assert not names_other("Er komt geen tweede tranche.", c)  # denied
    assert not names_other("De volgende stap is een analyse van alle voorstellen door het ministerie, per tranche.", c)  # far from the noun
    assert not names_other("Het budget van deze komende tranche is bekend.", c)
