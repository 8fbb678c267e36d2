"""End to end (real index, real e5): questions about things the documents never mention are refused, with
what comes closest cited as what the documents say (never as an answer); answerable questions still
answer. Wordings differ from every evaluation item."""

from __future__ import annotations

from typing import Any

import pytest

from rag.resources import message


@pytest.fixture(scope="module")
def assistant(built_settings: Any) -> Any:
    from rag.assistant import Assistant

    return Assistant(built_settings)


NOT_IN_DOCUMENTS = [
    # a known gap from session 6 to 22 (an unknown word too weak evidence), refused since session 23's model
    ("nl", "Wie wordt de nieuwe gedeputeerde voor economie na de verkiezingen?"),
    ("nl", "Welke burgemeester opent straks de Techniek Campus?"),
    ("en", "What will the Regio Envelop budget be in 2031?"),  # a year no document states (typed_premise)
    ("nl", "Hoeveel geld gaat de Regio Deal Friesland aan de Waddenkust besteden?"),
    # nearest to a false premise ("de gevraagde 70 miljoen ... verdeeld over de pijlers") and stating the true value of
    # its unit (40), but asking what that unit does not say: how it is split (``claims_agree_covered``)
    ("nl", "Hoe worden de gevraagde 40 miljoen over de pijlers verdeeld?"),
    # not one word the documents use: refused whatever the fitted model makes of similarities far from every question
    ("nl", "Wat is de hoofdstad van Frankrijk?"),
    ("nl", "Welke voetbalclub werd kampioen van Spanje?"),
]


@pytest.mark.parametrize(("lang", "question"), NOT_IN_DOCUMENTS)
def test_what_the_documents_never_mention_is_refused_and_no_citation_is_claimed_as_an_answer(
    assistant: Any, lang: str, question: str
) -> None:
    ans = assistant.ask(question)
    assert ans.refused, ans.answer
    if ans.citations:  # anything cited is introduced as what comes closest / what the documents do say
        leads = [message(x, lang) for x in ("closest", "refusal", "related")]
        assert any(ans.answer.startswith(lead[:40]) for lead in leads), ans.answer


@pytest.mark.parametrize(
    ("lang", "question"),
    [("nl", "Hoe hoog is de Eiffeltoren?"), ("en", "Who won the chess world championship?")],
)
def test_a_question_with_no_word_of_the_documents_gets_the_plain_refusal(assistant: Any, lang: str, question: str) -> None:
    """Nothing the documents say comes close: no "dichtst in de buurt" with unrelated passages, and nothing cited."""
    ans = assistant.ask(question)
    assert ans.refused, ans.answer
    assert ans.answer == message("refusal", lang), ans.answer
    assert not ans.citations


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Wat is het maximale bedrag dat één Regio Deal uit de Regio Envelop kan krijgen?", "40 miljoen"),
        ("Which municipalities are part of the Zuid- en Oost-Drenthe region?", "Emmen"),
        ("Hoeveel regio's kunnen in de eerste ronde een deal krijgen?", ""),
        ("Wat kost de Techniek Campus, en wat wil de regio ermee bereiken?", "Techniek Campus"),  # one part answered
    ],
)
def test_answerable_questions_still_answer(assistant: Any, question: str, expected: str) -> None:
    ans = assistant.ask(question)
    assert not ans.refused, ans.answer
    assert ans.citations
    assert expected.lower() in ans.answer.lower()


def test_the_closest_passages_are_cited_verbatim(assistant: Any, built_settings: Any) -> None:
    ans = assistant.ask("Welke burgemeester opent straks de Techniek Campus?")
    assert ans.refused
    for c in ans.citations:
        doc = assistant.store.document(c.doc_id)
        assert " ".join(c.quote.split()) in " ".join(doc.text.split())


@pytest.mark.parametrize(
    ("question", "right"),
    [
        ("De Kamerbrief noemt toch 15 juni 2018 als eerste dag om voorstellen aan te melden?", "8 juni 2018"),
        ("So the province is asking The Hague for 65 million euro for this region?", "40 miljoen"),
        ("Waarom draagt de Regio Envelop volgens de minister 80% van een deal?", "50%"),
    ],
)
def test_a_stated_value_no_document_states_is_corrected_from_the_cited_text(assistant: Any, question: str, right: str) -> None:
    ans = assistant.ask(question)
    assert ans.refused, ans.answer
    assert right in ans.answer
    assert ans.citations


def test_a_value_the_documents_state_is_not_taken_for_a_false_premise(assistant: Any) -> None:
    ans = assistant.ask("Wat gebeurt er op 26 september 2018?")
    assert not ans.refused, ans.answer
    assert "26 september 2018" in ans.answer


