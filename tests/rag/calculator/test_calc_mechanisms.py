"""One test per parser mechanism added in session 6, each in words of its own (not the words of the question
set item that revealed it): what was allocated from a tranche, the proposal's figure for a role named
without one, a follow-up that changes one figure, comparisons with "dan"/"than", dotted abbreviations,
bare numbers that count things, a preposition that cannot decide a role, years beside amounts, and the
two classes of question the router leaves to the documents."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from rag.calculator import Clarify, parse_question
from rag.calculator.lexicon import tokenize
from rag.calculator.parse import parse_request
from rag.money import MILLION, scan_amounts


def _schema(question: str, lang: str = "nl", history: list[dict[str, str]] | None = None) -> dict[str, Any]:
    req = parse_request(question, lang, history)
    assert req is not None
    got = req.to_schema()
    return {"op": got["operation"], **got["roles"], **({"replace": got["replace"]} if got["replace"] else {})}


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "Er is 60 miljoen van de tranche gegund. Hoeveel is er nog niet verdeeld?", {"op": "tranche_remainder", "rijk": 60, "tranche": 200}),
        ("nl", "Zes regio's kregen ieder € 25 mln. Hoeveel ruimte laat dat in de tranche?", {"op": "tranche_remainder", "rijk": 25, "count": 6, "tranche": 200}),
        ("en", "With €75m of the tranche assigned, how much is still unallocated?", {"op": "tranche_remainder", "rijk": 75, "tranche": 200}),
    ],
)
def test_money_allocated_from_a_tranche_is_what_the_deals_got(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_a_role_named_without_a_figure_takes_the_proposals_figure() -> None:
    got = _schema("Als het Drentse verzoek aan het Rijk wordt gehonoreerd, hoeveel blijft er van de tranche over?")
    assert got == {"op": "tranche_remainder", "rijk": 40, "tranche": 200}
    req = parse_request("Als het Drentse verzoek aan het Rijk wordt gehonoreerd, hoeveel blijft er van de tranche over?")
    assert req is not None and req.sources["rijk"] == "document"


@pytest.mark.parametrize(
    ("lang", "history", "question", "want"),
    [
        (
            "nl",
            [{"role": "user", "content": "We vragen 12 miljoen van het Rijk en brengen 15 miljoen zelf in."},
             {"role": "assistant", "content": "Ja, dat past: € 12 miljoen is niet meer dan de cofinanciering."}],
            "Stel dat het Rijk 16 miljoen geeft?",
            {"op": "what_if", "rijk": 12, "cofinancing": 15, "replace": {"rijk": 16}},
        ),
        (
            "en",
            [{"role": "user", "content": "Our plan: €18m from the Rijk and €24m from the partners. OK?"},
             {"role": "assistant", "content": "Yes: €18 million is not more than the €24 million co-financing."}],
            "And if the partners only manage €14m?",
            {"op": "what_if", "rijk": 18, "cofinancing": 24, "replace": {"cofinancing": 14}},
        ),
    ],
)
def test_a_follow_up_that_changes_one_figure_is_a_what_if(lang: str, history: list[dict[str, str]], question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang, history) == want


def test_a_figure_compared_with_than_is_the_base_of_the_change() -> None:
    assert _schema("By what percentage is 30 million smaller than 40 million?", "en") == {"op": "difference", "before": 40, "after": 30}
    assert _schema("De begroting ging van 50 mln naar 60 mln; hoeveel procent erbij?") == {"op": "difference", "before": 50, "after": 60}


def test_a_dotted_abbreviation_is_one_word() -> None:
    words = [it.text for it in tokenize("o.a. de kosten i.p.v. de baten, t.o.v. vorig jaar", [])]
    assert words[:2] == ["oa", "de"] and "ipv" in words and "tov" in words
    got = _schema("Wat als het Rijk 9 mln i.p.v. 7 mln geeft, bij 12 mln eigen geld?")
    assert got == {"op": "what_if", "rijk": 7, "cofinancing": 12, "replace": {"rijk": 9}}


def test_a_bare_number_before_a_word_the_lexicon_does_not_know_counts_things() -> None:
    got = _schema("Het Rijk geeft 14 mln voor 6 fietspaden. Hoeveel moet de regio minstens inleggen?")
    assert got == {"op": "min_cofinancing", "rijk": 14}


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "Four councils, 3 of them rural, ask EUR 16m from the Rijk and add EUR 18m themselves. Is that within the rules?"),
        ("nl", "We zijn met vier gemeenten, 2 van ons klein; we vragen 16 miljoen van het Rijk en leggen zelf 18 miljoen in. Mag dat?"),
    ],
)
def test_a_number_of_them_counts_the_parties_not_money(lang: str, question: str) -> None:
    assert _schema(question, lang) == {"op": "plan_check", "rijk": 16, "cofinancing": 18}


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "De regio legt 20 miljoen in, goed voor 405 nieuwe banen. Hoeveel mag het Rijk dan maximaal geven?"),
        ("en", "We put in EUR 20m, good for 405 new jobs. What is the most the Rijk may add?"),
    ],
)
def test_a_bare_number_with_a_word_before_a_counted_noun_counts_things(lang: str, question: str) -> None:
    assert _schema(question, lang) == {"op": "max_rijk", "cofinancing": 20}


@pytest.mark.parametrize(("lang", "question"), [("nl", "Redden we het met € 22 miljoen?"), ("en", "Is it feasible with EUR 9m?")])
def test_a_preposition_alone_does_not_decide_whose_money_it_is(lang: str, question: str) -> None:
    with pytest.raises(Clarify):
        parse_request(question, lang)


def test_a_preposition_does_not_decide_between_co_financing_and_total_when_the_question_names_the_rijk() -> None:
    """"bij een plan met 26 mln": the plan's own money or its total? Both readings give an answer, different
    ones (until session 14 the preposition made it the co-financing)."""
    with pytest.raises(Clarify):
        parse_request("Hoeveel mag het Rijk maximaal geven bij een plan met 26 mln?", "nl")


@pytest.mark.parametrize(
    "text",
    ["In 2016 € 5 mln, in 2019 € 8 mln.", "from €12m in 2016 to €15m in 2019", "van € 12 mln in 2016 tot € 15 mln"],
)
def test_a_year_beside_an_amount_is_neither_part_of_it_nor_a_range(text: str) -> None:
    spans = list(scan_amounts(text, "en"))
    assert all(s.error is None for s in spans)
    assert [s.value / MILLION for s in spans if s.value is not None] in ([Decimal(5), Decimal(8)], [Decimal(12), Decimal(15)])


def test_a_range_of_amounts_is_still_refused() -> None:
    assert [s.error.code for s in scan_amounts("tussen 20 en 30 miljoen", "nl") if s.error] == ["ambiguous"]


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Welk aandeel heeft deze tranche in de totale Regio Envelop, in procenten?"),
        ("en", "Which percentage of the whole Regio Envelope goes to this round's tranche?"),
    ],
)
def test_a_share_of_two_document_figures_goes_to_the_documents(lang: str, question: str) -> None:
    req = parse_request(question, lang)
    assert req is not None and req.operation == "share"  # the calculator can compute it ...
    assert parse_question(question, lang) is None  # ... but the documents answer it, quoting both figures


def test_a_share_with_a_figure_of_the_user_stays_with_the_calculator() -> None:
    req = parse_question("Welk percentage van de tranche is een bijdrage van 25 miljoen?", "nl")
    assert req is not None and req.operation == "share"


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "Since the letter says co-financing is optional, how much could a region get without putting in any money itself?"),
        ("nl", "Volgens de Kamerbrief is eigen geld niet nodig; hoeveel kan een regio zonder cofinanciering krijgen?"),
    ],
)
def test_a_premise_attributed_to_the_documents_goes_to_the_documents(lang: str, question: str) -> None:
    assert parse_question(question, lang) is None


def test_without_the_premise_no_co_financing_is_computed() -> None:
    req = parse_question("Hoeveel kan een regio krijgen als ze zelf niets inlegt?", "nl")
    assert req is not None and req.operation == "max_rijk" and req.roles["cofinancing"] == 0


@pytest.mark.parametrize(
    ("lang", "question"),
    [("en", "If the Rijk pays €12m and our partners €15m, is the plan allowed?"), ("nl", "Het Rijk betaalt 12 mln en de partners 15 mln. Mag dat?")],
)
def test_a_money_verb_after_the_rijk_makes_the_amount_the_rijks(lang: str, question: str) -> None:
    assert _schema(question, lang) == {"op": "plan_check", "rijk": 12, "cofinancing": 15}


@pytest.mark.parametrize(
    ("lang", "question", "rijk"),
    [
        ("en", "How large must the total budget at least be for a deal that gets the maximum contribution?", 40),
        ("nl", "Wat is het kleinste totaalbudget voor een deal met de minimale bijdrage?", 5),
    ],
)
def test_a_rule_amount_named_as_the_contribution_gives_the_least_total(lang: str, question: str, rijk: int) -> None:
    req = parse_request(question, lang)
    assert req is not None and req.to_schema()["operation"] == "min_total" and req.roles["rijk"] == rijk
    assert req.sources["rijk"] == "rule"


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Voor ons plan is 14 miljoen toegezegd. Mag dat volgens de regels?"),
        ("en", "There is a budget of EUR 22m. What can we expect from the Regio Envelop?"),
        ("nl", "In de begroting staat nu 18 mln; hoeveel mag het Rijk daar maximaal bij doen?"),
    ],
)
def test_a_word_with_two_readings_alone_gets_a_clarifying_question_naming_both(lang: str, question: str) -> None:
    """"toegezegd" (by the Rijk or by the partners?), "budget"/"begroting" (the whole deal or the region's own
    part?) say money is there, not whose (lexicon ``two_readings``): the question that changes with the reading
    is asked back, naming both readings, never guessed."""
    with pytest.raises(Clarify) as err:
        parse_request(question, lang)
    assert err.value.code == "clarify_two"
    assert err.value.message(lang).count(",") >= 1


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "De totale begroting is 70 miljoen. Hoeveel kan er maximaal van het Rijk komen?", {"op": "max_rijk", "total": 70}),
        ("en", "The Rijk has committed €12m and we put in €20m ourselves. Does the plan pass?", {"op": "plan_check", "rijk": 12, "cofinancing": 20}),
    ],
)
def test_another_cue_that_settles_the_role_reads_the_same_both_ways(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_the_second_reading_is_switched_off_by_its_ablation(ablate: Callable[[str], None]) -> None:
    ablate("calc_two_readings")
    assert parse_request("Voor ons plan is 14 miljoen toegezegd. Mag dat volgens de regels?", "nl") is not None


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Met 45 miljoen in handen: hoeveel kan er hoogstens uit de Regio Envelop komen?"),
        ("en", "We are at €14m now. How much of the tranche would be left after us?"),
    ],
)
def test_the_only_figure_without_a_word_for_whose_money_gets_a_clarifying_question(lang: str, question: str) -> None:
    """The operation would give the figure the role that is left (co-financing, or one deal's contribution);
    the deal's total is as likely, and the answers differ: ask."""
    with pytest.raises(Clarify) as err:
        parse_request(question, lang)
    assert err.value.code in ("clarify_role", "clarify_two")


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Ons plan draait om 18 miljoen. Hoeveel moeten we daar minimaal zelf bij inleggen?"),
        ("en", "We're looking at €9m. What matching funds would we need at the least?"),
    ],
)
def test_the_only_figure_of_a_least_cofinancing_question_without_a_word_for_whose_money_gets_a_clarifying_question(
    lang: str, question: str
) -> None:
    """The least co-financing for € 18 million asked of the Rijk is € 18 million; for a total of € 18 million it is
    € 9 million: ask which the figure is, naming both."""
    with pytest.raises(Clarify) as err:
        parse_request(question, lang)
    assert err.value.code == "clarify_two"


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "Als we 18 miljoen aanvragen, hoeveel moeten we daar minimaal zelf bij inleggen?", {"op": "min_cofinancing", "rijk": 18}),
        ("en", "If we apply for €9m, what matching funds would we need at the least?", {"op": "min_cofinancing", "rijk": 9}),
    ],
)
def test_a_least_cofinancing_question_whose_figure_is_asked_of_the_rijk_is_computed(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_the_least_cofinancing_check_is_switched_off_by_its_ablation(ablate: Callable[[str], None]) -> None:
    ablate("calc_unnamed_cofinancing")
    assert _schema("Ons plan draait om 18 miljoen. Hoeveel moeten we daar minimaal zelf bij inleggen?") == {"op": "min_cofinancing", "rijk": 18}


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "Wij leggen zelf 45 miljoen in. Hoeveel kan er hoogstens uit de Regio Envelop komen?", {"op": "max_rijk", "cofinancing": 45}),
        ("en", "Our deal's total budget is €30m. What is the most the Rijk can add?", {"op": "max_rijk", "total": 30}),
    ],
)
def test_a_figure_a_word_names_is_computed_without_asking(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("en", "We ask the Rijk for €22m and bring €18m ourselves. Is that allowed, and what co-financing would cover the full €22m?", {"op": "plan_check", "rijk": 22, "cofinancing": 18}),
        ("nl", "Wij vragen het Rijk 26 miljoen en investeren zelf 20 miljoen. Mag dat, en welke cofinanciering dekt de volledige 26 miljoen?", {"op": "plan_check", "rijk": 26, "cofinancing": 20}),
        ("nl", "Wij leggen 20 miljoen in en vragen 14 miljoen. Is de eigen inbreng groot genoeg voor die 14 miljoen?", {"op": "plan_check", "rijk": 14, "cofinancing": 20}),
    ],
)
def test_an_earlier_figure_named_again_with_a_definite_word_is_the_same_money(lang: str, question: str, want: dict[str, Any]) -> None:
    """The repeated figure's new words ("co-financing ... for the whole €22m") do not make it a second amount
    added to the co-financing."""
    assert _schema(question, lang) == want


