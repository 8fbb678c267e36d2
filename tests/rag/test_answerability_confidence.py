"""The answerability confidence as a mechanism (no index, no model): the corpus vocabulary tells a word
the documents use from one they never use, the logistic model is monotone in its evidence and an
unfitted model never refuses, the fitted model file is well-formed, and the request probe declines below
its threshold with the likeliest request kind."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from rag.engines.confidence import MODEL_FILE, ConfidenceModel, content_words, load_model
from rag.retrieval_units import Vocabulary


@pytest.fixture
def vocab() -> Vocabulary:
    v = Vocabulary()
    v.add("De provincie kiest zelf de schaal die partijen verkiezen. Subsidie voor woningbouw en industrie in de regio.")
    v.add("Welke provincies doen mee? In 2018 opende de eerste ronde.")
    return v


def test_a_word_or_its_inflection_is_known(vocab: Vocabulary) -> None:
    assert vocab.knows("provincie") and vocab.knows("provincies") and vocab.knows("Partij")
    assert vocab.knows("2018")


def test_a_stem_collision_is_not_knowing_the_word(vocab: Vocabulary) -> None:
    # Snowball stems "verkiezingen" and "verkiezen" alike; the documents only use the verb
    assert not vocab.knows("verkiezingen")
    assert not vocab.knows("2031") and not vocab.knows("burgemeester")


def test_a_compound_of_known_words_is_known(vocab: Vocabulary) -> None:
    assert vocab.knows("industrieregio")


def test_content_words_leave_out_what_the_conversation_carried() -> None:
    words = [w for w, _ in content_words("Wanneer opent de ronde? (Techniek Campus)", "nl")]
    assert "ronde" in words and "techniek" not in words and "campus" not in words


def test_asking_again_is_no_subject_of_a_question() -> None:
    """Session 26: "alweer" ("hoeveel was dat ook alweer?") is a frame word; as a content word no document uses it
    vetoed the units of a follow-up that asks a figure again."""
    assert content_words("En hoeveel inwoners waren dat ook alweer?", "nl") == [("inwoners", "inwoner")]


def test_an_unfitted_model_always_answers() -> None:
    m = ConfidenceModel()
    assert m.score({"qi_top": 0.0, "unknown_any": 1.0}) > 0.99


def test_the_confidence_falls_with_unknown_words_and_rises_with_similarity() -> None:
    m = ConfidenceModel(names=("qi_top", "unknown_frac"), means=(0.9, 0.1), sds=(0.05, 0.2), weights=(1.0, -1.5),
                        bias=0.5, closest_at=0.3)
    base = {"qi_top": 0.9, "unknown_frac": 0.0}
    assert m.score({**base, "unknown_frac": 0.5}) < m.score(base)
    assert m.score({**base, "qi_top": 0.95}) > m.score(base)
    assert 0.0 < m.score({"qi_top": -100.0, "unknown_frac": 100.0}) < 0.01  # clipped, no overflow


def test_the_fitted_model_file_is_complete() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    n = len(data["names"])
    assert n >= 3 and len(data["means"]) == len(data["sds"]) == len(data["weights"]) == n
    assert 0.0 < data["closest_at"] < 1.0
    assert load_model().names == tuple(data["names"])


def test_the_probe_declines_below_its_threshold_with_the_likeliest_request_kind() -> None:
    from rag.engines.request_probe import RequestProbe

    # two directions: axis 0 is "a question", axis 1 "a request to write"
    w = np.array([[4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 1.0]])
    probe = RequestProbe(("question", "fabrication", "advice"), w, np.zeros(3), decline_below=0.5)
    assert probe.decline(np.array([0.1, 1.0, 0.0])) == "fabrication"
    assert probe.decline(np.array([1.0, 0.1, 0.0])) is None
    assert probe.decline(None) is None
    p = probe.probabilities(np.array([0.0, 2.0, 0.0]))  # the vector is normalised first
    assert abs(sum(p.values()) - 1.0) < 1e-9 and p["fabrication"] > 0.9
    stricter = RequestProbe(probe.classes, w, np.zeros(3), decline_below=0.01)
    assert stricter.decline(np.array([0.4, 1.0, 0.0])) is None  # a low threshold declines only clear requests


def test_the_fitted_probe_matches_the_exemplar_file() -> None:
    from rag.engines.request_probe import PROBE_FILE, QUESTION, exemplars, load_probe

    probe = load_probe()
    assert PROBE_FILE.exists() and probe is not None
    assert set(probe.classes) == set(exemplars()) and QUESTION in probe.classes
    assert probe.weights.shape == (len(probe.classes), 384) and 0.0 < probe.decline_below < 1.0


def test_the_exemplar_file_holds_every_decline_kind_with_a_message() -> None:
    from pathlib import Path

    import yaml

    from rag.engines.request_probe import EXEMPLARS_FILE, QUESTION

    data = yaml.safe_load(EXEMPLARS_FILE.read_text(encoding="utf-8"))
    messages = Path(__file__).resolve().parents[2] / "messages"
    assert QUESTION in data
    for reason, examples in data.items():
        assert len(examples) >= 5 and all(isinstance(x, str) for x in examples)  # "a: b" must be quoted
        if reason == QUESTION:
            continue
        for lang in ("nl", "en"):
            assert (messages / f"decline_{reason}.{lang}.txt").exists()



def _evidence(questions: list[str]) -> Any:
    from rag.question_index import UnitRecord
    from rag.retrieval_units import UnitCandidate, UnitEvidence

    unit = UnitRecord("u-1", "doc", "sentence", "", "Op dinsdagavond 4 maart houden we een informatieavond.", "", 0, 10, -1, -1, 0)
    return UnitEvidence("q", [UnitCandidate(unit, 1.0, None, qi_rank=1, qi_best=0.95)], lambda _uid: questions)


@pytest.mark.parametrize(
    ("question", "unseen"),
    [
        ("Waar wordt de informatieavond gehouden?", 1.0),  # the unit's own questions ask when, never where
        ("Wanneer is de informatieavond?", 0.0),
        ("Wat is er op de informatieavond?", 0.0),  # no kind asked: no evidence either way
    ],
)
def test_a_kind_none_of_the_best_units_questions_asks_is_evidence(question: str, unseen: float) -> None:
    from rag.engines.confidence import part_features

    ctx = SimpleNamespace(language="nl", retrieval=None)
    found = part_features(ctx, question, _evidence(["Wanneer is de informatieavond?", "Waarom is er een informatieavond?"]))
    assert found is not None and found.features["wh_unseen"] == unseen


def test_units_without_hypothetical_questions_are_no_evidence_of_a_kind_unseen() -> None:
    # an uploaded document's units may have no generated questions: that says nothing about what they answer
    from rag.engines.confidence import part_features

    found = part_features(SimpleNamespace(language="nl", retrieval=None), "Waar wordt de informatieavond gehouden?", _evidence([]))
    assert found is not None and found.features["wh_unseen"] == 0.0


def _figure_ctx(question: str, parts: int = 1) -> Any:
    from rag.question_index import UnitRecord
    from rag.retrieval_units import UnitCandidate, UnitEvidence

    units = [
        UnitRecord("u-1", "doc", "sentence", "", "De kosten van de nieuwe sporthal in het dorp zijn nog niet bekend.", "", 0, 10, -1, -1, 0),
        UnitRecord("u-2", "doc", "sentence", "", "Voor het zwembad is € 12 miljoen begroot.", "", 11, 20, -1, -1, 1),
    ]
    asked = {"u-1": ["Wat weten we over de kosten van de sporthal?"], "u-2": ["Hoeveel kost het zwembad?"]}
    ev = UnitEvidence("q", [UnitCandidate(u, 1.0 - i / 10, None, qi_rank=i + 1, qi_best=0.9) for i, u in enumerate(units)],
                      lambda uid: asked[uid])
    return SimpleNamespace(language="nl", standalone_question=question, units=ev, unit_parts=[(question, ev)] * parts)


def test_a_figure_asked_of_a_subject_whose_best_unit_states_none_is_not_answered_by_another_subjects_figure() -> None:
    from rag.engines.confidence import figure_elsewhere

    assert figure_elsewhere(_figure_ctx("Hoeveel kost de nieuwe sporthal in het dorp?"))
    assert not figure_elsewhere(_figure_ctx("Hoeveel kost het zwembad?"))  # the unit with the figure is about it
    assert not figure_elsewhere(_figure_ctx("Wat weten we over de sporthal in het dorp?"))  # no figure asked
    assert not figure_elsewhere(_figure_ctx("Hoeveel kost de nieuwe sporthal in het dorp?", parts=2))  # judged per part


def test_the_figure_elsewhere_check_is_switched_off_by_its_ablation(ablate: Any) -> None:
    from rag.engines.confidence import figure_elsewhere

    ablate("figure_elsewhere")
    assert not figure_elsewhere(_figure_ctx("Hoeveel kost de nieuwe sporthal in het dorp?"))


def _context_figure_ctx(question: str) -> Any:
    from rag.question_index import UnitRecord
    from rag.retrieval_units import UnitCandidate, UnitEvidence

    before = "Voor de bibliotheek is € 3 miljoen geraamd."
    units = [  # the unit about the question's subject carries the sentence before it, about another subject, as context
        UnitRecord("u-1", "doc", "sentence", "", "Het theater kost nog veel meer.", before, 45, 75, 0, 44, 1),
        UnitRecord("u-2", "doc", "sentence", "", before, "", 0, 44, -1, -1, 0),
    ]
    asked = {"u-1": ["Is het theater duurder dan de bibliotheek?"], "u-2": ["Hoeveel kost de bibliotheek?"]}
    ev = UnitEvidence("q", [UnitCandidate(u, 1.0 - i / 10, None, qi_rank=i + 1, qi_best=0.9) for i, u in enumerate(units)],
                      lambda uid: asked[uid])
    return SimpleNamespace(language="nl", standalone_question=question, units=ev, unit_parts=[(question, ev)])


def test_a_figure_only_in_a_units_context_is_not_the_figure_of_its_subject(ablate: Any) -> None:
    from rag.engines.confidence import figure_elsewhere

    assert figure_elsewhere(_context_figure_ctx("Hoeveel kost het theater?"))
    assert not figure_elsewhere(_context_figure_ctx("Hoeveel kost de bibliotheek?"))  # its own sentence states it
    ablate("figure_own_text")  # the context's figure counted as the unit's own: the theater "has" € 3 miljoen
    assert not figure_elsewhere(_context_figure_ctx("Hoeveel kost het theater?"))
