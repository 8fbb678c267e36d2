"""Answer units: every unit is verbatim document text at the offsets it resolves to, and every content
sentence of a curated document belongs to some unit (the rule of corpus/questions, shared with the data
checker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.units import UnitsError, inline, load_units, normalise, resolve, uncovered
from rag.config import ROOT

CORPUS = ROOT / "corpus"


def test_every_unit_is_verbatim_text_at_its_offsets(documents: dict[str, str]) -> None:
    units = load_units(CORPUS, documents)
    assert len({u.unit_id for u in units}) == len(units) > 250
    for u in units:
        if u.is_card:
            assert u.text.startswith("Titel: ")
            continue
        span = normalise(documents[u.doc_id][u.start : u.end]).text
        if u.kind == "table_row":
            for cell in inline(u.text).split(" | "):
                assert cell in span, (u.unit_id, cell)
        else:
            # the span is the unit; a list marker at the very start of the span is markup, not content
            assert inline(u.text) in (span, inline(documents[u.doc_id][u.start : u.end])), u.unit_id
        if u.context:
            ctx = documents[u.doc_id][u.context_start : u.context_end]
            for cell in inline(u.context).split(" | "):
                assert cell in normalise(ctx).text or cell in inline(ctx), (u.unit_id, cell)


def test_every_content_sentence_belongs_to_a_unit(documents: dict[str, str]) -> None:
    units = load_units(CORPUS, documents)
    for doc_id, text in documents.items():
        assert uncovered(text, [u for u in units if u.doc_id == doc_id]) == [], doc_id


def test_every_unit_has_dutch_and_english_questions(documents: dict[str, str]) -> None:
    units = [u for u in load_units(CORPUS, documents) if u.kind != "heading"]
    with_nl = sum(1 for u in units if u.questions.get("nl"))
    with_en = sum(1 for u in units if u.questions.get("en"))
    assert with_nl >= 0.95 * len(units)
    assert with_en >= 0.6 * len(units)


MD = """# Kop

Eerste zin met een voetnoot[^1]. Tweede zin met **vet** en een [link](https://example.org).

Lijst met een aanloop:
- punt één;
- punt twee.

| Kolom | Waarde |
|---|---|
| Emmen | 107.000 |

[^1]: De voetnoottekst.
"""


def test_normalise_follows_the_shared_rule_and_maps_back() -> None:
    n = normalise(MD)
    assert n.text == (
        "Kop Eerste zin met een voetnoot. Tweede zin met vet en een link. Lijst met een aanloop: punt één; "
        "punt twee. Kolom | Waarde Emmen | 107.000 De voetnoottekst."
    )
    start, end = n.span("Tweede zin met vet en een link.")
    assert MD[start:end] == "Tweede zin met **vet** en een [link](https://example.org)."
    start, end = n.span("punt één; punt twee.")
    assert MD[start:end] == "punt één;\n- punt twee."


def test_resolve_gives_offsets_and_rejects_text_that_is_not_in_the_document() -> None:
    raw = [
        {"id": "x-1", "kind": "sentence", "text": "Eerste zin met een voetnoot.", "questions": {"nl": ["Wat staat eerst?"]}},
        {"id": "x-2", "kind": "list_item", "text": "punt twee.", "context": "Lijst met een aanloop:"},
        {"id": "x-3", "kind": "table_row", "text": "Emmen | 107.000", "context": "Kolom | Waarde"},
        {"id": "x-4", "kind": "card", "text": "Titel: Test; Datum: 2020-01-01"},
    ]
    units = {u.unit_id: u for u in resolve("x", raw, MD)}
    assert MD[units["x-1"].start : units["x-1"].end] == "Eerste zin met een voetnoot[^1]."
    assert MD[units["x-2"].context_start : units["x-2"].context_end] == "Lijst met een aanloop:"
    assert MD[units["x-3"].start : units["x-3"].end] == "Emmen | 107.000"
    assert units["x-4"].start == -1
    with pytest.raises(UnitsError, match="not verbatim"):
        resolve("x", [{"id": "x-9", "kind": "sentence", "text": "Een zin die er niet staat."}], MD)
    with pytest.raises(UnitsError, match="bad kind"):
        resolve("x", [{"id": "x-9", "kind": "paragraph", "text": "Eerste zin met een voetnoot."}], MD)


def test_a_broken_units_file_is_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "x.yaml").write_text("doc_id: x\nunits:\n  - id: x-1\n    kind: sentence\n    text: Nergens.\n")
    (tmp_path / "questions" / "y.yaml").write_text(": not yaml [")
    assert load_units(tmp_path, {"x": MD}) == []
