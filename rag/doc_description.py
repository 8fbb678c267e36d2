"""A question's description of a document is not what it asks.

"Wie behandelt de brief van GS aan Provinciale Staten over de Regio Deal?" asks who handles a letter; the words
that say *which* letter ("van GS", "aan Provinciale Staten", "over de Regio Deal", "van 5 september 2018") are the
words of the document's front matter, so the question index matches them to the addressee line as well as to
"Behandeld door ...": the description drowns the question. ``DocumentDescriber.reduce`` cuts such a description
after a noun that names a document: prepositional phrases whose object is a run of words of one field of a
document's metadata card (title, sender, addressee, subject: two words or more, "Provinciale Staten"), a date, or a
phrase of ``corpus/documents.yaml``'s ``description`` (abbreviations and English: "GS", "PS", "the Provincial
Council"). What is left, "Wie behandelt de brief?", is what the question index is asked. A phrase that runs on
into a name or a compound ("over de Regio Deal Natuurinclusieve Landbouw", "over de Regio Deal-aanvragen") is not
cut, nor one word of a card alone ("de Kamerbrief over landbouw"): they say more than which document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rag.text import MONTHS_NL, WORD_NUMBERS, WORD_RE, fold, terms

# closed classes: the prepositions that join a description to its noun, and the articles that open its object
_PREPOSITIONS = frozenset(["van", "aan", "over", "uit", "voor", "door", "namens", "dd", "from", "of", "to", "about", "dated", "by", "for"])
_ARTICLES = frozenset(["de", "het", "een", "der", "the", "a", "an"])
_MONTHS = frozenset([*MONTHS_NL, "january", "february", "march", "april", "may", "june", "july", "august", "october",
                     "november", "december"])
_LONGEST = 10  # words in a description's object, at most


def _words(text: str) -> list[str]:
    return [fold(m.group()) for m in WORD_RE.finditer(text)]


def _is_date(seq: list[str]) -> bool:
    """"5 september 2018", "18 juni", "2018": numbers and months only, with a month or a year."""
    return all(w.isdigit() or w in _MONTHS for w in seq) and any(w in _MONTHS or len(w) == 4 for w in seq)


@dataclass(frozen=True)
class DocumentDescriber:
    """Cuts the descriptions of documents out of a question (module docstring)."""

    nouns: frozenset[str]  # words that name a document: "brief", "kamerbrief", "two-pager", "letter"
    phrases: frozenset[tuple[str, ...]]  # word runs a description's object may be

    @classmethod
    def build(cls, cards: Iterable[str], nouns: Iterable[str], phrases: Iterable[str]) -> DocumentDescriber:
        """From the documents' metadata cards ("Titel: ...; Afzender: ...; ..."), the nouns and the extra phrases."""
        found: set[tuple[str, ...]] = set()
        for card in cards:
            for field in card.split(";"):
                ws = _words(field.split(":", 1)[1] if ":" in field else field)
                found.update(tuple(ws[i:j]) for i in range(len(ws)) for j in range(i + 2, min(len(ws), i + _LONGEST) + 1))
        for phrase in phrases:
            ws = _words(phrase)
            while ws and ws[0] in _ARTICLES:  # an object is matched after its articles
                ws = ws[1:]
            if ws:
                found.add(tuple(ws))
        return cls(frozenset(w for n in nouns for w in _words(n)[-1:]), frozenset(found))

    def _object_end(self, low: list[str], gaps: list[str], start: int) -> int | None:
        """The end of the longest description object from ``start``: words only, a hyphen inside a name passed over,
        any other punctuation ending it."""
        seq: list[str] = []
        best = None
        k = start
        while k < len(low) and len(seq) < _LONGEST and (k == start or not _stops(gaps[k])):
            seq.append(low[k])
            k += 1
            if tuple(seq) in self.phrases or _is_date(seq):
                best = k
        return best

    def reduce(self, question: str) -> str | None:
        """``question`` without the descriptions of the documents it names; None when it has none."""
        text = question.replace("d.d.", "dd  ")  # "de brief d.d. 18 juni": one word, the offsets kept
        toks = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
        low = [fold(text[b:e]) for b, e in toks]
        gaps = [text[toks[k - 1][1] if k else 0 : b] for k, (b, _e) in enumerate(toks)]  # what stands before each word
        cuts: list[tuple[int, int]] = []
        i = 0
        while i < len(toks):
            if low[i] not in self.nouns:
                i += 1
                continue
            j = end = i + 1
            while j < len(toks) and low[j] in _PREPOSITIONS and not _stops(gaps[j]):
                k = j + 1
                while k < len(toks) and low[k] in _ARTICLES:
                    k += 1
                e = self._object_end(low, gaps, k)
                if e is None:
                    break
                if e < len(toks) and not _stops(gaps[e]) and (question[toks[e][0]].isupper() or gaps[e] in ("-", "'", "’")):
                    break  # it runs on into a name or a compound: it says more than which document
                end = j = e
            if end > i + 1:
                cuts.append((toks[i + 1][0], toks[end - 1][1]))
            i = max(end, i + 1)
        if not cuts:
            return None
        out, pos = [], 0
        for b, e in cuts:
            out.append(question[pos:b])
            pos = e
        out.append(question[pos:])
        return re.sub(r"\s+([?,.!;:])", r"\1", " ".join("".join(out).split()))


def _stops(gap: str) -> bool:
    """Does the text between two words end a phrase (a comma, a full stop, a bracket; not a hyphen or a space)?"""
    return any(c in ",.;:?!()[]\"" for c in gap)


def description_data() -> dict[str, list[str]]:
    """``corpus/documents.yaml``'s ``description``: the nouns that name a document and the extra phrases."""
    from rag.glossary import corpus_data

    data = corpus_data("documents.yaml").get("description") or {}
    return {"nouns": [str(n) for n in data.get("nouns") or []], "phrases": [str(p) for p in data.get("phrases") or []]}


@lru_cache(maxsize=1)
def document_noun_terms() -> frozenset[str]:
    """The search terms of the nouns that name a document ("Kamerbrief", "two-pager", "letter"), in Dutch and English;
    not the number in one ("two"). A claim's words without them are what it says (``claim_cover``)."""
    nouns = " ".join(description_data()["nouns"])
    return frozenset(t for t in {*terms(nouns, "nl"), *terms(nouns, "en")} if t not in WORD_NUMBERS)


def describer(cards: Iterable[str]) -> DocumentDescriber:
    """The describer of a corpus whose documents' metadata cards are ``cards`` (``corpus/documents.yaml``'s data)."""
    data = description_data()
    return DocumentDescriber.build(cards, data["nouns"], data["phrases"])


def with_undescribed(questions: list[tuple[str, str]], reader: DocumentDescriber) -> list[tuple[str, str]]:
    """(lang, question) pairs with, after them, each one's reading without its descriptions of documents where it
    differs: a unit's hypothetical questions ask with a description ("Wat is het kenmerk van de Kamerbrief over
    Regio Deals?") as often as users leave it out, and a question without one is matched against both."""
    seen = {q for _, q in questions}
    extra: list[tuple[str, str]] = []
    for lang, q in questions:
        r = reader.reduce(q)
        if r and r not in seen:
            seen.add(r)
            extra.append((lang, r))
    return questions + extra
