"""A small curated glossary of this domain, used to expand the BM25 query.

BM25 only sees the Dutch stems of the documents, so a question that says "rondes" where the Kamerbrief
says "tranches", or an English question ("upcoming round", "co-financing", "signed") over Dutch text, gets
no lexical evidence at all; e5-small alone is too weak to carry such questions. The entries (corpus/glossary.yaml) are
written from knowledge of Dutch government / Regio Deal vocabulary and from a reading of the three
documents (not from evaluation items): Dutch synonym groups (each member expands to the others) and
English terms with the Dutch words the documents use for them.
Expansion terms are added to the BM25 query with a lower weight than the user's own words, so they can
find a passage but not outvote the question.
The other direction, ``dutch_to_english`` (Dutch terms of the documents and their English rendering, written
from the documents only), glosses the Dutch quotes of an English answer (:func:`english_gloss`).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from rag.text import fold, terms, verb_variants, words

log = logging.getLogger(__name__)

def corpus_data(name: str) -> dict[str, Any]:
    """A data file of the corpus folder (``corpus/glossary.yaml``, ``corpus/documents.yaml``,
    ``corpus/entities.yaml``); empty when absent."""
    from rag.config import get_settings

    path = Path(get_settings().corpus_dir) / name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except FileNotFoundError:
        log.warning("%s not found: no glossary expansion", path)
        return {}
    return data if isinstance(data, dict) else {}


_GLOSSARY = corpus_data("glossary.yaml")
# Dutch words that mean the same in this domain: every member expands to the others.
DUTCH_SYNONYMS: tuple[tuple[str, ...], ...] = tuple(tuple(g) for g in _GLOSSARY.get("dutch_synonyms") or ())
# English terms (single words or phrases) and their Dutch renderings in these documents.
ENGLISH_TO_DUTCH: dict[str, tuple[str, ...]] = {
    str(k): tuple(v) for k, v in (_GLOSSARY.get("english_to_dutch") or {}).items()
}
# English keys used only to translate a question for sentence choice, not to expand the BM25 query.
TRANSLATION_ONLY: frozenset[str] = frozenset(_GLOSSARY.get("translation_only") or ())


@functools.lru_cache(maxsize=1)
def _index() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Key phrase (as a tuple of search terms) -> expansion terms, both in the BM25 term space."""
    out: dict[tuple[str, ...], list[str]] = {}

    def add(key: str, values: Iterable[str]) -> None:
        k = tuple(terms(key))
        if not k:
            return
        bucket = out.setdefault(k, [])
        for v in values:
            for t in terms(v):
                if t not in k and t not in bucket:
                    bucket.append(t)

    for group in DUTCH_SYNONYMS:
        for w in group:
            add(w, [o for o in group if o != w])
    for en, nl in ENGLISH_TO_DUTCH.items():
        if en not in TRANSLATION_ONLY:
            add(en, nl)
    return {k: tuple(v) for k, v in out.items() if v}


def expand_terms(query_terms: list[str]) -> list[str]:
    """Glossary terms for ``query_terms`` (the output of :func:`rag.text.terms`) that are not in it yet."""
    idx = _index()
    longest = max((len(k) for k in idx), default=1)
    have = set(query_terms)
    extra: list[str] = []
    for i in range(len(query_terms)):
        for n in range(1, longest + 1):
            key = tuple(query_terms[i : i + n])
            if len(key) < n:
                break
            for t in idx.get(key, ()):
                if t not in have:
                    have.add(t)
                    extra.append(t)
    for q in query_terms:  # "vraagt" also finds "vragen" (see verb_variants)
        for t in verb_variants(q):
            if t not in have:
                have.add(t)
                extra.append(t)
    return extra


def expand(text: str) -> list[str]:
    """Glossary expansion terms of a question (convenience for callers holding raw text)."""
    return expand_terms(terms(text))


@functools.lru_cache(maxsize=1)
def _english_keys() -> dict[tuple[str, ...], tuple[str, ...]]:
    """English keys as word tuples (phrases like "public transport" are matched before "transport")."""
    return {tuple(re.findall(_EN_WORD, en)): nl for en, nl in ENGLISH_TO_DUTCH.items()}


