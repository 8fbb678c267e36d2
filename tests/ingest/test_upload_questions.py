"""``python -m ingest questions <doc>``: units of an uploaded document, questions from a (fake) engine, stored
in the upload's own storage, embedded into the question index, capped, resumable, removed with the document.

The engine here is a fake (what a model returns is the input under test); the real local model is used in
``test_upload_questions_llm.py``. The index is real (Chroma, e5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.units import ID_RE, read_units_file, resolve
from ingest.upload_questions import (
    NoGeneratorError,
    NotAnUploadError,
    generate_questions,
    get_generator,
    parse_questions,
    questions_file,
    split_units,
    unit_prefix,
)
from rag.config import Settings
from tests.conftest import make_settings

FIXTURE = Path(__file__).parent / "fixtures" / "dorpshuizen.md"


# --------------------------------------------------------------------------- parsing the model's output


def test_clean_output_gives_questions_per_language() -> None:
    out = ("NL1: Hoeveel subsidie krijgt een dorpshuis hoogstens?\nNL2: Wat is het maximum per dorpshuis?\n"
           "EN1: What is the maximum grant per village hall?")
    qs = parse_questions(out)
    assert qs == {"nl": ["Hoeveel subsidie krijgt een dorpshuis hoogstens?", "Wat is het maximum per dorpshuis?"],
                  "en": ["What is the maximum grant per village hall?"]}


def test_messy_output_is_parsed_and_junk_dropped() -> None:
    out = """Sure! Here are the questions:
```
1. **NL:** "Wanneer sluit de aanvraagtermijn voor dorpshuizen?" (dit vraagt naar de datum)
- nl - Tot welke datum kan een stichting aanvragen?
* NL3: Tot welke datum kan een stichting aanvragen?
NL: Aanvragen indienen
NL: ?
EN 2) When is the deadline for applications?
```
Hope this helps."""
    qs = parse_questions(out)
    assert qs["nl"] == ["Wanneer sluit de aanvraagtermijn voor dorpshuizen?", "Tot welke datum kan een stichting aanvragen?"]
    assert qs["en"] == ["When is the deadline for applications?"]


def test_a_question_that_repeats_the_unit_and_caps_per_language() -> None:
    unit = "Is het dorpshuis open voor iedereen?"
    out = "\n".join([f"NL: {unit}"] + [f"NL: Vraag nummer {n} over het dorpshuis?" for n in range(10)]
                    + [f"EN: Question number {n} about the hall?" for n in range(5)])
    qs = parse_questions(out, unit_text=unit, max_nl=6, max_en=2)
    assert unit not in qs["nl"] and len(qs["nl"]) == 6 and len(qs["en"]) == 2


@pytest.mark.parametrize("out", ["", "   \n", "Ik weet het niet.", "NL: geen vraag hier", "```\n```", "EN:"])
def test_output_without_questions_gives_none(out: str) -> None:
    assert parse_questions(out) == {}


def test_unlabelled_question_lines_are_taken_with_their_detected_language() -> None:
    out = "Hoeveel uur per week moet het dorpshuis open zijn?\nHow many hours a week must the hall be open?"
    qs = parse_questions(out)
    assert qs == {"nl": ["Hoeveel uur per week moet het dorpshuis open zijn?"],
                  "en": ["How many hours a week must the hall be open?"]}


# --------------------------------------------------------------------------- splitting


def test_units_are_verbatim_sentences_list_items_with_lead_in_and_rows_with_header() -> None:
    from ingest.loaders import load_bytes

    doc = load_bytes(FIXTURE, FIXTURE.read_bytes())
    drafts = split_units(doc.doc_id, doc.text)
    kinds = {d.kind for d in drafts}
    assert kinds == {"sentence", "list_item", "table_row"}
    ids = [d.id for d in drafts]
    assert len(set(ids)) == len(ids) and all(ID_RE.match(i) and i.startswith(unit_prefix(doc.doc_id)) for i in ids)
    items = [d for d in drafts if d.kind == "list_item"]
    assert len(items) == 3 and all(d.context.endswith("voorwaarden is voldaan:") for d in items)
    rows = [d for d in drafts if d.kind == "table_row"]
    assert [r.text.split(" | ")[0] for r in rows] == ["Emmen", "Coevorden", "Borger-Odoorn"]
    assert all(r.context == "Gemeente | Budget" for r in rows)
    assert not any(d.text.startswith(("#", "Subsidieregeling")) for d in drafts)  # headings give no unit
    assert all(d.section for d in drafts)
    units = resolve(doc.doc_id, [d.raw() for d in drafts], doc.text)  # every unit (and context) is verbatim
    assert all(doc.text[u.start : u.end] for u in units)


# --------------------------------------------------------------------------- the command, with a fake engine


class FakeEngine:
    """Returns two questions per unit naming the unit's first words; scripted failures by unit text."""

    name = "fake"

    def __init__(self, fail: tuple[str, ...] = (), garbage: tuple[str, ...] = ()) -> None:
        self.calls: list[str] = []
        self.fail, self.garbage = fail, garbage

    def complete(self, system: str, user: str) -> str:
        text = user.split("Fragment:", 1)[1].strip()
        self.calls.append(text)
        if any(f in text for f in self.fail):
            raise TimeoutError("the model took too long")
        if any(g in text for g in self.garbage):
            return "Sure, here you go: lots of words but not one question."
        words = " ".join(text.split()[:4])
        return f"NL1: Wat zegt de regeling over {words}?\nEN1: What does the scheme say about {words}?"


