"""Named things of a kind (rag.entities, corpus/entities.yaml): found on whole words, longest name first, and a
name the answering passage does not give, where it gives others of the same kind, is foreign to it."""

from __future__ import annotations

from rag.entities import Gazetteer, foreign_members, gazetteer

SMALL = Gazetteer(
    {
        "gemeente": [["Emmen"], ["Tynaarlo"], ["Borger-Odoorn", "Borger Odoorn"]],
        "provincie": [["Drenthe", "Drentse"], ["Groningen"]],
        "regio": [["Zuidoost-Drenthe"]],
    },
    unchecked=("regio",),
)


def test_names_are_found_case_insensitively_on_whole_words_with_their_canonical_name() -> None:
    found = SMALL.mentions("Doet borger odoorn mee, en tynaarlo? Niet Emmenaar of Groningenstraat.")
    assert [(m.kind, m.name) for m in found] == [("gemeente", "Borger-Odoorn"), ("gemeente", "Tynaarlo")]


def test_the_longer_name_wins_so_a_region_is_not_read_as_the_province_inside_it() -> None:
    found = SMALL.mentions("De Drentse gemeenten in Zuidoost-Drenthe")
    assert [(m.kind, m.name) for m in found] == [("provincie", "Drenthe"), ("regio", "Zuidoost-Drenthe")]


def test_a_name_the_passage_does_not_give_among_others_of_its_kind_is_foreign() -> None:
    passage = "Samen met de gemeenten Emmen en Borger-Odoorn is het plan ingediend."
    assert [m.name for m in foreign_members("Heeft Tynaarlo ook getekend?", passage)] == ["Tynaarlo"]
    assert foreign_members("Heeft Emmen ook getekend?", passage) == []  # the passage gives it
    # a passage that names nobody of that kind contradicts nothing
    assert foreign_members("Welke rol heeft Groningen?", passage) == []


def test_the_documents_own_sender_and_unchecked_kinds_are_never_foreign() -> None:
    passage = "Emmen en de provincie Groningen werken samen."
    assert foreign_members("Wat doet Drenthe?", passage, exempt="Afzender: Provincie Drenthe") == []
    assert [m.name for m in foreign_members("Wat doet Drenthe?", passage)] == ["Drenthe"]
    assert foreign_members("Hoort Zuidoost-Drenthe erbij?", "Regio Zuidoost-Drenthe en Emmen") == []


def test_the_corpus_gazetteer_knows_municipalities_ministries_and_ministers_in_both_languages() -> None:
    g = gazetteer()
    assert g.names("Klopt het dat midden-drenthe meedoet?", "gemeente") == {"Midden-Drenthe"}
    assert g.names("signed by the Minister of the Interior", "ministerie") == {"Binnenlandse Zaken en Koninkrijksrelaties"}
    assert g.names("het ministerie van Landbouw, Natuur en Voedselkwaliteit (LNV)", "ministerie") == {
        "Landbouw, Natuur en Voedselkwaliteit"
    }
    assert g.names("Heeft minister Hoekstra dit geschreven?", "persoon") == {"Hoekstra"}


def test_a_name_of_another_kind_does_not_answer_a_question_for_names_of_a_kind() -> None:
    """A ministry does not name the research firm asked for, a region no village, a section heading in capitals
    nothing at all; a municipality does name a place, and a firm the passage writes in capitals is a name."""
    from rag.entities import asks_named, names_in

    firm_q = "Welk adviesbureau heeft de studie gemaakt?"
    village_q = "In welke dorpen komen de nieuwe ontmoetingsplekken?"
    assert asks_named("Welke bedrijven doen mee aan de studie?") == "bedrijven"
    ministry = "De studie is gemaakt in opdracht van het ministerie van Binnenlandse Zaken en Koninkrijksrelaties."
    assert names_in(ministry, "Welke bedrijven doen mee aan de studie?", "bedrijven") == []
    assert names_in(ministry, firm_q)  # without the asked kind every name counts, as before
    region = "In Zuid- en Oost-Drenthe komen ontmoetingsplekken op fietsafstand."
    assert names_in(region, village_q, "dorpen") == []
    assert names_in("Eerst komt er een ontmoetingsplek in Coevorden.", village_q, "dorpen") == ["Coevorden"]
    assert names_in("WONEN … Ontmoetingsplekken in elk dorp", village_q, "dorpen", "Voorstel > WONEN") == []
    assert names_in("De studie is gedaan door ABCDE Advies.", "Welke bedrijven deden de studie?", "bedrijven")


def test_a_person_asked_for_by_name_is_named_only_by_a_persons_name() -> None:
    """"Hoe heet de voorzitter?": capitalised words of a signature ("Gedeputeerde Staten van Drenthe") name no
    person; a person the gazetteer knows does. "Gedeputeerde Staten" is the executive, not a member asked for."""
    from rag.entities import asks_named, names_in

    question = "Hoe heet de voorzitter die het stuk heeft getekend?"
    assert asks_named(question) == "voorzitter"
    assert asks_named("Welke bijlagen stuurden Gedeputeerde Staten mee?") is None
    signature = "Hoogachtend, Gedeputeerde Staten van Drenthe, voorzitter, secretaris"
    assert names_in(signature, question, "voorzitter") == []
    assert names_in(signature, question)  # read as before without the asked kind
    assert names_in("Getekend: Carola Schouten, voorzitter", question, "voorzitter") == ["Schouten"]
