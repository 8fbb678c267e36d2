"""The answer verifier: a generative answer is only shown when its checkable parts hold.

A language model writes fluent text but may cite a passage it was not given, invent an amount, or drift
into the wrong language. What can be checked mechanically is checked here, sentence by sentence:

- every ``[n]`` refers to a passage that was given;
- every number, amount, percentage, date and year occurs in a cited passage or in the calculator's result,
  compared as values ("€ 40 miljoen" = "40 million" = "40.000.000"; "50%" = "50 procent");
- names and acronyms occur somewhere in the evidence (this catches "the capital of Drenthe is Eindhoven");
- a claim carries a citation (an uncited sentence is kept only when it is short connective text);
- the whole answer is in the question's language.

A failing sentence is dropped; when too little survives, the engine falls back to the extractive answer.
The verifier is deliberately free of LangChain and of any model, so it is cheap to run and to test.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.citations import CITE_RE, cited_numbers, strip_citations  # noqa: F401 (CITE_RE: re-exported)
from rag.text import MONTH_NUMBER, WORD_NUMBERS, fold

# --- numeric facts ------------------------------------------------------------------------------------

_SCALES: dict[str, float] = {
    "miljoen": 1e6, "million": 1e6, "millions": 1e6, "mln": 1e6, "mio": 1e6, "m": 1e6,
    "miljard": 1e9, "billion": 1e9, "mld": 1e9, "bn": 1e9,
    "duizend": 1e3, "thousand": 1e3, "k": 1e3,
}  # fmt: skip
_PERCENT = {"%", "procent", "percent", "pct", "per cent", "procentpunt", "procentpunten", "percentage points"}
_WORD_NUMBERS: dict[str, int] = WORD_NUMBERS  # rag.text holds the number words
_MONTHS: dict[str, int] = MONTH_NUMBER

_UNIT = r"(?:%|procentpunten|procentpunt|procent|percentage points|per cent|percent|pct\b|miljoen|millions?|mln\b\.?|mio\b\.?|m\b|miljard|billion|mld\b\.?|bn\b|duizend|thousand|k\b)"
_NUM_RE = re.compile(
    r"(?<![\w.,])(?P<num>\d+(?:[.,]\d+)*)(?![.,]?\d)(?:\s?(?P<unit>" + _UNIT + r"))?",
    re.IGNORECASE,
)
_WORDNUM_RE = re.compile(
    r"\b(?P<word>" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\s+(?P<unit>" + _UNIT + r")",
    re.IGNORECASE,
)
_MONTH_RE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b", re.IGNORECASE)
_LIST_NUMBER_RE = re.compile(r"(?m)^\s*\d+[.)]\s+")


def _parse_number(raw: str) -> float | None:
    """Dutch and English notation: "40.000.000" and "40,000,000" are thousands, "1,5" and "1.5" decimals."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw) and not re.fullmatch(r"\d{1,3}[.,]\d{3}", raw):
        return float(re.sub(r"[.,]", "", raw))
    if re.fullmatch(r"\d{1,3}[.,]\d{3}", raw):
        # "2.500" in Dutch is two thousand five hundred; "1,000" in English is a thousand.
        return float(re.sub(r"[.,]", "", raw))
    if re.fullmatch(r"\d+[.,]\d+", raw):
        return float(raw.replace(",", "."))
    if re.fullmatch(r"\d+", raw):
        return float(raw)
    return None


def _key(value: float) -> str:
    return f"{value:.6g}"


def _unit_kind(unit: str | None) -> tuple[str, float]:
    if not unit:
        return "val", 1.0
    u = unit.lower().rstrip(".").strip()
    if u in _PERCENT:
        return "pct", 1.0
    return "val", _SCALES.get(u, 1.0)


@dataclass(frozen=True)
class NumericFact:
    """A number as written (``raw``) and the canonical keys it may be matched by."""

    raw: str
    kind: str  # 'pct', 'val' or 'month'
    value: float
    currency: bool = False  # written as money ("€ 17,3 miljoen"): only money in the evidence backs it

    @property
    def money_key(self) -> str:
        return f"eur:{_key(self.value)}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{_key(self.value)}"


