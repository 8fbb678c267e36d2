"""When the calculator asks instead of computing: ``Clarify`` (one short question back to the user) and the
checks that find a figure whose role the question's words do not settle.

Two checks run on a request the parser built from a question without a conversation (``ask_whose_money``):
- two readings: a figure named only by a word that says money is there but not whose ("toegezegd",
  "budget", lexicon ``two_readings``) is read once more with that word giving no role; when the request
  changes, the question names both readings (``REGIODEAL_ABLATE=calc_two_readings``);
- an unnamed figure: the only figure of a question that asks what the Rijk may give, or what is left of the
  tranche, got its role only because the operation left it (no word says whose money it is); the co-financing
  and the deal's total give different answers (``REGIODEAL_ABLATE=calc_unnamed_figure``). The same for what the
  region must put in itself ("Het gaat om 14 miljoen. Hoeveel cofinanciering is nodig?": the Rijk's
  contribution or the total; ``REGIODEAL_ABLATE=calc_unnamed_cofinancing``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import ClassVar

from rag.calculator.lexicon import alternative_reading, match_phrases, two_readings
from rag.calculator.reading import PLAN_ROLES, Reading, read
from rag.calculator.request import CalcRequest
from rag.calculator.rules import CalcInputError
from rag.calculator.slots import is_firm
from rag.config import ablated, get_settings
from rag.money import MILLION, format_eur


def eur(value: Decimal, lang: str) -> str:
    """A figure in € million as the user reads it ("€ 12,5 miljoen")."""
    return format_eur(value * MILLION, lang)


# What a role is, in the words of a clarifying question.
ROLE_NAMES: dict[str, dict[str, str]] = {
    "rijk": {"nl": "wat u aan het Rijk vraagt (de bijdrage uit de Regio Envelop)", "en": "what you ask of the Rijk (the Regio Envelop contribution)"},
    "cofinancing": {"nl": "wat de regio zelf inlegt (cofinanciering)", "en": "what the region puts in itself (co-financing)"},
    "total": {"nl": "het totale budget van de deal", "en": "the deal's total budget"},
    "tranche": {"nl": "de omvang van de tranche", "en": "the size of the tranche"},
    "envelope": {"nl": "de omvang van de Regio Envelop", "en": "the size of the Regio Envelop"},
}


class Clarify(CalcInputError):
    """The figures are there but their roles are not clear: ask one short question."""

    _messages: ClassVar[dict[str, dict[str, str]]] = {
        "clarify": {
            "nl": "Is {text} wat de regio zelf inlegt (cofinanciering), of wat u aan het Rijk vraagt?",
            "en": "Is {text_en} what the region puts in itself (co-financing), or what you ask of the Rijk?",
        },
        "clarify_range": {
            "nl": "Met welk bedrag moet ik rekenen: ‘{text}’ noemt twee getallen. Noem één bedrag, bijvoorbeeld ‘€ 40 miljoen’.",
            "en": "Which amount should I calculate with? ‘{text}’ names two figures. Give one amount, for example ‘€40 million’.",
        },
        "clarify_two": {
            "nl": "Is {text} {a}, of {b}?",
            "en": "Is {text_en} {a_en}, or {b_en}?",
        },
        "clarify_role": {
            "nl": "Waar staat {text} voor: de rijksbijdrage, de cofinanciering of het totale budget?",
            "en": "What does {text_en} stand for: the Rijk contribution, the co-financing or the total budget?",
        },
    }

    @classmethod
    def between(cls, value: Decimal, role: str, other: str) -> Clarify:
        """"Is € 16 miljoen wat u aan het Rijk vraagt, of wat de regio zelf inlegt?": the figure's two readings
        (a role without a name asks what the figure stands for)."""
        if role not in ROLE_NAMES or other not in ROLE_NAMES:
            return cls("clarify_role", eur(value, "nl"), text_en=eur(value, "en"))
        return cls("clarify_two", eur(value, "nl"), text_en=eur(value, "en"), a=ROLE_NAMES[role]["nl"],
                   b=ROLE_NAMES[other]["nl"], a_en=ROLE_NAMES[role]["en"], b_en=ROLE_NAMES[other]["en"])


Parse = Callable[[str, str, None], CalcRequest | None]

# Operations on one deal's plan: the ones a figure's role changes (a tranche or a share names its whole).
_PLAN_OPERATIONS = ("plan_check", "max_rijk", "min_cofinancing", "min_total", "tranche_remainder", "what_if", "per_year")
# Operations that read one stated figure as one of two plan roles: what the Rijk may give (the figure is the
# co-financing or the total), what is left of the tranche (one deal's contribution, or its total?).
_ONE_FIGURE_ASKS = ("max_rijk", "tranche_remainder")
# ... and what the region must put in itself: the figure is the Rijk's contribution or the deal's total
_UNNAMED_COFINANCING = "min_cofinancing"


def ask_whose_money(req: CalcRequest, text: str, lang: str, parse: Parse) -> None:
    """Raise ``Clarify`` when a figure of ``req`` (parsed from ``text`` by ``parse``) may as well be another
    role's money and the answer would change; return quietly otherwise."""
    settings = get_settings()
    r = read(text, lang)
    if req.operation in _PLAN_OPERATIONS and not ablated(settings, "calc_two_readings"):
        _ask_between_readings(req, r, text, lang, parse)
    asks = _ONE_FIGURE_ASKS + (() if ablated(settings, "calc_unnamed_cofinancing") else (_UNNAMED_COFINANCING,))
    if req.operation in asks and not ablated(settings, "calc_unnamed_figure"):
        _ask_unnamed_figure(req, r)


