"""Named things of a kind (``corpus/entities.yaml``): municipalities, provinces, regions, ministries, people.

Also the kinds of things an answer names (``named_kinds``): a question asking which companies, which school,
which town is not answered by a passage that names none.

The check behind a premise that names the wrong member ("Assen heeft het voorstel toch mee ingediend?",
"signed by the Minister of the Interior, right?"): when the passage that answers the question names
others of the same kind and not the one the question names, the documents contradict the premise. The names
are data; no phrasing of a question is matched. Matching is case-insensitive on whole words, longest name
first, so "Zuidoost-Drenthe" is a region and not the province inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.glossary import corpus_data
from rag.text import INNER_NAME_RE, WORD_RE, fold


@dataclass(frozen=True)
class Mention:
    """A named thing in a text: its kind, its canonical name and where it stands."""

    kind: str
    name: str
    start: int
    end: int


class Gazetteer:
    """Finds the names of ``kinds`` ({kind: [[canonical, alias, ...], ...]}) in a text. A kind in ``unchecked``
    is found (so the province inside "Zuidoost-Drenthe" is not) but never counts as a foreign member."""

    def __init__(self, kinds: dict[str, list[list[str]]], unchecked: tuple[str, ...] = ()) -> None:
        self.unchecked = set(unchecked)
        self._canon: dict[str, tuple[str, str]] = {}
        for kind, entries in kinds.items():
            for names in entries or []:
                for alias in names:
                    self._canon.setdefault(fold(str(alias)), (kind, str(names[0])))
        forms = sorted(self._canon, key=len, reverse=True)
        alternation = "|".join(re.escape(f) for f in forms) or r"(?!x)x"
        self._rx = re.compile(rf"(?<![\w-])({alternation})(?![\w-])")

    def mentions(self, text: str) -> list[Mention]:
        """The names in ``text``, in order (``fold`` keeps offsets: it only lowercases and strips accents)."""
        folded = fold(text)
        out = []
        for m in self._rx.finditer(folded):
            kind, name = self._canon[m.group(1)]
            out.append(Mention(kind, name, m.start(), m.end()))
        return out

    def names(self, text: str, kind: str) -> set[str]:
        return {m.name for m in self.mentions(text) if m.kind == kind}


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    data = corpus_data("entities.yaml")
    return Gazetteer(data.get("kinds") or {}, tuple(data.get("unchecked") or ()))


def foreign_members(question: str, passage: str, exempt: str = "") -> list[Mention]:
    """The names ``question`` gives that ``passage`` (the one that answers it) does not, where the passage
    names others of the same kind: "Assen" against a passage listing Emmen, Coevorden, ... as submitters.
    A name in ``exempt`` (the document's own sender and subject) is never foreign: the passage speaks for it."""
    g = gazetteer()
    named = g.mentions(passage)
    home = {m.name for m in g.mentions(exempt)}
    out = []
    for m in g.mentions(question):
        if m.kind in g.unchecked:
            continue
        same_kind = {n.name for n in named if n.kind == m.kind}
        if same_kind and m.name not in same_kind and m.name not in home:
            out.append(m)
    return out


_ASKS = (r"(?:welke|welk|which|what|noem|name|list|wie is|who is|wie zijn|who are|hoe heet|hoe heten|naam van|name of|"
         r"names of)")


@lru_cache(maxsize=1)
def _named_kinds() -> re.Pattern[str] | None:
    nouns = [fold(str(n)) for group in corpus_data("entities.yaml").get("named_kinds") or [] for n in group]
    if not nouns:
        return None
    alternation = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    # "Gedeputeerde Staten" is the provincial executive, not one of its members
    return re.compile(rf"\b{_ASKS}\b(?:\s+[\w-]+){{0,2}}?\s+({alternation})\b(?!\s+staten\b)")


def asks_named(question: str) -> str | None:
    """The kind noun when ``question`` asks for things of a kind that answers name ("welke bedrijven",
    "which school", "wie is de voorzitter"): the nouns are data (``named_kinds``), the asking words a closed set."""
    rx = _named_kinds()
    m = rx.search(fold(question)) if rx is not None else None
    return m.group(1) if m else None


@lru_cache(maxsize=1)
def _named_answers() -> dict[str, tuple[frozenset[str], bool]]:
    """Each named kind's nouns -> the gazetteer kinds that name a thing of that kind (``named_answers``), and whether
    only they do (``named_by_gazetteer``: people)."""
    data = corpus_data("entities.yaml")
    answers = data.get("named_answers") or {}
    only = {str(k) for k in data.get("named_by_gazetteer") or []}
    return {fold(str(n)): (frozenset(answers.get(str(group[0]), ())), str(group[0]) in only)
            for group in data.get("named_kinds") or [] for n in group}


def names_in(text: str, question: str, asked: str | None = None, headings: str = "") -> list[str]:
    """The names ``text`` gives that ``question`` does not: gazetteer names, capitalised words inside a sentence
    and acronyms of five letters or more ("HBO", "ICT" name kinds, not things). With ``asked`` (the kind noun of
    ``asks_named``), only the gazetteer kinds that name that kind count, and no word inside a name of another kind
    (a ministry is no research firm, a region no village: ``named_answers``; a person is named by the gazetteer
    alone, ``named_by_gazetteer``); a word in capitals that is one of
    ``headings`` (the passage's section, "WELZIJN") is a heading, not a name."""
    q = fold(question)
    mentions = gazetteer().mentions(text)
    if asked is None:
        found = [m.name for m in mentions] + [m.group(1) for m in INNER_NAME_RE.finditer(text)]
    else:
        kinds, only = _named_answers().get(fold(asked), (frozenset(), False))
        other = [(m.start, m.end) for m in mentions if m.kind not in kinds]
        found = [m.name for m in mentions if m.kind in kinds] + [
            m.group(1) for m in INNER_NAME_RE.finditer(text) if not only and not any(s <= m.start(1) < e for s, e in other)]
    heads = set(WORD_RE.findall(headings))
    found += [w for w in WORD_RE.findall(text) if len(w) >= 5 and w.isupper() and w not in heads]  # "SEREH"
    return list(dict.fromkeys(n for n in found if fold(n) not in q))
