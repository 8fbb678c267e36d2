"""The answer verifier: citations that exist, numbers that occur in the cited passage, the right language."""

from __future__ import annotations

import pytest

from rag.verify import (
    SentenceStream,
    Verifier,
    evidence_keys,
    is_refusal,
    numeric_facts,
    split_sentences,
    verify_answer,
)

RULES = (
    "Vanuit de Regio Envelop wordt maximaal 50% bijgedragen met een minimum van € 5 miljoen en een maximum "
    "van € 40 miljoen per Regio Deal."
)
DEADLINE = "Voorstellen kunnen tot 1 september 2018 worden ingediend bij het ministerie van LNV."
TOURISM = "In delen van onze regio verzorgt de toeristische sector meer dan 20% van de totale werkgelegenheid."
PASSAGES = [RULES, DEADLINE, TOURISM]


@pytest.mark.parametrize(
    "written, key",
    [
        ("€ 40 miljoen", "val:4e+07"),
        ("40 million euros", "val:4e+07"),
        ("€40m", "val:4e+07"),
        ("40.000.000 euro", "val:4e+07"),
        ("40,000,000", "val:4e+07"),
        ("forty million", "val:4e+07"),
        ("veertig miljoen", "val:4e+07"),
        ("1,5 miljoen", "val:1.5e+06"),
        ("1.5 million", "val:1.5e+06"),
        ("50%", "pct:50"),
        ("50 procent", "pct:50"),
        ("50 percent", "pct:50"),
        ("2.500 banen", "val:2500"),
        ("september", "month:9"),
    ],
)
def test_amounts_in_any_notation_are_one_value(written: str, key: str) -> None:
    assert key in {f.key for f in numeric_facts(written)}


def test_citation_markers_and_list_numbers_are_not_facts() -> None:
    assert numeric_facts("1. Het staat in de brief [12].") == []


def test_passage_backs_bare_numbers_of_its_amounts() -> None:
    keys = evidence_keys(RULES)
    assert {"val:4e+07", "val:40", "pct:50", "val:5e+06"} <= keys
    assert "pct:40" not in keys


def test_faithful_answer_passes_in_both_languages() -> None:
    nl = verify_answer("De bijdrage is minimaal € 5 miljoen en maximaal € 40 miljoen per Regio Deal [1].", PASSAGES, "nl")
    assert nl.fallback_reason is None and not nl.dropped
    en = verify_answer(
        "The contribution is at least 5 million and at most 40 million euros per Regio Deal [1]. "
        "Proposals could be submitted until 1 September 2018 [2].",
        PASSAGES,
        "en",
    )
    assert en.fallback_reason is None and not en.dropped, en.to_json()
    assert en.kept_text.endswith("[2].")


def test_citing_a_passage_that_was_not_given_drops_the_sentence() -> None:
    v = verify_answer("De bijdrage is maximaal € 40 miljoen [1]. Ook Emmen doet mee [7].", PASSAGES, "nl")
    assert [s.text.strip() for s in v.dropped] == ["Ook Emmen doet mee [7]."]
    assert "[7]" not in v.kept_text
    assert "not given" in v.dropped[0].problems[0]


def test_invented_amount_is_dropped_even_when_another_passage_has_it() -> None:
    # € 40 miljoen is in passage 1, but the sentence cites passage 2: the number must be in what it cites.
    v = verify_answer(
        "De bijdrage is minimaal € 5 miljoen [1]. De maximale bijdrage is € 60 miljoen [1]. "
        "De deadline is 1 september 2018 en het maximum € 40 miljoen [2].",
        PASSAGES,
        "nl",
    )
    dropped = [s.text.strip() for s in v.dropped]
    assert dropped == ["De maximale bijdrage is € 60 miljoen [1].", "De deadline is 1 september 2018 en het maximum € 40 miljoen [2]."]
    assert v.fallback_reason is not None  # 1 of 3 statements survived: not enough to show
    assert "60" not in v.kept_text


def test_percentage_is_not_an_amount() -> None:
    v = verify_answer("Het Rijk draagt maximaal 40% bij [1].", PASSAGES, "nl")
    assert v.dropped and "40%" in v.dropped[0].problems[0]


def test_wrong_month_and_invented_names_are_caught() -> None:
    v = verify_answer("Voorstellen konden tot 1 oktober 2018 worden ingediend [2].", PASSAGES, "nl")
    assert v.dropped
    v = verify_answer("De hoofdstad van de regio is Eindhoven, zegt het ministerie [2].", PASSAGES, "nl")
    assert any("Eindhoven" in p for p in v.dropped[0].problems)