def numeric_facts(text: str) -> list[NumericFact]:
    """Every number, amount, percentage and month named in ``text`` (citation markers excluded)."""
    text = unicodedata.normalize("NFKC", strip_citations(text))
    text = _LIST_NUMBER_RE.sub(" ", text)
    out: list[NumericFact] = []
    for m in _NUM_RE.finditer(text):
        value = _parse_number(m.group("num"))
        if value is None:
            continue
        kind, scale = _unit_kind(m.group("unit"))
        out.append(NumericFact(m.group(0).strip(), kind, value * scale, kind == "val" and _is_money(text, m.start(), m.end())))
    for m in _WORDNUM_RE.finditer(text):
        kind, scale = _unit_kind(m.group("unit"))
        value = _WORD_NUMBERS[m.group("word").lower()] * scale
        out.append(NumericFact(m.group(0).strip(), kind, value, kind == "val" and _is_money(text, m.start(), m.end())))
    for m in _MONTH_RE.finditer(text):
        word = m.group(1).lower()
        if word == "may" and not re.search(r"\d", text[max(0, m.start() - 4) : m.end() + 6]):
            continue  # English modal verb, not the month
        out.append(NumericFact(m.group(1), "month", _MONTHS[word]))
    return out


_MONEY_BEFORE = re.compile(r"(?:€|\beur\b|\beuro\b)\s?$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s?(?:euros?|eur)\b", re.IGNORECASE)


def _is_money(text: str, start: int, end: int) -> bool:
    """"€ 17,3 miljoen" is money; "17,3 miljoen" (inhabitants) is not, so it cannot back a sum of money."""
    return bool(_MONEY_BEFORE.search(text[max(0, start - 6) : start]) or _MONEY_AFTER.match(text[end : end + 7]))


def amount_keys(value: float) -> set[str]:
    """Keys an amount in € million may be found under in ``evidence_keys`` (as millions or as euros)."""
    return {f"val:{_key(value)}", f"val:{_key(value * 1e6)}"}


def evidence_keys(text: str) -> set[str]:
    """Keys a passage supports: each fact as written, plus its bare number ("€ 40 miljoen" also backs "40")."""
    keys: set[str] = set()
    normalized = _LIST_NUMBER_RE.sub(" ", unicodedata.normalize("NFKC", strip_citations(text)))
    for fact in numeric_facts(text):
        keys.add(fact.key)
        if fact.currency:
            keys.add(fact.money_key)
        if fact.kind == "month":
            keys.add(f"val:{_key(fact.value)}")
    for m in _NUM_RE.finditer(normalized):
        value = _parse_number(m.group("num"))
        if value is not None:
            keys.add(f"val:{_key(value)}")
    return keys


def tool_keys(result: Any, explanation: str | None = None) -> set[str]:
    """Keys the calculator backs: its numbers (amounts are in € million, so also x 1e6) and its text."""
    keys: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, bool):
            return
        if isinstance(obj, int | float):
            v = float(obj)
            # the calculator's numbers are amounts in € million (or shares, or counts)
            keys.update({f"val:{_key(v)}", f"val:{_key(v * 1e6)}", f"pct:{_key(v)}", f"eur:{_key(v)}", f"eur:{_key(v * 1e6)}"})
            if 0 < abs(v) <= 1:
                keys.add(f"pct:{_key(v * 100)}")
        elif isinstance(obj, str):
            keys.update(evidence_keys(obj))
        elif isinstance(obj, dict):
            for value in obj.values():
                walk(value)
        elif isinstance(obj, list | tuple):
            for value in obj:
                walk(value)

    walk(result)
    if explanation:
        keys |= evidence_keys(explanation)
    return keys


# --- names ----------------------------------------------------------------------------------------------

_ACRONYM_RE = re.compile(r"\b[A-Z][A-Z0-9]{1,}[a-z]?\b")
_CAPWORD_RE = re.compile(r"(?<![.!?:]\s)(?<!^)(?<!\n)\b([A-Z][a-zà-ÿ]{2,}(?:-[A-Z][a-zà-ÿ]+)*)\b")
_ALLOWED_NAMES = {
    "Regio", "Deal", "Deals", "Rijk", "Kamer", "Tweede", "Staten", "Provinciale", "Gedeputeerde", "Minister",
    "Nederland", "Nederlandse", "Europese", "Europa", "Drenthe", "Drentse", "Zuid", "Oost",
}  # fmt: skip


