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
