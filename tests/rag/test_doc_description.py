"""A question's description of a document ("de brief van GS aan PS over ...") is cut before the question index is
asked (rag/doc_description.py)."""

from __future__ import annotations

from typing import Any

import pytest

from rag.citations import verify
from rag.config import Settings
from rag.doc_description import DocumentDescriber

CARDS = [
    "Titel: Nota van het College van B&W aan de Gemeenteraad: Fietsplan Noordwijk; Datum: 2019-03-01; "
    "Afzender: College van Burgemeester en Wethouders; Geadresseerde: de leden van de Gemeenteraad van Noordwijk; "
    "Onderwerp: Fietsplan Noordwijk",
]
DESCRIBER = DocumentDescriber.build(CARDS, ["nota", "brief", "letter"], ["b&w", "het college", "the council"])


@pytest.mark.parametrize(
    ("question", "reduced"),
    [
        # sender, addressee, subject and date, in any order, with or without articles
        ("Wie ondertekent de nota van het college aan de Gemeenteraad van Noordwijk?", "Wie ondertekent de nota?"),
        ("Wanneer is de nota over het Fietsplan Noordwijk van 1 maart 2019 verstuurd?", "Wanneer is de nota verstuurd?"),
        ("Who wrote the letter to the council about the Fietsplan Noordwijk, and when?", "Who wrote the letter, and when?"),
        # what follows the description stays
        ("Wat vraagt de nota van het college aan de gemeenteraad van Noordwijk over parkeren?", "Wat vraagt de nota over parkeren?"),
    ],
)
def test_the_description_of_a_document_is_cut(question: str, reduced: str) -> None:
    assert DESCRIBER.reduce(question) == reduced


@pytest.mark.parametrize(
    "question",
    [
        "Wat zegt de nota over parkeren?",  # the subject asked: no word of a card
        "Wat zegt de nota over wethouders?",  # one word of a card alone is a subject, not a description
        "Wat zegt de nota over het Fietsplan Noordwijk-Zuid?",  # it runs on into a compound: another plan
        "Wat zegt de nota over het Fietsplan Noordwijk Binnen?",  # or into a name
        "Wie behandelt de nota?",  # nothing to cut
        "Wat zegt het college van B&W over de nota?",  # a description before no document noun
    ],
)
def test_a_subject_is_not_cut(question: str) -> None:
    assert DESCRIBER.reduce(question) is None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "quote"),
    [
        # the words saying which letter are the addressee line's own words: they no longer pull it up
        ("Wie is de behandelend ambtenaar van de brief van GS aan Provinciale Staten over de Regio Deal Zuid- en "
         "Oost-Drenthe?", "Behandeld door"),
        ("To whom is the letter from GS of 5 September 2018 about the Regio Deal actually addressed?",
         "Aan: de voorzitter en leden van Provinciale Staten"),
    ],
)
def test_a_question_about_a_described_document_is_answered_by_its_front_matter(
    assistant: Any, built_settings: Settings, question: str, quote: str
) -> None:
    from rag.assistant import Assistant

    ans = assistant.ask(question)
    assert not ans.refused and ans.answer.split("[1]")[0].count(quote) == 1, ans.answer  # the first quote answers
    assert verify(ans, assistant.store.document) == []
    off = Assistant(built_settings.model_copy(update={"ablate": "doc_description"}))
    assert quote not in off.ask(question).answer.split("[1]")[0]  # the description drowned the question


def test_hypothetical_questions_are_indexed_with_and_without_their_description() -> None:
    from rag.doc_description import with_undescribed

    written = [("nl", "Wie ondertekent de nota van het college?"), ("nl", "Wat kost het fietsplan?"), ("en", "Who signed the letter?")]
    assert with_undescribed(written, DESCRIBER) == [*written, ("nl", "Wie ondertekent de nota?")]
