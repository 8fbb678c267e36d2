"""The fitted outcome probe on the real e5 model: a question about what happened after the documents (they date
from June to September 2018 and describe plans) is declined with reason "outcome"; a question about the timetable,
the procedure or a past result the documents report is not. The phrasings are new: neither in
``outcome_exemplars.yaml`` nor in an evaluation set."""

from __future__ import annotations

from typing import Any

import pytest

from rag.engines.request_probe import OUTCOME_PROBE_FILE, load_probe
from rag.resources import message
from rag.retrieval import embed_query

AFTER = [
    "Did the minister approve the Drenthe bid in the end?",
    "Welke regio's kregen uiteindelijk een deal uit deze tranche?",
    "What has the deal achieved for the villages so far?",
    "Wat hebben de Statenleden op 26 september besloten over de deal?",
    # the probe declines only where it is sure (P(question) < 0.1): about half of such questions, BENCHMARKS.md
    pytest.param("Hoe is de stemming in Provinciale Staten over de Regio Deal afgelopen?",
                 marks=pytest.mark.xfail(strict=True, reason="known miss: P(question) 0.31")),
]
PLANNED = [
    "Tot welke datum konden regio's een voorstel indienen?",
    "In welk seizoen wil de minister de eerste deals ondertekend hebben?",
    "When is the meeting for the Provincial Council about the deal?",
    "Hoeveel banen heeft de Dutch TechZone-regeling opgeleverd?",
]


@pytest.mark.parametrize("question", AFTER)
def test_a_question_about_what_happened_after_the_documents_is_declined(question: str) -> None:
    probe = load_probe(OUTCOME_PROBE_FILE)
    assert probe is not None
    assert probe.decline(embed_query(question)) == "outcome"


@pytest.mark.parametrize("question", PLANNED)
def test_a_question_about_the_plans_or_a_reported_result_is_not(question: str) -> None:
    probe = load_probe(OUTCOME_PROBE_FILE)
    assert probe is not None
    assert probe.decline(embed_query(question)) is None


def test_the_assistant_says_the_documents_predate_it_shows_what_they_say_and_the_ablation_switches_it_off(built_settings: Any) -> None:
    from rag.assistant import Assistant

    question = AFTER[0]
    ans = Assistant(built_settings).ask(question)
    assert ans.refused and ans.refusal_reason == "outcome"
    # said so, then what the documents do say about the subject, cited as such (never as the answer)
    assert ans.answer.startswith(message("outcome_closest", "en")), ans.answer
    assert ans.citations and all(f"[{c.n}]" in ans.answer for c in ans.citations)
    off = Assistant(built_settings.model_copy(update={"ablate": "outcome_probe"})).ask(question)
    assert off.refusal_reason != "outcome", off.answer