def unknown_names(sentence: str, evidence_folded: str, language: str) -> list[str]:
    """Acronyms (any language) and, in Dutch, capitalised words inside a sentence that the evidence lacks.

    Dutch capitalises only names, so a capitalised word mid-sentence is a name; English capitalises more
    (Province, Minister), so there only acronyms are checked."""
    text = strip_citations(sentence)
    found = set(_ACRONYM_RE.findall(text))
    if language == "nl":
        body = text.lstrip(" \t\"'“‘(*-•#>")
        first = re.match(r"\S+", body)
        for m in _CAPWORD_RE.finditer(body):
            if first and m.start() == first.start():
                continue
            found.add(m.group(1))
    missing = []
    for name in sorted(found):
        if name in _ALLOWED_NAMES:
            continue
        if fold(name) not in evidence_folded:
            missing.append(name)
    return missing


# --- sentences ----------------------------------------------------------------------------------------

_ABBREVIATIONS = ("o.a.", "bijv.", "e.g.", "i.e.", "nr.", "art.", "ca.", "mr.", "dr.", "drs.", "ir.", "prof.",
                  "jl.", "d.d.", "m.b.t.", "t.a.v.", "z.g.a.n.", "etc.", "vs.", "min.", "blz.", "p.")  # fmt: skip
_END_RE = re.compile(r"[.!?](?P<cites>(?:[ \t]*\[\d+(?:\s*[,;]\s*\d+)*\])*)(?P<ws>\s+)(?=\S)")
_CITE_END_RE = re.compile(r"\](?P<ws>[ \t]*\n\s*)(?=\S)")
_NEWLINE_RE = re.compile(r"\n\s*(?=\S)")


def _is_sentence_start(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in "\"“‘«(€*•-#|>"


def find_sentence_end(text: str, start: int = 0) -> int | None:
    """End (exclusive, trailing whitespace included) of the first complete sentence in ``text[start:]``.

    A sentence ends at . ! or ? (plus any citation markers right after it) when the next sentence has
    visibly begun, or at a line break. None means "not complete yet" - streaming waits for more text."""
    candidates: list[int] = []
    for m in _END_RE.finditer(text, start):
        nxt = text[m.end()] if m.end() < len(text) else ""
        before = text[max(start, m.start() - 8) : m.start() + 1].lower()
        if "\n" not in m.group("ws") and (
            not _is_sentence_start(nxt) or any(before.endswith(a) for a in _ABBREVIATIONS)
        ):
            continue
        if nxt == "[":
            continue
        candidates.append(m.end())
        break
    for m in _NEWLINE_RE.finditer(text, start):
        if m.start() == start:
            continue
        if text[m.end()] == "[":
            continue
        candidates.append(m.end())
        break
    return min(candidates) if candidates else None


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing citations and whitespace; ``"".join(result) == text``."""
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        end = find_sentence_end(text, pos)
        if end is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos:end])
        pos = end
    return [p for p in parts if p]


class SentenceStream:
    """Feeds streamed tokens in, hands complete sentences out, so each can be verified before display."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, piece: str) -> list[str]:
        self.buffer += piece
        out = []
        while True:
            end = find_sentence_end(self.buffer)
            if end is None:
                break
            out.append(self.buffer[:end])
            self.buffer = self.buffer[end:]
        return out

    def flush(self) -> list[str]:
        rest, self.buffer = self.buffer, ""
        return [rest] if rest.strip() else []


# --- refusals and language --------------------------------------------------------------------------

REFUSAL_PATTERNS = (
    "niet in de documenten", "staat niet in de", "geven geen antwoord", "geen informatie", "niet beantwoorden",
    "not in the documents", "documents do not", "documents don't", "no information", "do not contain",
    "does not contain", "cannot answer", "can't answer", "not mentioned",
)  # fmt: skip


def is_refusal(text: str) -> bool:
    low = fold(strip_citations(text))
    return any(p in low for p in REFUSAL_PATTERNS)


def answer_language(text: str) -> str | None:
    """'nl' or 'en' for an answer, or None when there is too little own text to tell.

    Quoted passages (often Dutch inside an English answer), citations and numbers are ignored."""
    own = strip_citations(text)
    own = re.sub(r"[\"“„«‘][^\"”»’]{0,400}[\"”»’]", " ", own)
    own = re.sub(r"[\d€%.,:;()\-*#|>]+", " ", own)
    words = re.findall(r"[^\W\d_]+", own)
    if len(words) < 4:
        return None
    try:
        from rag.text import detect_language

        return detect_language(" ".join(words))
    except ImportError:  # pragma: no cover - rag.text ships with the project
        from lingua import Language, LanguageDetectorBuilder

        det = LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH).build()
        lang = det.detect_language_of(" ".join(words))
        return "nl" if lang == Language.DUTCH else "en"


