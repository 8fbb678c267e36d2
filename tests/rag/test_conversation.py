"""A follow-up read with its conversation (rag.conversation): the previous answer's units, their neighbours,
and the item a position word points at. Unit tests over a small made-up document; words unlike any
evaluation item."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rag.conversation import (
    ConversationReader,
    answer_prose,
    enumerated,
    position_of,
    read_conversation,
    without_position,
)
from rag.question_index import UnitRecord

TEXT = (
    "De gemeente stelt drie eisen aan een fietsenstalling: "
    "Overkapt tegen regen en sneeuw; "
    "Verlicht tussen zonsondergang en middernacht; "
    "Binnen vijftig meter van het perron. "
    "De stalling opent in het voorjaar van 2031. "
    "De kosten worden gedeeld met de vervoerder."
)


def _unit(uid: str, kind: str, text: str, order: int, context: str = "") -> UnitRecord:
    start = TEXT.index(text)
    return UnitRecord(uid, "doc", kind, "Stalling", text, context, start, start + len(text), 0, 0, order)


LEAD = "De gemeente stelt drie eisen aan een fietsenstalling:"
ITEMS = ["Overkapt tegen regen en sneeuw;", "Verlicht tussen zonsondergang en middernacht;", "Binnen vijftig meter van het perron."]
LIST_TEXT = TEXT[: TEXT.index(ITEMS[-1]) + len(ITEMS[-1])]
UNITS = [
    _unit("u1", "list", LIST_TEXT, 1),
    *[_unit(f"i{n}", "list_item", t, 1 + n, LEAD) for n, t in enumerate(ITEMS, start=1)],
    _unit("s1", "sentence", "De stalling opent in het voorjaar van 2031.", 5),
    _unit("s2", "sentence", "De kosten worden gedeeld met de vervoerder.", 6),
]


@dataclass
class _Index:
    units: list[UnitRecord]
    _by_doc: dict[str, list[UnitRecord]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_doc = {"doc": self.units}

    def units_of(self, doc_id: str) -> list[UnitRecord]:
        return self._by_doc.get(doc_id, [])

    def unit(self, uid: str) -> UnitRecord | None:
        return next((u for u in self.units if u.unit_id == uid), None)


@dataclass
class _Units:
    qindex: _Index
    nearest: list[str] = field(default_factory=list)

    def ready(self) -> bool:
        return True

    def _one(self, query: str, vec: object, passages: list, doc_ids: object) -> tuple[dict[str, float], dict, dict, dict]:
        return {uid: 1.0 / (1 + r) for r, uid in enumerate(self.nearest)}, {}, {}, {}


@pytest.fixture
def reader() -> ConversationReader:
    return ConversationReader(_Units(_Index(UNITS)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "position"),
    [
        ("En hoe zit het met de tweede?", 2),
        ("wat houdt die laatste in?", -1),
        ("Can you explain the fourth one?", 4),
        ("And the penultimate?", -2),
        ("Wanneer opent de stalling?", None),
    ],
)
def test_position_words_are_read_in_either_language(question: str, position: int | None) -> None:
    assert position_of(question) == position


def test_a_list_answer_quoted_item_by_item_gives_the_items_in_order(reader: ConversationReader) -> None:
    answer = f"De eisen zijn: {ITEMS[1]} [1] en {ITEMS[0]} [2]"
    assert [u.unit_id for u in reader.quoted_units(answer, None)] == ["i2", "i1"]


def test_a_position_word_points_at_the_item_of_the_answers_list(reader: ConversationReader) -> None:
    history = [
        {"role": "user", "content": "Welke eis geldt voor de verlichting?"},
        {"role": "assistant", "content": f"«{ITEMS[1]}» [1]"},
    ]
    conv = read_conversation("En wat zegt de laatste eis?", history, reader)
    assert conv is not None and conv.verbatim
    assert conv.referenced is not None and conv.referenced.unit_id == "i3"
    assert ITEMS[2] in conv.context and "Welke eis" in conv.context


def test_an_answer_in_other_words_finds_its_units_by_meaning(reader: ConversationReader) -> None:
    reader.units.nearest = ["i1", "s2"]  # type: ignore[attr-defined]
    history = [{"role": "user", "content": "Moet een stalling een dak hebben?"}, {"role": "assistant", "content": "Ja, hij moet overdekt zijn."}]
    conv = read_conversation("Welke eis komt daarna?", history, reader, embed=lambda text: None)
    assert conv is not None and not conv.verbatim
    assert [u.unit_id for u in conv.answer_units] == ["i1", "s2"]
    # the item's list siblings first (following, then preceding), its lead-in, then the sentence's neighbours
    assert [u.unit_id for u in conv.neighbours][:3] == ["i2", "i3", "u1"]
    assert "s1" in [u.unit_id for u in conv.neighbours]


def test_a_statements_neighbours_are_the_next_and_previous_statement(reader: ConversationReader) -> None:
    s2 = UNITS[-1]
    assert [u.unit_id for u in reader.neighbours(UNITS[-2])] == ["s2", "u1"]
    assert [u.unit_id for u in reader.neighbours(s2)] == ["s1"]


def test_a_position_word_without_a_list_points_at_what_the_answer_enumerated(reader: ConversationReader) -> None:
    history = [
        {"role": "user", "content": "Wie betalen mee?"},
        {"role": "assistant", "content": "Drie partijen: de gemeente Noord- en Zuidwaarde, de provincie en de vervoerder."},
    ]
    conv = read_conversation("Hoeveel betaalt de tweede?", history, reader)
    assert conv is not None and conv.referenced is None
    assert conv.referenced_text == "de provincie"


def test_enumerations_keep_hyphenated_names_whole() -> None:
    assert enumerated("Two: the plan for Noord- en Zuidwaarde and the annual report.") == [
        "the plan for Noord- en Zuidwaarde", "the annual report"
    ]
    assert enumerated("Eén ding: de stalling.") == []


def test_no_previous_question_means_no_conversation(reader: ConversationReader) -> None:
    assert read_conversation("Wat kost de stalling?", [], reader) is None
    assert read_conversation("Wat kost de stalling?", [{"role": "assistant", "content": "Hallo"}], reader) is None


def test_answer_prose_drops_tables_and_citation_marks() -> None:
    prose = answer_prose("Het is «zo» [1].\n\n| a | b |\n|---|---|\n| Berekening | 1 + 1 |\n\nKlaar.")
    assert "[1]" not in prose and "Berekening" not in prose and "Klaar." in prose


def test_a_resolved_position_word_is_not_searched_for() -> None:
    assert without_position("En wat zegt de tweede, precies?") == "En wat zegt de precies?"
    assert without_position("What about the last one?") == "What about the one?"
    assert without_position("laatste") == "laatste"  # nothing else to search: the question as typed
