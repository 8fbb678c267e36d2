"""A later part of one multi-part question that leans on the first part ("..., en wanneer gaat die open?").

Follow-ups across turns are not rewritten: retrieval reads them with their conversation
(``rag.conversation``). Within one question the parts are searched one by one, and a later part with no
subject of its own gets the first part's content words appended in brackets, so the result stays readable
and visibly marks what was carried over (``split_carried`` takes them apart again).
"""

from __future__ import annotations

import re

from rag.text import STOPWORDS, fold

_DEPENDENT_WORDS_NL = {
    "dat", "die", "deze", "dit", "het", "hij", "zij", "ze", "hun", "hem", "haar", "daar", "daarvan", "daarbij",
    "daarvoor", "daarin", "hiervan", "hierbij", "hiervoor", "ervan", "erin", "dan", "ook", "nog", "zo'n", "zulke",
}
_DEPENDENT_WORDS_EN = {
    "they", "it", "that", "those", "these", "this", "them", "their", "its", "he", "she", "his", "her",
    "there", "else", "also", "then", "such",
}
_LEADING = re.compile(r"^\s*(en|and|maar|but|ook|also|dus|so|of|or|en\s+wat|what about|how about|en\s+hoe)\b", re.I)
# Words that ask, not describe: a question made of only these has no subject of its own.
_QUESTION_WORDS = {
    "wat", "wie", "welke", "welk", "waar", "wanneer", "waarom", "hoe", "hoeveel", "what", "who", "which",
    "where", "when", "why", "how", "much", "many", "moet", "must", "kan", "can", "zou", "would", "is", "are",
}
_GENERIC = {
    "regio", "region", "document", "documenten", "documents", "brief", "letter", "vraag", "question", "precies",
    "meer", "more", "else", "anders", "andere", "other", "others", "zelf", "itself", "eerste", "first",
    "title", "titel", "report", "rapport", "soort", "kind", "projecten", "projects", "nalezen", "read",
}


def _content_words(text: str) -> list[str]:
    words = re.findall(r"[\w’'€%.-]+", text)
    out = []
    for w in words:
        f = fold(w).strip(".-'’")
        if not f or f in STOPWORDS or f in _QUESTION_WORDS or len(f) < 3:
            continue
        out.append(w.strip(".,;:?!()'’\""))
    return out


def is_dependent(question: str) -> bool:
    """Does ``question`` (a part of a question) need what came before it to be understood?"""
    words = [fold(w) for w in re.findall(r"[\w’'-]+", question)]
    if not words:
        return False
    if _LEADING.match(question):
        return True
    if any(w in _DEPENDENT_WORDS_NL or w in _DEPENDENT_WORDS_EN for w in words):
        # "het" and "dat" are also articles/conjunctions; count them only in short questions.
        strong = [w for w in words if w in (_DEPENDENT_WORDS_NL | _DEPENDENT_WORDS_EN) - {"het", "dat", "die", "de"}]
        if strong or len(words) <= 12:
            return True
    content = [w for w in _content_words(question) if fold(w) not in _GENERIC]
    return len(words) <= 5 or not content


_CARRIED = re.compile(r"^(?P<own>.*?)(?P<carried> \([^()]*\))\s*$", re.S)


def split_carried(question: str) -> tuple[str, str]:
    """The question's own words and the " (...)" carry_subject() appended, or "" when there is none. Only a
    trailing bracket counts: "Bert (72) maakt zich zorgen ...?" is all the user's own words."""
    m = _CARRIED.match(question)
    if not m or not m.group("own").strip():
        return question, ""
    return m.group("own"), m.group("carried")


def carry_subject(part: str, first: str) -> str:
    """``part`` of a multi-part question with the content words of its ``first`` part appended in brackets,
    when it leans on them; unchanged otherwise."""
    if not first.strip() or not is_dependent(part):
        return part
    seen = {fold(w) for w in _content_words(part)}
    carried: list[str] = []
    for w in _content_words(re.sub(r"\[\d+\]", "", first)):
        f = fold(w)
        if f not in seen and f not in _GENERIC:
            seen.add(f)
            carried.append(w)
    if not carried:
        return part
    return f"{part.rstrip()} ({' '.join(carried[:14])})"