def test_a_figure_in_tons_is_read_as_hundreds_of_thousands() -> None:
    assert _schema("De gemeenten brengen samen 4,5 ton in. Hoeveel mag het Rijk daar maximaal naast zetten?") == {"op": "max_rijk", "cofinancing": 0.45}


def test_the_rijks_part_of_a_stated_total_asked_in_percent_is_a_share_not_a_change() -> None:
    """Two figures, the deal's total and what the Rijk pays of it, asked as a percentage without a word of more
    or less (session 15): the Rijk's share of the total, not the change from one figure to the other."""
    q = "Als het totale plan 90 miljoen kost en het Rijk daarvan 30 miljoen betaalt, hoe groot is dan het aandeel van het Rijk in procenten?"
    assert _schema(q) == {"op": "share", "rijk": 30, "total": 90}
    # a figure that falls from one value to another stays a change
    drop = "De cofinanciering zakte van 50 miljoen naar 40 miljoen. Hoeveel procent minder is dat?"
    assert _schema(drop)["op"] == "difference"


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "De gemeenten brengen 9 miljoen in en het ministerie een even hoog bedrag; klopt dat met de regels?"),
        ("en", "The partners come up with 9 million and we hope the Rijk will contribute the same. Is that within the rules?"),
    ],
)
def test_the_rijk_giving_as_much_as_the_region_is_a_plan_with_that_figure_twice(lang: str, question: str) -> None:
    assert _schema(question, lang) == {"op": "plan_check", "rijk": 9, "cofinancing": 9}