@pytest.mark.parametrize(
    "question",
    [
        "Welke partij levert de gedeputeerde die dit dossier trekt?",  # a name the letter does not give
        "Welk percentage van de inwoners van Emmen zit in de bijstand?",  # a statistic the two-pager does not give
    ],
)
def test_a_question_nearer_to_a_gap_than_to_any_answered_question_is_refused(assistant: Any, question: str) -> None:
    """The documents' gaps (corpus/gaps.yaml, in other words than these questions) are evidence: the nearest gap
    question is nearer than the nearest question the documents answer, and the calibrated confidence refuses."""
    from dataclasses import replace

    from rag.engines.confidence import load_model, part_features

    ctx = assistant.prepare(question, None)
    found = part_features(ctx, ctx.standalone_question, ctx.units)
    assert ctx.units.gap is not None and found is not None
    assert found.features["gap_margin"] > 0 and not found.answers(load_model())
    without = part_features(ctx, ctx.standalone_question, replace(ctx.units, gap=None))
    assert without is not None and without.confidence > found.confidence  # the gap is what lowers it
    assert assistant.ask(question).refused


@pytest.mark.parametrize(
    "question",
    ["Wat is de uiterste datum om een voorstel in te dienen?", "Welke gemeenten dienden het voorstel samen met de provincie in?"],
)
def test_an_answered_question_is_nearer_to_its_units_than_to_any_gap(assistant: Any, question: str) -> None:
    ctx = assistant.prepare(question, None)
    assert ctx.units.gap is None or max(c.qi_best for c in ctx.units.candidates) > ctx.units.gap.best
    assert not assistant.ask(question).refused


def test_what_comes_closest_is_a_statement_not_a_label(assistant: Any) -> None:
    """The closest passages of a refusal are statements: a map label ("Emmen") or a heading is never shown."""
    ans = assistant.ask("Welk percentage van de inwoners van Emmen zit in de bijstand?")
    assert ans.refused and ans.citations
    assert all(len(c.quote.split()) >= 5 for c in ans.citations), [c.quote for c in ans.citations]



def test_a_false_premise_is_corrected_with_the_unit_that_states_what_is_true(assistant: Any, built_settings: Any) -> None:
    """A question nearer to a false premise (corpus/claims.yaml, here in other words: a ministry that did not
    receive the proposal) than to any answered question is not answered as asked: the unit that contradicts
    it is quoted and cited, introduced as a correction. Without the claims the same question is not."""
    from rag.assistant import Assistant

    question = "Why did the province hand the proposal in at the Ministry of Economic Affairs?"
    ctx = assistant.prepare(question, None)
    gap = ctx.units.gap
    assert gap is not None and gap.unit_id, gap  # the nearest is a claim, with the unit that corrects it
    assert gap.best > max(c.qi_best for c in ctx.units.candidates)
    lead = message("false_premise", "en").split(":")[0]
    # the ministry named is also a foreign member (rag.entities): that check is off here, to see this one alone
    ans = Assistant(built_settings.model_copy(update={"ablate": "entity_premise"})).ask(question)
    assert ans.refused and ans.answer.startswith(lead), ans.answer
    assert any("Landbouw, Natuur en Voedselkwaliteit" in c.quote for c in ans.citations), ans.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "claims,entity_premise"})).ask(question)
    assert not off.answer.startswith(lead), off.answer


def test_a_premise_stating_the_value_the_correcting_unit_states_is_answered(assistant: Any, built_settings: Any) -> None:
    """Near a false premise about a figure (claim-005: 80 million asked of the Rijk) and stating the figure its unit
    states (40 million): the documents' own premise, answered with that unit, not "the documents do not say this
    precisely" because a false premise is nearer than any answered question."""
    from rag.assistant import Assistant

    question = "Klopt het dat het Rijk 40 miljoen moet investeren in Zuid- en Oost-Drenthe?"
    ans = assistant.ask(question)
    assert not ans.refused and "40 miljoen" in ans.answer, ans.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "claims_agree_answered"})).ask(question)
    assert off.refused, off.answer


@pytest.mark.parametrize(("lang", "question"), [("nl", "Klopt het dat de Regio Deal op 30 augustus 2018 is ingediend?"),
                                                 ("en", "Is it true that the proposal was submitted on 30 August 2018?")])
