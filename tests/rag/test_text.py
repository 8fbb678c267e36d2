"""The search terms of ``rag.text``: one tokeniser for index and query."""

from __future__ import annotations

import pytest

from rag.text import stem, terms


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("bijlage", "bijlagen"),  # the Snowball stemmer alone: "bijlag" and "bijlaag"
        ("opgave", "opgaven"),
        ("bijdrage", "bijdragen"),
        ("uitgave", "uitgaven"),
        ("ronde", "rondes"),
    ],
)
def test_a_words_forms_share_one_stem(one: str, other: str) -> None:
    assert stem(one) == stem(other)


def test_a_question_in_the_singular_finds_the_documents_plural() -> None:
    assert set(terms("Welke bijlage zit bij de brief?")) & set(terms("Bijlagen: Two-pager Regio Deal"))


def test_switched_off_the_stemmer_alone_parts_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rag import text
    from rag.config import get_settings

    monkeypatch.setenv("REGIODEAL_ABLATE", "singular")
    for f in (get_settings, text._singulars, text.stem):
        f.cache_clear()
    try:
        assert stem("bijlage") != stem("bijlagen")
    finally:
        monkeypatch.delenv("REGIODEAL_ABLATE")
        for f in (get_settings, text._singulars, text.stem):
            f.cache_clear()
    assert stem("bijlage") == stem("bijlagen")


def test_verbs_keep_their_own_stems() -> None:
    """Lemmatising every word ("krijgt" → "krijgen") let sentences that merely share a verb outrank the answer: only the
    plurals of nouns in "-e" are brought to their singular."""
    assert stem("krijgt") != stem("krijgen")