def test_a_follow_up_asking_its_own_figure_with_a_replacing_amount_computes_that_figure() -> None:
    """"Suppose we requested X instead, what's the smallest total then?": the question asks for a figure of its
    own with the new amount (session 15), not a verdict on the conversation's plan with one figure replaced."""
    history = [
        {"role": "user", "content": "How much co-financing is needed at minimum for 16 million from the Rijk?"},
        {"role": "assistant", "content": "At least €16 million of co-financing, so the total is at least €32 million."},
    ]
    q = "Suppose we requested 27 million instead - what's the smallest total budget we'd need then?"
    assert _schema(q, "en", history) == {"op": "min_total", "rijk": 27}


@pytest.mark.parametrize(
    ("lang", "history", "question", "want"),
    [
        ("nl", [{"role": "user", "content": "Hoeveel moet de regio minimaal zelf inleggen als het Rijk 14 miljoen geeft?"},
                {"role": "assistant", "content": "Minstens € 14 miljoen."}],
         "En met 21 miljoen van het Rijk?", {"op": "min_cofinancing", "rijk": 21}),
        ("en", [{"role": "user", "content": "What is the most the Rijk can add to 26 million of our own money?"},
                {"role": "assistant", "content": "At most €26 million."}],
         "And for 9 million?", {"op": "max_rijk", "cofinancing": 9}),
    ],
)
def test_a_follow_up_of_one_figure_alone_asks_the_last_question_again_with_it(
    lang: str, history: list[dict[str, str]], question: str, want: dict[str, Any]
) -> None:
    """One figure and no question of its own (session 15): the user's last question with that figure in place of
    its figure of the same role, or of its only figure when the words leave the role open."""
    assert _schema(question, lang, history) == want


