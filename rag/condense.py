"""Follow-up questions made standalone without a language model.

"En hoeveel moet de regio dan zelf inleggen?" retrieves nothing useful on its own; the subject lives in
the earlier turns. When a question leans on the conversation (pronouns/demonstratives, a leading
"en"/"and", very short, or no content word of its own), the key terms of the last user turn and the
names in the last assistant answer are appended in brackets, so the result stays readable and visibly
marks what was carried over.
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


_DEMONSTRATIVES = {"deze", "dit", "die", "this", "these", "those"}


def _is_content(word: str) -> bool:
    f = fold(word).strip(".-'’")
    return len(f) >= 3 and f not in STOPWORDS and f not in _QUESTION_WORDS and f not in _GENERIC


def _content_words(text: str) -> list[str]:
    words = re.findall(r"[\w’'€%.-]+", text)
    out = []
    for w in words:
        f = fold(w).strip(".-'’")
        if not f or f in STOPWORDS or f in _QUESTION_WORDS or len(f) < 3:
            continue
        out.append(w.strip(".,;:?!()'’\""))
    return out


def is_dependent(question: str, determiners: bool = True) -> bool:
    """Does ``question`` need the conversation to be understood? Without ``determiners`` a demonstrative
    before a noun of the question's own ("deze tranche", "this letter") does not make it lean on anything: for
    a later part of one multi-part question, whose subject the part names itself."""
    words = [fold(w) for w in re.findall(r"[\w’'-]+", question)]
    if not words:
        return False
    if _LEADING.match(question) or _ORDINAL_REF.search(question):
        return True
    if not determiners:
        words = [w for i, w in enumerate(words)
                 if not (w in _DEMONSTRATIVES and i + 1 < len(words) and _is_content(words[i + 1]))]
    if any(w in _DEPENDENT_WORDS_NL or w in _DEPENDENT_WORDS_EN for w in words):
        # "het" and "dat" are also articles/conjunctions; count them only in short questions.
        strong = [w for w in words if w in (_DEPENDENT_WORDS_NL | _DEPENDENT_WORDS_EN) - {"het", "dat", "die", "de"}]
        if strong or len(words) <= 12:
            return True
    content = [w for w in _content_words(question) if fold(w) not in _GENERIC]
    return len(words) <= 5 or not content


def _names(text: str) -> list[str]:
    """Capitalised names and acronyms in an answer ("Smart Energy Region Emmen-Haren", "SEREH")."""
    found = re.findall(r"\b(?:[A-Z][\w’'-]+(?:\s+(?:van|en|de|der|voor|-)?\s*[A-Z][\w’'-]+)*|[A-Z]{2,}\d*)\b", text)
    out = []
    for f in found:
        if len(f) < 3 or fold(f) in STOPWORDS or fold(f) in _QUESTION_WORDS:
            continue
        out.append(f)
    return out


# "die laatste", "the latter": a follow-up that points into the list the assistant just gave (which item:
# ``rag.previous_answer``)
_ORDINAL_REF = re.compile(
    r"\b(?:die|de|het|dat|deze)\s+(?P<nl>laatste|laatstgenoemde|eerste|eerstgenoemde|tweede|derde)"
    r"(?=\s*(?:[?.!,]|$|daarvan|ervan|van (?:die|deze|de|het)\b))"
    r"|\bthe\s+(?P<en>latter|former|last one|first one|second one|third one|last of (?:them|those|these)|first of (?:them|those|these))\b",
    re.I,
)
_CARRIED = re.compile(r"^(?P<own>.*?)(?P<carried> \([^()]*\))\s*$", re.S)


def split_carried(question: str) -> tuple[str, str]:
    """The question's own words and the " (...)" condense() appended, or "" when there is none. Only a
    trailing bracket counts: "Bert (72) maakt zich zorgen ...?" is all the user's own words."""
    m = _CARRIED.match(question)
    if not m or not m.group("own").strip():
        return question, ""
    return m.group("own"), m.group("carried")


# a Markdown table row: a calculator card's figures, working and rule checks ("| Berekening | ... |")
_TABLE_ROW = re.compile(r"^\s*\|.*$", re.M)


def answer_prose(answer: str) -> str:
    """What an assistant turn says in sentences, with the passages it quotes: without its tables (a
    calculator card's labels, formulas and rule checks are layout, not the subject of the conversation)
    and without citation marks."""
    return re.sub(r"\s*\[\d+\]", "", _TABLE_ROW.sub("", answer))


def condense(question: str, history: list[dict[str, str]] | None, determiners: bool = True) -> str:
    """The standalone form of ``question``; unchanged when it does not lean on the history (``determiners``:
    ``is_dependent``'s). What is carried over comes from the user's last turn and from the names in the
    sentences and quoted passages of the last answer, never from a card's table."""
    if not history or not is_dependent(question, determiners):
        return question
    users = [h.get("content", "") for h in history if h.get("role") == "user"]
    assistants = [answer_prose(h.get("content", "")) for h in history if h.get("role") == "assistant"]
    carried: list[str] = []
    seen = {fold(w) for w in _content_words(question)}

    def add(words: list[str]) -> None:
        for w in words:
            f = fold(w)
            if f not in seen and f not in _GENERIC:
                seen.add(f)
                carried.append(w)

    if users:
        add(_content_words(re.sub(r"\[\d+\]", "", users[-1])))
    if assistants:
        add(_names(re.sub(r"\[\d+\]", "", assistants[-1]))[:6])
    if not carried:
        return question
    q = question.rstrip()
    return f"{q} ({' '.join(carried[:14])})"
