"""The English→Dutch glossary must lead English questions to the words the documents actually use."""

from __future__ import annotations

import collections
import re

import pytest

from rag.config import ROOT
from rag.glossary import ENGLISH_TO_DUTCH, TRANSLATION_ONLY, expand, translate_en
from rag.text import ENGLISH_STOPWORDS, terms


def _paragraphs(doc: str) -> list[set[str]]:
    """Search terms per paragraph of a curated document (front matter and page markers left out)."""
    text = (ROOT / "corpus" / f"{doc}.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    text = re.sub(r"<!-- page: \d+ -->", " ", text)
    return [set(terms(p)) for p in re.split(r"\n\s*\n", text) if p.strip()]


@pytest.mark.parametrize(
    ("question", "dutch", "doc"),
    [
        ("How efficient must a Regio Deal be?", "doelmatigheid", "kamerbrief"),
        ("How is effectiveness judged?", "doeltreffendheid", "kamerbrief"),
        ("Is non-committal cooperation acceptable?", "vrijblijvende", "kamerbrief"),
        ("Is the money a one-off contribution?", "eenmalig", "kamerbrief"),
        ("What about implementation capacity?", "uitvoeringskracht", "kamerbrief"),
        ("Is it paid through the municipal fund?", "decentralisatie-uitkering", "kamerbrief"),
        ("Why is the contribution called the final piece?", "sluitstuk", "kamerbrief"),
        ("Is the envelope a catalyst?", "katalysator", "kamerbrief"),
        ("Must the challenges be multifaceted?", "meervoudig", "kamerbrief"),
        ("What do housing corporations do?", "woningcorporaties", "twopager"),
        ("What are the healthcare costs per insured person?", "zorgkosten", "twopager"),
        ("How many people are severely overweight?", "ernstig", "twopager"),
        ("What is the transformation fund?", "transformatiefonds", "twopager"),
        ("Which deal is about nature-inclusive agriculture?", "natuurinclusieve", "letter"),
        ("Are the municipal councils invited?", "gemeenteraden", "letter"),
    ],
)
def test_english_question_reaches_the_documents_own_dutch_word(question: str, dutch: str, doc: str) -> None:
    wanted = set(terms(dutch))
    assert wanted <= set().union(*_paragraphs(doc))  # the rendering is the document's word, not a guess
    assert wanted <= set(expand(question))  # BM25 gets it
    assert dutch in translate_en(question)  # and the extractive engine's sentence scoring sees it


def test_adjectives_and_verbs_translate_not_only_nouns() -> None:
    nl = translate_en("How efficient and effective is a binding, long-term deal that is quickly implemented?")
    for word in ("doelmatigheid", "doeltreffendheid", "vrijblijvende", "langduriger", "snel", "uitvoering"):
        assert word in nl.split()


def test_keys_are_matchable_content_words() -> None:
    for en, nl in ENGLISH_TO_DUTCH.items():
        words = re.findall(r"[a-z][a-z'-]*", en)
        assert words == en.split(), en  # translate_en sees a key exactly as written (lower case, no digits)
        assert len(words) > 1 or words[0] not in ENGLISH_STOPWORDS, en  # no bare function words
        assert nl and all(v.strip() for v in nl), en


def test_bm25_expansions_avoid_words_in_most_passages() -> None:
    paragraphs = [p for doc in ("kamerbrief", "twopager", "letter") for p in _paragraphs(doc)]
    df = collections.Counter(t for p in paragraphs for t in p)
    too_common = {t for t, n in df.items() if n > 0.3 * len(paragraphs)}
    assert "regio" in too_common  # the check has teeth: "regio" is in about 40% of passages
    for en, nl in ENGLISH_TO_DUTCH.items():
        if en not in TRANSLATION_ONLY:
            assert not {t for v in nl for t in terms(v)} & too_common, en
    assert "regio" in translate_en("Which region?")  # translation-only keys still translate
    assert not set(expand("Which region?")) & too_common


def test_a_possessive_is_translated_as_the_word_itself() -> None:
    from rag.glossary import translate_en

    assert "gedeputeerde staten" in translate_en("What was attached to the provincial executive's letter?")
    assert "gedeputeerde staten" in translate_en("the provincial executive’s letter")


# -- the Dutch→English gloss under an English answer's Dutch quotes ---------------------------------------


def test_every_gloss_term_is_written_in_a_document() -> None:
    from rag.glossary import DUTCH_TO_ENGLISH
    from rag.text import fold, words

    docs = " ".join(" ".join(fold(w) for w in words((ROOT / "corpus" / f"{d}.md").read_text(encoding="utf-8")))
                    for d in ("kamerbrief", "letter", "twopager"))
    missing = [nl for nl in DUTCH_TO_ENGLISH if f" {' '.join(fold(w) for w in words(nl))} " not in f" {docs} "]
    assert len(DUTCH_TO_ENGLISH) >= 300
    assert missing == []


def test_gloss_takes_the_longest_term_in_reading_order() -> None:
    from rag.glossary import english_gloss

    found = dict(english_gloss(["Het Provinciefonds en de brede welvaart van inwoners."]))
    assert found["provinciefonds"] == "Provinces Fund"
    assert "brede welvaart" in found and "welvaart" not in found  # the phrase consumes its words
    order = [nl for nl, _ in english_gloss(["de woningvoorraad", "de huisarts"])]
    assert order.index("woningvoorraad") < order.index("huisarts")


def test_gloss_gives_every_quote_a_share_and_stops_at_the_limit() -> None:
    from rag.glossary import english_gloss

    long = "cofinanciering randvoorwaarden werkloosheid woningvoorraad kennisinstellingen arbeidsmarkt"
    found = english_gloss([long, "de huisarts"], limit=5, per_text=3)
    assert len(found) == 4 and found[-1][0] == "huisarts"
    assert len(english_gloss([long, long + " huisarts"], limit=2)) == 2
    assert english_gloss(["the words of an English sentence"]) == []


def test_gloss_prefers_a_quotes_rarest_terms_and_keeps_reading_order() -> None:
    from rag.glossary import english_gloss

    text = "Gezamenlijk met het bedrijfsleven werken we aan groene chemie en logistiek."
    rare = {"groene chemie": 5.0, "logistiek": 4.0, "bedrijfsleven": 2.0}
    found = [nl for nl, _ in english_gloss([text], per_text=2, rarity=lambda t: rare.get(t, 0.0))]
    assert found == ["groene chemie", "logistiek"]
    assert [nl for nl, _ in english_gloss([text], per_text=2)] == ["gezamenlijk", "bedrijfsleven"]


def test_a_singular_the_stemmer_parts_from_its_plural_finds_the_documents_plural() -> None:
    """Session 26: the Dutch stemmer gives "rijksgeld" and "rijksgelden" different stems, so "het rijksgeld" was a
    word no document uses (the two-pager writes "rijksgelden", the letter "rijksmiddelen")."""
    from rag.glossary import expand_terms

    assert {"rijksgel", "rijksmiddel"} <= set(expand_terms(terms("rijksgeld")))