def test_a_share_of_the_tranche_asked_after_a_plan_is_the_plans_rijk_contribution() -> None:
    """"En hoeveel procent van de tranche zou onze bijdrage dan zijn?" after a plan (session 15): a part of the
    tranche is what the Rijk pays, here the plan's Rijk contribution from the conversation."""
    history = [
        {"role": "user", "content": "Mag een plan met 30 miljoen van het Rijk en 35 miljoen eigen geld?"},
        {"role": "assistant", "content": "Ja: het totaal is € 65 miljoen en het Rijk betaalt 46,2%, onder de grens van 50%."},
    ]
    assert _schema("En hoeveel procent van de tranche zou onze bijdrage dan zijn?", "nl", history) == {
        "op": "share", "rijk": 30, "tranche": 200}


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Volgens de Kamerbrief krijgt elke deal maximaal 55 miljoen. Hoeveel deals passen er in de tranche?"),
        ("en", "The Kamerbrief says that the tranche is 250 million; how many deals of the maximum size fit?"),
        # a premise about a figure the documents set, other than theirs
        ("nl", "Aangezien de Regio Envelop 2 miljard euro bedraagt, hoeveel deals van 40 miljoen kan die betalen?"),
        ("en", "Now that the tranche is 350 million, how many maximum-size deals fit in it?"),
    ],
)
def test_a_figure_put_in_a_documents_mouth_that_it_does_not_state_is_left_to_the_documents(lang: str, question: str) -> None:
    """Session 15: a figure attributed to a document that no rule or document states is a claim for the
    documents to correct, not an input to compute with, even when a later sentence asks for a computation."""
    assert parse_request(question, lang) is None


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("Volgens de Kamerbrief is de tranche 200 miljoen. Hoeveel deals van 40 miljoen passen erin?", 200),  # what it states
        ("Stel dat de tranche volgens een nieuwe brief 300 miljoen is, hoeveel deals van 40 miljoen passen erin?", 300),  # a what-if
        ("Bij een tranche van 300 miljoen, hoeveel deals van 40 miljoen passen erin?", 300),  # a scenario, no premise
    ],
)
def test_an_attributed_figure_the_documents_state_or_a_what_if_is_still_computed(question: str, want: int) -> None:
    assert _schema(question) == {"op": "deals_per_tranche", "tranche": want}


@pytest.mark.parametrize(
    "question",
    ["Hoeveel is de provincie van plan zelf minimaal in te leggen?", "How much does the province plan to contribute itself, at least?"],
)
def test_what_a_party_intends_to_put_in_is_for_the_documents(question: str, ablate: Callable[[str], None]) -> None:
    # an intention is what the proposal states (its own figure), not the co-financing rule the calculator explains
    assert parse_question(question, "en" if question.startswith("How") else "nl") is None
    ablate("calc_intention")
    assert parse_question(question, "en" if question.startswith("How") else "nl") is not None


def test_what_a_party_must_put_in_is_still_the_rule() -> None:
    req = parse_question("Hoeveel moet de provincie minimaal zelf inleggen?", "nl")
    assert req is not None and req.operation == "rules" and "cofinancing_rule" in req.asks


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Is het waar dat de partners de komende vier jaar minstens 80 miljoen euro in de regio willen steken?"),
        ("en", "Is it true that the partners want to put at least 80 million euros into the region over four years?"),
    ],
)
def test_a_yes_no_check_of_figures_the_documents_state_is_for_the_documents(
    lang: str, question: str, ablate: Callable[[str], None]
) -> None:
    """Session 20: "minstens"/"at most" inside a claim the documents state is part of the claim, not a request to
    compute a minimum or maximum; the documents confirm or correct it. Without the check it was computed."""
    assert parse_question(question, lang) is None
    ablate("claim_check")
    assert parse_question(question, lang) is not None


