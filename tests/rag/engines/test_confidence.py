"""Answerability's evidence features (``rag/engines/confidence.py``), one mechanism at a time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.config import get_settings
from rag.engines.confidence import gap_share
from rag.question_index import GapHit
from rag.retrieval_units import UnitEvidence


@pytest.fixture
def settings_reset() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _evidence(gap_sims: tuple[float, ...], unit_sims: tuple[float, ...]) -> UnitEvidence:
    gap = GapHit("gap-1", "d", "wat de stukken niet zeggen", gap_sims[0], "Wie is de voorzitter?", "", gap_sims) if gap_sims else None
    return UnitEvidence("Wie wordt de voorzitter van de stuurgroep?", [], None, None, gap, question_sims=unit_sims)


def test_the_gap_share_weighs_the_whole_neighbourhood_not_only_the_nearest_question(settings_reset: None) -> None:
    """Gap questions all around the question: a high share; one gap question a hair nearer than a crowd of answered
    ones: a low share, though the nearest question is a gap's either way; no gap: 0."""
    surrounded = gap_share(_evidence((0.95, 0.948, 0.947, 0.946), (0.93, 0.92, 0.91)))
    crowded = gap_share(_evidence((0.951, 0.90, 0.89), (0.950, 0.949, 0.949, 0.948, 0.947, 0.946)))
    answered = gap_share(_evidence((0.90, 0.89), (0.95, 0.948, 0.947)))
    assert surrounded > 0.8
    assert 0.05 < crowded < 0.35
    assert answered < 0.02
    assert surrounded > crowded > answered
    assert gap_share(_evidence((), (0.95, 0.94))) == 0.0


def test_the_gap_share_switches_off(settings_reset: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIODEAL_ABLATE", "gap_share")
    get_settings.cache_clear()
    assert gap_share(_evidence((0.95, 0.948, 0.947), (0.90,))) == 0.0
