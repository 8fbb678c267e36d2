"""The operation probe (rag/calculator/intent.py) and the slots it fills (rag/calculator/slots.py), in words
of their own (not the words of any question-set item): the exemplars it is learnt from, what the probe
decides where the lexicon parser would ask or finds nothing, what it must leave alone, and its ablation."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from rag.calculator import intent, slots
from rag.calculator.asks import counts_deals
from rag.calculator.lexicon import tokenize
from rag.calculator.parse import Clarify, parse_request
from rag.calculator.reading import read


def _schema(question: str, lang: str = "nl", history: list[dict[str, str]] | None = None) -> dict[str, Any]:
    req = parse_request(question, lang, history)
    assert req is not None
    got = req.to_schema()
    return {"op": got["operation"], **got["roles"], **({"replace": got["replace"]} if got["replace"] else {})}


def test_every_operation_has_at_least_thirty_written_examples() -> None:
    ex = intent.exemplars()
    assert set(slots.MONEY_OPERATIONS) | {"rules", intent.NOT_MONEY} <= set(ex)
    for op, texts in ex.items():
        assert len(texts) >= 30, op
        assert all(isinstance(t, str) and t.strip() for t in texts), op
    dupes = [t for t, n in Counter(t for texts in ex.values() for t in texts).items() if n > 1]
    assert not dupes, dupes  # one example, one label


def test_the_fitted_probe_knows_every_class_and_orders_its_thresholds() -> None:
    probe = intent.load_probe()
    assert probe is not None
    assert set(probe.classes) == set(intent.exemplars())
    assert 0 < probe.lean_at <= probe.confident_at < 1
    assert probe.weights.shape == (len(probe.classes), 384)


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("Over een looptijd van zeven jaar: hoeveel is 70 miljoen per jaar?", "per_year"),
        ("How many deals could a pot of 320 million pay for at the top contribution?", "deals_per_tranche"),
    ],
)
def test_the_probe_reads_a_clear_operation_confidently(text: str, op: str) -> None:
    g = intent.guess(text)
    assert g is not None and g.operation == op and g.leaning


def test_an_amount_without_a_role_fills_the_operations_one_slot_instead_of_a_clarifying_question() -> None:
    # "noem het 19 miljoen" gives the figure no role; the question asks the least co-financing, whose only
    # input is the contribution
    history = [
        {"role": "user", "content": "We willen 34 miljoen van het Rijk. Hoeveel moeten we zelf minstens bijdragen?"},
        {"role": "assistant", "content": "Minimaal € 34 miljoen; het totale budget is dan ten minste € 68 miljoen."},
    ]
    assert _schema("En als we het wat kleiner maken, noem het 19 miljoen, hoeveel eigen geld is dan minimaal nodig?", "nl", history) == {
        "op": "min_cofinancing", "rijk": 19}


def test_a_pot_without_a_role_is_the_tranche_of_a_deals_question() -> None:
    got = _schema("Als er ooit € 280.000.000 te verdelen valt, hoeveel deals kunnen daar dan van af bij de hoogste en bij de laagste bijdrage?")
    assert got == {"op": "deals_per_tranche", "tranche": 280}


def test_bare_numbers_are_money_when_the_question_is_a_confident_what_if() -> None:
    got = _schema("Our plan is 14 from the Rijk and 22 of our own. What if the Rijk gives 19 instead?", "en")
    assert got == {"op": "what_if", "rijk": 14, "cofinancing": 22, "replace": {"rijk": 19}}


def test_a_year_range_written_out_in_english_gives_the_number_of_years() -> None:
    assert read("from 2019 up to and including 2024", "en").years == 6
    assert read("van 2020 tot en met 2023", "nl").years == 4


def test_an_ambiguous_plan_still_gets_a_clarifying_question() -> None:
    # two figures, and the words do not say which is whose: the probe may know it is a plan check, but the
    # slots are not guessed
    with pytest.raises(Clarify):
        parse_request("Op papier hebben we 26 en 31 miljoen. Past dat binnen de kaders?", "nl")


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Hoeveel regio's hebben in de vorige ronde een deal gesloten?"),
        ("en", "How many deals were signed in the earlier round?"),
        ("nl", "Hoeveel arbeidsplaatsen moeten de 80 miljoen opleveren?"),
        ("en", "When must the applications for the 200 million tranche be in?"),
    ],
)
def test_questions_for_the_documents_are_not_routed_to_the_calculator(lang: str, question: str) -> None:
    assert parse_request(question, lang) is None


def test_counting_deals_allows_words_between_how_many_and_deals() -> None:
    def clause(text: str) -> list[Any]:
        return tokenize(text, [])

    assert counts_deals(clause("hoeveel aanvullende regio deals passen er nog"))
    assert counts_deals(clause("how many additional deals could still be made"))
    assert not counts_deals(clause("hoeveel geld blijft er over"))
    req = parse_request("Twee deals krijgen elk 40 miljoen. Wat blijft er van de tranche over, en hoeveel aanvullende deals van het minimum passen er nog in?", "nl")
    assert req is not None and req.operation == "tranche_remainder" and "extra_deals_at_min" in req.asks


def test_what_if_slots_replace_the_role_of_the_figure_named_before_a_bare_new_one() -> None:
    r = read("Het totaal van 150 miljoen blijkt te hoog; eerder 90 miljoen. Kan 40 miljoen van het Rijk dan nog?", "nl")
    built = slots.build("what_if", r, {})
    assert built is not None
    assert built.roles == {"total": Decimal(150), "rijk": Decimal(40)} and built.replace == {"total": Decimal(90)}


def test_switched_off_by_the_ablation_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.config import Settings

    monkeypatch.setattr("rag.config.get_settings", lambda: Settings(ablate="calc_intent"))
    intent.load_probe.cache_clear()
    intent.guess.cache_clear()
    try:
        assert intent.load_probe() is None
        with pytest.raises(Clarify):
            parse_request("Als er ooit € 280.000.000 te verdelen valt, hoeveel deals kunnen daar dan van af bij de hoogste en bij de laagste bijdrage?", "nl")
    finally:
        intent.load_probe.cache_clear()
        intent.guess.cache_clear()