@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("Klopt het dat we met 30 miljoen eigen geld maximaal 30 miljoen van het Rijk kunnen krijgen?", "plan_check"),  # the user's own figures
        ("Klopt het dat we, als we 80 miljoen inleggen, hooguit 40 miljoen krijgen?", None),  # a what-if: computed
    ],
)
def test_a_yes_no_check_of_the_users_own_plan_is_still_computed(question: str, op: str | None) -> None:
    req = parse_question(question, "nl")
    assert req is not None and (op is None or req.operation == op), req


# Session 21's parser mechanisms, each in words of its own (not those of the item that revealed it).
SESSION21 = [
    # any inflection of a verb that changes a figure, before its target word ("naar", "to") or, in Dutch verb-final
    # order, after it: the figure is a what-if's new figure
    ("nl", "Ons plan: 15 miljoen van het Rijk en 20 miljoen eigen geld. Wat als we de cofinanciering bijstellen naar 12 miljoen?",
     {"op": "what_if", "rijk": 15, "cofinancing": 20, "replace": {"cofinancing": 12}}),
    ("nl", "Het Rijk geeft 12 miljoen en de regio 16 miljoen. Klopt het nog als we de regiobijdrage naar 10 miljoen verlagen?",
     {"op": "what_if", "rijk": 12, "cofinancing": 16, "replace": {"cofinancing": 10}}),
    ("en", "We planned €10m from the Rijk and €15m of our own. If we trim our share to €8m, does it still work?",
     {"op": "what_if", "rijk": 10, "cofinancing": 15, "replace": {"cofinancing": 8}}),
    # ... and without one, the plan as stated
    ("nl", "Het Rijk geeft 12 miljoen en de regio 30 miljoen. Mag dat?", {"op": "plan_check", "rijk": 12, "cofinancing": 30}),
    # the least co-financing for a rule's amount named as the contribution
    ("en", "What is the smallest co-financing needed to get the maximum contribution from the Regio Envelop?",
     {"op": "min_cofinancing", "rijk": 40}),
    # a figure no larger than the largest contribution, beside a larger tranche or named as awarded, is a deal's money;
    # a small tranche stated as a hypothesis stays a tranche
    ("nl", "Van de 200 miljoen van deze tranche gaat 22 miljoen naar Twente. Hoeveel resteert er dan?",
     {"op": "tranche_remainder", "tranche": 200, "rijk": 22}),
    ("en", "Out of the tranche, €33m has already been awarded to one deal. What is left?",
     {"op": "tranche_remainder", "tranche": 200, "rijk": 33}),
    ("nl", "Stel dat de tranche maar 30 miljoen is. Hoeveel maximale deals passen erin?", {"op": "deals_per_tranche", "tranche": 30}),
    # "een ton", "a ton": spoken Dutch for € 100.000, in words as in figures ("2,5 ton")
    ("nl", "Kan een buurtvereniging met anderhalve ton eigen geld 6 miljoen van het Rijk krijgen?",
     {"op": "plan_check", "rijk": 6, "cofinancing": 0.15}),
    ("en", "Our foundation puts in a ton and asks the Rijk for 7 million. Is that allowed?", {"op": "plan_check", "rijk": 7, "cofinancing": 0.1}),
    # two payers with the same figure are two amounts, not the same money named twice
    ("nl", "Het Rijk 9 miljoen en de regio 9 miljoen: past dat binnen de regels?", {"op": "plan_check", "rijk": 9, "cofinancing": 9}),
    # a partitive before the counted deals ("three of those ...") still counts them; instalments a year are years
    ("en", "Suppose three of those maximum deals get approved. How much of the tranche is left?",
     {"op": "tranche_remainder", "rijk": 40, "count": 3, "tranche": 200}),
    ("nl", "Het Rijk geeft ons € 9 mln, uitbetaald in vier jaarlijkse termijnen. Hoeveel is dat per jaar?", {"op": "per_year", "rijk": 9}),
]


