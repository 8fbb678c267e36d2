"""The calculator's learnt amount probes (``rag.calculator.amount_probe``), each tested in words of its own
(not the words of the question-set items that showed the classes): two figures joined by "to"/"tot" as a
change or a range, and the role of an amount the lexicon gives no firm role."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rag.calculator import Clarify, amount_probe
from rag.calculator.parse import parse_request
from rag.money import MILLION, scan_amounts


def _schema(question: str, lang: str = "nl", history: list[dict[str, str]] | None = None) -> dict[str, Any]:
    req = parse_request(question, lang, history)
    assert req is not None
    got = req.to_schema()
    return {"op": got["operation"], **got["roles"], **({"replace": got["replace"]} if got["replace"] else {})}


def test_both_probes_are_fitted_with_ordered_classes() -> None:
    probes = amount_probe._probes()
    assert set(probes) == {"join", "role"}
    assert set(probes["join"].classes) == {"change", "range"}
    assert {"rijk", "cofinancing", "total", "tranche", "envelope", *amount_probe.NO_ROLE} == set(probes["role"].classes)
    ex = amount_probe.role_exemplars()
    assert all(len(v) >= 12 for v in ex.values()) and all(isinstance(x, str) for v in ex.values() for x in v)


def test_money_offers_both_readings_of_a_to_pair_and_decides_neither() -> None:
    (span,) = scan_amounts("de bijdrage ging van 18 tot 24 miljoen", "nl")
    assert span.error is not None and span.error.code == "ambiguous"
    assert span.pair is not None and [s.value / MILLION for s in span.pair] == [Decimal(18), Decimal(24)]


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "Our partners may raise from 12 to 16 million. What is the most the envelope can pay?"),
        ("nl", "De gemeenten kunnen samen 14 tot 19 miljoen opbrengen. Hoeveel mag het Rijk dan geven?"),
    ],
)
def test_a_range_gets_a_clarifying_question_not_a_verdict(lang: str, question: str) -> None:
    with pytest.raises(Clarify) as exc:
        parse_request(question, lang)
    assert exc.value.code == "clarify_range"


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("en", "The water board's share was pushed up from 6 to 9 million. What is that in percent?", {"op": "difference", "before": 6, "after": 9}),
        ("nl", "Het aandeel van de provincie werd teruggebracht van 44 tot 36 miljoen. Hoeveel procent is dat?", {"op": "difference", "before": 44, "after": 36}),
    ],
)
def test_a_change_from_one_figure_to_another_gives_two_figures(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_the_second_figure_of_a_change_replaces_the_first_in_a_follow_up() -> None:
    history = [
        {"role": "user", "content": "We ask the Rijk for 30 million and the region puts in 70 million. Allowed?"},
        {"role": "assistant", "content": "Yes: the total is € 100 million."},
    ]
    got = _schema("And if the regional money is cut from 70 million to 25 million?", "en", history)
    assert got == {"op": "what_if", "rijk": 30, "cofinancing": 70, "replace": {"cofinancing": 25}}


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "Begroting van het programma in zijn geheel: € 84.000.000, waarvan 30 miljoen uit de Regio Envelop. Mag dat?", {"op": "plan_check", "rijk": 30, "total": 84}),
        ("en", "For a programme adding up to €66m, the councils chip in 40 million. Which percentage of the whole is that?", {"op": "share", "total": 66, "cofinancing": 40}),
    ],
)
def test_an_amount_without_a_cue_in_its_clause_gets_its_role_from_the_probe(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_words_that_say_nothing_about_whose_money_still_get_a_clarifying_question() -> None:
    with pytest.raises(Clarify):
        parse_request("In de notitie staan posten van 22 en 31 miljoen. Is dat volgens de regels?", "nl")


@pytest.mark.parametrize("name", [amount_probe.JOIN_ABLATION, amount_probe.ROLE_ABLATION])
def test_switched_off_by_the_ablation_names(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from rag.config import Settings

    monkeypatch.setattr("rag.config.get_settings", lambda: Settings(ablate=name))
    amount_probe.p_change.cache_clear()
    try:
        if name == amount_probe.JOIN_ABLATION:
            assert not amount_probe.is_change("Het aandeel van de provincie werd teruggebracht van 44 tot 36 miljoen")
        else:
            assert amount_probe.role_of("a programme adding up to €66m") is None
    finally:
        amount_probe.p_change.cache_clear()