# --- the verifier -----------------------------------------------------------------------------------


@dataclass
class SentenceCheck:
    """One sentence of the answer and what the verifier found in it."""

    text: str
    citations: list[int]  # effective passage numbers (own markers, or inherited from the paragraph)
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    connective: bool = False  # short uncited text such as "In short:" (kept, not counted as a claim)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text.strip(), "citations": self.citations, "ok": self.ok, "problems": self.problems}


@dataclass
class Verification:
    """The outcome for a whole answer: what was kept, what was dropped and why."""

    kept_text: str
    sentences: list[SentenceCheck]
    language: str | None
    language_ok: bool
    refusal: bool
    fallback_reason: str | None  # set when the answer must not be shown

    @property
    def dropped(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if not s.ok]

    @property
    def claims_kept(self) -> int:
        return sum(1 for s in self.sentences if s.ok and not s.connective)

    def to_json(self) -> dict[str, Any]:
        return {
            "kept_sentences": sum(1 for s in self.sentences if s.ok),
            "dropped_sentences": len(self.dropped),
            "dropped": [s.to_json() for s in self.dropped],
            "language": self.language,
            "language_ok": self.language_ok,
            "refusal": self.refusal,
            "fallback_reason": self.fallback_reason,
        }


_CODE_RE = re.compile(r"[{}]|```|\"\w+\"\s*:|</?tool_call>")