def test_a_true_date_with_a_year_the_passage_leaves_out_is_not_corrected(assistant: Any, built_settings: Any, lang: str,
                                                                         question: str) -> None:
    """The letter says "op 30 augustus jl. ingediend": a question stating "30 augustus 2018" states its day. The year is
    not a word of the claim that makes the Kamerbrief's submission dates the passage about it, and a unit that states
    no year does not contradict it; a wrong day is still corrected."""
    from rag.assistant import Assistant

    lead = message("false_premise", lang).split(":")[0]
    ans = assistant.ask(question)
    assert not ans.answer.startswith(lead) and "30 augustus" in ans.answer, ans.answer
    wrong = assistant.ask(question.replace("30", "3"))
    assert wrong.refused and wrong.answer.startswith(lead), wrong.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "claim_other_values"})).ask(question)
    assert off.answer.startswith(lead), off.answer


def test_an_english_claim_of_a_figure_the_documents_state_is_not_corrected(assistant: Any) -> None:
    """Session 20: "60 million euros" and "€ 60 miljoen" were two different figures to the premise check, so a true
    English claim was answered "That premise is not correct" with a passage stating the very same figure."""
    ans = assistant.ask("Is it true that the Dutch TechZone scheme brought in 60 million euros of investment?")
    assert not ans.refused and not ans.answer.startswith(message("false_premise", "en").split(":")[0]), ans.answer
    assert "60 miljoen" in ans.answer


@pytest.mark.parametrize(
    ("lang", "question", "name", "said"),
    [
        ("nl", "Tynaarlo heeft het voorstel toch ook mee ingediend? Wat levert die gemeente aan?", "Tynaarlo", "Hardenberg"),
        ("en", "Why did minister Ollongren sign the Kamerbrief on the Regio Deal approach?", "Ollongren", "Schouten"),
    ],
)
def test_a_member_the_answering_passage_does_not_name_is_corrected_with_that_passage(
    assistant: Any, built_settings: Any, lang: str, question: str, name: str, said: str
) -> None:
    """rag.entities: the passage that answers names others of the same kind (the submitting municipalities,
    the signing minister) and not the one the question names: said so, and that passage quoted and cited."""
    from rag.assistant import Assistant

    ans = assistant.ask(question)
    lead = message("foreign_member", lang).split("{names}")[0]
    assert ans.refused and ans.answer.startswith(lead + name), ans.answer
    assert any(said in c.quote for c in ans.citations), ans.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "entity_premise"})).ask(question)
    assert not off.answer.startswith(lead), off.answer


@pytest.mark.parametrize(
    "question",
    [
        "Klopt het dat Borger-Odoorn een van de indienende gemeenten is?",  # a true premise
        "Which ministry received the proposal from Drenthe?",  # the letter's own sender
    ],
)
def test_a_member_the_passage_does_name_is_not_taken_for_a_false_premise(assistant: Any, question: str) -> None:
    ans = assistant.ask(question)
    assert not ans.answer.startswith(message("foreign_member", "nl").split("{names}")[0]), ans.answer
    assert not ans.answer.startswith(message("foreign_member", "en").split("{names}")[0]), ans.answer


def test_a_rule_figure_put_in_the_kamerbriefs_mouth_is_corrected_before_any_computation(assistant: Any) -> None:
    """The calculator leaves a figure the Kamerbrief is said to state, and does not, to the documents (session 15):
    the premise is corrected with the passage that states the rule, and nothing is computed with it."""
    ans = assistant.ask("Volgens de Kamerbrief krijgt elke deal maximaal 55 miljoen. Hoeveel cofinanciering hoort daar minimaal bij?")
    assert ans.refused and ans.tool is None, ans.answer
    assert any("40 miljoen" in c.quote for c in ans.citations), ans.answer


def test_names_asked_that_only_a_heading_or_a_region_stands_for_are_not_in_the_documents(assistant: Any, built_settings: Any) -> None:
    """The passages about the village hubs name the region and sit under the heading WELZIJN, and name no village:
    asked which villages, the documents do not say (with the closest passages cited); read as names before."""
    from rag.assistant import Assistant

    question = "Noem de dorpen waar een dorpshub gepland is."
    ans = assistant.ask(question)
    assert ans.refused and ans.answer.startswith(message("closest", "nl")[:40]), ans.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "named_kinds_answer"})).ask(question)
    assert not off.refused, off.answer


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Met hoeveel miljoen euro wordt de tweede tranche gevuld?"),
        ("en", "By which date do proposals for the following round have to be in?"),
    ],
)
def test_another_tranche_than_the_one_described_is_not_in_the_documents(
    assistant: Any, built_settings: Any, lang: str, question: str
) -> None:
    """The Kamerbrief's budget, deadline and signing date are those of "deze komende tranche": asked of the next or
    second one, the documents do not say it (closest passages cited), not "€ 200 miljoen" or "1 september 2018" as
    its answer (``other: true`` in corpus/contrasts.yaml)."""
    from rag.assistant import Assistant

    ans = assistant.ask(question)
    assert ans.refused and ans.answer.startswith(message("closest", lang)[:40]), ans.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "other_instance"})).ask(question)
    assert not off.refused, off.answer