@pytest.fixture
def upload_settings(mini_built: Settings, tmp_path: Path) -> Settings:
    """The mini corpus's index (a copy) with the fixture document added as a shared upload."""
    from ingest.api import add_files

    shutil.copytree(mini_built.index_dir, tmp_path / "index")
    settings = make_settings(tmp_path, corpus_dir=mini_built.corpus_dir, question_cache_dir=None)
    report = add_files([FIXTURE], settings, progress=False)
    assert report.ok, report.lines()
    return settings


def _unit_ids_in_index(settings: Settings, doc_id: str) -> list[str]:
    from rag.question_index import QuestionIndex

    qi = QuestionIndex(settings)
    qi.refresh()
    return [u.unit_id for u in qi.units_of(doc_id)]


def test_cap_resume_failures_index_and_removal(upload_settings: Settings) -> None:
    from ingest.api import remove_document
    from ingest.loaders import load_bytes

    doc = load_bytes(FIXTURE, FIXTURE.read_bytes())
    n_units = len(split_units(doc.doc_id, doc.text))
    path = questions_file(upload_settings, "dorpshuizen")
    assert Path(upload_settings.corpus_dir) not in path.parents  # uploads never touch the corpus

    # run 1: capped at 5 units; one times out, one gets garbage: both get none, the run goes on
    engine = FakeEngine(fail=("Zonder steun",), garbage=("De gemeenten Emmen",))
    first = generate_questions("dorpshuizen", upload_settings, generator=engine, progress=False, limit=5)
    assert len(engine.calls) == 5
    assert first.generated == 3 and len(first.failed) == 2 and first.remaining == n_units - 5
    doc_id, raw = read_units_file(path)
    assert doc_id == "dorpshuizen" and len(raw) == 3
    assert all(u["questions"]["nl"] and u["questions"]["en"] for u in raw)
    in_index = _unit_ids_in_index(upload_settings, "dorpshuizen")
    assert sorted(in_index) == sorted(u["id"] for u in raw)

    # run 2: resumes; the done units are not asked again, the failed ones are
    engine2 = FakeEngine()
    second = generate_questions("dorpshuizen", upload_settings, generator=engine2, progress=False, limit=100)
    assert second.done_before == 3 and second.generated == n_units - 3 and second.remaining == 0
    assert len(engine2.calls) == n_units - 3
    assert any("Zonder steun" in c for c in engine2.calls)
    _, raw = read_units_file(path)
    assert len(raw) == n_units
    assert len(_unit_ids_in_index(upload_settings, "dorpshuizen")) == n_units

    # run 3: nothing left, the engine is not called
    engine3 = FakeEngine()
    third = generate_questions("dorpshuizen", upload_settings, generator=engine3, progress=False)
    assert engine3.calls == [] and third.generated == 0 and third.done_before == n_units

    # the question index finds a unit of the upload for a question worded like its generated ones
    from rag.question_index import QuestionIndex
    from rag.retrieval import embed_query

    qi = QuestionIndex(upload_settings)
    qi.refresh()
    hits = qi.search(embed_query("Wat zegt de regeling over een adviescommissie van drie?"), k=20)
    assert hits and hits[0].unit.doc_id == "dorpshuizen"

    # removing the document removes its questions, from the storage and from the index
    remove_document("dorpshuizen", upload_settings, progress=False)
    assert not path.exists()
    assert _unit_ids_in_index(upload_settings, "dorpshuizen") == []