class Verifier:
    """Checks sentences against the passages that were given (numbered from 1) and the calculator."""

    def __init__(
        self,
        passages: Sequence[str],
        language: str,
        *,
        tool_result: Any = None,
        tool_explanation: str | None = None,
        extra_evidence: Iterable[str] = (),
        min_claim_ratio: float = 0.5,
    ) -> None:
        self.passages = list(passages)
        self.language = language
        self.min_claim_ratio = min_claim_ratio
        self._passage_keys = [evidence_keys(p) for p in self.passages]
        self._tool_keys = tool_keys(tool_result, tool_explanation) if (tool_result or tool_explanation) else set()
        self._evidence_folded = fold(" ".join([*self.passages, tool_explanation or "", *extra_evidence]))

    def add_tool_result(self, result: Any) -> None:
        """A calculator result the model obtained by calling the tool: its figures become evidence too."""
        self._tool_keys |= tool_keys(result)
        explanation = result.get("explanation") if isinstance(result, dict) else None
        if isinstance(explanation, str):
            self._evidence_folded += " " + fold(explanation)

    def check(self, sentence: str, inherited: Sequence[int] = ()) -> SentenceCheck:
        """Verify one sentence; ``inherited`` are citations of a later sentence in the same paragraph."""
        own = cited_numbers(sentence)
        result = SentenceCheck(text=sentence, citations=list(dict.fromkeys(own or list(inherited))))
        bad = [n for n in own if not 1 <= n <= len(self.passages)]
        if bad:
            result.problems.append(f"cites passage(s) {sorted(set(bad))} that were not given")
        valid = [n for n in result.citations if 1 <= n <= len(self.passages)]
        facts = numeric_facts(sentence)
        body = strip_citations(sentence).strip()
        words = re.findall(r"[^\W_]+", body)
        if _CODE_RE.search(body):
            result.problems.append("looks like code or JSON, not an answer")
        if not words:
            # Bare markers ("[1] [2]") say nothing; a 1.5B model sometimes answers with just that.
            result.connective = True
            result.problems.append("only citation markers, no statement")
        elif not valid and not facts:
            if is_refusal(body) or len(words) <= 8 or body.rstrip().endswith(":"):
                result.connective = True
            else:
                result.problems.append("claim without a citation")
        supported: set[str] = set(self._tool_keys)
        for n in valid:
            supported |= self._passage_keys[n - 1]
        for fact in facts:
            if (fact.money_key if fact.currency else fact.key) not in supported:
                where = "the cited passage(s)" if valid else "any cited passage"
                result.problems.append(f"'{fact.raw}' does not occur in {where} or the calculator's result")
        for name in unknown_names(sentence, self._evidence_folded, self.language):
            result.problems.append(f"name '{name}' does not occur in the passages")
        result.ok = not result.problems
        return result

    def check_group(self, sentences: Sequence[str]) -> list[SentenceCheck]:
        """A paragraph run: uncited sentences inherit the citations of the cited sentence that closes it.
        When that sentence is dropped its markers go with it, so a claim that leaned on them goes too."""
        inherited = cited_numbers(sentences[-1]) if sentences else []
        checks = [self.check(s, inherited if not cited_numbers(s) else ()) for s in sentences]
        if inherited and checks and not checks[-1].ok:
            for c in checks[:-1]:
                if c.ok and not c.connective and not cited_numbers(c.text):
                    c.problems.append("its citation belonged to a sentence that failed verification")
                    c.ok = False
        return checks

    def conclude(self, checks: list[SentenceCheck]) -> Verification:
        """Whole-answer rules: language, refusal, and whether enough survived to be worth showing."""
        full = "".join(c.text for c in checks)
        kept = join_kept(checks)
        lang = answer_language(full)
        language_ok = lang is None or lang == self.language
        refusal = is_refusal(full) and not any(c.ok and cited_numbers(c.text) for c in checks)
        reason: str | None = None
        claims = [c for c in checks if not c.connective]
        kept_claims = [c for c in claims if c.ok]
        if not full.strip():
            reason = "empty answer"
        elif not language_ok:
            reason = f"answer is in '{lang}', the question in '{self.language}'"
        elif refusal:
            reason = None
        elif not kept_claims:
            reason = "no verifiable, cited statement survived"
        elif len(kept_claims) < self.min_claim_ratio * len(claims):
            reason = f"only {len(kept_claims)} of {len(claims)} statements passed verification"
        return Verification(kept, checks, lang, language_ok, refusal, reason)

    def verify(self, answer: str) -> Verification:
        """Non-streaming use: split, group by paragraph, check, conclude."""
        return self.conclude(self.check_all(split_sentences(answer)))

    def check_all(self, sentences: Sequence[str]) -> list[SentenceCheck]:
        checks: list[SentenceCheck] = []
        group: list[str] = []
        for s in sentences:
            group.append(s)
            if cited_numbers(s) or "\n" in s:
                checks += self.check_group(group)
                group = []
        if group:
            checks += self.check_group(group)
        return checks


def join_kept(checks: Sequence[SentenceCheck]) -> str:
    """The kept sentences with the strongest separator of what lay between them (keeps paragraphs/lists)."""
    out = ""
    pending = ""
    for c in checks:
        body = c.text.rstrip()
        sep = c.text[len(body) :]
        if c.ok:
            if out:
                out += pending if pending else " "
            out += body
            pending = sep
        elif "\n" in sep and "\n" not in pending:
            pending = sep
    return out.strip()


def verify_answer(
    answer: str,
    passages: Sequence[str],
    language: str,
    *,
    tool_result: Any = None,
    tool_explanation: str | None = None,
    extra_evidence: Iterable[str] = (),
) -> Verification:
    """Convenience wrapper: verify a complete answer against numbered passages (1-based)."""
    verifier = Verifier(
        passages, language, tool_result=tool_result, tool_explanation=tool_explanation, extra_evidence=extra_evidence
    )
    return verifier.verify(answer)