def test_what_the_documents_say_of_the_next_tranche_is_still_answered(assistant: Any) -> None:
    ans = assistant.ask("Welke rol speelt deze ronde bij het voorbereiden van de volgende tranche?")
    assert not ans.refused, ans.answer
    assert any("lessen" in c.quote for c in ans.citations), ans.answer


def test_a_tranche_figure_stated_as_fact_is_corrected_with_the_tranche_not_computed(assistant: Any) -> None:
    """A figure said of the documents' own tranche, not as a what-if, is a premise: corrected with the passage that
    states the tranche (the value nearest the stated one), nothing computed with it (``calc_document_premise``)."""
    ans = assistant.ask("Deze tranche omvat 350 miljoen euro; hoeveel deals van 5 miljoen kunnen daaruit betaald worden?")
    assert ans.refused and ans.tool is None, ans.answer
    assert any("200 miljoen" in c.quote for c in ans.citations), ans.answer


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Bij Dutch TechZone kwamen er 650 arbeidsplaatsen bij; gaat de regio daarmee door?"),
        ("en", "Dutch TechZone brought 700 new jobs to the region; will the deal continue it?"),
    ],
)
def test_a_number_of_things_the_passage_states_otherwise_is_corrected(
    assistant: Any, built_settings: Any, lang: str, question: str
) -> None:
    """A number of things (jobs, inhabitants) stated as fact that the passage about the same statement gives
    otherwise: corrected with that passage (``value_numbers``), not answered as if it held."""
    from rag.assistant import Assistant

    ans = assistant.ask(question)
    assert ans.refused and ans.answer.startswith(message("false_premise", lang).split("{")[0][:20]), ans.answer
    assert any("405" in c.quote for c in ans.citations), ans.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "value_numbers"})).ask(question)
    assert not (off.refused and off.refusal_reason == "false_premise"), off.answer


def test_a_number_of_things_the_passage_states_is_no_false_premise(assistant: Any) -> None:
    ans = assistant.ask("Dutch TechZone leverde 405 arbeidsplaatsen op; hoe wil de regio daarop voortbouwen?")
    assert not ans.refused, ans.answer


def test_a_cost_asked_of_a_subject_whose_sentence_gives_none_is_not_answered_with_its_neighbours_figure(
    assistant: Any, ablate: Any
) -> None:
    """The two-pager gives the cost of the pillar Werken and says those of Wonen and Welzijn are "nog veel hoger":
    asked what Wonen costs, the sentence before (€ 70 miljoen, quoted as its context) is no answer
    (``figure_own_text``). Not every wording is caught: the check compares how well units cover the question's words."""
    question = "Wat kost de pijler Wonen volgens de raming?"
    ans = assistant.ask(question)
    assert ans.refused and ans.answer.startswith(message("closest", "nl")[:40]), ans.answer
    quotes = [c.quote for c in ans.citations]
    assert len(quotes) == len(set(quotes)), ans.answer  # the neighbour quoted as context is not quoted twice
    ablate("figure_own_text")  # read from the process settings: the context's figure counts as the unit's own again
    off = assistant.ask(question)
    assert not off.refused, off.answer


def test_an_enumeration_over_several_sentences_is_answered_whole(assistant: Any) -> None:
    """The letter names Drenthe's other Regio Deal proposals one sentence each: asked for all of them, the answer
    holds every one (a list unit of the paragraph, ``corpus/questions/letter.yaml``)."""
    ans = assistant.ask("Welke andere Regio Deals steunt of indient de provincie Drenthe nog meer?")
    assert not ans.refused, ans.answer
    for name in ("Natuurinclusieve", "Vakantieparken", "HollandCity", "Retailagenda", "Human Capital"):
        assert name in ans.answer, ans.answer


def test_a_follow_up_asking_an_opinion_is_declined_in_its_own_words(assistant: Any) -> None:
    """The search reads a follow-up with the last turn's subject; that subject must not hide the request it makes."""
    history = [
        {"role": "user", "content": "Wat vraagt de regio Zuid- en Oost-Drenthe aan het Rijk?"},
        {"role": "assistant", "content": "Onder meer aanpassing van wet- en regelgeving en voor 40 miljoen mee te investeren."},
    ]
    ans = assistant.ask("En denk jij dat ze dat geld gaan krijgen?", history)
    assert ans.refused, ans.answer
    assert ans.answer.startswith(message("decline_advice", "nl")[:40]), ans.answer