def test_no_engine_is_a_clear_message_exit_2_and_nothing_changes(
    upload_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import ingest.__main__ as cli

    settings = upload_settings.model_copy(update={"llm_base_url": None, "local_model_path": tmp_path / "none.gguf"})
    with pytest.raises(NoGeneratorError, match=r"make llm"):
        get_generator(settings)
    before = sorted(p.name for p in Path(settings.index_dir).rglob("*") if p.is_file())
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    assert cli.main(["-q", "questions", "dorpshuizen"]) == 2
    err = capsys.readouterr().err
    assert "no generative engine" in err and "make llm" in err
    assert not questions_file(settings, "dorpshuizen").exists()
    assert sorted(p.name for p in Path(settings.index_dir).rglob("*") if p.is_file()) == before

    off = settings.model_copy(update={"question_engine": "off"})
    monkeypatch.setattr(cli, "get_settings", lambda: off)
    assert cli.main(["-q", "questions", "dorpshuizen"]) == 2
    assert "switched off" in capsys.readouterr().err


def test_only_an_added_document_gets_questions(
    upload_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ingest.__main__ as cli

    with pytest.raises(NotAnUploadError):  # a curated document: its questions are hand-written data in corpus/
        generate_questions("alpha", upload_settings, generator=FakeEngine(), progress=False)
    monkeypatch.setattr(cli, "get_settings", lambda: upload_settings)
    for doc_id in ("alpha", "../alpha", "nope", "a/b", "dorpshuizen/../alpha"):
        assert cli.main(["-q", "questions", doc_id]) == 2, doc_id
        assert "error:" in capsys.readouterr().err
    assert not (Path(upload_settings.uploads_dir) / "questions").exists()


def test_a_questions_file_cannot_add_units_to_another_document(upload_settings: Settings) -> None:
    """A file in the uploads' questions folder that names a corpus document (or another upload's unit ids)
    is ignored by the question index."""
    import yaml

    from ingest.api import build

    folder = Path(upload_settings.uploads_dir) / "questions"
    folder.mkdir(parents=True, exist_ok=True)
    unit = {"id": "evil-1", "kind": "sentence", "text": "De regio levert zelf ten minste 50% cofinanciering.",
            "questions": {"nl": ["Wie betaalt alles?"]}}
    (folder / "alpha.yaml").write_text(yaml.safe_dump({"doc_id": "alpha", "units": [unit]}), encoding="utf-8")
    own = {"id": "kb-001", "kind": "sentence", "text": "Een dorpshuis kan ten hoogste € 75.000 subsidie ontvangen.",
           "questions": {"nl": ["Wat is het maximum?"]}}  # a curated-looking id: would replace a corpus unit
    (folder / "dorpshuizen.yaml").write_text(yaml.safe_dump({"doc_id": "dorpshuizen", "units": [own]}), encoding="utf-8")
    assert build(upload_settings, progress=False).ok
    assert _unit_ids_in_index(upload_settings, "alpha") == []
    assert _unit_ids_in_index(upload_settings, "dorpshuizen") == []

    # the next add clears questions files of documents that are not added (here: the corpus's "alpha")
    from ingest.api import add_files

    other = Path(upload_settings.uploads_dir).parent / "notitie.txt"
    other.write_text("Een korte notitie over de bibliotheek van Sleen en haar openingstijden.", encoding="utf-8")
    assert add_files([other], upload_settings, progress=False).ok
    assert not (folder / "alpha.yaml").exists() and (folder / "dorpshuizen.yaml").exists()
