"""The parser on questions it was not tuned on: the older calculator's question tables, rewritten as typed
requests (operation + roles), and the figures that must stay out of a plan or get a user error."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculator import Clarify, calculate, find_amounts, has_calc_cue, parse_question
from rag.calculator.parse import parse_request
from rag.money import AmountError, UserInputError

# (lang, question, operation or None, roles + 'years'); 'tranche' stands for either tranche operation
QUESTIONS: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ('nl', 'Drenthe vraagt € 40 miljoen en investeert zelf € 80 miljoen: mag dat?', 'plan_check', {'rijk': 40, 'cofinancing': 80}),
    ('nl', 'Drenthe vraagt 40 miljoen van het Rijk en legt er zelf 80 miljoen bij. Is dat binnen de regels?', 'plan_check', {'rijk': 40, 'cofinancing': 80}),
    ('nl', 'Mag de Regio Envelop € 45 miljoen bijdragen als de regio € 90 miljoen inlegt?', 'plan_check', {'rijk': 45, 'cofinancing': 90}),
    ('nl', 'Het Rijk betaalt € 25 miljoen, de regio € 35 miljoen. Welk percentage komt van het Rijk?', 'plan_check', {'rijk': 25, 'cofinancing': 35}),
    ('en', 'A region wants €12 million and puts in €10 million itself. Is that allowed?', 'plan_check', {'rijk': 12, 'cofinancing': 10}),
    ('en', 'Can a region get €50 million from the Regio Envelop if it invests €100 million?', 'plan_check', {'rijk': 50, 'cofinancing': 100}),
    ('en', 'The whole programme totals €26m and €14m of it would come from the Regio Envelop. Within the rules?', 'plan_check', {'rijk': 14, 'total': 26}),
    ('nl', 'Hoeveel mag het Rijk maximaal bijdragen als de regio € 18 miljoen inlegt?', 'max_rijk', {'cofinancing': 18}),
    ('nl', 'Wat is de maximale rijksbijdrage bij een totaal budget van € 70 miljoen?', 'max_rijk', {'total': 70}),
    ('en', 'If the partners put in 20 million euros, how much can the region get from the Regio Envelop?', 'max_rijk', {'cofinancing': 20}),
    ('nl', 'Wat als de regio € 20 miljoen inlegt en het bedrijfsleven € 10 miljoen, hoeveel kan het Rijk dan maximaal geven?', 'max_rijk', {'cofinancing': 30}),
    ('nl', 'Hoeveel cofinanciering is nodig voor € 30 miljoen uit de Regio Envelop?', 'min_cofinancing', {'rijk': 30}),
    ('en', 'How much co-financing is needed for a €30 million contribution from the Regio Envelop?', 'min_cofinancing', {'rijk': 30}),
    ('nl', 'hoeveel moet de regio minstens inleggen?', 'rules', {}),
    ('nl', 'Stel dat drie deals de maximale bijdrage krijgen, hoeveel blijft er dan over van de tranche?', 'tranche', {}),
    ('en', 'Suppose three deals get the maximum. How much of the tranche remains?', 'tranche', {}),
    ('nl', 'Na toekenning van € 120 miljoen, hoeveel blijft er over in de tranche?', 'tranche', {}),
    ('en', 'If three deals of €40 million each are awarded in this tranche, how much is left for other deals?', 'tranche', {}),
    ('nl', 'Als drie deals elk 40 miljoen krijgen, hoeveel blijft er over in deze tranche?', 'tranche', {}),
    ('nl', 'Twee deals van 30 miljoen en een deal van 40 miljoen zijn al toegekend. Hoeveel blijft er in de tranche over?', 'tranche', {}),
    ('nl', 'Er is 60 miljoen toegekend en nog eens 40 miljoen toegekend. Hoeveel blijft er in de tranche over?', 'tranche', {}),
    ('nl', 'Drenthe wil € 80 miljoen investeren over vier jaar. Hoeveel is dat per jaar?', 'per_year', {'cofinancing': 80, 'years': 4}),
    ('nl', 'De provincie legt € 15 miljoen in en wil evenveel uit de Regio Envelop. Past dat?', 'plan_check', {'rijk': 15, 'cofinancing': 15}),
    ('en', 'Our partners bring in €9 million and we would ask the Rijk for the same amount. Is that allowed?', 'plan_check', {'rijk': 9, 'cofinancing': 9}),
    ('nl', 'Met 30 miljoen eigen inleg, is de maximale bijdrage dan mogelijk?', 'plan_check', {'rijk': 40, 'cofinancing': 30}),
    ('en', 'We can raise €3 million ourselves. Could we get the minimum contribution with that?', 'plan_check', {'rijk': 5, 'cofinancing': 3}),
    ('nl', 'Een regio legt € 18 miljoen in. Wat is dan de maximale bijdrage?', 'max_rijk', {'cofinancing': 18}),
    ('nl', 'De gemeenten brengen samen € 7 miljoen in. Wat is het hoogste bedrag dat ze uit de Regio Envelop kunnen krijgen?', 'max_rijk', {'cofinancing': 7}),
    ('en', 'We put in €12 million ourselves. What is the highest amount we can get from the Regio Envelop?', 'max_rijk', {'cofinancing': 12}),
    ('en', 'If Drenthe is granted the €40 million it asks for, how much is left in the tranche for everyone else?', 'tranche', {}),
    ('nl', 'Als een regio 25 miljoen krijgt, wat blijft er dan van de tranche nog over?', 'tranche', {}),
    ('nl', 'Wat is het grootste aantal deals dat de tranche kan betalen als elke deal het minimum krijgt?', 'tranche', {}),
    ('en', 'How many deals could the tranche fund at most if each got the smallest contribution?', 'tranche', {}),
    ('en', 'The region invests €80 million over four years. How much is that per year?', 'per_year', {'cofinancing': 80, 'years': 4}),
    ('nl', 'Ons project kost alles bij elkaar 30 miljoen. Hoeveel kan het Rijk maximaal bijdragen?', 'max_rijk', {'total': 30}),
    ('en', 'Our plans cost €50 million altogether. What is the most the Rijk can pay?', 'max_rijk', {'total': 50}),
    ('nl', 'Hoeveel kan een regio krijgen als ze zelf niets inlegt?', 'max_rijk', {'cofinancing': 0}),
    ('nl', 'Hoeveel kan een regio krijgen zonder cofinanciering?', 'max_rijk', {'cofinancing': 0}),
    ('en', 'How much can a region get if it puts in nothing itself?', 'max_rijk', {'cofinancing': 0}),
    ('en', 'How much could a region receive without any co-financing?', 'max_rijk', {'cofinancing': 0}),
    ('nl', 'Wat is de Regio Envelop?', None, {}),
    ('nl', 'Hoeveel vraagt Drenthe aan het Rijk?', None, {}),
    ('en', 'How much does Drenthe ask from the national government?', None, {}),
    ('nl', 'Wat is de maximale bijdrage per Regio Deal?', None, {}),
    # a rule's amount named by words, asked what it needs: its minimum co-financing or total
    ('nl', 'Hoeveel cofinanciering is nodig voor de maximale bijdrage?', 'min_cofinancing', {'rijk': 40}),
    ('en', 'How much co-financing is needed for the minimum contribution?', 'min_cofinancing', {'rijk': 5}),
    ('nl', 'Wat is het minimale totaalbudget van een deal bij de maximale rijksbijdrage?', 'min_total', {'rijk': 40}),
    ('nl', 'Hoeveel eigen geld moet er tegenover de hoogste rijksbijdrage staan?', 'min_cofinancing', {'rijk': 40}),
    ('nl', 'Wat is de maximale rijksbijdrage?', None, {}),
    ('en', 'What is the largest contribution a deal can get?', None, {}),
    ('en', 'What are the minimum and maximum amounts a deal can get from the envelope, and how much co-financing is required?', 'rules', {}),
    ('en', 'What is the minimum contribution per Regio Deal?', None, {}),
    ('nl', 'Hoeveel wil Drenthe minimaal zelf investeren?', None, {}),
    ('nl', 'Waarom vraagt Drenthe € 40 miljoen?', None, {}),
    ('nl', 'Klopt het dat Drenthe € 40 miljoen vraagt?', None, {}),
    ('nl', 'Welke opgaven heeft Zuid- en Oost-Drenthe?', None, {}),
    ('nl', 'Een regio wil 30 mln uit de Regio Envelop en legt zelf 20 mln in. Mag dat? Zo nee, hoeveel kan ze met die 20 mln maximaal vragen?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('nl', 'Een regio wil 30 mln uit de Regio Envelop en legt zelf 20 mln in. Mag dat? Zo nee, hoeveel kan ze dan maximaal vragen?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('nl', 'Als wij zelf 20 miljoen inbrengen, mogen we dan 30 miljoen aan het Rijk vragen? Zo nee, hoeveel dan maximaal met die 20 miljoen?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('nl', 'De provincie vraagt een rijksbijdrage van 30 miljoen euro en brengt 20 miljoen euro cofinanciering in. Voldoet dat aan de voorwaarden? Zo niet, wat is dan de maximale rijksbijdrage bij die 20 miljoen euro?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('nl', 'Wij leggen zelf € 2,5 miljoen in en willen € 4 miljoen van het Rijk. Mag dat? Zo nee, hoeveel kunnen we met die € 2,5 miljoen maximaal vragen?', 'plan_check', {'rijk': 4, 'cofinancing': 2.5}),
    ('nl', 'we willen 12 mln van het rijk en leggen er zelf 12 mln bij, kan dat?', 'plan_check', {'rijk': 12, 'cofinancing': 12}),
    ('nl', 'Wij vragen 30 miljoen euro aan het Rijk en hebben 20 miljoen euro eigen middelen. Klopt dat met de regels?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('nl', 'Gemeenten en provincie leggen samen € 9 miljoen in. Wij willen € 9 miljoen uit de Regio Envelop. Mag dat? Zo nee, hoeveel kunnen we met dat bedrag maximaal vragen?', 'plan_check', {'rijk': 9, 'cofinancing': 9}),
    ('nl', 'Het totale budget is 60 miljoen euro, waarvan 35 miljoen euro uit de Regio Envelop. Mag dat?', 'plan_check', {'rijk': 35, 'total': 60}),
    ('nl', 'Met veertig miljoen eigen geld, hoeveel kunnen we maximaal uit de Regio Envelop krijgen?', 'max_rijk', {'cofinancing': 40}),
    ('nl', 'Een regio legt 20 mln in. Hoeveel kan ze met 20 mln maximaal vragen?', 'max_rijk', {'cofinancing': 20}),
    ('nl', 'De bijdrage van de regio is 16 mln en de rijksbijdrage 20 mln. Is dat toegestaan?', 'plan_check', {'rijk': 20, 'cofinancing': 16}),
    ('en', 'A region wants €30 million from the Regio Envelop and puts in €20 million itself. Is that allowed? If not, how much can it ask for at most with that €20 million?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'We want EUR 30m from the government and can put in EUR 20m of our own money. Is that OK? If not, what is the most we could ask with that 20 million?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'If we put in 20 million ourselves, can we ask the Rijk for 30 million? If not, how much at most with that amount?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'Can we get EUR 30m from the Regio Envelop with EUR 20m co-financing? If not, what is the maximum for that EUR 20m?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'Our own money is €8 million and we ask €10 million from the Regio Envelop. Does that comply?', 'plan_check', {'rijk': 10, 'cofinancing': 8}),
    ('en', 'In total the deal is €50 million, of which €20 million comes from the Rijk. Is that within the rules?', 'plan_check', {'rijk': 20, 'total': 50}),
    ('en', "The region contributes €6 million and requests €8 million from the Regio Envelop. Allowed? If not, what's the maximum it could request with that €6 million?", 'plan_check', {'rijk': 8, 'cofinancing': 6}),
    ('en', 'With €20 million of co-financing, how much can we get from the Regio Envelop at most?', 'max_rijk', {'cofinancing': 20}),
    ('en', 'we have 15 mln of our own money and would like 15 mln from the government, is that ok? if not how much can we ask with that amount', 'plan_check', {'rijk': 15, 'cofinancing': 15}),
    ('nl', 'Kunnen we met 20 mln eigen geld 30 mln uit de envelop krijgen?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'With EUR 18m co-financing and EUR 20m from the Regio Envelop, do we comply?', 'plan_check', {'rijk': 20, 'cofinancing': 18}),
    ('nl', 'Het Rijk legt 30 mln in en de regio 20 mln. Mag dat?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'If the Rijk gives €30 million and we give €20 million, is that within the rules?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'The Regio Envelop contributes €25m and the region €35m. Does that comply?', 'plan_check', {'rijk': 25, 'cofinancing': 35}),
    ('nl', 'Voor de rijksbijdrage legt de regio 20 mln in. Hoeveel mag het Rijk maximaal bijdragen?', 'max_rijk', {'cofinancing': 20}),
    ('nl', 'De gemeenten betalen samen 12 mln en vragen 15 mln uit de Regio Envelop. Mag dat?', 'plan_check', {'rijk': 15, 'cofinancing': 12}),
    ('nl', 'Wij hebben 20 mln. Mogen we 30 mln van het Rijk vragen?', 'plan_check', {'rijk': 30, 'cofinancing': 20}),
    ('en', 'How much can we ask at most with €20 million of our own?', 'max_rijk', {'cofinancing': 20}),
    ('en', 'In total we have €50 million, €20 million of which is our own money. Is that enough for €30 million from the Rijk?', 'plan_check', {'rijk': 30, 'cofinancing': 20, 'total': 50}),
    # a place's name, or a list of places, between a cue and its amount is one word (its "en" opens no clause)
    ('nl', 'De totale begroting van het plan in Aa en Hunze is 60 miljoen. Hoeveel mag het Rijk maximaal geven?', 'max_rijk', {'total': 60}),
    ('nl', 'De cofinanciering van Borger-Odoorn, Aa en Hunze en Emmen is samen 24 miljoen. Hoeveel kan er maximaal uit de Regio Envelop komen?', 'max_rijk', {'cofinancing': 24}),
    # quarters of a billion, and a share whose part is a rule's own amount
    ('en', 'The total budget for Zuid- en Oost-Drenthe comes to a quarter of a billion euros. What is the most we could ask from the Rijk?', 'max_rijk', {'total': 250}),
    ('en', 'What share of the 200 million tranche does a deal at the maximum take?', 'share', {'tranche': 200, 'rijk': 40}),
    ('nl', 'Hoeveel procent van de tranche van 200 miljoen is het maximumbedrag?', 'share', {'tranche': 200, 'rijk': 40}),
    # "over" after a verb of saying is "about": a question for the documents, not what is left over
    ('nl', 'Wat zeggen de stukken over de € 80 miljoen die de regio wil investeren?', None, {}),
    ('en', 'What do the documents say about the €200 million tranche?', None, {}),
]


@pytest.mark.parametrize(("lang", "question", "op", "roles"), QUESTIONS, ids=[q[1][:50] for q in QUESTIONS])
def test_unseen_questions(lang: str, question: str, op: str | None, roles: dict[str, Any]) -> None:
    req = parse_request(question, lang)
    if op is None:
        assert req is None or req.operation == "rules"
        return
    assert req is not None
    if op == "tranche":
        assert req.operation in ("deals_per_tranche", "tranche_remainder")
    elif op == "min_cofinancing":
        assert req.operation in ("min_cofinancing", "min_total") and req.roles == {"rijk": Decimal(str(roles["rijk"]))}
    else:
        years = roles.pop("years", None)
        assert req.operation == op
        assert {k: float(v) for k, v in req.roles.items()} == {k: float(v) for k, v in roles.items()}
        assert req.years == years
    if req.operation != "rules":
        assert calculate(req).explain(lang)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("Mag de regio 40 of 50 miljoen vragen als ze 60 miljoen inlegt?", "clarify_range"),  # a range: which figure is meant?
        ("Mag de regio € -5 miljoen inleggen als ze € 10 miljoen vraagt?", "negative"),
    ],
)
def test_unusable_figures_raise_a_user_error(question: str, code: str) -> None:
    with pytest.raises(UserInputError) as info:
        parse_question(question, "nl")
    assert info.value.code == code and info.value.message("nl")


def test_a_figure_above_the_envelope_is_refused_when_computed() -> None:
    req = parse_question("Mag de regio € 2 miljard aanvragen als ze 3 miljard inlegt?", "nl")
    assert req is not None
    with pytest.raises(AmountError) as info:
        calculate(req)
    assert info.value.code == "absurd"


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "60 miljoen, kan dat?"),
        ("en", "Would €25 million be acceptable?"),
        ("nl", "Is € 12 miljoen te weinig?"),
    ],
)
def test_a_figure_without_a_role_gets_one_short_question(lang: str, question: str) -> None:
    with pytest.raises(Clarify) as info:
        parse_question(question, lang)
    text = info.value.message(lang)
    assert text.endswith("?") and ("Rijk" in text)


def test_the_rijks_part_asked_with_a_figure_only_a_preposition_names_gets_both_readings() -> None:
    """"met 20 mln" may be the region's own money or the deal's total (until session 14 this table read it as
    the co-financing): the question names both and asks which."""
    with pytest.raises(Clarify) as info:
        parse_question("Hoeveel kunnen we met 20 mln maximaal uit de Regio Envelop krijgen?", "nl")
    text = info.value.message("nl")
    assert "cofinanciering" in text and "totale budget" in text


def test_a_stated_figure_is_never_replaced_by_a_rule_figure() -> None:
    req = parse_question("Als de tranche 300 miljoen was, hoeveel deals passen er dan op het maximum en het minimum?", "nl")
    assert req is not None and req.roles == {"tranche": Decimal(300)} and req.sources["tranche"] == "question"
    req = parse_question("How many deals fit in the tranche at the maximum and at the minimum?", "en")
    assert req is not None and req.roles == {"tranche": Decimal(200)} and req.sources["tranche"] == "document"


def test_a_rule_named_with_its_value_is_not_a_plan_figure() -> None:
    req = parse_request("Drenthe vraagt 80 miljoen aan het Rijk, terwijl het maximum 40 miljoen is. Hoeveel moet Drenthe dan minstens zelf inbrengen?", "nl")
    assert req is not None and req.roles == {"rijk": Decimal(80)}


def test_a_repeated_amount_is_the_same_money() -> None:
    req = parse_question("Een regio legt zelf 20 mln in en wil 30 mln. Mag ze met die 20 mln ook 30 mln vragen?", "nl")
    assert req is not None and req.operation == "plan_check" and req.roles == {"cofinancing": Decimal(20), "rijk": Decimal(30)}


def test_follow_ups_take_the_missing_figure_from_the_conversation() -> None:
    history = [{"role": "user", "content": "Wij leggen zelf 24 miljoen in en vragen 20 miljoen aan het Rijk."},
               {"role": "assistant", "content": "Ja, dat past."}]
    req = parse_request("En wat als de cofinanciering daalt naar 18 miljoen?", "nl", history)
    assert req is not None and req.operation == "what_if" and req.replace == {"cofinancing": Decimal(18)}
    assert req.roles == {"rijk": Decimal(20), "cofinancing": Decimal(24)}
    assert calculate(req).allowed is False


def test_find_amounts_and_calc_cues() -> None:
    found = find_amounts("Drenthe vraagt € 40 miljoen en legt zelf € 80 miljoen in", "nl")
    assert [(f.role, f.value) for f in found] == [("request", Decimal(40_000_000)), ("cofinancing", Decimal(80_000_000))]
    assert has_calc_cue("hoeveel blijft er over", "nl") and has_calc_cue("what share comes from the Rijk", "en")
    assert not has_calc_cue("waarvoor wil Drenthe het geld gebruiken", "nl")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.sampled_from(["nl", "en"]))
def test_parse_never_crashes(text: str, lang: str) -> None:
    try:
        req = parse_request(text, lang)
    except UserInputError as err:
        assert err.message(lang)
        return
    if req is not None:
        with contextlib.suppress(UserInputError):
            calculate(req).explain(lang)


def test_the_router_asks_the_clarifying_question_instead_of_guessing() -> None:
    from rag.router import route

    r = route("60 miljoen, kan dat?", "nl")
    assert r.kind == "calc" and r.tool_result["error_code"] == "clarify"
    assert r.explanation == "Is € 60 miljoen wat de regio zelf inlegt (cofinanciering), of wat u aan het Rijk vraagt?"
    r = route("Is €20m enough for a Regio Deal?", "en")
    assert r.explanation is not None and r.explanation.startswith("Is €20 million what the region puts in itself")
