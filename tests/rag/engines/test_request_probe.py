"""The fitted request probe on the real e5 model: requests to write, advise or invent are declined and
information questions (also ones that use the words of requests) are not. The phrasings are new: neither
in ``decline_exemplars.yaml`` nor in an evaluation set."""

from __future__ import annotations

import pytest

from rag.engines.request_probe import load_probe
from rag.retrieval import embed_query


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        pytest.param("Kun je een openingswoord voorbereiden voor de start van de campus?", "fabrication",
                     marks=pytest.mark.xfail(strict=True, reason="known miss: a polite 'kun je ...' request (P(question) 0.6)")),
        ("Stel een nieuwsbrief op waarin staat dat de subsidie binnen is.", "fabrication"),
        ("Compose a LinkedIn update telling everyone the grant came through.", "fabrication"),
        ("Which way should I vote on the deal in the committee next week?", "advice"),
        ("Vertel me of ik morgen in de raad moet instemmen of niet.", "advice"),
        # long and full of the documents' own subjects: the subject words do not make it a question
        ("Schrijf een nieuwsbericht voor de website van de gemeente Emmen waarin staat dat de Techniek Campus dankzij de "
         "Regio Deal zeker komt.", "fabrication"),
        pytest.param("Give me your honest opinion: is the Dutch TechZone expansion in Coevorden worth the 40 million from "
                     "the Regio Envelop?", "advice", marks=pytest.mark.xfail(strict=True, reason="known miss: the subject words "
                     "dominate (P(question) 0.51); refitted on long subject-heavy exemplars it was declined, but the tuning "
                     "sets lost as many requests as they gained (session 38)")),
    ],
)
def test_a_new_request_is_declined(request_: str, reason: str) -> None:
    probe = load_probe()
    assert probe is not None
    assert probe.decline(embed_query(request_)) == reason


@pytest.mark.parametrize(
    "question",
    [
        "Wat staat er in de brief over de bijeenkomst met de Staten?",
        "Hoeveel gemeenten dienen het voorstel samen in?",
        "What does the proposal say about healthcare in the villages?",
        "Welk advies geeft het kabinet aan regio's over samenwerking?",
        "Schrijft de minister iets over de looptijd van een deal?",
        "and who decides which deals are picked?",
    ],
)
def test_a_question_is_not_declined(question: str) -> None:
    probe = load_probe()
    assert probe is not None
    assert probe.decline(embed_query(question)) is None