def test_calculator_result_backs_computed_amounts() -> None:
    v = Verifier(PASSAGES, "nl", tool_result={"max_contribution": 40.0, "region_share": 80.0})
    assert v.check("Drenthe kan hooguit € 40 miljoen vragen bij € 80 miljoen eigen inleg.").ok
    assert not v.check("Drenthe kan hooguit € 45 miljoen vragen.").ok


def test_uncited_claims_are_dropped_but_short_connectives_kept() -> None:
    verifier = Verifier(PASSAGES, "nl")
    assert verifier.check("Kort samengevat:").ok
    long_claim = "De provincie Drenthe heeft besloten om het hele programma volgend jaar uit eigen middelen te betalen."
    assert not verifier.check(long_claim).ok


def test_uncited_sentence_inherits_citation_of_its_paragraph() -> None:
    v = verify_answer(
        "De toeristische sector is belangrijk voor de regio. Hij verzorgt meer dan 20% van de werkgelegenheid [3].",
        PASSAGES,
        "nl",
    )
    assert not v.dropped, v.to_json()
    assert v.sentences[0].citations == [3]


def test_answer_in_the_wrong_language_falls_back() -> None:
    v = verify_answer(
        "De bijdrage uit de Regio Envelop is minimaal € 5 miljoen en maximaal € 40 miljoen per Regio Deal [1].",
        PASSAGES,
        "en",
    )
    assert not v.language_ok
    assert v.fallback_reason and "'nl'" in v.fallback_reason


def test_refusal_is_recognised_and_not_a_fallback() -> None:
    v = verify_answer("Dat staat niet in de documenten.", PASSAGES, "nl")
    assert v.refusal and v.fallback_reason is None
    assert is_refusal("That is not in the documents.")
    assert not is_refusal("De bijdrage is € 40 miljoen [1].")


def test_sentence_split_keeps_text_and_trailing_citations() -> None:
    text = "Dit geldt o.a. voor Drenthe [1]. Het is € 1.5 miljoen.[2] Verder:\n- punt een [1]\n- punt twee [3]\n\nEinde"
    parts = split_sentences(text)
    assert "".join(parts) == text
    assert parts[0] == "Dit geldt o.a. voor Drenthe [1]. "
    assert parts[1] == "Het is € 1.5 miljoen.[2] "
    assert parts[-1] == "Einde"


def test_stream_splitter_waits_for_citation_after_full_stop() -> None:
    stream = SentenceStream()
    got: list[str] = []
    for piece in ["De bijdrage is", " € 40 miljoen.", " [", "1]", " Verder", " is er", " niets [2]."]:
        got += stream.feed(piece)
    got += stream.flush()
    assert got == ["De bijdrage is € 40 miljoen. [1] ", "Verder is er niets [2]."]


def test_dropping_keeps_paragraphs_and_lists() -> None:
    v = verify_answer("Eerste punt [1].\n\nNiet waar: € 99 miljoen [1].\n\n- Deadline 1 september 2018 [2]", PASSAGES, "nl")
    assert v.kept_text == "Eerste punt [1].\n\n- Deadline 1 september 2018 [2]"


def test_bare_citation_markers_are_not_an_answer() -> None:
    passages = ["De Duitslandagenda loopt van 2017 tot en met 2020.", "Andere passage."]
    bare = verify_answer("[1] [2]", passages, "nl")
    assert bare.fallback_reason and bare.kept_text == ""
    real = verify_answer("De Duitslandagenda loopt van 2017 tot en met 2020 [1].", passages, "nl")
    assert real.fallback_reason is None and real.kept_text.startswith("De Duitslandagenda")


def test_money_is_backed_only_by_money() -> None:
    """"17,3 miljoen" inhabitants must not back "€ 17,3 million"; "€ 40 miljoen" still backs "40 million"."""
    population = "Inwoners NL 2015 = 17,3 miljoen, in 2040 18,1 miljoen."
    v = Verifier([population, RULES], "en")
    assert not v.check("The average house value was € 17,3 million in 2015 [1].").ok
    assert not v.check("It costs 17,3 million euros [1].").ok
    assert v.check("The Netherlands had 17,3 million inhabitants in 2015 [1].").ok
    assert v.check("The maximum is 40 million per deal [2].").ok
    assert v.check("The maximum is €40 million per deal [2].").ok
    assert Verifier(PASSAGES, "nl", tool_result={"max_rijk_eur_m": 18.0}).check("Maximaal € 18 miljoen.").ok


def test_a_claim_loses_its_inherited_citation_when_the_citing_sentence_is_dropped() -> None:
    """The dropped sentence takes its [n] with it: the claim before it would be shown without a source."""
    v = verify_answer(
        "De toeristische sector levert meer dan 20% van de banen. Dat is 45% meer dan elders [3].",
        PASSAGES,
        "nl",
    )
    assert [c.ok for c in v.sentences] == [False, False], v.to_json()
    assert v.fallback_reason

