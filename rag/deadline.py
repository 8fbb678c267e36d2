"""Was a proposal in on time? The submission deadline of this tranche, compared with a date, never guessed.

"Is het voorstel van Drenthe op tijd ingediend?" and "Als we op 3 september indienen, is dat nog op tijd?"
are answered by two dates the documents state in different places (the Kamerbrief's deadline, the cover
letter's submission date) or by the user's own date. Like the co-financing calculator, this module
compares them deterministically and names the passages it rests on; the answering layer shows the
comparison with those passages cited. The facts' quotes are tested to occur verbatim in their documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from rag.text import MONTH_NUMBER, MONTH_RE, MONTHS_EN, MONTHS_NL

# "30 augustus", "1 september 2018", "August 30", "September 1st, 2018"
_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{MONTH_RE})|(?P<m2>{MONTH_RE})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)"
    rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?\b",
    re.I,
)
# "op tijd", "te laat", "deadline", "uiterste datum", "in time", "too late", "meet the deadline"
_TIMELINESS = re.compile(
    r"\b(op tijd|tijdig|te laat|nog (op tijd|indienen)|deadline|uiterste (datum|termijn)|tot wanneer|until when|by when|"
    r"tot welke datum|until what date|by what date|before what date|"
    r"(wat|welke) (was|is) de (sluitings)?datum|closing date|"
    r"(binnen|voor) de (termijn|deadline)|in time|on time|too late|meet the deadline|before the deadline|"
    r"(met|made|missed|miss) the deadline)\b",
    re.I,
)
# the Drenthe proposal as the subject: its own submission date applies
_PROPOSAL = re.compile(
    r"\b(drenthe|zuid- en oost-drenthe|het voorstel van|ons voorstel|dit voorstel|our proposal|the proposal|this proposal|"
    r"de provincie|the province|gs|gedeputeerde staten)\b",
    re.I,
)


@dataclass(frozen=True)
class Fact:
    """A date one document states, with the verbatim passage that states it."""

    key: str
    value: date
    quote: str
    doc_id: str
    section: str = ""
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.key, "doc_id": self.doc_id, "quote": self.quote, "section": self.section, "page": self.page}


DEADLINE = Fact(
    "submission_deadline",
    date(2018, 9, 1),
    "Voorstellen die in aanmerking willen komen voor de komende tranche, kunnen worden gedaan tot 1 september 2018.",
    "kamerbrief",
    "Randvoorwaarden, procedure en startmoment > Procedure en startmoment",
)
# "op 30 augustus jl." in a letter dated 5 september 2018: 30 August 2018
SUBMITTED = Fact(
    "proposal_submitted",
    date(2018, 8, 30),
    "is dit voorstel op 30 augustus jl. ingediend bij het ministerie van Landbouw, Natuur en Voedselkwaliteit (LNV)",
    "letter",
)
OPENING = Fact(
    "submission_opening",
    date(2018, 6, 8),
    "Vanaf 8 juni 2018 kunnen de regionale partners eerste voorstellen (“proposities”) voor Regio Deals aanmelden "
    "bij het ministerie van LNV.",
    "kamerbrief",
    "Randvoorwaarden, procedure en startmoment > Procedure en startmoment",
)
LETTER_DATE = Fact("letter_date", date(2018, 9, 5), "Assen, 5 september 2018", "letter")
FACTS: dict[str, Fact] = {f.key: f for f in (DEADLINE, SUBMITTED, OPENING, LETTER_DATE)}
# "van wanneer tot wanneer konden regio's indienen?", "hoeveel tijd kregen ze?", "how long did regions have?"
_WINDOW = re.compile(
    r"\b(van wanneer tot wanneer|vanaf wanneer|from when|hoe ?lang (hadden|kregen|hebben|krijgen|had|kreeg)|"
    r"hoeveel tijd (hadden|kregen|hebben|krijgen|had|kreeg)|how long (did|do|had|have)|how much time)\b",
    re.I,
)


def asks_timeliness(question: str) -> bool:
    return bool(_TIMELINESS.search(question))


def parse_date(text: str, default_year: int) -> date | None:
    """The first date in ``text`` ("30 augustus", "September 1, 2018"); a missing year is ``default_year``."""
    m = _DATE.search(text)
    if not m:
        return None
    day = int(m.group("d1") or m.group("d2"))
    month = MONTH_NUMBER[(m.group("m1") or m.group("m2")).lower()]
    year = int(m.group("y")) if m.group("y") else default_year
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _quoted(text: str, lang: str) -> str:
    return f"«{text}»" if lang == "nl" else f"“{text}”"


def _show(d: date, lang: str) -> str:
    months = list(MONTHS_NL) if lang == "nl" else [m.capitalize() for m in MONTHS_EN]
    return f"{d.day} {months[d.month - 1]} {d.year}" if lang == "nl" else f"{months[d.month - 1]} {d.day}, {d.year}"


# what is submitted: a deadline question without a date is about the proposals' deadline only when it
# says so ("de deadline voor voorstellen"), not about signing the deals in the spring of 2019
_SUBMISSION = re.compile(r"\b(voorstel\w*|propositie\w*|proposals?|indien\w*|ingediend|aanmeld\w*|aangemeld|submi\w*|sent in|send in)\b", re.I)


@dataclass(frozen=True)
class Check:
    """A date against the deadline (or, without a date, the deadline itself), with the facts cited."""

    submitted: date | None
    from_question: bool
    deadline: date = DEADLINE.value
    window: bool = False  # the question asks for the whole submission period

    @property
    def verdict(self) -> str:
        """'on_time', 'on_deadline' (the day itself: "tot" does not say whether it still counts), 'late', or
        'deadline' when only the deadline was asked."""
        if self.window:
            return "window"
        if self.submitted is None:
            return "deadline"
        if self.submitted < self.deadline:
            return "on_time"
        return "on_deadline" if self.submitted == self.deadline else "late"

    @property
    def citations(self) -> list[Fact]:
        if self.window:
            return [OPENING, DEADLINE]
        return [DEADLINE] if self.from_question or self.submitted is None else [SUBMITTED, DEADLINE]

    def to_dict(self) -> dict[str, Any]:
        return {
            "submitted": self.submitted.isoformat() if self.submitted else None,
            "submitted_from": None if self.submitted is None else "question" if self.from_question else "letter",
            "deadline": self.deadline.isoformat(),
            "verdict": self.verdict,
            "days_before_deadline": (self.deadline - self.submitted).days if self.submitted else None,
            "opening": OPENING.value.isoformat() if self.window else None,
        }

    def explain(self, lang: str) -> str:
        t = _TEXTS["en" if lang == "en" else "nl"]
        dl = _show(self.deadline, lang)
        if self.window:
            days = (self.deadline - OPENING.value).days
            return t["window"].format(opening=_show(OPENING.value, lang), deadline=dl, days=days) + "."
        if self.submitted is None:  # the deadline itself: the Kamerbrief's own sentence says it best
            return f"{t['deadline']}: {_quoted(DEADLINE.quote, lang)}"
        days = abs((self.deadline - self.submitted).days)
        who = (t["who_question"] if self.from_question else t["who_letter"]).format(date=_show(self.submitted, lang))
        verdict = t[self.verdict].format(deadline=dl, days=days, s=t["plural"] if days != 1 else "")
        return f"{who}; {verdict}."


# The check's words, per language: "{s}" is the plural ending of "{days}".
_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "deadline": "Volgens de Kamerbrief",
        "who_question": "Een voorstel dat op {date} wordt ingediend",
        "who_letter": "Het voorstel is op {date} ingediend",
        "on_time": "dat is op tijd, {days} dag{s} vóór de termijn van {deadline}",
        "on_deadline": "dat is de dag van de termijn zelf; de Kamerbrief schrijft ‘tot {deadline}’, niet ‘tot en met’, "
                       "dus of die dag nog meetelt zegt de tekst niet",
        "late": "dat is te laat: de termijn liep tot {deadline}, {days} dag{s} eerder",
        "plural": "en",
        "window": "Voorstellen konden worden aangemeld vanaf {opening} en gedaan tot {deadline}: een periode van {days} dagen",
    },
    "en": {
        "deadline": "The Kamerbrief says",
        "who_question": "A proposal submitted on {date}",
        "who_letter": "The proposal was submitted on {date}",
        "on_time": "that is in time, {days} day{s} before the deadline of {deadline}",
        "on_deadline": "that is the deadline day itself; the Kamerbrief says ‘tot {deadline}’ (until), not ‘up to and "
                       "including’, so the text does not say whether that day still counts",
        "late": "that is too late: the deadline was {deadline}, {days} day{s} earlier",
        "plural": "s",
        "window": "Proposals could be registered from {opening} and made until {deadline}: a period of {days} days",
    },
}


# a question that mentions the deadline but asks something else ("how many proposals came in by the
# deadline?", "wie beoordeelt de voorstellen die voor de deadline binnen zijn?")
_OTHER_QUESTION = re.compile(r"\b(hoeveel|how many|how much|wie|who|whom|waarom|why)\b", re.I)
# the deadline is this tranche's: the documents give none for a later one
_OTHER_TRANCHE = re.compile(
    r"\b(volgende|tweede|latere|nieuwe|next|second|later|following|future) (tranche|ronde|round)\b|\bna deze (tranche|ronde)\b",
    re.I,
)


def check(question: str) -> Check | None:
    """The timeliness check a question asks for, or None. A date in the question is the one checked;
    without one, a question about the Drenthe proposal checks the letter's submission date, and one about
    submitting proposals gets the deadline itself."""
    if _OTHER_TRANCHE.search(question):
        return None
    if _WINDOW.search(question) and _SUBMISSION.search(question):
        return Check(None, from_question=False, window=True)
    if not asks_timeliness(question) or _OTHER_QUESTION.search(question):
        return None
    if not (_SUBMISSION.search(question) or re.search(r"\bdeadline\b", question, re.I)):
        return None  # "tot wanneer loopt de Regio Deal?", "is Drenthe op tijd met de uitvoering?": not about submitting
    asked = parse_date(question, DEADLINE.value.year)
    if asked is not None:
        return Check(asked, from_question=True)
    if _PROPOSAL.search(question):
        return Check(SUBMITTED.value, from_question=False)
    if _SUBMISSION.search(question):
        return Check(None, from_question=False)
    return None
