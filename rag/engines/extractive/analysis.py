"""Query analysis for the extractive engine: fixed texts, document names, the kind of answer a question asks for
(amount, date, count, ...), the words it is about, and its parts.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from rag.condense import split_carried
from rag.config import ablated, get_settings
from rag.glossary import DOC_NAMES, named_documents, translate_en
from rag.text import MONTHS_NL, NUMBER_WORDS_RE, terms, words

log = logging.getLogger(__name__)


def doc_name(doc_id: str, title: str, lang: str) -> str:
    names = DOC_NAMES.get(doc_id)
    if names and names.get(lang):
        return names[lang]
    return f"«{title}»" if lang == "nl" else f"“{title}”"


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
            r"hoe (hoog|groot) (is|zijn|was|wordt|worden|werd) (de|het) ([\w-]*(bijdrage|bedrag|budget|kosten|investering|envelop|tranche|fonds))\b|"
            r"(welk|which|what) (bedrag|amount)|(uitgedrukt )?in (euro's|euros|euro)\b|over hoeveel geld|(ik zoek|i'm looking for|i want) (een|an?) (bedrag|amount)|"
            r"(what|how large|how big|how high) (is|are|was|were|will be) the ([\w-]+ ){0,2}(amount|budget|cost|costs|contribution|investment|regio envelop|envelop|envelope|tranche|fund)\b|"
            r"hoeveel\b.{0,60}\b(kost|kosten|bijdrage|investering|investeren|geld|euro|miljoen|budget|vraagt|vragen)|"
            r"wat (gaat|zal|gaan|zullen)\b.{0,100}\bkosten|what will .{1,100} cost|how much will|"
            r"(how much of|hoeveel van)\b.{0,20}(€|\d)|"
            r"(wat|hoe hoog) (is|zijn|was) (de|het) [\w -]{0,30}(waarde|prijs|prijzen)|what is the [\w -]{0,30}(value|price))\b",
            re.I,
        ),
    ),
    ("count", re.compile(r"\b(hoeveel|how many|what number of|het aantal|hoe (groot|hoog) (is|zijn|was|waren)|how (big|large|high) (is|are|was|were))\b", re.I)),
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


_NUMWORDS = NUMBER_WORDS_RE


_TYPE_MATCH: dict[str, re.Pattern[str]] = {
    "time": re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?uur\b|\b\d{1,2}\s?(am|pm)\b", re.I),
    "percentage": re.compile(r"\d\s?(%|procent|per ?cent)", re.I),
    # A sum of money carries its currency ("€ 40 miljoen", "40 miljoen euro"); "17,3 miljoen" are people.
    "amount": re.compile(r"€\s?\d|\d\s?(miljoen|miljard|mln|million|billion)?\s?(euro|eur)\b", re.I),
    "count": re.compile(
        # a century ("de 21 eeuw", "21ste eeuw") is an ordinal, not a number of things
        rf"(?<![\w.,])(?!(?:1[89]|20)\d\d\b)\d+(?:[.,]\d+)*(?!\s*(?:{_MONTHS}))(?!(?:e|ste|de)?\s*eeuw)\b|\b({_NUMWORDS})\b", re.I
    ),
    # a phone number whose last digits the scan lost is still the number the documents give ("36 50 5[onleesbaar]")
    "contact": re.compile(r"\(?0\d{2,3}\)?[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?(?:\d{2}|\d?\[onleesbaar\])|[\w.-]+@[\w-]+\.\w+", re.I),
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
STRICT_TYPES = {"time", "percentage", "amount", "count", "date", "period", "contact", "email", "name"}


# "How much of the €80 million does the province pay?" is not answered by a sentence that only says
# "€ 80 miljoen": for these kinds the answer must hold a figure the question did not already state.
_NEW_FIGURE_TYPES = {"amount", "percentage", "count"}


_FIGURE_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def _figures_in(text: str) -> set[str]:
    return {m.group(0).replace(",", ".").rstrip(".") for m in _FIGURE_NUM.finditer(text)}


def answer_type(question: str) -> str | None:
    if ablated(get_settings(), "answer_type"):
        return None
    for name, rx in _TYPE_PATTERNS:
        if m := rx.search(question):
            # an e-mail address is not answered by a telephone number
            return "email" if name == "contact" and "mail" in m.group(0).lower() else name
    return None


# The kind of thing a question asks for, coarsely, from its interrogative (a closed class of words in each language):
# the classes ``answer_type`` does not give, then its types grouped.
_WH_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("reason", re.compile(r"\b(waarom|why|hoe komt het|how come|om welke reden|for what reason)\b", re.I)),
    ("place", re.compile(
        r"^\W*(en\s+|and\s+|ok[eé]?\W*\s*)?waar\b(?!\s+(dat|of)\b)|\bwaar (wordt|worden|komt|komen|ligt|liggen|vindt|vinden|staat|staan|"
        r"gaat|gaan|zit|zitten|woont|wonen|is|zijn|was|moet|moeten)\b|\bwhere\b|\b(in|op) welke (plaats|stad|dorp|dorpen|"
        r"plaatsen|locatie|locaties|plek|plekken|zaal|wijk|wijken)\b|\bin welk (dorp|gebouw)\b|\b(in )?(which|what) "
        r"(town|towns|village|villages|city|place|location|venue|building)\b", re.I)),
]
# Dutch splits "waarin", "waaraan", "waarvoor" ...: "Waar investeren ze in?", "Waar is het fonds voor bedoeld?" ask for a
# thing, not a place; nor does "waar staat dat?" (which passage). The adverb's two halves stand in one sentence: "Waar wordt
# het gehouden? In Assen of in Emmen?" asks for a place
_WAAR_THING = re.compile(
    r"\bwaar\b[^?.!]*?\b(in|aan|op|mee|voor|over|naar|uit|van|bij|door|toe|tegen|om|af)\b(\s+[\w'-]+){0,2}\s*([?,.!]|$)|\bwaar staat (dat|dit|het|die)\b",
    re.I,
)
# "wie" questions are not grouped: a unit's own questions ask "welke partijen", "door wie", "wie", ... (measured: no signal)
_WH_GROUPS = {"time": "time", "date": "time", "period": "time", "count": "quantity", "amount": "quantity",
              "percentage": "quantity", "contact": "contact", "email": "contact"}


@lru_cache(maxsize=65536)
def wh_class(question: str) -> str | None:
    """The kind of thing ``question`` asks for: a reason, a place, a time, a quantity or contact details (None: a
    thing, a person, a description, yes or no). "Waar wordt de bijeenkomst gehouden?" and "Wanneer wordt de
    bijeenkomst gehouden?" read almost alike to the embedder; their classes differ."""
    for name, rx in _WH_PATTERNS:
        if m := rx.search(question):
            if name == "place" and "waar" in m.group(0).lower() and _WAAR_THING.search(question):
                return None
            return name
    kind = answer_type(question)
    return _WH_GROUPS.get(kind) if kind else None


