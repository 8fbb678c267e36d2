"""The evaluation's scoring rules are FORMAT.md's, to the letter; and the harness runs end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rag.evaluation import (
    aggregate,
    alternative_in,
    calc_matches,
    calc_miss_reason,
    first_hit_rank,
    format_report,
    load_questions,
    passes_must_include,
    shares_span,
    strip_markdown,
)


def test_digit_alternative_must_not_follow_a_digit_dot_or_comma() -> None:
    assert alternative_in("minimaal € 5 miljoen", "5 miljoen")
    assert not alternative_in("maximaal € 35 miljoen", "5 miljoen")
    assert not alternative_in("€ 1.5 miljoen", "5 miljoen")
    assert not alternative_in("€ 2,5 miljoen", "5 miljoen")
    assert alternative_in("(5 miljoen)", "5 miljoen")
    assert alternative_in("Het Rijk", "rijk")  # case-insensitive


def test_every_group_needs_an_alternative_and_nothing_forbidden() -> None:
    groups = [["18 miljoen", "18 million"], ["36 miljoen"]]
    assert passes_must_include("Maximaal 18 miljoen, totaal 36 miljoen.", groups)
    assert not passes_must_include("Maximaal 18 miljoen.", groups)
    assert not passes_must_include("Maximaal 118 miljoen, totaal 36 miljoen.", groups)
    assert not passes_must_include("18 miljoen en 36 miljoen, maar 40 miljoen", groups, ["40 miljoen"])
    assert passes_must_include("anything", [])


def test_span_hits_after_whitespace_collapse_and_dehyphenation() -> None:
    quote = "In delen van onze regio verzorgt deze sector meer dan 20% van de totale werk- \ngelegenheid."
    chunk = "De toeristische sector is een troefkaart. In delen van onze regio verzorgt deze sector meer dan 20% van de totale werkgelegenheid."
    assert shares_span(chunk, quote)
    assert not shares_span("Een heel andere tekst over wonen en zorg in de regio.", quote)
    # exactly 30 shared characters is a hit, 29 is not
    base = "abcdefghijklmnopqrstuvwxyz0123"  # 30 chars
    assert shares_span("xx " + base + " yy", base + " en meer")
    assert not shares_span("xx " + base[:29] + " yy", base + " en meer")


def test_span_hits_across_markdown_markup_but_not_other_words() -> None:
    # a seed quote in column layout against the curated Markdown table row
    chunk = "| Indicator | Zuidoost-Drenthe | Nederland |\n|---|---|---|\n| Rokers | 22% | 20% |\n| Wekelijks sporten | 40%\\* | 51% |"
    assert shares_span(chunk, "Rokers\n22%                   20%\n\nWekelijks sporten\n40%*                  51%")
    assert not shares_span(chunk, "Rokers\n22%                   25%\n\nWekelijks fietsen\n40%*                  51%")
    # headings, blockquotes, bullets and footnote marks
    assert shares_span("### Opgave en ambitie\n\n> Nel (81): \u201cSinds onze huisarts met pensioen is\u201d", "Opgave en ambitie Nel (81): \u201cSinds onze huisarts")
    assert shares_span("- Zuidoost-Drenthe 2015 = 192.500, in 2040 175.400", "Zuidoost-Drenthe 2015 = 192.500, in 2040 175.400")
    assert shares_span("uit het regeerakkoord[^1]. De afgelopen periode hebben", "uit het regeerakkoord. De afgelopen periode hebben")
    assert strip_markdown("Zuid-Drenthe - 20% | x") == "Zuid-Drenthe - 20%   x"  # inner hyphens stay


def test_first_hit_rank_uses_retrieved_order() -> None:
    retrieved = [
        {"rank": 1, "doc_id": "letter", "text": "Iets anders dan de bron, lang genoeg om te vergelijken."},
        {"rank": 2, "doc_id": "kamerbrief", "text": "vanuit de Regio Envelop wordt maximaal 50% bijgedragen met een minimum"},
    ]
    sources = [{"doc": "kamerbrief", "quote": "vanuit de Regio Envelop \nwordt maximaal 50% bijgedragen"}]
    assert first_hit_rank(retrieved, sources) == 2
    assert first_hit_rank(retrieved[:1], sources) is None


def test_calc_matches_within_tolerance_and_booleans() -> None:
    result = {"allowed": False, "total_budget_eur_m": 14, "rijk_share_pct": 57.14, "max_rijk_eur_m": 6}
    assert calc_matches(result, {"allowed": False, "total_budget_eur_m": 14, "rijk_share_pct": 57.1, "max_rijk_eur_m": 6})
    assert not calc_matches(result, {"allowed": True})
    assert not calc_matches(result, {"rijk_share_pct": 57.0})
    assert not calc_matches(result, {"missing_key": 1})
    assert not calc_matches(None, {"max_rijk_eur_m": 6})


def test_calc_matches_a_freely_named_key_by_its_value_but_never_a_rule_limit() -> None:
    """FORMAT.md names no result keys: a set may call the minimum co-financing "min_regio"."""
    result = {
        "kind": "check", "allowed": False, "min_regional_cofinancing_eur_m": 30, "per_year_eur_m": {"rijk": 8.0},
        "checks": [{"check": "max_rijk", "limit_eur_m": 40}],
    }
    assert calc_matches(result, {"min_regio": 30, "verdict_ok": False, "yearly": 8})
    assert not calc_matches(result, {"min_regio": 31})
    assert not calc_matches(result, {"verdict_ok": True})
    assert not calc_matches(result, {"cap": 40}), "a limit inside a check is not a figure the result reports"
    assert calc_miss_reason(result, {"min_regio": 31}) == "key"
    assert calc_miss_reason(result, {"allowed": True}) == "value"


def _row(**kw: Any) -> dict[str, Any]:
    base = {
        "id": "x", "type": "fact", "lang": "nl", "question": "q", "answer": "a", "standalone_question": "q",
        "has_sources": True, "hit_rank": 1, "answer_ok": True, "forbidden_ok": True, "must_refuse": False,
        "refused": False, "refusal_ok": True, "calc_ok": None, "citations_ok": True, "citation_problems": [],
        "t_retrieve": 10.0, "t_total": 20.0,
    }
    base.update(kw)
    return base


def test_aggregate_metrics() -> None:
    rows = [
        _row(hit_rank=1),
        _row(hit_rank=4, answer_ok=False),
        _row(hit_rank=None, refused=True, refusal_ok=False, answer_ok=False),
        _row(has_sources=False, must_refuse=True, refused=True, answer_ok=None, hit_rank=None),
    ]
    m = aggregate(rows)
    assert m["recall@1"] == pytest.approx(1 / 3, abs=1e-3)
    assert m["recall@5"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["mrr"] == pytest.approx((1 + 0.25 + 0) / 3, abs=1e-3)
    assert m["answer_accuracy"] == pytest.approx(1 / 3, abs=1e-3)
    assert m["refusal_accuracy"] == 0.75
    assert m["false_refusal_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert m["citation_validity"] == 1.0
    table = format_report({"overall": m, "by_type": {"fact": m}, "by_lang": {"nl": m}, "items": rows})
    assert "overall" in table and "failures (2)" in table


def test_load_questions_reports_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "a", "question": "x"}\n\n{bad json\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl:3"):
        load_questions(f)


@pytest.mark.slow
def test_evaluate_end_to_end(built_settings: Any, tmp_path: Path) -> None:
    from rag.assistant import Assistant
    from rag.evaluation import evaluate

    items = [
        {"id": "e1", "lang": "nl", "type": "fact", "question": "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?",
         "must_include": [["40 miljoen"]], "sources": [{"doc": "kamerbrief", "quote": "maximaal € 40 miljoen per Regio Deal"}]},
        {"id": "e2", "lang": "nl", "type": "unanswerable", "question": "Hoeveel kost de bouw van de Techniek Campus?",
         "must_include": [], "must_refuse": True, "sources": []},
    ]
    report = evaluate(Assistant(built_settings), items, progress=False)
    o = report["overall"]
    assert o["n"] == 2
    assert o["recall@5"] == 1.0
    assert o["answer_accuracy"] == 1.0
    assert o["refusal_accuracy"] == 1.0
    assert o["citation_validity"] == 1.0
    assert json.dumps(report, default=str)
