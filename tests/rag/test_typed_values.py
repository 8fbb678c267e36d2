"""Typed values of a text and those the documents never state (the typed false-premise check). Wordings
are made up for these tests, none is an evaluation item."""

from __future__ import annotations

from decimal import Decimal

from rag.router import HYPOTHETICAL
from rag.typed_values import clause_of, holds_kind, known_values, typed_values, unknown_values

DOCS = [
    "Het fonds bedraagt € 300 miljoen voor de jaren 2019 tot en met 2023. Aanmelden kan tot 15 maart 2019.",
    "Het Rijk draagt maximaal 40% bij. De raad vergadert op 4 juni. In 2030 moet het klaar zijn.",
]


def test_each_kind_is_read_with_its_value() -> None:
    got = {(v.kind, v.value) for v in typed_values("Krijgt Assen op 3 april 2020 twee miljoen euro, of 25%?")}
    assert ("date", (3, 4)) in got
    assert ("year", 2020) in got
    assert ("amount", Decimal(2_000_000)) in got
    assert ("pct", 25.0) in got


def test_a_year_inside_an_amount_or_a_count_is_no_year() -> None:
    assert not [v for v in typed_values("Het kost € 2019 per persoon") if v.kind == "year"]


def test_known_values_fill_a_written_span_of_years_but_not_two_years_apart_in_a_sentence() -> None:
    known = known_values([*DOCS, "In 2010 woonden er 500 mensen, in 2050 nog 400."])
    assert {2019, 2020, 2021, 2022, 2023} <= known["year"]
    assert 2030 in known["year"]
    assert 2035 not in known["year"]  # 2010 and 2050 are not a span: figures stand between them
    assert (15, 3) in known["date"]
    assert Decimal(300_000_000) in known["amount"]


def test_a_stated_value_no_document_states_is_unknown() -> None:
    known = known_values(DOCS)
    found = unknown_values("De raad vergadert toch op 5 juni?", known, hypothetical=HYPOTHETICAL)
    assert [(v.kind, v.value) for v in found] == [("date", (5, 6))]
    assert [v.kind for v in unknown_values("Is het fonds 500 miljoen euro groot?", known)] == ["amount"]
    assert [v.kind for v in unknown_values("Draagt het Rijk 65% bij?", known)] == ["pct"]
    assert [v.value for v in unknown_values("Wat gebeurt er in 2041?", known)] == [2041]


def test_values_the_documents_state_are_not_unknown() -> None:
    known = known_values(DOCS)
    assert unknown_values("Wat gebeurt er op 4 juni met het fonds van 300 miljoen euro?", known) == []
    assert unknown_values("Hoeveel is er in 2021 beschikbaar?", known) == []  # inside 2019 tot en met 2023


def test_a_value_in_a_what_if_clause_is_an_input_not_a_claim() -> None:
    known = known_values(DOCS)
    assert unknown_values("Als wij 55% bijdragen, hoeveel krijgen we dan?", known, hypothetical=HYPOTHETICAL) == []
    # the claim in its own clause is still checked when a what-if follows
    found = unknown_values("Het Rijk betaalt 90%. Wat houden we over als we 10 miljoen euro krijgen?", known,
                           kinds=("pct",), hypothetical=HYPOTHETICAL)
    assert [v.value for v in found] == [90.0]


def test_kinds_can_be_limited() -> None:
    known = known_values(DOCS)
    assert unknown_values("Wij hebben 7 miljoen euro; kan dat op 9 mei?", known, kinds=("date",))[0].kind == "date"


def test_clause_and_holds_kind() -> None:
    assert clause_of("Eerst dit, als we 5% geven, dan dat.", 15).strip() == "als we 5% geven"
    assert holds_kind("Tot 15 maart 2019.", "date")
    assert not holds_kind("Tot 15 maart 2019.", "date", other_than=(15, 3))
    assert not holds_kind("Geen bedrag hier.", "amount")


def test_the_magnitude_gap_is_in_orders_of_magnitude_to_the_nearest_value_of_the_kind() -> None:
    from rag.typed_values import TypedValue, magnitude_gap

    stated = [TypedValue("amount", Decimal("40000000"), "€ 40 miljoen"), TypedValue("amount", Decimal("950000000"), "€ 950 miljoen")]
    asked = TypedValue("amount", Decimal("1200000000"), "1,2 miljard")
    assert magnitude_gap(asked, stated) < 0.2  # the 950 million, not the 40
    assert magnitude_gap(TypedValue("amount", Decimal("5000000000"), "5 miljard"), stated[:1]) > 2
    assert magnitude_gap(asked, [TypedValue("year", 2019, "2019")]) == 0.0  # no number of the kind


def test_numbers_of_things_are_a_kind_only_when_asked_for() -> None:
    text = "Op 12 mei 2021 telde de vereniging 1.250 leden en 35 vrijwilligers, met € 80.000 aan contributie en 4 teams."
    assert not [v for v in typed_values(text) if v.kind == "number"]  # the premise checks of the other kinds see none
    got = [(v.kind, v.value) for v in typed_values(text, numbers=True)]
    assert ("number", Decimal(1250)) in got and ("number", Decimal(35)) in got
    # the day of a date, the year, the sum of money and a small count are not numbers of things
    assert [v.value for v in typed_values(text, numbers=True) if v.kind == "number"] == [Decimal(1250), Decimal(35)]


def test_a_passage_stating_no_year_leaves_the_questions_years_out() -> None:
    from rag.typed_values import years_left_out

    question = "Is het voorstel op 30 augustus 2018 ingediend?"
    values = typed_values(question, "nl")
    assert "2018" not in years_left_out(question, values, typed_values("op 30 augustus jl. ingediend", "nl"))
    assert years_left_out(question, values, typed_values("vanaf 8 juni 2018 aanmelden", "nl")) == question