def has_type(text: str, kind: str | None) -> bool:
    if kind is None:
        return True
    if kind == "email":
        return "@" in text
    return bool(_TYPE_MATCH[kind].search(text))


def holds_type(text: str, kind: str | None, question: str, lang: str) -> bool:
    """Does ``text`` hold the kind of value ``question`` asks for (``has_type``)? A count is also held by a text
    that names two or more members of the counted thing's kind ("hoeveel gemeenten": six municipalities named,
    ``rag.counts.members_named``; ``REGIODEAL_ABLATE=named_count`` leaves it out)."""
    if has_type(text, kind):
        return True
    if kind != "count" or ablated(get_settings(), "named_count"):
        return False
    from rag.counts import members_named

    nouns = focus_terms(question, lang)
    return bool(nouns) and members_named(nouns, text, question) is not None


def kind_held(question: str, text: str, lang: str) -> bool:
    """Asked for an amount, date, count, ...: does ``text`` hold one (a new figure, not the question's own, or for a
    count the members it names: ``holds_type``)?"""
    kind = answer_type(question)
    if kind == "count" and not has_type(text, kind):
        return holds_type(text, kind, question, lang)
    if kind in STRICT_TYPES and not has_type(text, kind):
        return False
    return not (kind in _NEW_FIGURE_TYPES and not (_figures_in(text) - _figures_in(question)))


# Words a sentence opens with when it leans on the one before ("Dit is ook van belang ...").
ANAPHORS = frozenset(
    ["dit", "deze", "dat", "die", "daarom", "daardoor", "hierdoor", "hiermee", "daarmee", "zo", "ook", "tegelijkertijd", "daarnaast", "bovendien", "this", "these", "that", "therefore", "thus"]
)


def _first_word(text: str) -> str:
    """The first run of word characters of ``text``, lower case (leading quotes, bullets, marks skipped)."""
    start = next((i for i, c in enumerate(text) if c.isalnum() or c == "_"), len(text))
    end = next((i for i in range(start, len(text)) if not (text[i].isalnum() or text[i] == "_")), len(text))
    return text[start:end].lower()


def leans_back(text: str) -> bool:
    """Does the sentence open with a word that points at the sentence before it?"""
    return _first_word(text) in ANAPHORS


# The frame of a question, not its subject: size and frequency words ("hoe *groot* is ..."), discourse markers
# ("eigenlijk", "actually", "sorry"), requests to explain ("uitleggen", "tell"), "concreet", and pronouns and
# pronominal adverbs the stopword list lacks ("volgens hen", "hoeveel daarvan"). An answer sentence need not repeat
# them, and none is a word the documents lack (in the tuning sets they were "unknown" almost only in questions the
# documents answer: BENCHMARKS.md, session 31)
_FRAME_NL = (
    "groot grote hoog hoge lang lange veel vaak laat precies eigenlijk ongeveer nou concreet concreter uitleggen "
    "hen anderen niks daarvan daarmee daarvoor daarover daaraan daarin daaruit daarbij daardoor hiervan hiermee "
    "hiervoor hierover hieraan hierin hieruit hierbij"
)
_FRAME_EN = "concrete actually exactly tell explain sorry sure supposed"
FRAME_TERMS = frozenset(terms(_FRAME_NL) + terms(_FRAME_EN) + terms(_FRAME_EN, "en"))


