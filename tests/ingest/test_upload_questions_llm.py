"""``python -m ingest questions`` with the real local model (``make llm``) on a small uploaded document.

Skipped, with the reason, when the model or xllamacpp is not installed, unless ``REGIODEAL_REQUIRE_LLM=1``
(CI sets it after ``make llm``): then a missing model fails the run. Two units only: on a 2-core CPU each
takes tens of seconds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from rag.config import Settings
from tests.conftest import make_settings, require_local_model

pytestmark = [pytest.mark.slow, pytest.mark.llm]

require_local_model("test_upload_questions_llm")

UPLOAD = """# Dorpshuis Gieten

De gemeente Aa en Hunze bouwt in 2026 een nieuw dorpshuis in Gieten.
De bouw kost € 1,8 miljoen en wordt betaald door de provincie Drenthe.
"""

# hand-written units of the mini corpus's "alpha", so the upload's units compete with others in the index
ALPHA_UNITS = {
    "doc_id": "alpha",
    "units": [
        {"id": "al-001", "kind": "sentence",
         "text": "De bijdrage uit de Regio Envelop is minimaal € 5 miljoen en maximaal € 40 miljoen per Regio Deal.",
         "questions": {"nl": ["Hoeveel geld kan een Regio Deal krijgen?", "Wat kost een Regio Deal het Rijk hoogstens?"],
                       "en": ["How much money can a Regio Deal receive?"]}},
        {"id": "al-002", "kind": "sentence", "text": "De regio levert zelf ten minste 50% cofinanciering.",
         "questions": {"nl": ["Wie betaalt de rest van de kosten?"], "en": ["Who pays the rest of the costs?"]}},
    ],
}


@pytest.fixture(scope="module")
def settings(mini_built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from ingest.api import add_files, build

    root = tmp_path_factory.mktemp("upq-llm")
    shutil.copytree(mini_built.corpus_dir, root / "corpus")
    (root / "corpus" / "questions").mkdir()
    (root / "corpus" / "questions" / "alpha.yaml").write_text(yaml.safe_dump(ALPHA_UNITS, allow_unicode=True),
                                                              encoding="utf-8")
    shutil.copytree(mini_built.index_dir, root / "index")
    s = make_settings(root, corpus_dir=root / "corpus", question_cache_dir=None, llm_timeout_s=900.0,
                      llm_ctx=2048)
    assert build(s, progress=False).ok
    doc = root / "gieten.md"
    doc.write_text(UPLOAD, encoding="utf-8")
    assert add_files([doc], s, progress=False).ok
    return s


def test_local_model_writes_questions_that_load_and_rank_the_upload(settings: Settings) -> None:
    from ingest.units import read_units_file, resolve
    from ingest.upload_questions import generate_questions, questions_file
    from rag.question_index import QuestionIndex
    from rag.retrieval import embed_query
    from rag.store import IndexStore

    report = generate_questions("gieten", settings, progress=False, engine="local")
    print("\n" + "\n".join(report.lines()))
    assert report.generator == "local" and report.units == 2
    assert report.generated >= 1, report.lines()  # a unit may fail; the run goes on

    # stored in the upload's storage, in the curated units' format, every unit verbatim in the document
    path = questions_file(settings, "gieten")
    assert Path(settings.uploads_dir) in path.parents
    doc_id, raw = read_units_file(path)
    text = IndexStore(settings).document("gieten").text
    units = resolve(doc_id, raw, text)
    assert doc_id == "gieten" and len(units) == report.generated
    for u in units:
        print(u.unit_id, u.questions)
        assert u.questions.get("nl") and all(q.endswith("?") for qs in u.questions.values() for q in qs)

    # the question index ranks a unit of the upload first for a question about it
    qi = QuestionIndex(settings)
    qi.refresh()
    assert {u.unit_id for u in qi.units_of("gieten")} == {u.unit_id for u in units}
    about = {u.unit_id for u in units}
    question = "Wat gaat het nieuwe dorpshuis in Gieten kosten?" if any("1,8" in u.text for u in units) \
        else "Welke gemeente bouwt een dorpshuis in Gieten?"
    hits = qi.search(embed_query(question), k=20)
    assert hits and hits[0].unit.unit_id in about, [(h.unit.unit_id, h.best_question) for h in hits[:3]]