_EN_WORD = r"[a-z][a-z'-]*"


def translate_en(question: str) -> str:
    """The Dutch words for an English question's words and phrases (empty when none are known).

    Used as text (the extractive engine adds it to the question for lexical scoring), so it returns
    surface Dutch words in question order; the longest phrase at a position wins and consumes its words.
    """
    keys = _english_keys()
    longest = max((len(k) for k in keys), default=1)
    # "the provincial executive's letter": a possessive is the word itself
    words = [re.sub(r"'s?$", "", w) for w in re.findall(_EN_WORD, question.lower().replace("’", "'"))]
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            nl = keys.get(tuple(words[i : i + n]))
            if nl:
                out.extend(nl)
                i += n
                break
        else:
            i += 1
    return " ".join(dict.fromkeys(out))


# Dutch terms of the documents and their English rendering in the documents' sense: the gloss under the Dutch
# quotes of an English answer (corpus/glossary.yaml, dutch_to_english).
DUTCH_TO_ENGLISH: dict[str, str] = {
    str(k).strip(): str(v).strip() for k, v in (_GLOSSARY.get("dutch_to_english") or {}).items() if k and v
}


@functools.lru_cache(maxsize=1)
def _gloss_keys() -> dict[tuple[str, ...], str]:
    """Glossary terms as tuples of folded words ("groene chemie" -> ("groene", "chemie"))."""
    return {tuple(fold(w) for w in words(nl)): nl for nl in DUTCH_TO_ENGLISH}


def english_gloss(
    texts: Iterable[str], limit: int = 8, per_text: int = 4, rarity: Callable[[str], float] | None = None
) -> list[tuple[str, str]]:
    """(Dutch term, English rendering) for the glossary terms in ``texts``.

    The longest term at a position wins and consumes its words ("groene chemie" before "chemie"); a
    rendering that only repeats the Dutch word is left out. Each text adds at most ``per_text`` new terms, so
    later quotes get theirs too: the rarest by ``rarity`` (e.g. the index's IDF; the distinctive terms of a
    quote need a gloss more than everyday ones), else the first. The result keeps reading order."""
    keys = _gloss_keys()
    longest = max((len(k) for k in keys), default=1)
    out: dict[str, str] = {}
    for text in texts:
        ws = [fold(w) for w in words(text)]
        found: list[str] = []
        i = 0
        while i < len(ws):
            for n in range(min(longest, len(ws) - i), 0, -1):
                nl = keys.get(tuple(ws[i : i + n]))
                if nl is not None:
                    if fold(DUTCH_TO_ENGLISH[nl]) != fold(nl) and nl not in out and nl not in found:
                        found.append(nl)
                    i += n
                    break
            else:
                i += 1
        room = min(per_text, limit - len(out))
        if room <= 0:
            break
        keep = set(sorted(found, key=lambda t: -rarity(t))[:room]) if rarity is not None else set(found[:room])
        out.update((nl, DUTCH_TO_ENGLISH[nl]) for nl in found if nl in keep)
    return list(out.items())


# How people name the documents, and how an answer names them (corpus/documents.yaml).
_DOCUMENTS: dict[str, Any] = corpus_data("documents.yaml").get("documents") or {}
DOC_ALIASES: dict[str, tuple[str, ...]] = {d: tuple(v.get("aliases") or ()) for d, v in _DOCUMENTS.items()}
DOC_MENTIONS: dict[str, tuple[str, ...]] = {d: tuple(v.get("mentions") or ()) for d, v in _DOCUMENTS.items()}
DOC_NAMES: dict[str, dict[str, str]] = {d: dict(v.get("name") or {}) for d, v in _DOCUMENTS.items() if v.get("name")}


def named_documents(text: str, loosely: bool = False) -> set[str]:
    """Ids of the documents a question names ("volgens de Kamerbrief", "the two-pager says"); ``loosely``
    also those it points at without naming them ("het voorstel": ``mentions`` in corpus/documents.yaml)."""
    low = " ".join(text.lower().replace("’", "'").split())
    found = {doc for doc, names in DOC_ALIASES.items() if any(n in low for n in names)}
    if loosely:
        found |= {doc for doc, names in DOC_MENTIONS.items() if any(n in low for n in names)}
    return found
