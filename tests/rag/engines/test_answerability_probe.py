"""The answerability probe as a mechanism (no index, no model): its written examples are well-formed data
kept apart from every evaluation item, the fitted file is well-formed, a probe reads its evidence the way
it was fitted (JSON round trip, the pair evidence vanishes without a nearest question), and the fit's
leave-one-out collection never returns the excluded question."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from rag.engines.answerability_probe import (
    EXAMPLES_FILE,
    PROBE_FILE,
    AnswerabilityProbe,
    ProbeEvidence,
    design_row,
    load_probe,
)

ROOT = Path(__file__).resolve().parents[3]


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _examples() -> dict[str, dict[str, list[str]]]:
    return yaml.safe_load(EXAMPLES_FILE.read_text(encoding="utf-8"))


def test_the_examples_are_many_both_languages_and_no_question_is_in_both_classes() -> None:
    data = _examples()
    un = [q for qs in data["unanswerable"].values() for q in qs]
    an = [q for qs in data["answerable"].values() for q in qs]
    assert len(un) >= 250 and len(an) >= 100
    english = len(data["unanswerable"]["en"]) / len(un)
    assert 0.25 <= english <= 0.45
    assert len({_norm(q) for q in un}) == len(un) and len({_norm(q) for q in an}) == len(an)
    assert not {_norm(q) for q in un} & {_norm(q) for q in an}


def test_no_example_is_an_evaluation_item() -> None:
    data = _examples()
    written = {_norm(q) for kind in data.values() for qs in kind.values() for q in qs}
    sets = [*sorted((ROOT / "eval").glob("*.jsonl")), *sorted((ROOT / "eval" / "calc").glob("*.jsonl"))]
    assert sets
    for path in sets:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                assert _norm(json.loads(line)["question"]) not in written, (path.name, line[:80])


def test_the_fitted_probe_is_well_formed() -> None:
    assert PROBE_FILE.exists()
    probe = load_probe()
    assert probe is not None
    assert len(probe.w_scalar) == len(probe.names) == len(probe.means) == len(probe.sds)
    assert probe.w_qvec is not None and probe.w_qvec.shape == (384,)
    assert probe.w_pair is not None and probe.w_pair.shape == (384,)
    assert 0.0 < probe.refuse_below < 0.5
    assert np.all(np.isfinite(probe.weights)) and np.isfinite(probe.bias)


def _toy(weight_on_sim: float) -> AnswerabilityProbe:
    rng = np.random.default_rng(0)
    return AnswerabilityProbe(("qi_top", "type_missing"), np.array([0.9, 0.1]), np.array([0.05, 0.3]),
                              np.array([weight_on_sim, -1.0]), rng.normal(0, 0.1, 384), rng.normal(0, 0.1, 384),
                              0.2, 0.15)


def _evidence(sim: float, missing: float, nvec: np.ndarray | None = None) -> ProbeEvidence:
    q = np.ones(384) / np.sqrt(384)
    return ProbeEvidence({"qi_top": sim, "type_missing": missing}, q, nvec)


def test_a_probe_survives_its_json_and_reads_its_evidence_the_same_way() -> None:
    probe = _toy(2.0)
    again = AnswerabilityProbe.from_json(json.loads(json.dumps(probe.to_json())))
    for ev in (_evidence(0.95, 0.0), _evidence(0.85, 1.0, np.ones(384))):
        assert again.probability(ev) == pytest.approx(probe.probability(ev), abs=1e-4)


def test_more_evidence_for_an_answer_never_lowers_the_probability() -> None:
    probe = _toy(2.0)
    near = np.ones(384)
    assert probe.probability(_evidence(0.97, 0.0, near)) > probe.probability(_evidence(0.85, 0.0, near))
    assert probe.probability(_evidence(0.9, 0.0, near)) > probe.probability(_evidence(0.9, 1.0, near))


def test_without_a_nearest_question_the_pair_evidence_is_zero() -> None:
    row = design_row(_evidence(0.9, 0.0, None), ("qi_top", "type_missing"), True, True)
    assert row.shape == (2 + 384 + 384,)
    assert not row[2 + 384 :].any()
    assert row[2 : 2 + 384].any()


class _FakeCollection:
    def __init__(self, docs: list[str]) -> None:
        self.docs = docs

    def count(self) -> int:
        return len(self.docs)

    def query(self, **kw: object) -> dict[str, list[list[object]]]:
        n = int(kw["n_results"])  # type: ignore[call-overload]
        docs = self.docs[:n]
        return {"documents": [docs], "distances": [[0.1 * i for i in range(len(docs))]],
                "metadatas": [[{"unit_id": f"u{i}"} for i in range(len(docs))]], "ids": [[str(i) for i in range(len(docs))]]}


def test_leave_one_out_never_returns_the_excluded_question_and_keeps_the_count() -> None:
    from scripts.answerability_data import LeaveOneOut

    col = LeaveOneOut(_FakeCollection(["Waar staat het gemeentehuis?", "Wie opent de markt?", "Hoe heet de rivier?", "Wat kost een kaartje?"]))
    res = col.query(query_embeddings=[[0.0]], n_results=2)
    assert res["documents"][0] == ["Waar staat het gemeentehuis?", "Wie opent de markt?"]  # nothing excluded yet
    col.exclude = "Waar staat het gemeentehuis?"
    res = col.query(query_embeddings=[[0.0]], n_results=2)
    assert col.exclude not in res["documents"][0]
    assert len(res["documents"][0]) == len(res["distances"][0]) == len(res["metadatas"][0]) == 2
    assert res["metadatas"][0][0]["unit_id"] == "u1"  # the lists stay aligned


def test_a_question_answered_from_a_document_without_answer_units_is_not_judged_by_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from rag.engines import answerability_probe

    class Index:
        def units_of(self, doc_id: str) -> list[str]:
            return [] if doc_id == "notitie-upload" else ["unit"]

        def questions_of(self, unit_id: str) -> list[str]:
            return []

    assert load_probe() is not None  # otherwise the probe is off and this test could not fail
    monkeypatch.setattr(answerability_probe, "evidence", lambda *a, **k: _evidence(0.8, 1.0, np.ones(384)))

    def ctx(*docs: str) -> SimpleNamespace:
        return SimpleNamespace(units=SimpleNamespace(questions_of=Index().questions_of, candidates=["c"]),
                               passages=[SimpleNamespace(chunk=SimpleNamespace(doc_id=d)) for d in docs],
                               unit_parts=[], parts=[], standalone_question="Waar komt de nieuwe loods?", query_vec=None)

    assert answerability_probe.probability(ctx("kamerbrief", "letter")) is not None  # corpus passages: judged
    assert answerability_probe.probability(ctx("notitie-upload", "kamerbrief")) is None