def _ask_between_readings(req: CalcRequest, r: Reading, text: str, lang: str, parse: Parse) -> None:
    """A figure named only by a word with two readings ("Er is 16 mln toegezegd": by the Rijk or by the
    partners?): read once more with those words giving no role. When the question's other words then settle
    nothing, or settle it otherwise, ask which is meant. A question with another cue that settles the role
    ("onze totale begroting") reads the same both ways."""
    found = match_phrases(r.items, two_readings())
    if not found:
        return
    meant = {two_readings()[p] for _a, _b, p in found}
    asked = {k: v for k, v in req.roles.items() if req.sources.get(k) == "question"}
    with alternative_reading():
        try:
            other = parse(text, lang, None)
        except Clarify:
            other = None
        except CalcInputError:
            return
    if other is not None and (other.operation, other.roles, other.replace) == (req.operation, req.roles, req.replace):
        return
    other_role = {v: k for k, v in other.roles.items() if other.sources.get(k) == "question"} if other is not None else {}
    for role, value in asked.items():
        alt = other_role.get(value) or next((b for a, b in meant if a == role), None)
        if alt is not None and alt != role:
            raise Clarify.between(value, role, alt)


def _ask_unnamed_figure(req: CalcRequest, r: Reading) -> None:
    """The question's only figure has no word that says whose money it is ("Met 60 miljoen, hoeveel kan er
    uit de Regio Envelop komen?"): the operation gave it the role that was left. Two readings give two answers
    (the co-financing or the deal's total; for the least co-financing, the Rijk's contribution or the total), so
    ask which it is."""
    asked = [k for k, src in req.sources.items() if src == "question" and k in PLAN_ROLES]
    if len(r.amounts) != 1 or len(asked) != 1 or is_firm(r.amounts[0]):
        return
    value = r.amounts[0].value
    if req.operation == "max_rijk" and asked[0] in ("cofinancing", "total"):
        raise Clarify.between(value, asked[0], "total" if asked[0] == "cofinancing" else "cofinancing")
    if req.operation == _UNNAMED_COFINANCING and asked[0] in ("rijk", "total"):
        raise Clarify.between(value, asked[0], "total" if asked[0] == "rijk" else "rijk")
    raise Clarify("clarify_role", eur(value, "nl"), text_en=eur(value, "en"))
