"""What a follow-up says the assistant said ("Je zei net dat het 40 miljoen per jaar is", "You said it created 4,050
jobs"), checked against what the assistant did say in the conversation.

A claim put in the assistant's mouth is a premise the conversation can refute by itself: a figure, a month or a
name in it that no earlier answer contains was not said. The attribution is read as a second-person pronoun
followed by a verb of saying (the project's word split; no pattern per phrasing); the claim runs from there to the
end of its sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from rag.text import MONTHS_NL, WORD_RE, fold, words

_YOU = frozenset(["je", "jij", "u", "you"])
_SAID = frozenset(["zei", "zegt", "zeide", "noemde", "noemt", "schreef", "schrijft", "beweerde", "gaf", "vertelde",
                   "said", "say", "mentioned", "told", "stated", "wrote", "claimed", "noted"])
_MONTHS = frozenset([*MONTHS_NL, "january", "february", "march", "april", "may", "june", "july", "august", "september",
                     "october", "november", "december"])
_ENDS = frozenset(".?!;")


def attributed_claim(question: str) -> str | None:
    """The words the question says the assistant said, or None when it attributes nothing to the assistant."""
    question = _joined(question)
    found = list(WORD_RE.finditer(question))
    for a, b in pairwise(found):
        if fold(a.group(0)) in _YOU and fold(b.group(0)) in _SAID and not question[a.end() : b.start()].strip():
            rest = question[b.end() :]
            end = next((i for i, ch in enumerate(rest) if ch in _ENDS), len(rest))
            return rest[:end].strip(" ,:")
    return None


def _joined(text: str) -> str:
    """``text`` with the separators inside numbers dropped ("4,050" and "4.050" are 4050)."""
    return "".join(ch for i, ch in enumerate(text)
                   if not (ch in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()))


def _values(claim: str) -> list[str]:
    """The figures, months and names of a claim: what an earlier answer either contains or did not say."""
    out: list[str] = []
    for i, m in enumerate(WORD_RE.finditer(_joined(claim))):
        w = m.group(0)
        if w[0].isdigit() or fold(w) in _MONTHS or (i > 0 and w[0].isupper() and len(w) > 1):
            out.append(w)
    return out


def unsaid(question: str, answers: Iterable[str]) -> str | None:
    """A figure, month or name the question says the assistant said that none of its ``answers`` contains; None
    when everything it attributes is there, or it attributes nothing."""
    claim = attributed_claim(question)
    if not claim:
        return None
    said = {w for a in answers for w in words(fold(_joined(a)))}
    for v in _values(claim):
        if fold(v) not in said:
            return v
    return None