@pytest.mark.parametrize(("lang", "question", "want"), SESSION21)
def test_session_21_parser_mechanisms(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_annual_instalments_are_the_years() -> None:
    req = parse_request("Het Rijk geeft ons € 9 mln, uitbetaald in vier jaarlijkse termijnen. Hoeveel is dat per jaar?", "nl")
    assert req is not None and req.years == 4


def test_a_figure_read_as_a_tranche_or_a_contribution_is_asked_about_not_a_crash() -> None:
    with pytest.raises(Clarify):
        parse_request("Stel dat er uit deze tranche al € 150 mln aan deals is toegezegd. Hoeveel deals passen er nog bij?", "nl")


@pytest.mark.parametrize(
    "question",
    ["Hoeveel extra banen heeft die investering van € 60 miljoen opgeleverd?", "How many new homes did the €12 million fund pay for?"],
)
def test_a_count_of_things_after_an_adjective_is_for_the_documents(question: str) -> None:
    from rag.calculator.for_documents import asks_a_count_of_things
    from rag.calculator.lexicon import tokenize

    assert asks_a_count_of_things(tokenize(question, []))
    assert not asks_a_count_of_things(tokenize("Hoeveel maximale deals passen in de tranche?", []))


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "Onze gemeenten zeggen dat ze samen 45 miljoen willen inleggen. Hoeveel mag het Rijk dan hoogstens geven?", {"op": "max_rijk", "cofinancing": 45}),
        ("nl", "Ik las dat de provincie over drie jaar 36 miljoen wil bijdragen. Hoeveel is dat per jaar?", {"op": "per_year", "cofinancing": 36}),
        ("en", "The report says our partners want to put in 28 million. How much may the Rijk give at most?", {"op": "max_rijk", "cofinancing": 28}),
    ],
)
def test_a_modal_before_a_giving_verb_is_no_wish_for_rijk_money(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_a_wish_for_an_amount_is_still_the_rijks() -> None:
    assert _schema("De regio wil 25 miljoen; de gemeenten leggen zelf 30 miljoen in. Mag dat?") == {"op": "plan_check", "rijk": 25, "cofinancing": 30}


@pytest.mark.parametrize(
    ("lang", "question", "count"),
    [
        ("nl", "Uit de tranche is al drie keer 35 miljoen vergeven. Hoeveel is er nog over?", 3),
        ("nl", "Er is twee maal € 30 mln toegekend uit de tranche van 200 miljoen. Wat blijft er over?", 2),
        ("en", "Five times 20 million has been granted from the tranche. What remains?", 5),
    ],
)
def test_a_number_times_an_amount_counts_deals_of_that_amount(lang: str, question: str, count: int) -> None:
    got = _schema(question, lang)
    assert got["op"] == "tranche_remainder" and got["count"] == count


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "Hoeveel procent van de 200 miljoen uit de Regio Envelop is een rijksbijdrage van 16 miljoen uit de envelop?", {"op": "share", "tranche": 200, "rijk": 16}),
        ("en", "Our 12 million from the Regio Envelop: what fraction of the envelope's 950 million is that?", {"op": "share", "envelope": 950, "rijk": 12}),
    ],
)
def test_of_two_amounts_from_the_envelope_the_documents_whole_is_the_whole(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


_TIE = """
from decimal import Decimal
from rag.calculator.reading import Amount, Reading, _link
old = Amount(Decimal(20), 0, "20", role="cofinancing", scores={"cofinancing": 1.0})
new = Amount(Decimal(30), 2, "30", role="rijk", scores={"rijk": 1.0})
r = Reading(items=[], amounts=[new, old])
_link(r, 0, 1)
print(new.role, old.role)
"""


def test_a_what_if_pair_whose_cues_tie_takes_the_replaced_figures_role_in_every_process() -> None:
    """Session 25: the role of a what-if pair was the first of a set's roles on a tie, so the same question got another
    role in another process (Python hashes strings with a per-process seed). Now the replaced figure's role wins."""
    import os
    import subprocess
    import sys

    seen = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        out = subprocess.run([sys.executable, "-c", _TIE], env=env, capture_output=True, text=True, check=True)
        seen.add(out.stdout.strip())
    assert seen == {"cofinancing cofinancing"}


@pytest.mark.parametrize(
    ("lang", "text", "want"),
    [
        # the subject of a passive asking verb is the one asked: the Rijk gives, whatever the amount's noun
        ("nl", "Aan de kant van het Rijk: het Rijk wordt gevraagd om kennis, ruimte in de regels en een investering van 25 miljoen euro.", {"rijk": 25}),
        ("nl", "Wij vragen het Rijk een investering van € 18 mln in onze regio.", {"rijk": 18}),
        ("en", "The national government is asked for an investment of €22m in the region.", {"rijk": 22}),
        # the verb asks for the amount before it; the next amount is someone else's
        ("nl", "De gemeenten willen € 14 mln aanvragen bij de Regio Envelop en zelf € 20 mln investeren.", {"rijk": 14, "cofinancing": 20}),
    ],
)
def test_money_asked_of_the_rijk_is_the_rijks_whatever_its_noun(lang: str, text: str, want: dict[str, int]) -> None:
    from rag.calculator.reading import read

    assert {k: float(v) for k, v in read(text, lang).stated().items()} == want


@pytest.mark.parametrize(
    ("lang", "history", "question", "want"),
    [
        (
            "nl",
            [{"role": "user", "content": "Welk bedrag wil de regio Twente van het Rijk?"},
             {"role": "assistant", "content": "De regio vraagt het Rijk om 30 miljoen euro bij te dragen."}],
            "Is dat wel toegestaan volgens de spelregels?",
            {"op": "min_cofinancing", "rijk": 30},
        ),
        (
            "en",
            [{"role": "user", "content": "What does the plan ask from The Hague, and what do the partners put in?"},
             {"role": "assistant", "content": "The Rijk is asked for €25 million; the partners invest €35 million themselves."}],
            "Does that comply with the minister's limits?",
            {"op": "plan_check", "rijk": 25, "cofinancing": 35},
        ),
    ],
)
def test_a_verdict_asked_on_the_conversations_figures_checks_them(
    lang: str, history: list[dict[str, str]], question: str, want: dict[str, Any]
) -> None:
    """Session 26: "is that allowed?" after an answer that states what the Rijk is asked for checks that figure
    (and the co-financing the conversation stated) against the rules; before, the question had no figure and went to
    the documents, which answered with the envelope's size."""
    assert _schema(question, lang, history) == want


def test_a_permission_question_without_a_figure_in_the_conversation_is_no_calculation() -> None:
    history = [{"role": "user", "content": "Wie ondertekent de brief?"}, {"role": "assistant", "content": "Het college van Gedeputeerde Staten."}]
    assert parse_request("Mag dat zomaar volgens de regels?", "nl", history) is None


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "Five councils each bring 4 million. Is that enough under the rules?"),
        ("nl", "Hoeveel procent is 9 miljoen?"),
        ("nl", "Bij ons gaat het om 35 tegen 25 miljoen, maar wie wat betaalt is nog onduidelijk. Kan dat?"),
    ],
)
def test_own_figures_no_operation_settles_are_asked_about(lang: str, question: str, ablate: Callable[[str], None]) -> None:
    """Figures of the user's own with a verdict or a computation asked and no operation that fits: the
    documents cannot answer with them, so the assistant asks whose money they are (``calc_unsettled``)."""
    with pytest.raises(Clarify):
        parse_request(question, lang)
    ablate("calc_unsettled")
    assert parse_request(question, lang) is None


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Volgens de two-pager raamde de commissie de kosten op € 70 miljoen. Klopt dat?"),
        ("nl", "De tranche is toch € 350 miljoen? Welk deel daarvan gaat naar Drenthe?"),
    ],
)
def test_figures_the_documents_speak_of_stay_with_the_documents(lang: str, question: str) -> None:
    """A figure put in a document's mouth or given as the tranche's is for the documents to confirm or correct."""
    assert parse_request(question, lang) is None


