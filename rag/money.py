"""Amounts of money as people write them, and as we show them back.

Money questions are answered in public office, so amounts are exact ``Decimal`` euros (never float), the
parser refuses rather than guesses (``AmountError`` names what it did not understand, in Dutch and
English), and the formatter writes amounts the way a Dutch or English reader expects. Everything here is
pure: no I/O, no models, so it can be tested exhaustively.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar, Literal

from rag.text import EN_TEENS, EN_TENS, EN_UNITS, NL_TEENS, NL_TENS, NL_UNITS, words_to_number

Lang = Literal["nl", "en"]
Unit = Literal["euro", "thousand", "million", "billion"]

CENT = Decimal("0.01")
MILLION = Decimal(1_000_000)
BILLION = Decimal(1_000_000_000)
# Nothing a user types about a Regio Deal is anywhere near this; beyond it the value is a typo.
HARD_LIMIT_EUR = Decimal(10) ** 15

UNIT_FACTORS: dict[Unit, Decimal] = {
    "euro": Decimal(1),
    "thousand": Decimal(1000),
    "million": MILLION,
    "billion": BILLION,
}


class UserInputError(ValueError):
    """An input problem the user must fix; ``message(lang)`` says what, in words a user understands."""

    code: str = "invalid"
    _messages: ClassVar[dict[str, dict[str, str]]] = {}

    def __init__(self, code: str, text: str = "", **params: str) -> None:
        self.code = code
        self.text = text
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "nl") -> str:
        table = self._messages.get(self.code) or self._messages["invalid"]
        template = table["nl" if lang == "nl" else "en"]
        return template.format(text=self.text, **self.params)


class AmountError(UserInputError):
    """An amount that cannot be used: not understood, ambiguous, negative, zero, or absurdly large."""

    _messages: ClassVar[dict[str, dict[str, str]]] = {
        "empty": {"nl": "Er is geen bedrag opgegeven.", "en": "No amount was given."},
        "invalid": {
            "nl": "Ik begrijp het bedrag ‘{text}’ niet. Schrijf het bijvoorbeeld als ‘€ 40 miljoen’.",
            "en": "I do not understand the amount ‘{text}’. Write it like ‘€40 million’.",
        },
        "not_understood": {
            "nl": "Ik begrijp het bedrag ‘{text}’ niet. Schrijf het bijvoorbeeld als ‘€ 40 miljoen’.",
            "en": "I do not understand the amount ‘{text}’. Write it like ‘€40 million’.",
        },
        "ambiguous": {
            "nl": "Het bedrag ‘{text}’ is niet eenduidig (het kan op meer dan één manier worden gelezen "
            "of bevat meer dan één getal). Noem één bedrag, bijvoorbeeld ‘€ 40 miljoen’.",
            "en": "The amount ‘{text}’ is ambiguous (it can be read in more than one way or contains more "
            "than one number). Give one amount, for example ‘€40 million’.",
        },
        "negative": {
            "nl": "Het bedrag ‘{text}’ is negatief; een bijdrage of cofinanciering kan niet negatief zijn.",
            "en": "The amount ‘{text}’ is negative; a contribution or co-financing cannot be negative.",
        },
        "zero": {
            "nl": "Het bedrag ‘{text}’ is nul; daar valt niets mee te berekenen.",
            "en": "The amount ‘{text}’ is zero; there is nothing to calculate with it.",
        },
        "sub_cent": {
            "nl": "Het bedrag ‘{text}’ is preciezer dan op de cent; rond het af op hele centen.",
            "en": "The amount ‘{text}’ is more precise than a cent; round it to whole cents.",
        },
        "absurd": {
            "nl": "Het bedrag ‘{text}’ is onwaarschijnlijk hoog: meer dan {limit}. Controleer het bedrag.",
            "en": "The amount ‘{text}’ is implausibly large: more than {limit_en}. Please check it.",
        },
    }


# --------------------------------------------------------------------------------------------------
# Formatting


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def format_number(value: Decimal, lang: str, *, decimals: int | None = None, group: bool = True) -> str:
    """A plain number the Dutch (1.234,5) or English (1,234.5) way; exact unless ``decimals`` is given."""
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    if "." in text and decimals is None:
        text = text.rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    thousands, point = (".", ",") if lang == "nl" else (",", ".")
    whole = _group(whole, thousands) if group else whole
    return sign + whole + (point + frac if frac else "")


def format_pct(value: Decimal, lang: str, decimals: int = 1) -> str:
    """A percentage as a reader writes it: 33,3% (nl) or 33.3% (en), but 60% rather than 60,0%.

    Rounded to ``decimals`` first, so a share that rounds to a whole number reads as one; the decimals
    stay when they carry information.
    """
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return format_number(rounded, lang, decimals=0) + "%"
    return format_number(rounded, lang, decimals=decimals) + "%"


def _scaled(amount: Decimal, factor: Decimal) -> Decimal | None:
    """``amount / factor`` when that has at most two decimals (so the short form is exact), else None."""
    scaled = amount / factor
    return scaled if scaled == scaled.quantize(CENT) else None


def format_eur(amount: Decimal, lang: str, *, short: bool = False) -> str:
    """An amount in euros as a reader expects it: € 2,5 miljoen / €2.5 million / € 750.000.

    Millions and billions are used only when exact (at most two decimals), so a formatted amount always
    parses back to the same value. ``short`` gives the compact form used in working lines (€ 40 mln).
    """
    amount = Decimal(amount)
    nl = lang == "nl"
    euro = "€ " if nl else "€"
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    for factor, long_nl, long_en, short_nl, short_en in (
        (BILLION, "miljard", "billion", "mld", "bn"),
        (MILLION, "miljoen", "million", "mln", "M"),
    ):
        if value >= factor and (scaled := _scaled(value, factor)) is not None:
            number = format_number(scaled, lang)
            if short:
                unit = short_nl if nl else short_en
                return f"{sign}{euro}{number} {unit}" if nl else f"{sign}{euro}{number}{unit}"
            return f"{sign}{euro}{number} {long_nl if nl else long_en}"
    cents = value.quantize(CENT)
    whole = cents == cents.to_integral_value()
    text = format_number(cents, lang) if whole else format_number(cents, lang, decimals=2)
    return f"{sign}{euro}{text}"


def format_eur_m(amount_eur_m: Decimal, lang: str, *, short: bool = False) -> str:
    """Like ``format_eur`` for an amount given in € million."""
    return format_eur(Decimal(amount_eur_m) * MILLION, lang, short=short)


# --------------------------------------------------------------------------------------------------
# Parsing one amount

UNIT_WORDS: dict[str, Unit] = {
    "duizend": "thousand", "thousand": "thousand", "k": "thousand",
    "miljoen": "million", "miljoenen": "million", "mln": "million", "mio": "million",
    "million": "million", "millions": "million", "mn": "million", "m": "million",
    "miljard": "billion", "miljarden": "billion", "mld": "billion", "mrd": "billion",
    "billion": "billion", "billions": "billion", "bn": "billion", "b": "billion",
}  # fmt: skip
# Dutch 'biljoen' is 10^12: recognised so that it is refused as absurd rather than misunderstood. A 'ton' is
# spoken Dutch for € 100.000 ("2,5 ton", "een paar ton").
_EXTRA_FACTORS = {"biljoen": Decimal(10) ** 12, "ton": Decimal(100_000), "tonnen": Decimal(100_000)}

UNIT_PATTERN = (
    r"(?:miljoenen|miljoen|miljarden|miljard|biljoen|millions|million|billions|billion|thousand|duizend|tonnen|ton"
    r"|mln\.?|mld\.?|mrd\.?|mio|mn|bn|k|m|b)"
)


def unit_factor(word: str) -> Decimal:
    """The factor of a unit word as written ('miljoen', 'mln.', 'ton', 'biljoen')."""
    w = word.lower().rstrip(".")
    return _EXTRA_FACTORS.get(w) or UNIT_FACTORS[UNIT_WORDS[w]]
_CUR_START = re.compile(r"^(?:€|eur(?:o(?:'s|s)?)?\b)\s*")
_CUR_END = re.compile(r"(?:\s*€|(?:(?<=[\s0-9])|^)(?:eur|euro|euros|euro's))$")
_NUMERIC = re.compile(rf"(?P<num>[0-9][0-9.,]*|[0-9]{{1,3}}(?: [0-9]{{3}})+)\s*(?P<unit>{UNIT_PATTERN})?")
_RANGE_WORDS = re.compile(r"\b(?:of|or|à|a|tot|to|en|and|tussen|between)\b|[-–/]")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").replace("\u2013", "–")
    text = re.sub(r"\s+", " ", text.strip().lower())
    text = re.sub(r"[?!;:]+$", "", text).strip()
    text = re.sub(r"(?<=[0-9]),-{1,2}(?=\s|$)", "", text)  # Dutch "€ 40.000,-"
    text = re.sub(r"(?<=[0-9])\.-(?=\s|$)", "", text)
    return re.sub(r"[.,]+$", "", text).strip()


def _valid_groups(parts: list[str]) -> bool:
    """Thousands grouping: a first group of 1-3 digits not starting with 0, then groups of exactly 3."""
    return (
        1 <= len(parts[0]) <= 3
        and not (parts[0].startswith("0"))
        and all(len(p) == 3 for p in parts[1:])
    )


def _parse_numeric(num: str, lang: str | None, has_unit: bool, original: str) -> Decimal:
    """Digits with Dutch or English separators, refusing every reading that could go two ways."""
    if " " in num:
        parts = num.split(" ")
        if not _valid_groups(parts):
            raise AmountError("ambiguous", original)
        return Decimal("".join(parts))
    dots, commas = num.count("."), num.count(",")
    if num[-1] in ".,":
        raise AmountError("not_understood", original)
    if dots and commas:
        decimal_sep = "." if num.rfind(".") > num.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        whole, _, frac = num.rpartition(decimal_sep)
        if decimal_sep in whole or not _valid_groups(whole.split(thousands_sep)):
            raise AmountError("ambiguous", original)
        return Decimal(whole.replace(thousands_sep, "") + "." + frac)
    sep = "." if dots else "," if commas else ""
    if not sep:
        return Decimal(num)
    parts = num.split(sep)
    if len(parts) > 2:
        if not _valid_groups(parts):
            raise AmountError("ambiguous", original)
        return Decimal("".join(parts))
    whole, frac = parts
    if len(frac) != 3 or not _valid_groups(parts):
        return Decimal(whole + "." + frac)  # 2,5 / 2.50 / 0.750: only a decimal reading is possible
    # Exactly three digits after one separator: 1.500 is 1500 in Dutch and 1.5 in English.
    if lang == "nl":
        return Decimal(whole + frac) if sep == "." else Decimal(whole + "." + frac)
    if lang == "en":
        return Decimal(whole + frac) if sep == "," else Decimal(whole + "." + frac)
    if has_unit:
        raise AmountError("ambiguous", original)
    return Decimal(whole + frac)  # a plain euro amount: '750.000' and '750,000' are both 750000


def _limit_text(limit: Decimal, lang: str) -> str:
    return format_eur(limit, lang)


# The largest amount a question about a Regio Deal can sensibly name: the whole Regio Envelop
# (€ 950 miljoen; the rule and its passage live in rag.calculator.rules, which reads money, not the other way).
ENVELOPE_EUR = Decimal(950) * MILLION


def _default_maximum() -> Decimal:
    return ENVELOPE_EUR


_DEFAULT = Decimal(-1)


def parse_amount(
    text: str,
    lang: str | None = None,
    *,
    default_unit: Unit = "euro",
    allow_zero: bool = False,
    maximum: Decimal | None = _DEFAULT,
) -> Decimal:
    """Euros (exact, whole cents) for one amount as people write it: '€ 2,5 miljoen', '40 mln', '€40M'.

    ``lang`` decides the one genuinely ambiguous shape (three digits after a single separator with a
    unit, '1.500 miljoen'); ``default_unit`` applies to a bare number ('40' in a context of millions);
    ``maximum`` (default: the whole Regio Envelop, € 950 miljoen; None: no limit) marks absurd input.
    Raises ``AmountError`` for anything it cannot read with certainty.
    """
    original = str(text)
    if maximum is _DEFAULT:
        maximum = _default_maximum()
    try:
        return _parse_amount(original, lang, default_unit, allow_zero, maximum)
    except AmountError:
        raise
    except (ArithmeticError, ValueError, IndexError) as exc:  # a safety net: never crash on input
        raise AmountError("not_understood", original.strip()[:80]) from exc


def _parse_amount(
    original: str, lang: str | None, default_unit: Unit, allow_zero: bool, maximum: Decimal | None
) -> Decimal:
    shown = re.sub(r"\s+", " ", original.strip())[:80]
    s = _normalise(original)
    if not s:
        raise AmountError("empty", shown)
    s = _CUR_START.sub("", s)
    s = _CUR_END.sub("", s).strip()
    if re.match(r"^(?:-|min\b|minus\b|negatief\b|negative\b)", s) or re.match(r"^-?\s*€\s*-", s):
        raise AmountError("negative", shown)
    s = _CUR_START.sub("", s).strip()  # "- € 40": currency after a sign was handled above
    if not s:
        raise AmountError("not_understood", shown)
    factor: Decimal
    if m := _NUMERIC.fullmatch(s):
        unit = (m.group("unit") or "").rstrip(".")
        number = _parse_numeric(m.group("num"), lang, bool(unit), shown)
        factor = unit_factor(unit) if unit else UNIT_FACTORS[default_unit]
    else:
        tokens = s.split()
        last = tokens[-1].rstrip(".")
        if last in UNIT_WORDS or last in _EXTRA_FACTORS:
            factor = unit_factor(last)
            words = " ".join(tokens[:-1])
            if not words and last in ("miljoen", "million", "miljard", "billion", "duizend", "thousand"):
                words = "een"  # 'miljoen' alone: unusual, but unambiguous
        else:
            factor = UNIT_FACTORS[default_unit]
            words = s
        value = words_to_number(words) if words else None
        if value is None:
            if len(re.findall(r"[0-9]+", s)) >= 2 or (_RANGE_WORDS.search(s) and re.search(r"[0-9]|ig\b|ty\b", s)):
                raise AmountError("ambiguous", shown)
            raise AmountError("not_understood", shown)
        number = value
    amount = number * factor
    if amount > HARD_LIMIT_EUR or (maximum is not None and amount > maximum):
        limit = maximum if maximum is not None and maximum < HARD_LIMIT_EUR else HARD_LIMIT_EUR
        raise AmountError("absurd", shown, limit=_limit_text(limit, "nl"), limit_en=_limit_text(limit, "en"))
    if amount != amount.quantize(CENT):
        raise AmountError("sub_cent", shown)
    amount = amount.quantize(CENT)
    if amount == 0 and not allow_zero:
        raise AmountError("zero", shown)
    return amount


# --------------------------------------------------------------------------------------------------
# Scanning free text


@dataclass(frozen=True)
class AmountSpan:
    """An amount of money found in running text: ``text[start:end]`` and its value in euros.

    ``error`` is set (and ``value`` is None) when the amount is there but cannot be used (negative,
    ambiguous like '40 of 50 miljoen'); ``assumed_unit`` when a bare number was read as millions.
    """

    start: int
    end: int
    text: str
    value: Decimal | None
    error: AmountError | None = None
    assumed_unit: bool = False
    # two figures joined by "to"/"tot" ("van 80 tot 100 miljoen"): the two amounts they are when the words
    # around say a figure changed; ``error`` holds the range reading. Decided by the calculator's
    # learnt join probe (rag.calculator.amount_probe), never here.
    pair: tuple[AmountSpan, AmountSpan] | None = None


_NUM_WORD_VOCAB = (
    set(NL_UNITS) | set(NL_TEENS) | set(NL_TENS) | set(EN_UNITS) | set(EN_TEENS) | set(EN_TENS)
    | {"half", "halve", "anderhalf", "anderhalve", "a", "an", "and", "en", "hundred", "kwart", "driekwart", "quarter", "quarters", "of"}
)  # fmt: skip
_MONEY_RE = re.compile(
    rf"""
    (?P<neg>(?<![0-9\w])[-−]\s*)?
    (?P<cur1>€|\beur\b\.?|\beuro\b)?\s*
    (?P<neg2>[-−]\s*)?
    (?P<num>(?<![0-9.,])(?:[0-9]{{1,3}}(?:[ \u00a0\u202f][0-9]{{3}})+|[0-9]+(?:[.,][0-9]+)*)(?![0-9]))(?:,-)?
    (?:\s*(?P<unit>{UNIT_PATTERN})(?!\w))?
    (?:\s*(?P<cur2>€(?!\s*[0-9])|euro's|euros|euro\b|eur\b))?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_WORD_MONEY_RE = re.compile(
    r"(?P<words>(?:[a-zë]+[\s-]+){0,4}[a-zë]+)[\s-]+(?P<unit>miljoen|million|miljard|billion|tonnen|ton)\b(?:[\s-]*(?:euro|eur)\b)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")  # "in 2018 to €27m": a year before an amount is not a range
_RANGE_BETWEEN = re.compile(r"^\s*(?:of|or|à|a|tot|to|en|and|-|–|/)\s*$", re.IGNORECASE)


def scan_amounts(text: str, lang: str | None = None) -> Iterator[AmountSpan]:
    """Every amount of money in ``text`` (with a currency sign or a unit), in order of appearance."""
    spans: list[AmountSpan] = []
    for m in _MONEY_RE.finditer(text):
        if not (m.group("cur1") or m.group("unit") or m.group("cur2")):
            continue
        start, end = m.start(), m.end()
        raw = text[start:end].strip()
        start = start + (len(text[start:end]) - len(text[start:end].lstrip()))
        end = start + len(raw)
        if m.group("neg") or m.group("neg2"):
            spans.append(AmountSpan(start, end, raw, None, AmountError("negative", raw)))
            continue
        try:
            value = parse_amount(raw, lang, default_unit="euro", allow_zero=True, maximum=None)
            spans.append(AmountSpan(start, end, raw, value))
        except AmountError as err:
            spans.append(AmountSpan(start, end, raw, None, err))
    taken = [(s.start, s.end) for s in spans]
    for m in _WORD_MONEY_RE.finditer(text):
        words = m.group("words").split()
        # the longest run of number words directly before the unit that reads as a number
        for i in range(len(words)):
            candidate = words[i:]
            if not all(w.lower() in _NUM_WORD_VOCAB or words_to_number(w) is not None for w in candidate):
                continue
            word_value = words_to_number(" ".join(candidate))
            if word_value is None:
                continue
            start = m.start("words") + len(" ".join(words[:i])) + (1 if i else 0)
            start = text.index(candidate[0], start)
            end = m.end()
            if any(a < end and start < b for a, b in taken):
                break
            raw = text[start:end]
            factor = unit_factor(m.group("unit"))
            spans.append(AmountSpan(start, end, raw, (word_value * factor).quantize(CENT)))
            break
    spans.sort(key=lambda s: s.start)
    # '40 of 50 miljoen', 'tussen 30 en 40 miljoen': a bare number joined to an amount by a range word.
    # '40 en 60 miljoen', '40 and 60 million' (no 'tussen'/'between'): two amounts sharing the unit.
    result: list[AmountSpan] = []
    for span in spans:
        prev = result[-1] if result else None
        if (
            prev is not None
            and prev.value is not None
            and _RANGE_BETWEEN.match(text[prev.end : span.start])
            and not _has_unit(prev.text)
        ):
            shared = _shared_unit(text, prev.start, text[prev.end : span.start], span, prev.value, lang)
            if shared is not None:
                result[-1] = AmountSpan(prev.start, prev.end, prev.text, shared)
                result.append(span)
                continue
            raw = text[prev.start : span.end]
            pair = _to_pair(text[prev.end : span.start], prev, span, prev.value)
            result[-1] = AmountSpan(prev.start, span.end, raw, None, AmountError("ambiguous", raw), pair=pair)
            continue
        floor = prev.end if prev is not None else 0
        before = text[floor : span.start]
        rm = re.search(r"(?<![0-9.,%])([0-9]+(?:[.,][0-9]+)?)\s*(of|or|à|tot|to|en|and|-|–|/)\s*$", before, re.IGNORECASE)
        if rm and not (_YEAR.fullmatch(rm.group(1)) and _CUR_START.match(span.text.lower())):
            start = floor + rm.start(1)
            try:
                bare = parse_amount(rm.group(1), lang, default_unit="euro", allow_zero=True, maximum=None)
            except AmountError:
                bare = None
            shared = None if bare is None else _shared_unit(text, start, rm.group(2), span, bare, lang)
            if shared is not None:
                result.append(AmountSpan(start, floor + rm.end(1), rm.group(1), shared, assumed_unit=True))
                result.append(span)
                continue
            raw = text[start : span.end]
            pair = None if bare is None else _to_pair(rm.group(2), AmountSpan(start, floor + rm.end(1), rm.group(1), bare), span, bare)
            result.append(AmountSpan(start, span.end, raw, None, AmountError("ambiguous", raw), pair=pair))
            continue
        result.append(span)
    yield from result


_CURRENCY_END = re.compile(r"\s*(?:€|euro's|euros|euro|eur)\.?\s*$", re.IGNORECASE)
_AND = re.compile(r"^\s*(?:en|and)\s*$", re.IGNORECASE)
_RANGE_OPENER = re.compile(r"\b(?:tussen|between)\s+(?:€\s*|eur\s+)?$", re.IGNORECASE)


def _has_unit(amount_text: str) -> bool:
    """Does an amount as written carry its own unit ('50 million euros', '€ 40 mln')?"""
    return bool(re.search(rf"{UNIT_PATTERN}\W*$", _CURRENCY_END.sub("", amount_text), re.IGNORECASE))


TO_WORDS = frozenset({"to", "tot", "naar"})  # the joiners of "from 80 to 100 million": a change or a range


def _shared_unit(text: str, start: int, joiner: str, span: AmountSpan, value: Decimal, lang: str | None) -> Decimal | None:
    """'40 en 60 miljoen', '€ 40 and 60 million': a number and an amount joined by 'and' (never after
    'tussen'/'between', which makes a range) are two amounts. The number takes the amount's unit. None
    when they form a range or the amount has no unit to share."""
    if span.value is None or not _AND.match(joiner):
        return None
    if _RANGE_OPENER.search(text[max(0, start - 12) : start]):
        return None
    return _unit_value(span, value)


def _unit_value(span: AmountSpan, value: Decimal) -> Decimal | None:
    """``value`` in the unit ``span`` is written in ('80 tot 100 miljoen': 80 million); None without a unit."""
    unit = re.search(rf"[0-9]\s*({UNIT_PATTERN})(?!\w)", span.text, re.IGNORECASE)
    if unit is None:
        return None
    factor = unit_factor(unit.group(1))
    return (value * factor).quantize(CENT) if value * factor == (value * factor).quantize(CENT) else None


def _to_pair(joiner: str, first: AmountSpan, span: AmountSpan, value: Decimal) -> tuple[AmountSpan, AmountSpan] | None:
    """The two amounts "from 80 to 100 million" are when it states a change (``first`` takes ``span``'s
    unit when it has none); None for another joiner or when the two cannot be read apart."""
    if joiner.strip().lower() not in TO_WORDS or span.value is None:
        return None
    own = first.value if _has_unit(first.text) else _unit_value(span, value)
    if own is None:
        return None
    return AmountSpan(first.start, first.end, first.text, own, assumed_unit=not _has_unit(first.text)), span
