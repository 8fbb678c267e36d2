"""Text handling shared by retrieval, the extractive engine and the evaluation.

One tokeniser for index and query is what makes exact terms ("N34", "€ 60 miljoen", "2017-2020",
"20%") findable: numbers, codes and amounts are kept whole (and also split into their parts), words are
folded (case, diacritics) and stemmed with the Dutch Snowball stemmer, because the documents are Dutch.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import simplemma
import Stemmer

# A token: a number with optional decimals/percent, a range "2017-2020", a code like "N34"/"E233",
# a URL-ish "rvo.nl", or a plain word (letters, inner hyphens/apostrophes).
_TOKEN_RE = re.compile(
    r"""
    (?P<range>\d{4}\s?[-–]\s?\d{4})
  | (?P<num>\d+(?:[.,]\d+)*\s?%?)
  | (?P<word>[^\W\d_]+(?:[-'’.][^\W\d_]+)*\d*)
    """,
    re.VERBOSE,
)

# function words; "alweer" ("hoeveel was dat ook alweer?") asks again, it names no subject (session 26)
DUTCH_STOPWORDS = frozenset(
    ["aan", "al", "alle", "alles", "alweer", "als", "altijd", "andere", "ben", "bij", "daar", "daarom", "dan", "dat", "de", "der", "deze", "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "en", "er", "ge", "geen", "geweest", "haar", "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij", "hoe", "hun", "iemand", "iets", "ik", "in", "is", "ja", "je", "kan", "kon", "kunnen", "maar", "me", "meer", "men", "met", "mij", "mijn", "moet", "na", "naar", "niet", "niets", "nog", "nu", "of", "om", "omdat", "onder", "ons", "ook", "op", "over", "reeds", "te", "tegen", "toch", "toen", "tot", "u", "uit", "uw", "van", "veel", "voor", "want", "waren", "was", "wat", "we", "wel", "werd", "wezen", "wie", "wil", "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn", "zo", "zonder", "zou", "welke", "welk", "waarom", "wanneer", "waar", "hoeveel", "volgens", "staat", "staan", "worden", "noemt", "noem", "geeft", "zullen", "hoe", "laat", "hebben", "kunt", "wilt", "moeten", "mogen", "mag"]
)
ENGLISH_STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "say", "says", "said", "according", "does", "did", "much", "many", "whose"]
)
STOPWORDS = DUTCH_STOPWORDS | ENGLISH_STOPWORDS


@dataclass(frozen=True)
class Token:
    """A search term: ``term`` is what is matched; ``exact`` marks numbers/codes that deserve a boost."""

    term: str
    exact: bool = False


WORD_RE = re.compile(r"[^\W_]+")  # a run of letters and digits: one place for the plain word split
# a capitalised word inside a sentence (after a lower-case word or a comma): a name ("de werkloosheid in Emmen",
# "naar Coevorden"); one place for the scoring's name check and the gazetteer-free names of ``rag.entities``
INNER_NAME_RE = re.compile(r"(?<=[a-z,;:)] )([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)\b")


def words(text: str) -> list[str]:
    """The words of ``text`` as written (letters and digits; no folding, stemming or stopwords)."""
    return WORD_RE.findall(text)


def fold(text: str) -> str:
    """Lower-case and strip diacritics so "coöperatie" matches "cooperatie" and "€" survives."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower()


def normalize_for_match(text: str) -> str:
    """The evaluation's comparison form: join words hyphenated across a line break, collapse whitespace,
    case-insensitive (FORMAT.md)."""
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip().lower()


@functools.lru_cache(maxsize=4)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch" if lang == "nl" else "english")


@functools.lru_cache(maxsize=1)
def _singulars() -> bool:
    """Plurals of Dutch nouns in "-e" are brought to their singular before they are stemmed (:func:`_singular`) unless
    ``REGIODEAL_ABLATE=singular`` (measurement only)."""
    from rag.config import ablated, get_settings

    return not ablated(get_settings(), "singular")


def terms_version() -> int:
    """Which terms :func:`tokens` gives: BM25 arrays and vocabularies saved with a build (snapshots, ingest) hold
    terms, so it is part of every build's configuration and every snapshot. Bump when a change alters the terms of
    the same text. 1: Snowball stems; 3: plurals of nouns in "-e" singular first (2, lemmas of every word, was
    session 36's first try; 1 again when switched off)."""
    return 3 if _singulars() else 1


@functools.lru_cache(maxsize=50_000)
def stem(word: str, lang: str = "nl") -> str:
    """Search stem of a folded word (cached: the same words recur in every query): Snowball's, after a Dutch plural of
    a noun in "-e" is brought to its singular (:func:`_singular`), so that "bijlage" meets "bijlagen"."""
    if lang == "nl" and word.isalpha() and _singulars():
        word = _singular(word)
    return _stemmer(lang).stemWord(word)


def _singular(word: str) -> str:
    """The singular of a Dutch plural whose singular ends in "-e" ("bijlagen" → "bijlage", "opgaven" → "opgave",
    "rondes" → "ronde"): the one form the stemmer parts from its plural (it lengthens the vowel of "bijlagen" to
    "bijlaag" but not that of "bijlage"). Only this: lemmatising verbs as well ("krijgt" → "krijgen") let sentences
    that merely share a verb outrank the answer (session 36)."""
    lemma = fold(simplemma.lemmatize(word, lang="nl"))
    return lemma if lemma.endswith("e") and word in (lemma + "n", lemma + "s") else word


def _norm_number(raw: str) -> str:
    raw = raw.replace(" ", "")
    return raw.replace(",", ".")


def tokens(text: str, lang: str = "nl", keep_stopwords: bool = False) -> list[Token]:
    """Search terms of ``text``. Ranges and percentages yield the whole form and their numbers."""
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(fold(text)):
        if m.group("range"):
            a, b = re.split(r"\s?[-–]\s?", m.group("range"))
            out += [Token(f"{a}-{b}", True), Token(a, True), Token(b, True)]
        elif m.group("num"):
            raw = _norm_number(m.group("num"))
            if raw.endswith("%"):
                out += [Token(raw, True), Token(raw[:-1], True)]
            else:
                out.append(Token(raw.rstrip("."), True))
        else:
            word = m.group("word").strip(".'’")
            if any(ch.isdigit() for ch in word):  # codes: n34, e233, horizon2020
                out.append(Token(word, True))
                continue
            for part in _split_word(word):
                if not keep_stopwords and (part in STOPWORDS or len(part) < 2):
                    continue
                out.append(Token(stem(part, lang)))
    return out


def _split_word(word: str) -> list[str]:
    """"rvo.nl" stays whole; "Zuid-Drenthe" gives "zuid-drenthe", "zuid" and "drenthe"."""
    if "." in word:
        return [word]
    parts = [p for p in re.split(r"[-'’]", word) if p]
    return [word.replace("'", "").replace("’", ""), *parts] if len(parts) > 1 else parts


def terms(text: str, lang: str = "nl") -> list[str]:
    """Just the strings of :func:`tokens` (what BM25 indexes)."""
    return [t.term for t in tokens(text, lang)]


def verb_variants(term: str) -> list[str]:
    """Other stems of a Dutch present-tense verb: Snowball leaves "vraagt", "krijgt", "investeert" whole
    but stems the documents' "vragen", "krijgen", "investeren" to "vraag", "krijg", "investeer", so the
    question's verb form never met the text's. Callers keep only the variants the index knows."""
    if len(term) < 4 or not term.endswith("t") or term.endswith(("dt", "tt")) or not term.isalpha():
        return []
    base = term[:-1]
    out = {stem(base), stem(base + "n")}
    if len(base) >= 3 and base[-2] == base[-3] and base[-2] in "aeou":  # "vraag" + en → "vragen"
        out.add(stem(base[:-2] + base[-1] + "en"))
    out.discard(term)
    return sorted(out)


# Month names as the documents and users write them (one list for every module that reads dates).
# words that deny what follows them ("niet structureel", "no cap"): one set for every check that reads negation
NEGATIONS = frozenset(["geen", "niet", "nooit", "no", "not", "never", "nor", "none", "non", "zonder", "without"])

MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december")
MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december")
MONTH_NUMBER: dict[str, int] = {m: i for months in (MONTHS_NL, MONTHS_EN) for i, m in enumerate(months, start=1)}
MONTH_RE = "|".join(sorted(MONTH_NUMBER, key=len, reverse=True))  # longest first: "mei" never cuts "meeting"


_SEPARABLE = ("terug", "samen", "tegen", "over", "door", "voor", "mee", "toe", "aan", "uit", "bij", "vast", "weg", "op", "af", "in", "na")


def participle_variants(word: str) -> list[str]:
    """Stems of the verb and its "-ing" noun behind a past participle the stemmer leaves apart:
    "toegekend" (stem "toegek") is "toekennen" / "toekenning" ("toeken"), "ingediend" is "indienen",
    "beoordeeld" is "beoordelen". Callers keep only the variants the index knows."""
    w = fold(word).lower()
    if len(w) < 6 or w[-1] not in "dt" or not w.isalpha():
        return []
    base = None
    for p in _SEPARABLE:
        if w.startswith(p + "ge") and len(w) > len(p) + 4:
            base = p + w[len(p) + 2 : -1]  # toe|ge|ken|d → toeken
            break
    if base is None and w.startswith(("be", "ver", "ont", "her")) and not w.endswith(("and", "end", "ind", "ond")):
        base = w[:-1]  # beoordeel|d → beoordeel
    if base is None:
        return []
    doubled = base + base[-1] if len(base) > 2 and base[-2] in "aeiou" and base[-3] not in "aeiou" else base
    out = {stem(base), stem(base + "en"), stem(doubled + "en"), stem(doubled + "ing"), stem(base + "ing")}
    out.discard(stem(w))
    return sorted(out)


def exact_terms(text: str) -> set[str]:
    """Numbers, codes and capitalised names of a question: the terms that must not lose to vague matches."""
    found = {t.term for t in tokens(text) if t.exact}
    for m in re.finditer(r"\b([A-Z][\w’'-]*[A-Z0-9][\w’'-]*|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)\b", text):
        # acronyms (HTSM, SEREH, LNV) and multi-word names (Dutch TechZone, Vitale Vakantieparken)
        for t in tokens(m.group(1)):
            found.add(t.term)
    return found


# --- sentences ---------------------------------------------------------------------------------

# Dutch (and a few English) abbreviations that end in a full stop but do not end a sentence: "ca. 40",
# "bijv. Emmen", "d.d. 1 juni", "dhr. Jansen". Compared with the whole word before the stop, lower-cased.
_ABBREV = frozenset(
    [
        "ca.", "bijv.", "bv.", "b.v.", "o.a.", "e.d.", "d.d.", "jl.", "mr.", "dhr.", "mw.", "mevr.", "dr.", "drs.",
        "ir.", "ing.", "prof.", "nr.", "nrs.", "resp.", "incl.", "excl.", "zgn.", "m.b.t.", "i.c.m.", "t.a.v.",
        "o.b.v.", "m.u.v.", "i.p.v.", "a.s.", "t/m", "t.m.", "vs.", "e.g.", "i.e.", "cf.", "art.", "blz.", "p.",
        "mln.", "mld.", "mrd.", "min.", "max.", "gem.", "vgl.", "z.g.a.n.", "St.",
    ]
)
# Initials of a name ("A.C.W. Annyas") or a legal form ("B.V.") do not end a sentence either.
_ABBREV_LOWER = frozenset(a.lower() for a in _ABBREV)
_INITIALS_RE = re.compile(r"(?:[A-Z]\.){1,4}")


def _is_abbreviation(before: str) -> bool:
    """Whether the text before a full stop ends in an abbreviation or initials rather than a sentence."""
    if not before or before[-1].isspace():
        return False
    word = before.split()[-1].lstrip("([\"“‘«")
    return word.lower() in _ABBREV_LOWER or bool(_INITIALS_RE.fullmatch(word))


_SENT_END_RE = re.compile(r"(?<=[.!?])[\"”’»)]*\s+(?=[\"“‘«(]?[A-Z0-9ÀÉÈÖÜ•*-])|\n\s*\n|\n(?=\s*[-*•|>#]|\s*\d+\.\s)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (no leading/trailing whitespace).

    Paragraph breaks, list items and table rows end a sentence too, so a table row or a bullet can be
    quoted on its own."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END_RE.finditer(text):
        gap = m.group(0)
        new_block = re.search(r"\n\s*\n", gap) or ("\n" in gap and text[m.end() : m.end() + 1] in "-*•|>#")
        if text[m.start() - 1 : m.start()] == "." and not new_block and _is_abbreviation(text[max(0, m.start() - 16) : m.start()]):
            continue
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        seg = text[s:e]
        ls = len(seg) - len(seg.lstrip())
        rs = len(seg.rstrip())
        if rs > ls:
            out.append((s + ls, s + rs))
    return out


# --- language ---------------------------------------------------------------------------------

_NL_HINTS = frozenset(["de", "het", "een", "en", "van", "is", "wat", "wie", "hoe", "welke", "waarom", "hoeveel", "wanneer", "niet", "zijn", "voor", "met", "ik"])
_EN_HINTS = frozenset(["the", "a", "an", "and", "of", "is", "what", "who", "how", "which", "why", "when", "does", "do", "are", "for", "with", "i"])
_ONLY_HINTS = 2  # this many grammar words of one language and none of the other decide
_HINT_MARGIN = 3  # this many more grammar words of one language decide (tuning questions: 10 → 2 of 1,809 misread)


@functools.lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH).build()


def detect_language(text: str, default: str = "nl") -> str:
    """'nl' or 'en'. Function words decide short text and text where one language has clearly more of them;
    otherwise lingua decides, and Dutch names/terms inside an English question ("Regio Envelop") do not flip it."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if not words:
        return default
    nl = sum(w in _NL_HINTS for w in words)
    en = sum(w in _EN_HINTS for w in words)
    if len(words) <= 4 and nl != en:
        return "nl" if nl > en else "en"
    # grammar words of one language only ("how", "the"; "de", "wat"), none of the other: the Dutch names and terms of
    # an English question ("the Statenbijeenkomst", "the Transformatiefonds") do not outweigh them
    nl_only = sum(w in _NL_HINTS and w not in _EN_HINTS for w in words)
    en_only = sum(w in _EN_HINTS and w not in _NL_HINTS for w in words)
    if min(nl_only, en_only) == 0 and max(nl_only, en_only) >= _ONLY_HINTS:
        return "nl" if nl_only else "en"
    if abs(nl - en) >= _HINT_MARGIN:
        # the grammar words agree by a clear margin: lingua weighs the Dutch names and terms of an English
        # question ("the Statenbijeenkomst", "the pillars Wonen and Welzijn") over them
        return "nl" if nl > en else "en"
    try:
        from lingua import Language

        conf = _detector().compute_language_confidence_values(text)
        best = conf[0]
        if best.value >= 0.6:
            return "nl" if best.language == Language.DUTCH else "en"
    except Exception:  # pragma: no cover - lingua is a hard dependency; fall back to counts if it breaks
        pass
    if nl == en:
        return default
    return "nl" if nl > en else "en"


def detect_language_with_history(question: str, history: Iterable[dict[str, str]] | None) -> str:
    """A short follow-up ("and who else?") inherits the language of the conversation when unclear."""
    hist_user = [h.get("content", "") for h in (history or []) if h.get("role") == "user"]
    default = detect_language(hist_user[-1]) if hist_user else "nl"
    return detect_language(question, default=default)


# --------------------------------------------------------------------------------------------------
# Number words (the one place for them: money parsing, verification and the engines read these)

NL_UNITS = {
    "nul": 0, "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4,
    "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9,
}  # fmt: skip
NL_TEENS = {
    "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15,
    "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
}  # fmt: skip
NL_TENS = {
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60,
    "zeventig": 70, "tachtig": 80, "negentig": 90,
}  # fmt: skip
EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9,
}  # fmt: skip
EN_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip

_NL_UNIT_RE = "|".join(sorted(NL_UNITS, key=len, reverse=True))
_NL_TENS_RE = "|".join(NL_TENS)
_NL_COMPOUND = re.compile(rf"({_NL_UNIT_RE})(?:en|ën)({_NL_TENS_RE})")
_NL_HUNDRED = re.compile(rf"({_NL_UNIT_RE})?honderd(.*)")
_NL_HALF = re.compile(r"(.+?)(?:en|ën)half")


def _nl_int(word: str) -> int | None:
    """A Dutch number word from 0 to 999 (compounds like 'vijfendertig', 'tweehonderd')."""
    for table in (NL_UNITS, NL_TEENS, NL_TENS):
        if word in table:
            return table[word]
    if m := _NL_COMPOUND.fullmatch(word):
        return NL_UNITS[m.group(1)] + NL_TENS[m.group(2)]
    if m := _NL_HUNDRED.fullmatch(word):
        hundreds = NL_UNITS[m.group(1)] if m.group(1) else 1
        if hundreds == 0:
            return None
        rest = _nl_int(m.group(2)) if m.group(2) else 0
        return None if rest is None or rest >= 100 else hundreds * 100 + rest
    return None


def _en_int(tokens: list[str]) -> int | None:
    """An English number from 0 to 999 in words ('two hundred and fifty', 'forty five')."""
    if not tokens:
        return None
    total = 0
    if "hundred" in tokens:
        i = tokens.index("hundred")
        head = tokens[:i]
        if head in (["a"], ["one"]):
            total = 100
        elif len(head) == 1 and head[0] in EN_UNITS and EN_UNITS[head[0]] > 0:
            total = EN_UNITS[head[0]] * 100
        else:
            return None
        tokens = tokens[i + 1 :]
        if tokens[:1] == ["and"]:
            tokens = tokens[1:]
        if not tokens:
            return total
    if len(tokens) == 1:
        word = tokens[0]
        for table in (EN_UNITS, EN_TEENS, EN_TENS):
            if word in table:
                return total + table[word]
        return None
    if len(tokens) == 2 and tokens[0] in EN_TENS and tokens[1] in EN_UNITS and EN_UNITS[tokens[1]] > 0:
        return total + EN_TENS[tokens[0]] + EN_UNITS[tokens[1]]
    return None


def words_to_number(words: str) -> Decimal | None:
    """A number written in Dutch or English words, halves and quarters included ('anderhalf', 'two and a half',
    'een kwart', 'three quarters of a')."""
    text = re.sub(r"\s+", " ", words.strip().lower())
    if not text:
        return None
    tokens = text.replace("-", " ").split()
    joined = " ".join(tokens)
    half = Decimal("0.5")
    if joined in ("half", "halve", "een half", "een halve", "één half", "half a", "half an", "a half", "one half"):
        return half
    if joined in ("anderhalf", "anderhalve"):
        return Decimal("1.5")
    # a quarter and three quarters ("een kwart miljard", "a quarter of a billion", "driekwart miljoen")
    fraction = re.sub(r" of an?$", "", joined)
    if fraction in ("kwart", "een kwart", "één kwart", "quarter", "a quarter", "one quarter"):
        return Decimal("0.25")
    if fraction in ("driekwart", "drie kwart", "three quarters", "three quarter"):
        return Decimal("0.75")
    if joined in ("a", "an", "een", "één"):
        return Decimal(1)
    for tail in (" en een half", " en een halve", " and a half", " and one half"):
        if joined.endswith(tail):
            base = words_to_number(joined[: -len(tail)])
            return None if base is None or base != base.to_integral_value() else base + half
    if len(tokens) == 1 and (m := _NL_HALF.fullmatch(tokens[0])):
        base_int = _nl_int(m.group(1))
        return None if base_int is None else Decimal(base_int) + half
    if len(tokens) == 1 and (value := _nl_int(tokens[0])) is not None:
        return Decimal(value)
    if (value := _en_int(tokens)) is not None:
        return Decimal(value)
    return None


# Single number words by value, articles excluded ("een miljoen" is read by words_to_number instead).
WORD_NUMBERS: dict[str, int] = {
    **{k: v for k, v in NL_UNITS.items() if k not in ("een", "eén")}, **NL_TEENS, **NL_TENS,
    **EN_UNITS, **EN_TEENS, **EN_TENS, "honderd": 100, "hundred": 100,
}  # fmt: skip
# A number word of two or more in a text ("drie", "twaalf", "veertig", "dozen"), as a regex alternation
# (longest first); "two" not in "two-pager".
NUMBER_WORDS_RE = "|".join(
    [w if w != "two" else "two(?!-?pager)" for w in sorted((w for w, v in WORD_NUMBERS.items() if v >= 2), key=len, reverse=True)]
    + ["duizend", "thousand", "dozen"]
)
