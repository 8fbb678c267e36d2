"""Checks the question sets against ``../shared/eval/FORMAT.md``.

The eval is only as trustworthy as its question file: a malformed item silently scores as a pass or a
fail, a source quote that is not in the documents makes retrieval hits unmeasurable, and a wrong
``calc.expected`` would punish a correct calculator. So every item is checked here, and every source
quote is looked up in the raw seed text.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
OWN_SET = ROOT / "eval" / "questions.jsonl"
# Held-out set (written independently, never used for tuning): same format, same checks.
HOLDOUT_SET = ROOT / "eval" / "holdout.jsonl"
# Second held-out set, written later and independently of the first; same format, same checks.
HOLDOUT2_SET = ROOT / "eval" / "holdout2.jsonl"
# Third held-out set (session 3), written independently of the first two; same format, same checks.
HOLDOUT3_SET = ROOT / "eval" / "holdout3.jsonl"
# Fourth held-out set (session 4), written independently of the first three; same format, same checks.
HOLDOUT4_SET = ROOT / "eval" / "holdout4.jsonl"
# Fifth held-out set (late session 4), written independently of the first four; same format, same checks.
HOLDOUT5_SET = ROOT / "eval" / "holdout5.jsonl"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
SEED = ROOT.parent / "shared" / "seeds" / "000_41de1c9b46d24068.txt"

TYPES = {"fact", "numeric", "multi", "calc", "unanswerable", "followup", "adversarial"}
REFUSAL_TYPES = {"unanswerable", "adversarial"}
DOC_IDS = {"letter", "twopager", "kamerbrief"}
CALC_INPUT_KEYS = {
    "max_share_rijk_of_total",
    "min_rijk_eur_m",
    "max_rijk_eur_m",
    "regional_cofinancing_eur_m",
    "rijk_request_eur_m",
    "total_budget_eur_m",
    "tranche_eur_m",
    "deals_at_max",
}
CALC_EXPECTED_KEYS = {
    "max_rijk_eur_m",
    "total_budget_eur_m",
    "min_regional_cofinancing_eur_m",
    "allowed",
    "rijk_share_pct",
    "allocated_eur_m",
    "remaining_eur_m",
    "max_additional_min_deals",
}
MIN_QUOTE_CHARS = 30


def normalise(text: str) -> str:
    """The comparison FORMAT.md prescribes: join words hyphenated across a line break, collapse
    whitespace, ignore case. A quote ending in a line-break hyphen ("werk-") loses the hyphen too."""
    text = re.sub(r"(\w)-[ \t]*\n\s*(?=\w)", r"\1", text)
    text = re.sub(r"(\w)-\s*$", r"\1", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def alternative_matches(alternative: str, answer: str) -> bool:
    """FORMAT.md's must_include rule: case-insensitive substring; an alternative starting with a digit
    must not be preceded by a digit, '.' or ',' (so '5 miljoen' does not match '35 miljoen')."""
    alt, text = alternative.lower(), answer.lower()
    if alt[:1].isdigit():
        return re.search(r"(?<![\d.,])" + re.escape(alt), text) is not None
    return alt in text


def load(path: Path) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as a test failure
                pytest.fail(f"{path.name}:{n}: not valid JSON: {exc}")
    return items


def question_sets() -> list[Path]:
    return [p for p in (OWN_SET, HOLDOUT_SET, HOLDOUT2_SET, HOLDOUT3_SET, HOLDOUT4_SET, HOLDOUT5_SET, DEV_SET)
            if p.exists()]


@pytest.fixture(scope="module")
def own_items() -> list[dict[str, Any]]:
    assert OWN_SET.exists(), f"{OWN_SET} is missing"
    return load(OWN_SET)


@pytest.fixture(scope="module")
def normalised_seed() -> str:
    if not SEED.exists():
        pytest.skip(f"raw seed text not available at {SEED}")
    return normalise(SEED.read_text(encoding="utf-8"))


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _is_history(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(t, dict) and t.get("role") in {"user", "assistant"}
        and isinstance(t.get("content"), str) and t["content"].strip()
        for t in value
    )


def item_problems(item: dict[str, Any]) -> list[str]:
    """Every way one item breaks FORMAT.md (empty list when it is fine)."""
    problems: list[str] = []
    for key, kind in (("id", str), ("lang", str), ("type", str), ("question", str), ("must_include", list),
                      ("sources", list)):
        if not isinstance(item.get(key), kind):
            problems.append(f"field {key!r} missing or not {kind.__name__}")
    if problems:
        return problems
    if item["lang"] not in {"nl", "en"}:
        problems.append(f"lang {item['lang']!r}")
    if item["type"] not in TYPES:
        problems.append(f"type {item['type']!r}")
    if not item["question"].strip():
        problems.append("empty question")
    if "answer" in item and not isinstance(item["answer"], str):
        problems.append("answer is not a string")

    groups = item["must_include"]
    if not all(isinstance(g, list) and g and _is_str_list(g) for g in groups):
        problems.append("must_include must be a list of non-empty lists of non-empty strings")
    if "must_not_include" in item and not _is_str_list(item["must_not_include"]):
        problems.append("must_not_include must be a list of non-empty strings")
    if "must_refuse" in item and not isinstance(item["must_refuse"], bool):
        problems.append("must_refuse must be a boolean")
    refuse = item.get("must_refuse", False) is True
    if item["type"] in REFUSAL_TYPES and not refuse:
        problems.append(f"{item['type']} item without must_refuse: true")
    if refuse and groups:
        problems.append("refusal item with non-empty must_include")
    if not refuse and not groups:
        problems.append("answerable item without any must_include group")

    history = item.get("history")
    if history is not None and not _is_history(history):
        problems.append("history must be a list of {role: user|assistant, content: str}")
    if item["type"] == "followup":
        roles = [t.get("role") for t in history or [] if isinstance(t, dict)]
        if "user" not in roles or "assistant" not in roles:
            problems.append("followup item needs earlier user and assistant turns")

    for src in item["sources"]:
        if not (isinstance(src, dict) and src.get("doc") in DOC_IDS and isinstance(src.get("quote"), str)):
            problems.append(f"bad source {src!r}")
        elif len(normalise(src["quote"])) < MIN_QUOTE_CHARS:
            problems.append(f"source quote shorter than {MIN_QUOTE_CHARS} characters: {src['quote']!r}")

    calc = item.get("calc")
    if item["type"] == "calc" and calc is None:
        problems.append("calc item without calc")
    if calc is not None:
        if not (isinstance(calc, dict) and isinstance(calc.get("inputs"), dict)
                and isinstance(calc.get("expected"), dict) and calc["inputs"] and calc["expected"]):
            problems.append("calc must have non-empty inputs and expected objects")
        else:
            if set(calc["inputs"]) - CALC_INPUT_KEYS:
                problems.append(f"unknown calc input keys {sorted(set(calc['inputs']) - CALC_INPUT_KEYS)}")
            if set(calc["expected"]) - CALC_EXPECTED_KEYS:
                problems.append(f"unknown calc expected keys {sorted(set(calc['expected']) - CALC_EXPECTED_KEYS)}")
    return problems


def reference_calc(inputs: dict[str, float]) -> dict[str, Any]:
    """The Kamerbrief's co-financing rules, written out independently of rag/ so a wrong expected
    value in a question file cannot hide behind the same bug in the calculator under test."""
    share = inputs.get("max_share_rijk_of_total", 0.5)
    lo, hi = inputs.get("min_rijk_eur_m", 5), inputs.get("max_rijk_eur_m", 40)
    out: dict[str, Any] = {}
    if "tranche_eur_m" in inputs:
        allocated = inputs.get("deals_at_max", 0) * hi
        remaining = inputs["tranche_eur_m"] - allocated
        return {"allocated_eur_m": allocated, "remaining_eur_m": remaining,
                "max_additional_min_deals": math.floor(remaining / lo + 1e-9)}
    cof = inputs.get("regional_cofinancing_eur_m")
    req = inputs.get("rijk_request_eur_m")
    total = inputs.get("total_budget_eur_m")
    if cof is not None:
        out["max_rijk_eur_m"] = min(hi, cof * share / (1 - share))
        out["total_budget_eur_m"] = cof + (req if req is not None else out["max_rijk_eur_m"])
    if req is not None:
        out["min_regional_cofinancing_eur_m"] = req * (1 - share) / share
        if cof is None:
            out["total_budget_eur_m"] = req + out["min_regional_cofinancing_eur_m"]
        whole = out["total_budget_eur_m"]
        out["rijk_share_pct"] = round(100 * req / whole, 1)
        out["allowed"] = lo <= req <= hi and req <= share * whole + 1e-9
    if total is not None and cof is None and req is None:
        out["total_budget_eur_m"] = total
        out["max_rijk_eur_m"] = min(hi, share * total)
        out["min_regional_cofinancing_eur_m"] = total - out["max_rijk_eur_m"]
    return out


@pytest.mark.parametrize("path", question_sets(), ids=lambda p: p.name)
def test_every_item_follows_the_format(path: Path) -> None:
    items = load(path)
    assert items, f"{path} is empty"
    problems = [f"{it.get('id', '?')}: {p}" for it in items for p in item_problems(it)]
    assert not problems, "\n".join(problems)
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids)), f"duplicate ids: {[i for i, n in Counter(ids).items() if n > 1]}"


@pytest.mark.parametrize("path", question_sets(), ids=lambda p: p.name)
def test_source_quotes_occur_in_the_seed_text(path: Path, normalised_seed: str) -> None:
    missing = [
        f"{it['id']} [{src['doc']}]: {src['quote']!r}"
        for it in load(path)
        for src in it.get("sources", [])
        if normalise(src["quote"]) not in normalised_seed
    ]
    assert not missing, "quotes not found in the seed text:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", question_sets(), ids=lambda p: p.name)
def test_calc_expectations_follow_the_kamerbrief_rules(path: Path) -> None:
    wrong = []
    for it in load(path):
        if "calc" not in it:
            continue
        computed = reference_calc(it["calc"]["inputs"])
        for key, want in it["calc"]["expected"].items():
            got = computed.get(key)
            if got is None:
                wrong.append(f"{it['id']}: {key} cannot be derived from the inputs")
            elif isinstance(want, bool) or isinstance(got, bool):
                if want is not got:
                    wrong.append(f"{it['id']}: {key} expected {want}, rules give {got}")
            elif abs(float(want) - float(got)) > 0.051:
                wrong.append(f"{it['id']}: {key} expected {want}, rules give {got}")
    assert not wrong, "\n".join(wrong)


def reference_answer_problems(items: list[dict[str, Any]]) -> list[str]:
    """Every way a reference answer fails its own must_include / must_not_include."""
    bad = []
    for it in items:
        answer = it.get("answer", "")
        assert answer, f"{it['id']}: no reference answer"
        for group in it["must_include"]:
            if not any(alternative_matches(a, answer) for a in group):
                bad.append(f"{it['id']}: reference answer misses {group}")
        for alt in it.get("must_not_include", []):
            if alternative_matches(alt, answer):
                bad.append(f"{it['id']}: reference answer contains forbidden {alt!r}")
    return bad


def test_reference_answers_pass_their_own_checks(own_items: list[dict[str, Any]]) -> None:
    """If the reference answer fails its own must_include, the groups are unfair to a correct answer."""
    bad = reference_answer_problems(own_items)
    assert not bad, "\n".join(bad)


def assert_size_mix_and_types(items: list[dict[str, Any]], size: int, per_type_min: int) -> None:
    """The set-level shape every question set must have: enough items, about two thirds Dutch, every type."""
    assert len(items) >= size
    dutch = sum(it["lang"] == "nl" for it in items) / len(items)
    assert 0.55 <= dutch <= 0.75, f"Dutch share {dutch:.0%}"
    per_type = Counter(it["type"] for it in items)
    assert set(per_type) == TYPES, f"types missing: {TYPES - set(per_type)}"
    thin = {t: n for t, n in per_type.items() if n < per_type_min}
    assert not thin, f"types with fewer than {per_type_min} items: {thin}"


def test_own_set_size_language_mix_and_type_coverage(own_items: list[dict[str, Any]]) -> None:
    assert_size_mix_and_types(own_items, size=80, per_type_min=8)


def test_own_set_covers_all_three_documents(own_items: list[dict[str, Any]]) -> None:
    docs = Counter(src["doc"] for it in own_items for src in it["sources"])
    assert all(docs[d] >= 10 for d in DOC_IDS), dict(docs)


def test_own_set_does_not_repeat_dev_questions(own_items: list[dict[str, Any]]) -> None:
    if not DEV_SET.exists():
        pytest.skip("shared dev set not available")
    dev = {normalise(it["question"]) for it in load(DEV_SET)}
    repeated = [it["id"] for it in own_items if normalise(it["question"]) in dev]
    assert not repeated, repeated


def test_matching_rule_rejects_digit_prefixed_numbers() -> None:
    """Guards the helper the fairness test relies on."""
    assert alternative_matches("5 miljoen", "minimaal € 5 miljoen")
    assert not alternative_matches("5 miljoen", "maximaal € 35 miljoen")
    assert not alternative_matches("5 miljoen", "€ 2,5 miljoen")
    assert normalise("woning-\ncorporaties  en\n\nzorg") == "woningcorporaties en zorg"


# --- held-out sets (eval/holdout.jsonl, holdout2.jsonl ... holdout5.jsonl) -----------------------------------
# Format, source quotes and calc rules are checked by the parametrised tests above; these add the
# set-level checks with thresholds sized for sets of 40-45 items. Each held-out set must be disjoint
# from the tuning sets and from every earlier held-out set, or a question could leak into a report.

HELD_OUT = {
    HOLDOUT_SET: (OWN_SET, DEV_SET),
    HOLDOUT2_SET: (OWN_SET, DEV_SET, HOLDOUT_SET),
    HOLDOUT3_SET: (OWN_SET, DEV_SET, HOLDOUT_SET, HOLDOUT2_SET),
    HOLDOUT4_SET: (OWN_SET, DEV_SET, HOLDOUT_SET, HOLDOUT2_SET, HOLDOUT3_SET),
    HOLDOUT5_SET: (OWN_SET, DEV_SET, HOLDOUT_SET, HOLDOUT2_SET, HOLDOUT3_SET, HOLDOUT4_SET),
}


@pytest.fixture(scope="module", params=list(HELD_OUT), ids=lambda p: p.name)
def held_out(request: pytest.FixtureRequest) -> tuple[Path, list[dict[str, Any]]]:
    path: Path = request.param
    assert path.exists(), f"{path} is missing"
    return path, load(path)


def test_held_out_reference_answers_pass_their_own_checks(held_out: tuple[Path, list[dict[str, Any]]]) -> None:
    """A held-out item whose own reference answer fails it would score correct answers as wrong."""
    bad = reference_answer_problems(held_out[1])
    assert not bad, "\n".join(bad)


def test_held_out_size_language_mix_and_type_coverage(held_out: tuple[Path, list[dict[str, Any]]]) -> None:
    assert_size_mix_and_types(held_out[1], size=40, per_type_min=4)


def test_held_out_covers_all_three_documents(held_out: tuple[Path, list[dict[str, Any]]]) -> None:
    docs = Counter(src["doc"] for it in held_out[1] for src in it["sources"])
    assert all(docs[d] >= 5 for d in DOC_IDS), dict(docs)


def test_held_out_is_disjoint_from_the_sets_before_it(held_out: tuple[Path, list[dict[str, Any]]]) -> None:
    path, items = held_out
    others = [p for p in HELD_OUT[path] if p.exists()]
    seen_questions = {normalise(it["question"]) for p in others for it in load(p)}
    seen_ids = {it["id"] for p in others for it in load(p)}
    repeated = [it["id"] for it in items if normalise(it["question"]) in seen_questions]
    assert not repeated, f"questions also in another set: {repeated}"
    clashing = [it["id"] for it in items if it["id"] in seen_ids]
    assert not clashing, f"ids also used in another set: {clashing}"
