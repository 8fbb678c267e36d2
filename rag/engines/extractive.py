"""The default engine: answers by quoting the sentences that answer the question, no language model.

Every statement is a verbatim quote with a citation, so nothing can be invented. The work is in
choosing: sentences of the top passages are scored by IDF-weighted term overlap with the question, the
e5 similarity of the sentence, the rank of its passage and whether it holds the kind of answer asked
for (an amount for "hoeveel kost", a date for "wanneer", ...). When no sentence is relevant enough, or
none holds the asked-for kind of answer, the engine refuses and shows the most related passage instead.
Thresholds are calibrated on the question sets (see BENCHMARKS.md), not guessed.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from rag.citations import CitationBuilder, chunk_of_quote
from rag.compare import (
    ProseFigure,
    asks_change,
    asks_comparison,
    asks_share,
    cells,
    prose_change,
    prose_figures,
    prose_share,
    row_difference,
)
from rag.condense import split_carried
from rag.config import ROOT, Settings, ablated, get_settings
from rag.engines.base import AnswerContext
from rag.engines.units_answer import AnswerabilityParams, UnitComposer, confidence
from rag.glossary import DOC_NAMES, expand_terms, translate_en
from rag.question_index import UnitRecord
from rag.router import contradicts
from rag.text import MONTHS_NL, exact_terms, fold, participle_variants, terms, verb_variants
from rag.types import Answer, Chunk, Citation

log = logging.getLogger(__name__)

PROMPTS_DIR = ROOT / "prompts"


@lru_cache(maxsize=64)
def prompt(name: str, lang: str) -> str:
    """A fixed text from prompts/ (``extractive_<name>.<lang>.txt``)."""
    lang = lang if lang in ("nl", "en") else "nl"
    return (PROMPTS_DIR / f"extractive_{name}.{lang}.txt").read_text(encoding="utf-8").strip()


def doc_name(doc_id: str, title: str, lang: str) -> str:
    names = DOC_NAMES.get(doc_id)
    if names and names.get(lang):
        return names[lang]
    return f"«{title}»" if lang == "nl" else f"“{title}”"


# --- answer types ------------------------------------------------------------------------------

_TYPE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("time", re.compile(r"\b(hoe laat|om hoe laat|what time|at what time|welk tijdstip)\b", re.I)),
    ("contact", re.compile(r"\b(telefoonnummer|phone number|telephone number|e-?mail ?adres|email address|faxnummer)\b", re.I)),
    (
        "percentage",
        re.compile(
            r"\b((welk|wat is het|hoeveel|hoe groot is het) (percentage|procent|aandeel)|hoeveel procent|"
            # a share of something counted, not a part of a document ("welk deel van de brief gaat over ...")
            r"(welk deel van|what (part|fraction) of|which (part|share|fraction) of) "
            r"(?!(de |het |the )?(two-?pager|brief|kamerbrief|letter|tekst|text|document|voorstel|proposal))|"
            r"what (percentage|proportion)|what share|how many per ?cent|which percentage|"
            r"(what|which) (exactly )?is the [\w -]{0,30}rate|hoe hoog is (de|het) [\w -]{0,30}(werkloosheid|percentage))\b",
            re.I,
        ),
    ),
    (
        "amount",
        re.compile(
            r"\b(hoeveel (geld|euro|kost|kosten|bedraagt|budget|miljoen)|wat kost|wat kosten|hoe ?veel kost|"
            r"how much (money|does|do|will|would|is|are|funding|budget|did|has|have)|what does .{1,40} cost|"
            r"hoe (hoog|groot) (is|zijn|was) (de|het) (bijdrage|bedrag|budget|kosten|investering|regio envelop|envelop|tranche|fonds)|"
            r"(what|how large|how big) is the (amount|budget|cost|contribution|investment)|"
            r"hoeveel\b.{0,60}\b(kost|kosten|bijdrage|investering|investeren|geld|euro|miljoen|budget|vraagt|vragen)|"
            r"wat (gaat|zal|gaan|zullen)\b.{0,60}\bkosten|what will .{1,60} cost|how much will|"
            r"(how much of|hoeveel van)\b.{0,20}(€|\d)|"
            r"(wat|hoe hoog) (is|zijn|was) (de|het) [\w -]{0,30}(waarde|prijs|prijzen)|what is the [\w -]{0,30}(value|price))\b",
            re.I,
        ),
    ),
    ("count", re.compile(r"\b(hoeveel|how many|what number of|het aantal|hoe (groot|hoog) (is|zijn|was|waren))\b", re.I)),
    # a period is a span: "voor welke periode" is answered by "2018 tot en met 2022", not by one date
    ("period", re.compile(r"\b((voor|over|in) welke periode|(for|over|in) (which|what) period|welke looptijd|hoe lang loopt|over welke jaren|which years)\b", re.I)),
    (
        "date",
        re.compile(
            r"\b(wanneer|when|in welk jaar|welk jaar|what year|which year|over welke jaren|welke jaren|which years|"
            r"welke datum|what date|which date|sinds wanneer|tot wanneer|op welke dag|per wanneer|vanaf wanneer)\b",
            re.I,
        ),
    ),
    # "Wie is de voorzitter van ...?" asks for somebody's name: a sentence about the committee is no answer
    (
        "name",
        re.compile(
            r"\b(wie is|wie was|wie zijn|who is|who was|who are) (de|het|the) (huidige |current )?(voorzitter|chair|chairman|"
            r"chairperson|directeur|director|wethouder|burgemeester|mayor|gedeputeerde|commissaris|contactpersoon|"
            r"contact person|projectleider|project leader|programmamanager|programme manager|secretaris|secretary|"
            r"woordvoerder|spokesperson|leden|members)\b|"
            # "Welke gedeputeerde heeft ... in portefeuille?": a person by function, not a body
            r"\b(welke|which) (gedeputeerde|wethouder|burgemeester|ambtenaar|contactpersoon|projectleider|alderman|mayor|official|civil servant)\b",
            re.I,
        ),
    ),
    ("person", re.compile(r"^\s*(en\s+)?(wie|who|by whom|door wie)\b|\b(wie|who) (heeft|is|was|signed|wrote)\b|\b(welke|which) (minister|staatssecretaris|bewindspersoon)\b", re.I)),
]
_MONTHS = "|".join(MONTHS_NL)
_NUMWORDS = "twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|honderd|duizend|two(?!-?pager)|three|four|five|six|seven|eight|nine|ten|dozen"
_TYPE_MATCH: dict[str, re.Pattern[str]] = {
    "time": re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?uur\b|\b\d{1,2}\s?(am|pm)\b", re.I),
    "percentage": re.compile(r"\d\s?(%|procent|per ?cent)", re.I),
    # A sum of money carries its currency ("€ 40 miljoen", "40 miljoen euro"); "17,3 miljoen" are people.
    "amount": re.compile(r"€\s?\d|\d\s?(miljoen|miljard|mln|million|billion)?\s?(euro|eur)\b", re.I),
    "count": re.compile(
        rf"(?<![\w.,])(?!(?:1[89]|20)\d\d\b)\d+(?:[.,]\d+)*(?!\s*(?:{_MONTHS}))\b|\b({_NUMWORDS})\b", re.I
    ),
    "contact": re.compile(r"\(?0\d{2,3}\)?[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}|[\w.-]+@[\w-]+\.\w+", re.I),
    "period": re.compile(r"\b(?:1[89]|20)\d\d\b.{0,40}\b(?:1[89]|20)\d\d\b|\btot en met\b|\bt/m\b", re.I),
    "date": re.compile(
        rf"\b(1[89]|20)\d\d\b|\b({_MONTHS})\b|\b(voorjaar|najaar|zomer|winter)\b|"
        # a decade: "vanaf de jaren ’50", "de jaren vijftig", "the 1950s", "the fifties"
        r"\bjaren\s*['’]?\d0\b|\bjaren (twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig)\b|"
        r"\b(1[89]|20)\d0s\b|\b(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
        re.I,
    ),
    # initials and a surname ("C.J. Schouten"), or a title with a name ("mevrouw Jansen", "dhr. De Vries")
    "name": re.compile(r"\b(?:[A-Z]\.){1,4}\s?[A-Z][a-z]+|\b(?:mevrouw|mevr\.|mw\.|de heer|dhr\.|mr\.|mrs\.|ms\.)\s+[A-Z][a-z]+"),
    "person": re.compile(
        r"\b(minister|staatssecretaris|gedeputeerde|commissaris|mevrouw|de heer|burgemeester|wethouder|"
        r"commissie)\b|\b[A-Z]\.(?:[A-Z]\.)*\s?[A-Z][a-z]+",
        re.I,
    ),
}
# Types whose absence in the evidence means the documents do not answer.
STRICT_TYPES = {"time", "percentage", "amount", "count", "date", "period", "contact", "name"}


# "How much of the €80 million does the province pay?" is not answered by a sentence that only says
# "€ 80 miljoen": for these kinds the answer must hold a figure the question did not already state.
_NEW_FIGURE_TYPES = {"amount", "percentage", "count"}
_FIGURE_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def _figures_in(text: str) -> set[str]:
    return {m.group(0).replace(",", ".").rstrip(".") for m in _FIGURE_NUM.finditer(text)}


def answer_type(question: str) -> str | None:
    for name, rx in _TYPE_PATTERNS:
        if rx.search(question):
            return name
    return None


def has_type(text: str, kind: str | None) -> bool:
    if kind is None:
        return True
    return bool(_TYPE_MATCH[kind].search(text))


_ANAPHOR = re.compile(
    r"^\W*(dit|deze|dat|die|daarom|daardoor|hierdoor|hiermee|daarmee|zo|ook|tegelijkertijd|daarnaast|bovendien|"
    r"this|these|that|therefore|thus)\b",
    re.I,
)
_NO_ECHO = re.compile(r"(?!x)x")
_ECHO = {"date": re.compile(r"\b(wanneer|when|zodra|indien)\b", re.I)}

# The frame of a question ("hoe *groot* is ...", "wat is *eigenlijk* ..."), not its subject: an answer
# sentence need not repeat these words.
FRAME_TERMS = frozenset(terms("groot grote hoog hoge lang lange veel vaak laat precies eigenlijk ongeveer nou"))
DOC_NAME_TERMS = frozenset(terms("kamerbrief two-pager twopager brief letter aanbiedingsbrief gs gedeputeerde staten minister"))
_DOC_MENTIONS: list[tuple[str, re.Pattern[str]]] = [
    ("kamerbrief", re.compile(r"kamerbrief|kamer ?brief|brief (van|aan) de (tweede )?kamer|letter to (the )?parliament|minister'?s letter", re.I)),
    ("twopager", re.compile(r"two-?pager|tweepager|het voorstel|the proposal", re.I)),
    ("letter", re.compile(r"aanbiedingsbrief|brief van (gs|gedeputeerde staten)|gs-brief|cover letter|letter (of|from) (the )?(gs|provincial|gedeputeerde)", re.I)),
]


def mentioned_docs(question: str) -> set[str]:
    """Documents a question names ("volgens de Kamerbrief"): their sentences get a bonus."""
    return {doc for doc, rx in _DOC_MENTIONS if rx.search(question)}


# "Wie heeft de brief ondertekend?" is answered by the signature block at the end of the document.
_SIGNED = re.compile(
    r"\b(ondertekend|ondertekent|getekend|tekende|signed|signs|signatory|ondertekenaar|afzender|sender|"
    r"geschreven|schreef|wrote|written|author|auteur|van wie is|from whom)\b",
    re.I,
)
_CLOSING = re.compile(r"^(hoogachtend|met (vriendelijke|hartelijke) groet|yours (sincerely|faithfully)|kind regards)\b", re.I)


def with_translation(question: str, lang: str) -> str:
    """An English question with its Dutch words added to its own part (before condense()'s "(...)")."""
    if lang != "en":
        return question
    own, carried = split_carried(question)
    nl = translate_en(own)
    if not nl:
        return question
    return f"{own} {nl}{carried}"


_FOCUS_RE = re.compile(
    r"\b(?:welke|welk|hoeveel|wat voor(?: een)?|which|what kind of|what type of|how many)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)",
    re.I,
)


# Dutch adjective endings: inflected "-e" ("Drentse"), and the uninflected forms a neuter noun takes
# ("provinciaal", "financieel", "innovatief", "economisch", "nodig", "jaarlijks").
_ADJECTIVE = re.compile(r"(e|aal|eel|ief|isch|ig|lijk|lijks|baar)$", re.I)


def focus_terms(question: str, lang: str) -> set[str]:
    """The noun a wh-question asks about ("welke *gemeenten*", "hoeveel *rondes*", "which *professions*"):
    an answer sentence names it (or its synonym), a sentence that only shares the topic does not."""
    own = split_carried(question)[0]
    out: set[str] = set()
    for m in _FOCUS_RE.finditer(own):
        words = m.group(1).split()
        content = [w for w in words if terms(w)]
        if not content:
            continue
        # "welke Drentse gemeenten", "welk provinciaal geld": an adjective before the noun belongs to it
        picked = content[:2] if _ADJECTIVE.search(content[0]) and len(content) > 1 else content[:1]
        text = " ".join(picked)
        if lang == "en":
            text = translate_en(text) or ""
        out.update(terms(text))
    return out


# --- question parts ----------------------------------------------------------------------------

_SPLIT_RE = re.compile(
    r"(?:\?\s+|,?\s+(?:en|and|maar|but|of|or)\s+(?=(?:(?:voor|in|met|op|aan|van|uit|bij|tot|over|naar|door|sinds|vanaf|for|with|on|at|to|from|by|about|over|since|until)\s+)?"
    r"(?:welke|welk|wat|wie|waarom|hoe|wanneer|hoeveel|waar|which|what|who|why|how|when|where|does|do|is|are)\b))",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """Sub-questions of a multi-part question ("Welke X ..., en welke Y ...?" → two parts). Terms that
    condense() carried over from the conversation (the trailing "(...)") go with every part."""
    own, carried = split_carried(question)
    parts = [p.strip(" ,?") for p in _SPLIT_RE.split(own) if p and len(p.strip(" ,?")) > 12]
    if len(parts) <= 1:
        return [question]
    return [f"{p}{carried}" for p in parts]


# --- scoring -----------------------------------------------------------------------------------


@dataclass
class ScoringParams:
    """Sentence scoring and refusal thresholds (calibrated on the question sets)."""

    w_lex: float = 1.0
    w_lex_en: float = 0.5  # English questions over Dutch text: words rarely match, names and numbers do
    w_doc: float = 0.4  # the question names the document
    w_dense: float = 4.0
    w_chunk: float = 0.3  # the passage's retrieval rank
    w_type: float = 0.25
    dense_floor: float = 0.78  # e5 similarity at which a sentence starts to count as related
    min_score: float = 0.45  # best sentence below this: not in the documents
    min_dense: float = 0.80  # ... and best sentence similarity below this: not in the documents
    extra_ratio: float = 0.7  # a further sentence must score this share of the best one
    max_sentences: int = 4
    related_min_dense: float = 0.80  # only show "what the documents do say" above this similarity
    min_typed_lex: float = 0.4  # a typed sentence must share this much of the question's terms ...
    min_typed_dense: float = 0.875  # ... or be this similar to it
    min_typed_lex_en: float = 0.6
    rare_idf: float = 2.2  # names at least this rare must occur near an answer sentence
    echo_lex: float = 0.5
    compounds: bool = True
    partial_min_lex: float = 0.3  # a multi-part answer with a missing part needs one well-matched part
    part_rank: bool = True
    compound_min: int = 6
    # figures are computed with only from sentences that carry the question's own words: the two-pager's
    # unlabelled "2015 = 192.500, in 2040 175.400" must not become the fall of a house price
    arith_lex: float = 0.5  # a difference: the one sentence's share of the question's term weight
    arith_share_lex: float = 0.2  # a share: each of the two sentences' ...
    arith_share_sum: float = 0.5  # ... and both together
    neighbour_ratio: float = 0.7
    window_chars: int = 400  # how much of the best sentence's paragraph may follow it
    next_ratio: float = 0.45  # the sentence after the best one often finishes its thought
    min_chars: int = 20  # shorter fragments (salutations, labels) are never the answer on their own
    drop_unseen: bool = True  # question words no document uses are left out of the lexical score
    w_number: float = 0.3  # a figure the question quotes ("the €40 million") found in the sentence
    w_focus: float = 2.0  # weight of the noun a wh-question asks about ("welke *gemeenten*")
    local_idf: float = 1.0  # exponent of the candidate-local IDF (topic words weigh less)
    repeat_overlap: float = 0.5  # a follow-up's candidate sharing this share of its terms with the previous answer ...
    repeat_factor: float = 0.5  # ... keeps this share of its score


@dataclass
class Scored:
    idx: int  # sentence index in the retriever
    chunk: Chunk
    start: int
    end: int
    text: str
    lex: float
    dense: float
    chunk_rank: int
    typed: bool
    score: float
    covered: set[str] = field(default_factory=set)


# the proposal as the one that gets the money: "krijgt drenthe", "Zuid- en Oost-Drenthe toegekend gekregen"
_PROPOSAL_NAME = r"(drenthe|zuid- en oost-drenthe|zuidoost-drenthe|het voorstel|the proposal|deze regio deal|this regio deal)"
_GET_VERB = r"(krijgt|krijgen|gekregen|ontvangt|ontvangen|toegekend|gets|get|receives|receive|awarded|granted)"
_PROPOSAL_GETS = re.compile(
    rf"\b{_GET_VERB}\b(\W+\w+){{0,3}}?\W+{_PROPOSAL_NAME}\b|\b{_PROPOSAL_NAME}\b(\W+[\w-]+){{0,8}}?\W+{_GET_VERB}\b", re.I
)
# "van welke datum is de brief?", "wanneer is de Kamerbrief geschreven?", "what is the date of the letter?"
_DOC = r"(?:de |het |the |this |deze )?(?:cover |aanbiedings)?(?:brief|kamerbrief|letter)(?: van (?:gs|gedeputeerde staten|de minister))?"
_DOC_DATE = re.compile(
    rf"\b(van )?(welke|what|which) datum (is|heeft|draagt)\s+{_DOC}|\b(what|which) (is the )?date (is|does|of)\s+{_DOC}|"
    rf"\b(wanneer|when) (is|werd|was)\s+{_DOC}\s+(geschreven|verstuurd|verzonden|gedateerd|ondertekend|written|sent|dated|signed)\b|"
    rf"\b{_DOC}\s+(is |was )?(gedateerd|dated)\b",
    re.I,
)
# a letter's dateline: "Assen, 5 september 2018"
_DATELINE = re.compile(rf"^[A-Z][a-z]+(?:[ -][A-Z]?[a-z]+)?,\s+\d{{1,2}}\s+({_MONTHS})\s+\d{{4}}$", re.I)
# how other documents name a document when they date it ("bijgevoegde Kamerbrief d.d. 18 juni 2018")
_DOC_DATED_AS: dict[str, tuple[str, ...]] = {"kamerbrief": ("kamerbrief",), "letter": ("brief",), "twopager": ("two-pager", "voorstel")}
_FIRST_PERSON = re.compile(r"\b(ik|mijn)\b", re.I)


def _splits(term: str, vocab: Any) -> bool:
    """Is ``term`` a compound of two words the index knows ("industrieregio": "industrie" + "regio")?"""
    return any(
        term[:i] in vocab and (term[i:] in vocab or (term[i + 1 :] in vocab and term[i] == "s"))
        for i in range(4, len(term) - 3)
    )


def _participles(text: str, vocab: Any) -> dict[str, list[str]]:
    """Question term → the index's stems of its participle's verb and noun (``text.participle_variants``)."""
    out: dict[str, list[str]] = {}
    for word in re.findall(r"[^\W\d_]+", text):
        key = terms(word)
        variants = [v for v in participle_variants(word) if v in vocab]
        if key and variants:
            out.setdefault(key[0], []).extend(variants)
    return out


_MID_NAME = re.compile(r"(?<=[a-z,;:)] )([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)\b")


def _compounds_of(vocab: Any, term: str) -> list[str]:
    """The index's words that are compounds of ``term`` ("cofinancier" → "cofinancieringsmiddel")."""
    return sorted(v for v in vocab if len(v) > len(term) + 2 and (v.startswith(term) or v.endswith(term)))


class ExtractiveEngine:
    """Composes short, cited answers from verbatim sentences (implements ``rag.engines.base.Engine``)."""

    name = "extractive"

    def __init__(self, settings: Settings | None = None, params: ScoringParams | None = None) -> None:
        self.settings = settings or get_settings()
        self.params = params or ScoringParams()
        self.unit_params = AnswerabilityParams()

    # -- public --------------------------------------------------------------------------------------

    def answer(self, ctx: AnswerContext) -> Answer:
        lang = ctx.language
        builder = CitationBuilder()
        pieces: list[str] = []
        refused = False
        reason: str | None = None
        ex = ctx.extras
        hybrid = ex.get("hybrid")
        document: Callable[[str], Any] | None = ex.get("document")

        claim = ex.get("premise_claim")
        if ablated(self.settings, "false_premise"):
            claim = None
        if claim and ctx.tool is not None and hybrid is not None:
            # "Drenthe vraagt 80 miljoen, waarom ...?": a figure the documents contradict is corrected
            # first; calculating with it would lend the wrong premise the calculator's authority
            fp = self._false_premise(ctx, claim, builder)
            if fp is not None:
                return self._make(ctx, [fp], builder, refused=True, reason="false_premise")
        if ctx.tool is not None and ctx.tool_explanation:
            pieces.append(self._calc_piece(ctx, builder, document, hybrid))
            if not ex.get("mixed"):
                return self._make(ctx, pieces, builder, refused=False)

        if claim and hybrid is not None and ctx.tool is None:
            fp = self._false_premise(ctx, claim, builder)
            if fp is not None:
                return self._make(ctx, [fp], builder, refused=True, reason="false_premise")

        if hybrid is None or not ctx.passages:
            if pieces:
                return self._make(ctx, pieces, builder, refused=False)
            return self._make(ctx, [prompt("refusal", lang)], builder, refused=True, reason="not_in_documents")

        use_units = not pieces and ctx.units is not None and not ablated(self.settings, "units")
        from_units = self._from_units(ctx, builder) if use_units else None
        chosen, related, why = self.select(ctx)
        if from_units is not None and not chosen and answer_type(split_carried(ctx.standalone_question)[0]) in STRICT_TYPES:
            # asked for an amount, date, count, ...: when no sentence holding one is about the question's
            # subject, the units do not overrule that refusal (typed evidence may veto, never choose)
            from_units = None
            del builder.citations[:]
            builder._by_span.clear()
        if from_units is not None:
            # the answer leads with the best units; sentence selection adds what they do not already say
            unit_pieces, spans = from_units
            extra = [c for c in chosen if not any(d == c.chunk.doc_id and c.start < e and c.end > b for d, b, e in spans)]
            pieces.extend(unit_pieces)
            pieces.extend(self._quote_pieces(extra[: self.unit_params.max_added], builder, lang, hybrid, continuing=True))
            self._typed_pieces(ctx, builder, pieces)
            return self._make(ctx, pieces, builder, refused=False)
        if chosen:
            for n, doc_id, _start in ex.get("list_counts") or []:
                title = next((c.chunk.title for c in chosen if c.chunk.doc_id == doc_id), doc_id)
                pieces.append(prompt("count", lang).format(n=n, doc=doc_name(doc_id, title, lang)))
            pieces.extend(self._quote_pieces(chosen, builder, lang, hybrid))
            own = split_carried(ctx.standalone_question)[0]
            if asks_comparison(own) and not ablated(self.settings, "differences"):
                pieces.extend(self._differences(chosen, builder, with_translation(own, lang), lang, hybrid))
            self._typed_pieces(ctx, builder, pieces)
            for part in ex.get("unanswered_parts") or []:
                pieces.append(prompt("part_missing", lang).format(part=part.strip(" ?,.")))
        elif (not pieces and not ablated(self.settings, "asked_not_given")
              and (asked := self._asked_not_given(ctx, builder, document, hybrid)) is not None):
            # "hoeveel krijgt Drenthe?": not in the documents (a refusal), but what it asks for is
            refused, reason = True, "not_in_documents"
            pieces.append(asked)
        elif not pieces:
            refused, reason = True, why or "not_in_documents"
            pieces.append(prompt("refusal", lang))
            if related is not None:
                n = builder.cite(related.chunk, related.start, related.end)
                name = doc_name(related.chunk.doc_id, related.chunk.title, lang)
                label = prompt("related", lang)
                pieces.append(f"{label} {_cap(name)}: {_q(related.text, lang)} [{n}]")
        return self._make(ctx, pieces, builder, refused=refused, reason=reason)

    def stream(self, ctx: AnswerContext) -> Iterator[str | Answer]:
        ans = self.answer(ctx)
        yield from self.stream_text(ans.answer)
        yield ans

    @staticmethod
    def stream_text(text: str) -> Iterator[str]:
        """The answer in sentence-sized pieces (the text is complete before streaming starts)."""
        pieces = re.split(r"(?<=\])\s+", text)
        for i, piece in enumerate(pieces):
            yield piece + (" " if i < len(pieces) - 1 else "")

    def _typed_pieces(self, ctx: AnswerContext, builder: CitationBuilder, pieces: list[str]) -> None:
        """What typed extraction adds to an answer: arithmetic on quoted figures, who "ik" is."""
        lang = ctx.language
        for sents, working in ctx.extras.get("computed") or []:
            refs = "".join(f"[{builder.cite(x.chunk, x.start, x.end)}]" for x in sents)
            pieces.append(prompt("computed", lang).format(refs=refs, working=working))
        for sig in ctx.extras.get("first_person") or []:
            n = builder.cite(sig.chunk, sig.start, sig.end)
            lead = prompt("first_person", lang).format(doc=doc_name(sig.chunk.doc_id, sig.chunk.title, lang))
            pieces.append(f"{_cap(lead)} {_q(sig.text, lang)} [{n}]")

    # -- answer units ---------------------------------------------------------------------------------

    def _from_units(self, ctx: AnswerContext, builder: CitationBuilder) -> tuple[list[str], list[tuple[str, int, int]]] | None:
        """The answer from the best answer unit(s) when the fused evidence is confident; None leaves the
        question to sentence selection."""
        hybrid = ctx.extras.get("hybrid")
        ev = ctx.units
        if hybrid is None or ev is None or ev.top is None or ev.questions_of is None:
            return None
        composer = UnitComposer(lambda: hybrid.chunks, ctx.extras.get("document"), self.unit_params)
        p = composer.p
        lang = ctx.language
        parts = ctx.unit_parts or [(ctx.standalone_question, ev)]
        picked: list[UnitRecord] = []
        for part_q, pev in parts:
            top = pev.top
            conf = confidence(top, pev, split_carried(part_q)[0], lang, pev.questions_of or ev.questions_of,
                              p) if top else 0.0
            ctx.extras.setdefault("unit_confidence", []).append(round(conf, 3))
            own = split_carried(part_q)[0]
            if top is None or conf < (p.part_at if len(parts) > 1 else p.answer_at):
                return None  # a part the units do not answer confidently: sentence selection decides
            units = [u for u in composer.pick(pev) if all(u.unit_id != x.unit_id for x in picked)]
            if not units or not self._units_typed_ok(ctx, own, units[:1]):  # the best unit must hold the kind asked
                return None
            picked.extend(units)
        if not picked:
            return None
        mark = len(builder.citations)
        quotes = [q for u in picked if (q := composer.quote(builder, u, lang)) is not None]
        if not quotes:
            del builder.citations[mark:]
            return None
        pieces: list[str] = []
        prev_doc = None
        for i, q in enumerate(quotes):
            u = q.unit
            name = doc_name(u.doc_id, u.doc_id, lang)
            if i == 0:
                lead = f"Volgens {name}:" if lang == "nl" else f"{_cap(name)} states:"
            elif u.doc_id == prev_doc:
                lead = "Verder:" if lang == "nl" else "It also says:"
            else:
                lead = f"En volgens {name}:" if lang == "nl" else f"And {name} states:"
            refs = "".join(f"[{n}]" for n in q.cites)
            pieces.append(f"{lead} {_q(q.display, lang)} {refs}")
            prev_doc = u.doc_id
        spans = [(q.unit.doc_id, q.unit.start, q.unit.end) for q in quotes]
        spans += [(q.unit.doc_id, q.unit.context_start, q.unit.context_end) for q in quotes if q.unit.context_start >= 0]
        return pieces, spans

    def _units_typed_ok(self, ctx: AnswerContext, question: str, units: list[UnitRecord]) -> bool:
        """A question asking for an amount, date, count, ... is answered by units only when they hold one
        (a new figure, not the question's own), and never when its subject is a word no document uses."""
        kind = answer_type(question)
        text = " ".join(f"{u.context} {u.text}" for u in units)
        if kind in STRICT_TYPES and not has_type(text, kind):
            return False
        if kind in _NEW_FIGURE_TYPES and not (_figures_in(text) - _figures_in(question)):
            return False
        return not self._unknown_subject(ctx, question)

    # -- selection -----------------------------------------------------------------------------------

    def score_sentences(
        self, ctx: AnswerContext, question: str, qvec: np.ndarray | None, kind: str | None, question_part: str | None = None
    ) -> list[Scored]:
        """Every sentence of the answer passages, scored against ``question``."""
        p = self.params
        hybrid = ctx.extras["hybrid"]
        bm = hybrid.bm25
        own = split_carried(question)[0]  # condense() appends carried-over terms in brackets
        own_terms = set(terms(own))
        qterms = [t for t in dict.fromkeys(terms(question)) if t not in FRAME_TERMS]
        docs = mentioned_docs(own)
        weights = {
            t: bm.idf(t) * (0.1 if t in DOC_NAME_TERMS else 1.0) * (1.0 if t in own_terms else 0.35) for t in qterms
        }
        qnums = {t for t in exact_terms(own) if t[:1].isdigit()}
        qfigs = _figures_in(own)
        if p.drop_unseen:
            # A word no document uses ("geld", English words) matches no sentence: it cannot tell sentences
            # apart, it only shrinks every lexical score until the vaguer similarity decides alone.
            weights = {t: w for t, w in weights.items() if t in bm.vocab or any(x in bm.vocab for x in expand_terms([t]))}
            qterms = [t for t in qterms if t in weights]
        for t in focus_terms(question, ctx.language) if p.w_focus != 1.0 else ():
            if t in weights:
                weights[t] *= p.w_focus
        # a word the documents say differently ("getekend" / "ondertekend") matches through the glossary
        # and a verb form ("vraagt") matches the documents' other forms ("vragen") even when both occur
        syn: dict[str, list[str]] = (
            {t: expand_terms([t]) if t not in bm.vocab else [v for v in verb_variants(t) if v in bm.vocab] for t in qterms}
            if ctx.language == "nl" else {}
        )
        # "wanneer wordt het geld *toegekend*" matches "de *toekenning*": the participle's verb and noun
        for t, variants in _participles(own, bm.vocab).items():
            if t in syn:
                syn[t] = [*syn[t], *(v for v in variants if v not in syn[t])]
        if p.compounds:
            # Dutch writes compounds as one word: "cofinanciering" is in "cofinancieringsmiddelen", "fonds" in
            # "Transformatiefonds"; a question word of some length matches the compounds that start or end with it
            for t in qterms:
                if len(t) >= p.compound_min and not t[0].isdigit():
                    extra = [v for v in _compounds_of(bm.vocab, t) if v not in syn.get(t, ())]
                    if extra:
                        syn[t] = [*syn.get(t, ()), *extra]
        w_lex = p.w_lex if ctx.language == "nl" else p.w_lex_en
        own_rank: dict[str, int] = (ctx.extras.get("part_ranks") or {}).get(question_part or "", {}) if p.part_rank else {}
        cands: list[tuple[Any, int, Any]] = []
        seen: set[tuple[str, int, int]] = set()
        for rc in ctx.passages:
            for idx, s in hybrid.sentences_of(rc.chunk.chunk_id):
                key = (s.chunk.doc_id, s.start, s.end)
                if key not in seen:
                    seen.add(key)
                    cands.append((rc, idx, s))
        cand_terms = [set(c[2].terms) for c in cands]
        if p.local_idf and cands:
            # The passages were retrieved for the question's topic, so topic words ("Regio Envelop") occur in
            # many of their sentences; the words that single out the answer ("najaar", "ingediend") in few.
            n = len(cands)
            for t in qterms:
                alts = {t, *syn.get(t, ())}
                df = sum(1 for st in cand_terms if st & alts)
                weights[t] *= (math.log((n + 1) / (df + 0.5)) / math.log(n + 1)) ** p.local_idf
        total = sum(weights.values()) or 1.0
        sims = None
        if qvec is not None and cands:
            sims = hybrid.sentence_vectors([c[1] for c in cands]) @ qvec
        out: list[Scored] = []
        for ci, (rc, idx, s) in enumerate(cands):
            sterms = cand_terms[ci]
            covered = {t for t in qterms if t in sterms or any(x in sterms for x in syn.get(t, ()))}
            lex = sum(weights[t] for t in covered) / total
            dense = float(sims[ci]) if sims is not None else 0.0
            typed = has_type(s.text, kind) and not (qfigs and kind in _NEW_FIGURE_TYPES and _figures_in(s.text) <= qfigs)
            score = (
                w_lex * lex
                + p.w_dense * max(0.0, dense - p.dense_floor)
                + p.w_chunk / (own_rank.get(rc.chunk.chunk_id, len(own_rank) + 1) if own_rank else rc.rank)
                + (p.w_type if typed and kind else 0.0)
                + (p.w_doc if docs and s.chunk.doc_id in docs else 0.0)
            )
            if qnums:  # "the €40 million Drenthe asks for": the sentence with that very figure
                score += p.w_number * len(qnums & sterms) / len(qnums)
            if len(s.text) < 25:  # labels and table fragments say little on their own
                score *= 0.6
            if s.text.startswith("#"):
                score *= 0.5
            out.append(Scored(idx, s.chunk, s.start, s.end, s.text, lex, dense, rc.rank, typed, score, covered))
        out.sort(key=lambda x: -x.score)
        return out

    def _window_lex(self, ctx: AnswerContext, question: str, s: Scored) -> float:
        """Share of the question's (known) term weight found in the sentence and its neighbours."""
        hybrid = ctx.extras["hybrid"]
        bm = hybrid.bm25
        own = split_carried(question)[0]  # carried-over terms of a follow-up do not count here ...
        if len(ctx.extras.get("parts") or []) > 1:
            own = question  # ... but a later part of one question ("..., en voor welke periode?") is about the first's subject
        qterms = [t for t in dict.fromkeys(terms(own)) if t in bm.vocab and t not in DOC_NAME_TERMS and t not in FRAME_TERMS]
        if not qterms:
            return 0.0
        names = exact_terms(own)
        compounds = [t for t in qterms if "-" in t]

        def weight(t: str) -> float:
            w = bm.idf(t)
            if any(t != c and t in c.split("-") for c in compounds):
                w *= 0.25  # "zuid-oost-drenthe" also yields "drenthe": count the compound once
            if t in names:
                w *= 0.5  # a place name is rarely what a "how many/how much" question is about
            return w

        near: set[str] = set(s.text and terms(s.text))
        if not s.text.lstrip().startswith("|"):  # table rows are separate facts; their neighbours are not context
            for _, x in self._neighbours(ctx, s, 1):
                near.update(x.terms)
        w = {t: weight(t) for t in qterms}
        parts = _participles(own, bm.vocab)
        found = [t for t in qterms if t in near or any(v in near for v in [*verb_variants(t), *parts.get(t, ())])]
        return sum(w[t] for t in found) / (sum(w.values()) or 1.0)

    def _neighbours(self, ctx: AnswerContext, s: Scored, radius: int) -> list[tuple[int, Any]]:
        """The sentence and up to ``radius`` sentences either side in the same paragraph."""
        sents = ctx.extras["hybrid"].sentences_of(s.chunk.chunk_id)
        pos = next((j for j, (_, x) in enumerate(sents) if x.start == s.start), None)
        if pos is None:
            return []
        out = [sents[pos]]
        text = s.chunk.text
        for step in (-1, 1):
            j = pos
            for _ in range(radius):
                k = j + step
                if not 0 <= k < len(sents):
                    break
                a, b = (sents[k][1], sents[j][1]) if step == -1 else (sents[j][1], sents[k][1])
                gap = text[a.end - s.chunk.start : b.start - s.chunk.start]
                if "\n\n" in gap:
                    break
                out.append(sents[k])
                j = k
        return out

    def _accept_typed(self, ctx: AnswerContext, question: str, s: Scored, kind: str | None) -> bool:
        """A sentence of the asked-for kind must also be about the question's subject."""
        if kind not in STRICT_TYPES:
            return True
        p = self.params
        if not self._entities_ok(ctx, question, s, kind):
            return False
        if ctx.language == "en":  # English words do not match Dutch text: only the names would count
            if s.dense >= p.min_typed_dense or self._window_lex(ctx, question, s) >= p.min_typed_lex_en:
                return True
            # ... unless the sentence holds the Dutch word for the question's (rare) subject: "smoke" → "rokers"
            bm = ctx.extras["hybrid"].bm25
            subject = [t for t in terms(translate_en(split_carried(question)[0])) if t in bm.vocab and bm.idf(t) >= p.rare_idf]
            return bool(set(subject) & set(terms(s.text)))
        if self._window_lex(ctx, question, s) >= p.min_typed_lex:
            return True
        # closeness alone does not do when the question's subject is a word no document uses: "met hoeveel
        # daalt de gemiddelde *huizenprijs*" is near the population figures, but they do not answer it
        return s.dense >= p.min_typed_dense and not self._unknown_subject(ctx, question)

    @staticmethod
    def _unknown_subject(ctx: AnswerContext, question: str) -> list[str]:
        """The question's own content words that no document uses, even through the glossary."""
        bm = ctx.extras["hybrid"].bm25
        own = split_carried(question)[0]
        return [
            t for t in terms(own)
            if len(t) >= 5 and t not in FRAME_TERMS and t not in DOC_NAME_TERMS and not t[0].isdigit()
            and t not in bm.vocab and not any(x in bm.vocab for x in expand_terms([t]))
            and not any(v in bm.vocab for v in verb_variants(t)) and not _splits(t, bm.vocab)
        ]

    def select(self, ctx: AnswerContext) -> tuple[list[Scored], Scored | None, str | None]:
        """The sentences to quote (empty = refuse), the best related sentence, and a refusal reason."""
        p = self.params
        ex = ctx.extras
        parts: list[tuple[str, np.ndarray | None]] = ex.get("parts") or [(ctx.standalone_question, ex.get("query_vec"))]
        chosen: list[Scored] = []
        counted: list[Scored] = []  # a counted list's introduction and last item, quoted as they are
        related: Scored | None = None
        debug: list[dict[str, Any]] = []
        for part_q, vec in parts:
            orig_q = part_q  # an English part gets Dutch words added below; the user reads their own words
            kind = answer_type(part_q)
            if kind in ("person", "name") and _SIGNED.search(part_q) and not ablated(self.settings, "signature"):
                sig = self._signature(ctx, part_q)
                if sig is not None:
                    debug.append({"part": part_q, "kind": kind, "text": sig.text[:80], "signature": True})
                    chosen.append(sig)
                    continue
            if kind in ("date", None) and _DOC_DATE.search(part_q) and not ablated(self.settings, "document_date"):
                dated = self._document_date(ctx, part_q)
                if dated is not None:
                    debug.append({"part": part_q, "kind": kind, "text": dated.text[:80], "document_date": True})
                    chosen.append(dated)
                    continue
            if kind == "count" and not ablated(self.settings, "list_count"):
                listed = self._list_count(ctx, part_q)
                if listed is not None:
                    n, intro, last = listed
                    debug.append({"part": part_q, "kind": kind, "text": intro.text[:80], "list_count": n})
                    ex.setdefault("list_counts", []).append((n, intro.chunk.doc_id, intro.start))
                    counted.extend([intro, last])
                    continue
            if not ablated(self.settings, "translation"):
                part_q = with_translation(part_q, ctx.language)
            scored = self._demote_repeats(ctx, self.score_sentences(ctx, part_q, vec, kind, orig_q))
            if not scored:
                continue
            computed = None if ablated(self.settings, "arithmetic") else self._arithmetic(ctx, orig_q, scored)
            if computed is not None:
                sents, working = computed
                debug.append({"part": part_q, "kind": kind, "text": sents[0].text[:80], "computed": working,
                              "lex": [round(x.lex, 3) for x in sents], "score": [round(x.score, 3) for x in sents]})
                ex.setdefault("computed", []).append((sents, working))
                said = {(c.chunk.doc_id, c.start) for c in chosen}
                chosen.extend(x for x in sents if (x.chunk.doc_id, x.start) not in said)
                continue
            # "Wanneer is partnerschap aan de orde?" asks for a condition, not a date: a sentence that
            # answers in the question's own words ("..., wanneer ...") is accepted untyped.
            echo = [
                s for s in scored[:3]
                if kind in STRICT_TYPES and s.lex >= p.echo_lex and _ECHO.get(kind, _NO_ECHO).search(s.text)
            ]
            candidates = [c for c in self._expand_headings(ctx, scored, kind) if len(c.text) >= p.min_chars]
            if kind in STRICT_TYPES and not echo:
                candidates = [s for s in candidates if s.typed and self._accept_typed(ctx, part_q, s, kind)]
            # what the documents do say: a sentence, never a bare heading ("### Tekort aan ...")
            related_pool = [s for s in scored if not (kind in STRICT_TYPES and s.typed) and not s.text.startswith("#")] or scored
            if related is None or related_pool[0].score > related.score:
                related = related_pool[0]
            # each part of a question gets its own answer: a sentence an earlier part already quotes
            # (it carries that part's words) does not answer this one again
            said = {(c.chunk.doc_id, c.start) for c in chosen}
            candidates = [c for c in candidates if (c.chunk.doc_id, c.start) not in said]
            best = candidates[0] if candidates else None
            debug.append(
                {
                    "part": part_q,
                    "kind": kind,
                    "text": best.text[:80] if best else None,
                    "score": round(best.score, 3) if best else None,
                    "dense": round(best.dense, 3) if best else None,
                    "lex": round(best.lex, 3) if best else None,
                }
            )
            if best is None or (best.score < p.min_score and best.dense < p.min_dense):
                if len(parts) > 1:  # the other parts may be answered: say which one is not
                    ex.setdefault("unanswered_parts", []).append(split_carried(orig_q)[0])
                continue
            picked = [best]
            covered = set(best.covered)
            for s in candidates[1:]:
                if len(picked) >= 2 or len(chosen) + len(picked) >= p.max_sentences:
                    break
                if s.score >= p.extra_ratio * best.score and (s.covered - covered):
                    picked.append(s)
                    covered |= s.covered
            cap = p.max_sentences
            picked = self._with_context(ctx, picked, scored, best, cap)
            picked = self._with_context(ctx, picked, scored, best, cap)
            for s in picked:
                if all((c.chunk.doc_id, c.start) != (s.chunk.doc_id, s.start) for c in chosen):
                    chosen.append(s)
            if kind == "person" and _FIRST_PERSON.search(best.text) and not ablated(self.settings, "first_person"):
                # "Wie beslist ...?" — "... bepaal ik ...": who "ik" is, is in the letter's signature
                sig = self._signature(ctx, part_q, best.chunk.doc_id)
                if sig is not None:
                    ex.setdefault("first_person", []).append(sig)
        ex["select_debug"] = debug
        answered = [
            max(d["lex"]) if isinstance(d["lex"], list) else d["lex"] for d in debug if d.get("lex") is not None and d.get("text")
        ]
        if chosen and not counted and ex.get("unanswered_parts") and answered and max(answered) < p.partial_min_lex:
            # one part is not in the documents and the others only loosely match: no partial answer
            ex["unanswered_parts"] = []
            chosen = []
        if counted:
            chosen = self._extend_short(ctx, chosen) + counted if chosen else counted
            chosen.sort(key=lambda s: (s.chunk.doc_id, s.start))
            return chosen, related, None
        if not chosen:
            if related is not None and related.dense < p.related_min_dense:
                related = None
            return [], related, "not_in_documents"
        chosen = self._extend_short(ctx, chosen)[: p.max_sentences * min(len(parts), 2)]
        # a footnote is part of the sentence that points at it ("landsdelen[^4]"), never cut by the cap
        chosen = self._footnotes(ctx, chosen)
        first_doc = chosen[0].chunk.doc_id
        chosen.sort(key=lambda s: (s.chunk.doc_id != first_doc, s.chunk.doc_id, s.start))
        return chosen, related, None

    def _arithmetic(self, ctx: AnswerContext, question: str, scored: list[Scored]) -> tuple[list[Scored], str] | None:
        """"Met hoeveel daalt ...?" / "welk deel van ... in procenten?" answered by figures the best
        sentences state but do not subtract or divide: those sentences and the working (``rag.compare``).
        Only running text: a table row's difference is ``_differences``' job."""
        change, share = asks_change(question), asks_share(question)
        if not (change or share):
            return None
        lang = ctx.language
        pool = [
            s for s in scored[:4]
            if s.score >= self.params.min_score and not s.text.lstrip().startswith(("|", "#"))
        ]
        p = self.params
        if change:
            for s in pool[:2]:
                working = prose_change(s.text, lang) if s.lex >= p.arith_lex else None
                if working:
                    return [s], working
        if share and not any(f.unit == "pct" for s in pool[:2] for f in prose_figures(s.text)):
            # the documents' own percentage answers "welk percentage" as it stands; else the two amounts
            # of the best figure-bearing sentences, one a share of the other
            used: list[Scored] = []
            figs: list[ProseFigure] = []
            for s in pool:
                own = [f for f in prose_figures(s.text) if f.unit != "pct"]
                if not own:
                    continue
                new = [f for f in own if all(f.value != g.value for g in figs)]
                if len(new) + len(figs) > 2:
                    break
                used.append(s)
                figs.extend(new)
                if len(figs) == 2 or len(used) == 2:
                    break
            if len(figs) == 2 and all(x.lex >= p.arith_share_lex for x in used) and sum(x.lex for x in used) >= p.arith_share_sum:
                working = prose_share(figs[0], figs[1], lang)
                if working:
                    return used, working
        return None

    def _demote_repeats(self, ctx: AnswerContext, scored: list[Scored]) -> list[Scored]:
        """A follow-up asks for something new: a sentence the previous answer already said ("SEREH ...")
        matches the carried-over subject best but does not answer "en waarom ...?"."""
        p = self.params
        if ctx.standalone_question == ctx.question or p.repeat_factor >= 1.0:
            return scored
        previous = next((h.get("content", "") for h in reversed(ctx.history or []) if h.get("role") == "assistant"), "")
        said = set(terms(re.sub(r"\[\d+\]", " ", previous)))
        if not said:
            return scored
        hybrid = ctx.extras["hybrid"]
        for s in scored:
            own = set(hybrid.sentences[s.idx].terms) if s.idx >= 0 else set(terms(s.text))
            if own and len(own & said) / len(own) >= p.repeat_overlap:
                s.score *= p.repeat_factor
        return sorted(scored, key=lambda x: -x.score)

    def _list_count(self, ctx: AnswerContext, question: str) -> tuple[int, Scored, Scored] | None:
        """"Aan hoeveel randvoorwaarden moet een deal voldoen?": the documents list them rather than count
        them. The answer is the length of the list introduced by a sentence that names what is asked
        ("... een aantal randvoorwaarden ... Voor de komende Regio Deals gaat het om:"), shown with the
        introduction and the last item, whose own number ("8. ...") makes the count checkable."""
        focus = focus_terms(question, ctx.language)
        if not focus:
            return None
        wanted = focus | set(expand_terms(sorted(focus)))
        hybrid = ctx.extras["hybrid"]
        document: Callable[[str], Any] | None = ctx.extras.get("document")
        if document is None:
            return None
        sents = hybrid.sentences
        in_passages = {rc.chunk.chunk_id for rc in ctx.passages}
        for i, s in enumerate(sents):
            heading = s.text.startswith("#")  # "### Tekort aan beroepsgroepen top 5 (UWV)"
            if s.chunk.chunk_id not in in_passages or not (heading or s.text.rstrip().endswith(":")):
                continue
            named = set(s.terms)
            if i and sents[i - 1].chunk.doc_id == s.chunk.doc_id and not heading:
                named |= set(sents[i - 1].terms)  # "... een aantal randvoorwaarden ... Voor ... gaat het om:"
            if not named & wanted:
                continue
            text = document(s.chunk.doc_id).text
            items: list[tuple[int, int | None]] = []  # (sentence index, item number or None for a bullet)
            for j in range(i + 1, min(i + 60, len(sents))):
                x = sents[j]
                if x.chunk.doc_id != s.chunk.doc_id:
                    break
                before = text[max(0, x.start - 8) : x.start]
                num = re.search(r"(?:^|\n)[ \t]*(\d{1,2})\.[ \t]*$", before)
                bullet = re.search(r"(?:^|\n)[ \t]*[-*•][ \t]*$", before)
                if num or bullet:
                    items.append((j, int(num.group(1)) if num else None))
                elif not items and x.text.startswith(("**", "#")):
                    continue  # a label between the introduction and the list
                elif not (items and "\n" not in before):  # a further sentence of the same item continues it
                    break
            numbers = [k for _, k in items]
            if len(items) < 2 or (None not in numbers and numbers != list(range(1, len(items) + 1))):
                continue
            # a heading is never quoted on its own: then the first item stands for the list's start
            intro = self._item_span(text, items[0][0], sents) if heading else Scored(i, s.chunk, s.start, s.end, s.text, 1.0, 1.0, 1, True, 10.0)
            tail = self._item_span(text, items[-1][0], sents)
            if intro is None or tail is None:
                continue
            return len(items), intro, tail
        return None

    @staticmethod
    def _item_span(text: str, idx: int, sents: list[Any]) -> Scored | None:
        """A list item with its own number or bullet ("8. Perspectief ..."), if that lies in its chunk."""
        x = sents[idx]
        start = _marker_start(text, x.start)
        if start < x.chunk.start:
            return None
        return Scored(idx, x.chunk, start, x.end, text[start : x.end], 1.0, 1.0, 1, True, 10.0)

    def _signature(self, ctx: AnswerContext, question: str, doc_id: str | None = None) -> Scored | None:
        """The signature block (name and function lines after the last paragraph, before any list of
        enclosures) of ``doc_id``, else of the document the question names, else of the best passage's."""
        hybrid = ctx.extras["hybrid"]
        docs = {doc_id} if doc_id else mentioned_docs(question)
        if not docs and ctx.passages:
            docs = {ctx.passages[0].chunk.doc_id}
        if len(docs) != 1:
            return None
        doc_id = next(iter(docs))
        sents = [(i, x) for i, x in enumerate(hybrid.sentences) if x.chunk.doc_id == doc_id]
        end = next((j for j, (_, x) in enumerate(sents) if re.match(r"^(bijlage|bijlagen|enclosures?)\b", x.text, re.I)), len(sents))
        block: list[tuple[int, Any]] = []
        for i, x in reversed(sents[:end]):
            t = x.text.strip()
            if not t or len(t) > 70 or t.endswith((".", "?", "!", ":")) or t.startswith(("-", "*", ">", "#", "|")):
                break
            block.insert(0, (i, x))
        while block and _CLOSING.match(block[0][1].text.strip()):
            block.pop(0)
        if not block or not re.search(r"[A-Z]", block[0][1].text) or block[0][1].chunk.chunk_id != block[-1][1].chunk.chunk_id:
            return None
        (i0, first), (_, last) = block[0], block[-1]
        chunk = first.chunk
        text = chunk.text[first.start - chunk.start : last.end - chunk.start]
        return Scored(i0, chunk, first.start, last.end, text, 1.0, 1.0, 1, True, 10.0)

    def _document_date(self, ctx: AnswerContext, question: str) -> Scored | None:
        """"Van welke datum is de brief?": the document's own dateline ("Assen, 5 september 2018"), or, for a
        document that prints none (the Kamerbrief), the sentence of another document that dates it ("zie
        bijgevoegde Kamerbrief d.d. 18 juni 2018")."""
        hybrid = ctx.extras["hybrid"]
        docs = mentioned_docs(question) or ({ctx.passages[0].chunk.doc_id} if ctx.passages else set())
        if len(docs) != 1:
            return None
        doc_id = next(iter(docs))
        sents = list(enumerate(hybrid.sentences))
        found = next(((i, x) for i, x in sents if x.chunk.doc_id == doc_id and _DATELINE.match(x.text.strip())), None)
        if found is None:
            names = [n for n in _DOC_DATED_AS.get(doc_id, ())]
            found = next(
                ((i, x) for i, x in sents if x.chunk.doc_id != doc_id
                 and any(re.search(rf"\b{n}\b\s+(d\.d\.|van|dated)\s+\d{{1,2}}\s+({_MONTHS})\s+\d{{4}}", x.text, re.I) for n in names)),
                None,
            )
        if found is None:
            return None
        i, x = found
        return Scored(i, x.chunk, x.start, x.end, x.text, 1.0, 1.0, 1, True, 10.0)

    def _expand_headings(self, ctx: AnswerContext, scored: list[Scored], kind: str | None = None) -> list[Scored]:
        """A heading is never quoted as an answer; when it is what matches ("Tekort aan beroepsgroepen top 5
        (UWV)"), the list or paragraph under it takes its place with the heading's score."""
        out: list[Scored] = []
        for s in scored:
            if not s.text.startswith("#"):
                out.append(s)
                continue
            block = self._block_after(ctx, s, kind)
            if block is not None:
                out.append(block)
        out.sort(key=lambda x: -x.score)
        return out

    def _block_after(self, ctx: AnswerContext, head: Scored, kind: str | None = None) -> Scored | None:
        """The list (up to 6 items) or first sentence following a heading, as one span."""
        sents = ctx.extras["hybrid"].sentences_of(head.chunk.chunk_id)
        pos = next((j for j, (_, x) in enumerate(sents) if x.start == head.start), None)
        if pos is None or pos + 1 >= len(sents):
            return None
        first_idx, first = sents[pos + 1]
        if first.text.startswith("#"):
            return None
        end = first.end
        if re.match(r"^\s*([-*•]|\d+\.)\s", first.text):
            for _, x in sents[pos + 2 : pos + 7]:
                if not re.match(r"^\s*([-*•]|\d+\.)\s", x.text):
                    break
                end = x.end
        text = head.chunk.text[first.start - head.chunk.start : end - head.chunk.start]
        return Scored(first_idx, head.chunk, first.start, end, text, head.lex, head.dense, head.chunk_rank,
                      has_type(text, kind), head.score / 0.5, set(head.covered))

    def _footnotes(self, ctx: AnswerContext, chosen: list[Scored]) -> list[Scored]:
        """A quoted sentence with a footnote mark ("landsdelen[^4]", "Commissie Vollebregt*") brings its
        footnote along: that is where titles, dates and lists often are."""
        out = list(chosen)
        hybrid = ctx.extras["hybrid"]
        for s in chosen:
            for word in re.findall(r"([A-Za-zÀ-ÿ][\w-]{3,})\*", s.text):
                for x in hybrid.sentences:
                    if (
                        x.chunk.doc_id == s.chunk.doc_id
                        and re.match(r"^\\?\*\s", x.text)
                        and word.lower() in x.text.lower()
                        and all(o.start != x.start for o in out)
                    ):
                        out.append(Scored(-1, x.chunk, x.start, x.end, x.text, 0, 0, s.chunk_rank, True, 0))
                        break
            for mark in re.findall(r"\[\^(\w+)\]", s.text):
                for x in hybrid.sentences:
                    if (
                        x.chunk.doc_id == s.chunk.doc_id
                        and x.text.startswith(f"[^{mark}]:")
                        and all(o.start != x.start for o in out)
                    ):
                        out.append(Scored(-1, x.chunk, x.start, x.end, x.text, 0, 0, s.chunk_rank, True, 0))
                        break
        return out

    def _with_context(
        self, ctx: AnswerContext, picked: list[Scored], scored: list[Scored], best: Scored, cap: int
    ) -> list[Scored]:
        """Add the neighbour a picked sentence leans on or that continues it ("Dit is ook van belang om
        ...", "Deze thema's ..."), or a neighbour that scores well in its own right."""
        p = self.params
        by_start = {(s.chunk.doc_id, s.start): s for s in scored}
        out = list(picked)
        # The best sentence keeps the rest of its thought: following sentences of its paragraph, up to
        # window_chars ("... een tekort aan personeel in de zorg. We willen ... Met opleidingen ...").
        if best in picked and not best.text.lstrip().startswith(("|", "-", "*", "•")):
            total = len(best.text)
            following = [x for x in self._neighbours(ctx, best, 2)[1:] if x[1].start >= best.end]
            following.sort(key=lambda ix: ix[1].start)
            for idx, x in following:
                if len(out) >= cap or total + len(x.text) > p.window_chars:
                    break
                if all(o.start != x.start or o.chunk.doc_id != x.chunk.doc_id for o in out):
                    total += len(x.text)
                    out.append(by_start.get((x.chunk.doc_id, x.start)) or Scored(idx, best.chunk, x.start, x.end, x.text, 0, 0, best.chunk_rank, True, 0))
        for s in list(out):
            neigh = self._neighbours(ctx, s, 1)
            for idx, x in neigh[1:]:
                if len(out) >= cap:
                    break
                if any(o.start == x.start and o.chunk.doc_id == x.chunk.doc_id for o in out):
                    continue
                if len(x.text) < p.min_chars:
                    continue
                sc = by_start.get((x.chunk.doc_id, x.start))
                if s.text.lstrip().startswith("|") and x.text.lstrip().startswith("|"):
                    # table rows are separate facts: a neighbouring row only when it scores like the best
                    if sc is not None and sc.score >= p.extra_ratio * best.score:
                        out.append(sc)
                    continue
                before = x.start < s.start
                leans = (_ANAPHOR.match(s.text) is not None) if before else (_ANAPHOR.match(x.text) is not None)
                ratio = p.next_ratio if (s is best and not before) else p.neighbour_ratio
                strong = sc is not None and sc.score >= ratio * best.score
                if leans or strong:
                    out.append(sc or Scored(idx, s.chunk, x.start, x.end, x.text, 0, 0, s.chunk_rank, True, 0))
        return out

    def _entities_ok(self, ctx: AnswerContext, question: str, s: Scored, kind: str | None) -> bool:
        """Rare names in the question must occur near the sentence: an amount about another project is
        not an answer ("Hoeveel vraagt de Regio Deal Vitale Vakantieparken?")."""
        hybrid = ctx.extras["hybrid"]
        bm = hybrid.bm25
        # a capitalised word inside the question is a name too ("de werkloosheid in Emmen"); its adjective
        # ("de Drentse opgaven") is not, the documents say "Drenthe"
        capitalised = {
            t for m in _MID_NAME.finditer(split_carried(question)[0]) if not m.group(1).endswith("se")
            for t in terms(m.group(1))
        }
        names = [
            t for t in exact_terms(question) | capitalised
            if not t[0].isdigit() and t in bm.vocab and t not in DOC_NAME_TERMS and bm.idf(t) >= self.params.rare_idf
        ]
        if not names:
            return True
        near: set[str] = set()
        for _, x in self._neighbours(ctx, s, 2):
            near.update(x.terms)
        header = hybrid.table_header(s.idx) if s.idx >= 0 and s.text.lstrip().startswith("|") else None
        if header is not None:  # a table row is about what its column headers name ("Zuidoost-Drenthe")
            near.update(header.terms)
        return all(t in near for t in names)

    def _extend_short(self, ctx: AnswerContext, chosen: list[Scored]) -> list[Scored]:
        """A sentence ending in ':' or a bare label needs the next line to mean anything."""
        hybrid = ctx.extras["hybrid"]
        out = list(chosen)
        for s in chosen:
            if s.text.rstrip().endswith(":") or (
                len(s.text) < 40 and not s.text.lstrip().startswith("|") and not _DATELINE.match(s.text.strip())
            ):
                sents = hybrid.sentences_of(s.chunk.chunk_id)
                for j, (_idx, x) in enumerate(sents):
                    if x.start == s.start and j + 1 < len(sents):
                        nidx, nx = sents[j + 1]
                        if all(o.start != nx.start for o in out):
                            out.append(Scored(nidx, nx.chunk, nx.start, nx.end, nx.text, 0, 0, s.chunk_rank, True, 0))
                        break
        return out

    # -- false premises ------------------------------------------------------------------------------

    def _false_premise(self, ctx: AnswerContext, claim: str, builder: CitationBuilder) -> str | None:
        """The correction of the first claimed clause the documents contradict, or None."""
        for part, vec in ctx.extras.get("claims") or [(claim, ctx.extras.get("claim_vec"))]:
            found = self._proposal_fact(ctx, part, builder) or self._contradiction(ctx, part, vec, builder)
            if found is not None:
                return found
        return None

    def _proposal_fact(self, ctx: AnswerContext, claim: str, builder: CitationBuilder) -> str | None:
        """A claim about the proposal's own money ("Drenthe vraagt 80 miljoen aan het Rijk") against what
        the documents state: the figure "80 miljoen" also occurs (as the region's investment), so a
        sentence search would take it as confirmed."""
        from rag.router import proposal_conflict

        fact = proposal_conflict(claim, ctx.language)
        if fact is None:
            return None
        c = self._rule_citation(fact, ctx.extras.get("document"), ctx.extras.get("hybrid"))
        if c is None:
            return None
        n = builder.add(c)
        lead = prompt("false_premise", ctx.language).format(doc=doc_name(c.doc_id, c.title, ctx.language))
        return f"{_cap(lead)} {_q(c.quote, ctx.language)} [{n}]"

    def _contradiction(self, ctx: AnswerContext, claim: str, vec: np.ndarray | None, builder: CitationBuilder) -> str | None:
        from rag.router import _figures

        # an English claim is matched on its Dutch words too, as a question is
        scored = [
            s for s in self.score_sentences(ctx, with_translation(claim, ctx.language), vec, None)
            if not s.text.startswith("#")
        ]
        hybrid = ctx.extras["hybrid"]
        if vec is not None and hybrid.sentences_ready():
            # The claim may be about a passage the question's own retrieval missed: search all sentences.
            docs = mentioned_docs(ctx.question)
            pool = [
                (i, x) for i, x in enumerate(hybrid.sentences)
                if len(x.text) >= 40 and not x.text.startswith("#") and (not docs or x.chunk.doc_id in docs)
            ]
            if pool:
                sims = hybrid.sentence_vectors([i for i, _ in pool]) @ vec
                order = np.argsort(-sims)[:3]
                glob = [
                    Scored(pool[j][0], pool[j][1].chunk, pool[j][1].start, pool[j][1].end, pool[j][1].text,
                           0.0, float(sims[j]), 1, True, float(sims[j]))
                    for j in order
                ]
                scored = scored[:3] + glob
        top = scored[:6]
        cf = _figures(claim)
        if cf and any(cf & _figures(s.text) for s in top):
            return None  # the documents state the claimed figure
        for s in top:
            if contradicts(claim, s.text):
                n = builder.cite(s.chunk, s.start, s.end)
                lead = prompt("false_premise", ctx.language).format(doc=doc_name(s.chunk.doc_id, s.chunk.title, ctx.language))
                return f"{_cap(lead)} {_q(s.text, ctx.language)} [{n}]"
        return None

    # -- composing -----------------------------------------------------------------------------------

    def _quote_pieces(
        self, chosen: list[Scored], builder: CitationBuilder, lang: str, hybrid: Any = None, continuing: bool = False
    ) -> list[str]:
        pieces = []
        prev_doc = chosen[0].chunk.doc_id if continuing and chosen else None
        shown: set[tuple[str, int]] = set()
        row_chunks = {
            c.chunk.chunk_id for c in chosen
            if hybrid is not None and c.idx >= 0 and hybrid.table_header(c.idx) is not None
        }
        # a header row chosen on its own is shown once, above the rows it heads
        chosen = [
            c for c in chosen
            if not (hybrid is not None and c.idx >= 0 and c.text.lstrip().startswith("|")
                    and hybrid.table_header(c.idx) is None and c.chunk.chunk_id in row_chunks)
        ]
        for i, s in enumerate(chosen):
            # a numbered item is quoted with its number: "4. Machinemonteurs" is the fourth of the list
            start = _marker_start(s.chunk.text, s.start - s.chunk.start, numbered_only=True) + s.chunk.start
            if start != s.start:
                s = Scored(s.idx, s.chunk, start, s.end, s.chunk.text[start - s.chunk.start : s.end - s.chunk.start],
                           s.lex, s.dense, s.chunk_rank, s.typed, s.score, s.covered)
            header = hybrid.table_header(s.idx) if hybrid is not None else None
            head = ""
            if header is not None and header.chunk.chunk_id == s.chunk.chunk_id and (s.chunk.doc_id, header.start) not in shown:
                shown.add((s.chunk.doc_id, header.start))
                hn = builder.cite(s.chunk, header.start, header.end)
                head = f"{_q(header.text, lang)} [{hn}] "
            n = builder.cite(s.chunk, s.start, s.end)
            name = doc_name(s.chunk.doc_id, s.chunk.title, lang)
            if i == 0 and not continuing:
                lead = f"Volgens {name}:" if lang == "nl" else f"{_cap(name)} states:"
            elif s.chunk.doc_id == prev_doc:
                lead = "Verder:" if lang == "nl" else "It also says:"
            else:
                lead = f"En volgens {name}:" if lang == "nl" else f"And {name} states:"
            pieces.append(f"{lead} {head}{_q(s.text, lang)} [{n}]")
            prev_doc = s.chunk.doc_id
        return pieces

    @staticmethod
    def _differences(chosen: list[Scored], builder: CitationBuilder, question: str, lang: str, hybrid: Any) -> list[str]:
        """For "hoeveel hoger ... dan landelijk?": the difference of the quoted two-figure table rows the
        question names (else the first), computed by ``rag.compare`` and shown with its working and the
        row's citation."""
        rows = []
        for s in chosen:
            header = hybrid.table_header(s.idx) if s.idx >= 0 and s.text.lstrip().startswith("|") else None
            working = row_difference(s.text, header.text, lang) if header is not None else None
            if working:
                rows.append((s, working))
        asked = set(terms(question)) | set(expand_terms(terms(question)))
        overlap = [len(set(terms(cells(s.text)[0])) & asked) for s, _ in rows]
        best = max(overlap, default=0)
        named = [row for row, k in zip(rows, overlap, strict=True) if best and k == best]
        out = []
        for s, working in named or rows[:1]:
            n = builder.cite(s.chunk, s.start, s.end)  # the row's own number: it is already cited
            out.append(prompt("difference", lang).format(n=n, working=working))
        return out

    def _asked_not_given(
        self, ctx: AnswerContext, builder: CitationBuilder, document: Callable[[str], Any] | None, hybrid: Any
    ) -> str | None:
        """"Hoeveel geld krijgt Drenthe?": what the proposal will get is decided after these documents, so
        none of them says it; what it asks for is stated (``cofinancing.PROPOSAL_REQUEST``) and is shown
        as exactly that."""
        from rag.cofinancing import PROPOSAL_REQUEST
        from rag.router import _HYPOTHETICAL

        own = split_carried(ctx.standalone_question)[0]
        if answer_type(own) != "amount" or not _PROPOSAL_GETS.search(own) or _HYPOTHETICAL.search(own):
            return None
        c = self._rule_citation(PROPOSAL_REQUEST, document, hybrid)
        if c is None:
            return None
        n = builder.add(c)
        lead = prompt("asked_not_given", ctx.language).format(doc=_cap(doc_name(c.doc_id, c.title, ctx.language)))
        return f"{lead} {_q(c.quote, ctx.language)} [{n}]"

    def _calc_piece(self, ctx: AnswerContext, builder: CitationBuilder, document: Callable[[str], Any] | None, hybrid: Any) -> str:
        text = (ctx.tool_explanation or "").strip()
        text = re.sub(r"\s*\[\d+\]", "", text)
        markers = []
        for rule in ctx.extras.get("rule_citations") or []:
            c = self._rule_citation(rule, document, hybrid)
            if c is not None:
                markers.append(builder.add(c))
        suffix = " " + "".join(f"[{n}]" for n in markers) if markers else ""
        return text + suffix

    @staticmethod
    def _rule_citation(rule: Any, document: Callable[[str], Any] | None, hybrid: Any) -> Citation | None:
        """Locate a calculator rule quote in its document so it gets exact offsets and a chunk."""
        get = rule.get if isinstance(rule, dict) else lambda k, d=None: getattr(rule, k, d)
        doc_id, quote = get("doc_id"), get("quote")
        if not doc_id or not quote or document is None:
            return None
        try:
            doc = document(doc_id)
        except Exception:
            log.warning("rule citation to unknown document %s", doc_id)
            return None
        found = chunk_of_quote(doc.text, quote, hybrid.chunks if hybrid is not None else [], doc_id)
        if found is None:
            log.error("calculator rule quote not found verbatim in %s: %r", doc_id, quote[:80])
            return None
        start, end, chunk = found
        return Citation(
            n=0,
            doc_id=doc_id,
            title=doc.title,
            page=doc.page_at(start),
            section=chunk.section if chunk else "",
            chunk_id=chunk.chunk_id if chunk else "",
            quote=doc.text[start:end],
            start=start,
            end=end,
        )

    def _make(
        self, ctx: AnswerContext, pieces: list[str], builder: CitationBuilder, *, refused: bool, reason: str | None = None
    ) -> Answer:
        return Answer(
            question=ctx.question,
            language=ctx.language,
            answer=" ".join(p for p in pieces if p).strip(),
            refused=refused,
            engine=self.name,
            citations=list(builder.citations),
            retrieved=list(ctx.retrieved),
            tool=ctx.tool,
            standalone_question=ctx.standalone_question,
            refusal_reason=reason if refused else None,
        )


def _marker_start(text: str, pos: int, numbered_only: bool = False) -> int:
    """Where the list marker ("8. ", "- ") of the item starting at ``pos`` in ``text`` begins; ``pos`` when
    the item has none (or only a bullet, with ``numbered_only``)."""
    m = re.search(r"(?:^|\n)[ \t]*(\d{1,2}\.|[-*•])[ \t]*$", text[max(0, pos - 8) : pos])
    if not m or (numbered_only and not m.group(1)[0].isdigit()):
        return pos
    return pos - (min(pos, 8) - m.start(1))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _q(text: str, lang: str) -> str:
    """A verbatim quote for display: whitespace collapsed, table pipes turned into separators."""
    t = " ".join(text.split())
    if t.startswith("|"):
        t = " | ".join(c.strip() for c in t.strip("|").split("|"))
    t = t.lstrip("•*-> ").strip()
    return f"«{t}»" if lang == "nl" else f"“{t}”"


def fold_eq(a: str, b: str) -> bool:
    return fold(a) == fold(b)