DOC_NAME_TERMS = frozenset(terms("kamerbrief two-pager twopager brief letter aanbiedingsbrief gs gedeputeerde staten minister"))


def mentioned_docs(question: str) -> set[str]:
    """Documents a question names or points at ("volgens de Kamerbrief", "het voorstel"): their sentences
    get a bonus (corpus/documents.yaml)."""
    return named_documents(question, loosely=True)


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
_ADJECTIVE_ENDINGS = ("e", "aal", "eel", "ief", "isch", "ig", "lijk", "lijks", "baar")


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
        picked = content[:2] if content[0].lower().endswith(_ADJECTIVE_ENDINGS) and len(content) > 1 else content[:1]
        text = " ".join(picked)
        if lang == "en":
            text = translate_en(text) or ""
        out.update(terms(text))
    return out


_PREPOSITIONS = (
    "voor|in|met|op|aan|van|uit|bij|tot|over|naar|door|sinds|vanaf|namens|volgens|tijdens|onder|via|binnen|per|om|na|"
    "for|with|on|at|to|from|by|about|since|until|under|during|within|per"
)
_WH = "welke|welk|wat|wie|waarom|hoe|wanneer|hoeveel|waar|which|what|who|why|how|when|where"
_SPLIT_RE = re.compile(
    rf"(?:\?\s+|,?\s+(?:en|and|maar|but|of|or)\s+(?=(?:(?:{_PREPOSITIONS})\s+)?(?:{_WH}|does|do|is|are)\b))",
    re.I,
)
_WH_WORDS = frozenset(_WH.split("|"))
_PREPOSITION_WORDS = frozenset(_PREPOSITIONS.split("|"))


def question_parts(question: str) -> list[str]:
    """Sub-questions of a multi-part question ("Welke X ..., en welke Y ...?" → two parts). Terms that
    condense() carried over from the conversation (the trailing "(...)") go with every part."""
    own, carried = split_carried(question)
    parts = [p.strip(" ,?") for p in _SPLIT_RE.split(own) if p and len(p.strip(" ,?")) > 12]
    if not ablated(get_settings(), "comma_parts"):
        parts = [q for p in parts for q in _comma_parts(p)]
    if len(parts) <= 1:
        return [question]
    return [f"{p}{carried}" for p in parts]


def _asks_next(rest: str) -> bool:
    """Does ``rest`` (what follows a comma) open with a question word, or a preposition and one ("namens welke")?"""
    first = [w.lower() for w in words(rest[:40])][:2]
    return bool(first) and (first[0] in _WH_WORDS or (len(first) == 2 and first[0] in _PREPOSITION_WORDS and first[1] in _WH_WORDS))


def _comma_parts(part: str) -> list[str]:
    """``part`` split at each comma before a question word ("Op welke datum ..., wat was ...?") whose words
    before it ask a question themselves (and are long enough to be one); whole when there is none."""
    out: list[str] = []
    start = 0
    for comma in (i for i, ch in enumerate(part) if ch == ","):
        rest = part[comma + 1 :]
        if not rest[:1].isspace() or not _asks_next(rest):
            continue
        left = part[start:comma].strip(" ,?")
        if len(left) > 12 and _WH_WORDS & set(words(left.lower())) and len(rest.strip(" ,?")) > 12:
            out.append(left)
            start = comma + 1
    out.append(part[start:].strip(" ,?"))
    return out


def _marker_start(text: str, pos: int, numbered_only: bool = False) -> int:
    """Where the list marker ("8. ", "- ") of the item starting at ``pos`` in ``text`` begins; ``pos`` when
    the item has none (or only a bullet, with ``numbered_only``)."""
    m = re.search(r"(?:^|\n)[ \t]*(\d{1,2}\.|[-*•])[ \t]*$", text[max(0, pos - 8) : pos])
    if not m or (numbered_only and not m.group(1)[0].isdigit()):
        return pos
    return pos - (min(pos, 8) - m.start(1))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def quote_lead(first: bool, same_doc: bool, name: str, lang: str) -> str:
    """The words before a quote (``messages/quote_lead_*``): the first names its document ("Volgens de
    Kamerbrief:"), a later one from the same document continues ("Verder:"), one from another names it."""
    from rag.resources import message

    key = "quote_lead_first" if first else "quote_lead_same" if same_doc else "quote_lead_other"
    return message(key, lang).format(name=name, Name=_cap(name))


def shown_quote(lead: str, display: str, cites: list[int], lang: str) -> str:
    """A quoted passage as an answer shows it: the words before it, the verbatim quote, its [n] markers."""
    return f"{lead} {_q(display, lang)} {''.join(f'[{n}]' for n in cites)}"


def _q(text: str, lang: str) -> str:
    """A verbatim quote for display: whitespace collapsed, table pipes turned into separators."""
    t = " ".join(text.split())
    if t.startswith("|"):
        t = " | ".join(c.strip() for c in t.strip("|").split("|"))
    t = t.lstrip("•*-> ").strip()
    return f"«{t}»" if lang == "nl" else f"“{t}”"