def test_a_figure_pointed_back_at_is_the_conversations_money() -> None:
    """"those 22 million" after a plan with € 22 million from the Rijk is the Rijk's money, even beside the
    word "co-financing" (``calc_pointed_figure``)."""
    history = [
        {"role": "user", "content": "Is EUR 22m from the Rijk with EUR 30m regional co-financing within the rules?"},
        {"role": "assistant", "content": "Yes. The total is € 52 million and the Rijk's share is 42.3%, within the 50% maximum."},
    ]
    assert _schema("And what is the smallest co-financing those 22 million would need?", "en", history) == {"op": "min_cofinancing", "rijk": 22}


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Wij krijgen 7 miljoen uit de Regio Envelop. Hoe groot moet het hele plan dan minstens zijn?"),
        ("nl", "Er komt 7 miljoen uit de envelop. Wat is dan de ondergrens voor het hele plan?"),
    ],
)
def test_the_whole_plan_is_the_total(lang: str, question: str) -> None:
    """"het hele plan" names the total budget (lexicon data)."""
    assert _schema(question, lang) == {"op": "min_total", "rijk": 7}


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Wie bepaalde dat een deal tussen € 5 miljoen en € 40 miljoen krijgt?"),
        ("nl", "Via welke regeling komt de bijdrage van 5 tot 40 miljoen bij de regio terecht?"),
        ("en", "Which minister wrote the letter with the €5 million to €40 million band per deal?"),
    ],
)
def test_the_rules_range_in_a_question_about_the_documents_is_no_calculation(lang: str, question: str) -> None:
    """The Kamerbrief's bounds per deal, both named, in a who/which/via-which question name the rule: the documents
    answer, no clarifying question about "5 tot 40 miljoen" and no plan of 5 and 40 (``calc_rules_range``)."""
    assert parse_request(question, lang) is None


def test_a_range_of_the_users_own_is_still_asked_about() -> None:
    with pytest.raises(Clarify):
        parse_request("Via welke regeling kan ik 10 tot 20 miljoen aanvragen?", "nl")


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("nl", "Wij vragen het Rijk 26 miljoen en brengen zelf 40 miljoen in. Wat als onze inbreng met 12 miljoen daalt?",
         {"op": "what_if", "rijk": 26, "cofinancing": 40, "replace": {"cofinancing": 28}}),
        ("nl", "Wij vragen het Rijk 12 miljoen en leggen zelf 15 miljoen in. Stel dat onze eigen inbreng met 4 miljoen stijgt, mag dat dan?",
         {"op": "what_if", "rijk": 12, "cofinancing": 15, "replace": {"cofinancing": 19}}),
        ("en", "We ask the Rijk for €18m and put in €24m ourselves. What if our part is cut by €7m?",
         {"op": "what_if", "rijk": 18, "cofinancing": 24, "replace": {"cofinancing": 17}}),
        ("en", "Rijk €10m, co-financing €15m. Suppose the Rijk contribution goes up by €6m: still fine?",
         {"op": "what_if", "rijk": 10, "cofinancing": 15, "replace": {"rijk": 16}}),
    ],
)
def test_a_what_if_figure_said_to_be_a_change_changes_the_figure_it_replaces(lang: str, question: str, want: dict[str, Any]) -> None:
    """"met 12 miljoen daalt", "cut by €7m": the new figure is the old one less (or more) that much, not that much."""
    assert _schema(question, lang) == want


