"""A follow-up read against the previous answer's units: a position word picks the item of the list the
previous answer showed (counted, not matched by words). Synthetic units, no models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.previous_answer import anchor_units, asked_position, list_items, point, previous_turn
from rag.question_index import UnitRecord
from rag.retrieval_units import UnitCandidate, UnitEvidence

# a council memo: a sentence, a list of four measures (lead-in + items), a sentence after it
TEXT = (
    "De gemeente wil de binnenstad autoluw maken. Het college stelt vier maatregelen voor: "
    "venstertijden voor bevoorrading; een parkeergarage aan de rand; gratis pendelbussen; meer fietsenstallingen. "
    "De maatregelen gaan in op 1 mei."
)


def _u(uid: str, kind: str, text: str, order: int, context: str = "") -> UnitRecord:
    start = TEXT.index(text) if kind != "list" else TEXT.index("venstertijden")
    end = start + len(text) if kind != "list" else TEXT.index("stallingen.") + len("stallingen.")
    cs = TEXT.index(context) if context else -1
    return UnitRecord(uid, "memo", kind, "Verkeer", text, context, start, end, cs, cs + len(context) if context else -1, order)


LEAD = "Het college stelt vier maatregelen voor:"
S1 = _u("m-1", "sentence", "De gemeente wil de binnenstad autoluw maken.", 1)
LIST = _u("m-2", "list", "venstertijden voor bevoorrading; een parkeergarage aan de rand; gratis pendelbussen; meer fietsenstallingen.", 2, LEAD)
ITEMS = [
    _u("m-3", "list_item", "venstertijden voor bevoorrading;", 3, LEAD),
    _u("m-4", "list_item", "een parkeergarage aan de rand;", 4, LEAD),
    _u("m-5", "list_item", "gratis pendelbussen;", 5, LEAD),
    _u("m-6", "list_item", "meer fietsenstallingen.", 6, LEAD),
]
S2 = _u("m-7", "sentence", "De maatregelen gaan in op 1 mei.", 7)
ALL = [S1, LIST, *ITEMS, S2]
QUESTIONS = {"m-2": ["Welke maatregelen stelt het college voor?", "Which measures does the council propose?"]}


@dataclass
class _Index:
    def units_of(self, doc_id: str) -> list[UnitRecord]:
        return list(ALL)

    def questions_of(self, unit_id: str) -> list[str]:
        return QUESTIONS.get(unit_id, [])


@dataclass
class _Units:
    """Stands in for the unit retriever: its search ranks ``ranking`` (the previous turn's best units)."""

    ranking: list[UnitRecord]
    qindex: _Index = field(default_factory=_Index)
    queries: list[str] = field(default_factory=list)

    def search(self, query: str, vec: Any, passages: list[Any], doc_ids: Any, gaps: bool = True,
               undescribe: bool = True) -> UnitEvidence:
        self.queries.append(query)
        return UnitEvidence(query, [UnitCandidate(u, 1.0 / (i + 1), None) for i, u in enumerate(self.ranking)])


def _history(answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": "Wat wil het college doen aan het verkeer?"}, {"role": "assistant", "content": answer}]


def test_position_words_are_counted_in_dutch_and_english() -> None:
    measures = {"maatregel", "measur"}
    assert asked_position("En wat houdt de derde in?", measures)[0] == 3
    assert asked_position("Tell me about the second one", measures)[0] == 2
    assert asked_position("Wat is nummer 4 precies?", measures)[0] == 4
    assert asked_position("en de laatste maatregel?", measures)[0] == -1
    assert asked_position("What about measure 2?", measures)[0] == 2


def test_an_ordinal_before_another_subject_is_no_list_position() -> None:
    # "de eerste bewoners" names a subject of its own, not an item of the list of measures
    assert asked_position("Wanneer kwamen de eerste bewoners?", {"maatregel"}) is None
    # a bare amount is not a position
    assert asked_position("Kost dat 4 miljoen?", {"maatregel"}) is None


def test_a_list_item_belongs_to_its_list_and_items_come_in_document_order() -> None:
    lst, items = list_items(ITEMS[2], ALL)
    assert lst == LIST and items == ITEMS
    assert list_items(S1, ALL) == (None, [])


def test_the_previous_answers_verbatim_quote_comes_first_among_its_units() -> None:
    units = _Units([S2, ITEMS[1]])
    found = anchor_units(_history("Volgens de nota: «een parkeergarage aan de rand;» [1]"), units, lambda q: None)
    assert found[0] == ITEMS[1]
    assert "Wat wil het college doen" in units.queries[0]


def test_a_position_picks_the_item_of_the_list_the_previous_answer_showed() -> None:
    units = _Units([LIST, S1])
    anchors = anchor_units(_history("Vier: venstertijden, een parkeergarage, pendelbussen en fietsenstallingen."), units, lambda q: None)
    p = point("Wat houdt de derde precies in?", anchors, units)
    assert p is not None and p.item == ITEMS[2] and p.about_item
    last = point("And the last one?", anchors, units)
    assert last is not None and last.item == ITEMS[3]
    # a position past the end of the list, or a question with a subject of its own, is not answered by the item
    assert point("En nummer 9?", anchors, units) is None
    other = point("Hoeveel kost de tweede maatregel per jaar aan onderhoud?", anchors, units)
    assert other is not None and other.item == ITEMS[1] and not other.about_item


def test_asking_to_explain_an_item_further_is_about_the_item() -> None:
    """Session 25: "verder", "toelichten", "elaborate", "could" ask what the item says; they are no subject of their own."""
    units = _Units([LIST, S1])
    anchors = anchor_units(_history("Vier: venstertijden, een parkeergarage, pendelbussen en fietsenstallingen."), units, lambda q: None)
    for question, item in (("Kun je de tweede wat verder toelichten?", ITEMS[1]), ("Could you elaborate on the fourth one?", ITEMS[3])):
        p = point(question, anchors, units)
        assert p is not None and p.item == item and p.about_item, question


def test_without_a_list_among_the_previous_units_there_is_no_pointer() -> None:
    units = _Units([S1, S2])
    assert point("En de tweede?", anchor_units(_history("Autoluw maken."), units, lambda q: None), units) is None
    assert previous_turn([{"role": "user", "content": "x"}]) is None


def test_only_a_question_with_an_ordinal_or_a_number_may_ask_a_position() -> None:
    from rag.previous_answer import has_position_word

    assert has_position_word("En wat betekent de vierde?") and has_position_word("What about point 2?")
    assert has_position_word("Kun je punt drie toelichten?")
    assert not has_position_word("Wat bedoelen ze daarmee?") and not has_position_word("Why is that?")


def test_an_answer_s_own_enumeration_is_split_into_its_items() -> None:
    from rag.previous_answer import prose_items

    assert prose_items("Er zijn drie thema's: scholing, mobiliteit en zorg [1].") == ["scholing", "mobiliteit", "zorg"]
    assert prose_items("Top 3: 1. bakkers, 2. loodgieters (ook installateurs), 3. koks.") == [
        "bakkers", "loodgieters (ook installateurs)", "koks"]
    # a separator inside brackets does not split an item
    assert prose_items("It names Alpha (with Beta and Gamma) and Delta.") == ["It names Alpha (with Beta and Gamma)", "Delta"]
    assert prose_items("- eerste regel\n- tweede regel\n") == ["eerste regel", "tweede regel"]
    assert prose_items("Dat staat er niet in.") == []


def test_a_position_word_picks_an_item_of_the_answer_s_enumeration_and_is_no_subject() -> None:
    from rag.previous_answer import prose_item

    said = "Er zijn drie thema's: scholing, mobiliteit en zorg."
    assert prose_item("En wat staat er bij de tweede?", said) == ("mobiliteit", "En wat staat er bij de")
    assert prose_item("and the last one?", said)[0] == "zorg"
    assert prose_item("Wat is nummer 7?", said) is None  # the enumeration is shorter
    assert prose_item("Wat kost dat?", said) is None  # no position word


def test_a_number_word_after_a_word_of_the_answer_is_no_position() -> None:
    from rag.previous_answer import prose_item

    said = "Vier windstreken: noord, oost, zuid en west."
    assert prose_item("which towns are in the west one?", said) is None  # "one" is a number, "west" no list noun
    assert prose_item("and the third one?", said) == ("zuid", "and the")


def test_a_list_the_answer_names_is_shown_and_one_it_does_not_name_is_not() -> None:
    from rag.previous_answer import shows_list

    assert shows_list("Het college wil venstertijden en een parkeergarage.", ITEMS)
    # only a word every item shares, or none of their words: not the list the answer showed
    assert not shows_list("De bewoners Nel en Henk komen aan het woord.", ITEMS)


def test_the_first_enumeration_of_an_answer_is_its_list_and_a_generic_word_may_follow_the_position() -> None:
    from rag.previous_answer import prose_item

    said = "Er zijn drie thema's: scholing, mobiliteit en zorg. Daarnaast noemt het stuk energie, water, natuur en wonen."
    assert prose_item("Wat gebeurt er bij de laatste concreet?", said) == ("zorg", "Wat gebeurt er bij de")


def test_a_superlative_or_a_bracketed_number_picks_the_item_by_the_number_it_carries() -> None:
    """Session 26: "wat zegt de jongste van hen?" after an answer that names people with their ages picks one by its
    number, as an ordinal picks one by its place; before, no item was picked and the whole section was searched."""
    from rag.previous_answer import chosen_by_number, prose_item

    said = "Drie sprekers: Piet (34), Joke (61) en Anouk (19)."
    assert prose_item("En wat vindt de jongste daarvan?", said) == ("Anouk (19)", "En wat vindt de daarvan?")
    assert prose_item("what did the eldest one say?", said)[0] == "Joke (61)"  # type: ignore[index]
    assert prose_item("And the 34-year-old?", said)[0] == "Piet (34)"  # type: ignore[index]
    # only a number in brackets names an item; an amount or a year in the question picks nothing
    assert chosen_by_number("Is 40 genoeg?", ["subsidie 40 miljoen", "eigen geld 60 miljoen"]) is None
    assert chosen_by_number("welke is de grootste?", ["Noord 1200 woningen", "Oost 800 woningen", "Zuid 450 woningen"]) == (1, {"grootste"})
    # a tie, or one number only: no pick
    assert chosen_by_number("de oudste?", ["Piet (34)", "Kees (34)"]) is None
    assert chosen_by_number("de oudste?", ["Piet (34)", "Kees"]) is None


def test_a_year_or_an_amount_is_no_reason_to_read_the_previous_answer() -> None:
    """A number larger than a list position counts only when the previous turn names an item by it in brackets: the
    previous answer's units are searched for "the 81-year-old" after "Nel (81)", not for every year or amount."""
    from rag.previous_answer import has_position_word

    assert not has_position_word("En wat gebeurde er in 2019?", "Het voorstel is op 30 augustus 2018 ingediend.")
    assert not has_position_word("Is 40 miljoen genoeg?", "De regio vraagt € 40 miljoen.")
    assert has_position_word("And the 81-year-old?", "Six: Nel (81), Henk (56) and Alie (86).")