def test_a_what_if_figure_it_falls_to_is_the_new_figure() -> None:
    got = _schema("Wij vragen het Rijk 26 miljoen en brengen zelf 40 miljoen in. Wat als onze inbreng naar 12 miljoen daalt?")
    assert got["replace"] == {"cofinancing": 12}


def test_the_change_reading_is_switched_off_by_its_ablation(ablate: Callable[[str], None]) -> None:
    ablate("calc_delta")
    got = _schema("We ask the Rijk for €18m and put in €24m ourselves. What if our part is cut by €7m?", "en")
    assert got["replace"] == {"cofinancing": 7}


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "De huidige tranche bedraagt 320 miljoen euro, dus hoeveel deals van het maximum kunnen eruit?"),
        ("en", "This tranche holds €450 million; how many minimum-size deals does that pay for?"),
        ("nl", "Voor deze tranche is 280 miljoen beschikbaar. Hoeveel deals van 40 miljoen passen daarin?"),
        ("en", "The Regio Envelop is €1.4 billion. How much is that per year?"),
    ],
)
def test_a_figure_stated_for_the_documents_own_tranche_or_envelope_is_left_to_the_documents(lang: str, question: str) -> None:
    """Without a condition, a tranche or envelope figure said of the documents' own ("this tranche", "de huidige
    tranche", "the Regio Envelop") other than theirs is a claim to correct, not an input (``calc_document_premise``)."""
    assert parse_request(question, lang) is None


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("Hoeveel deals van 40 miljoen passen er in een tranche van 320 miljoen?", 320),  # another tranche
        ("If the second round holds €450 million, how many deals at the cap fit?", 450),  # a condition
        ("De volgende tranche is 280 miljoen. Hoeveel deals van 40 miljoen passen daarin?", 280),  # the next one
        ("De huidige tranche is 200 miljoen. Hoeveel deals van 40 miljoen passen daarin?", 200),  # the documents' own figure
    ],
)
def test_a_tranche_of_the_users_scenario_or_the_documents_figure_is_still_computed(question: str, want: int) -> None:
    assert _schema(question, "en" if question.startswith("If") else "nl") == {"op": "deals_per_tranche", "tranche": want}


def test_the_document_figure_premise_is_switched_off_by_its_ablation(ablate: Callable[[str], None]) -> None:
    ablate("calc_document_premise")
    assert _schema("De huidige tranche bedraagt 320 miljoen euro, dus hoeveel deals van het maximum kunnen eruit?") == {
        "op": "deals_per_tranche", "tranche": 320}


@pytest.mark.parametrize(("lang", "question"), [
    ("en", "Does a split of 9 million and 16 million work?"),
    ("nl", "Wat doen 11 miljoen en 19 miljoen met de 50%-regel?"),
])
def test_a_verdict_asked_on_two_figures_of_no_role_is_not_their_comparison(lang: str, question: str) -> None:
    """Two figures whose roles the words leave open and a question whether they pass: whose figure is which is asked,
    not their difference computed (the operation probe leans to a comparison for any two figures)."""
    with pytest.raises(Clarify):
        parse_request(question, lang)


@pytest.mark.parametrize(("lang", "question", "pair"), [
    ("en", "How much higher is 19 million than 11 million, in percent?", (11, 19)),
    ("en", "What is the gap between 14 million and 22 million?", (14, 22)),
    ("nl", "Hoe groot is het gat tussen 14 miljoen en 22 miljoen?", (14, 22)),
])
def test_two_figures_asked_to_be_compared_are_compared(lang: str, question: str, pair: tuple[int, int]) -> None:
    req = parse_request(question, lang)
    assert req is not None and req.operation == "difference"
    assert {req.roles["before"], req.roles["after"]} == {Decimal(pair[0]), Decimal(pair[1])}


@pytest.mark.parametrize(("lang", "first", "question", "pair"), [
    ("nl", "Onze begroting was eerst 75 miljoen in totaal.", "Het totaal is inmiddels 90 miljoen geworden. Hoeveel procent meer is dat?", (75, 90)),
    ("en", "We ask 15 million from the Rijk with 24 million co-financing. Allowed?",
     "The region can now put in 30 million. By what percentage is that an increase?", (24, 30)),
])
def test_a_new_figure_for_a_plan_figure_of_the_conversation_is_compared_with_it(
    lang: str, first: str, question: str, pair: tuple[int, int], ablate: Callable[[str], None]
) -> None:
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": "..."}]
    assert _schema(question, lang, history) == {"op": "difference", "before": pair[0], "after": pair[1]}
    try:  # nothing to compare with: no difference is made up (asking whose money it is will do)
        alone = parse_request(question, lang)
    except Clarify:
        alone = None
    assert alone is None or alone.operation != "difference"
    ablate("calc_renewed_figure")
    req = parse_request(question, lang, history)
    assert req is None or req.roles != {"before": Decimal(pair[0]), "after": Decimal(pair[1])}
