"""The Kamerbrief's money rules, each beside the verbatim passage it comes from.

Every rule value lives once, here, in a ``Rule`` next to its quote (the objects double as citations:
``doc_id`` + ``quote``; the answering layer resolves offsets and pages from the index).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from rag.money import MILLION, UserInputError


@dataclass(frozen=True)
class Rule:
    """One rule of the Kamerbrief: its value and the verbatim passage (a citation: doc_id + quote).

    ``page`` follows the seed's page breaks and may be corrected by the answering layer, which
    resolves the quote's exact position (and page) from the indexed document.
    """

    key: str
    value: Decimal | None
    quote: str
    section: str
    page: int | None
    doc_id: str = "kamerbrief"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.key, "doc_id": self.doc_id, "quote": self.quote, "section": self.section, "page": self.page}


_SECTION_FIN = "Financiële bijdrage en regionale verdeling"
_SECTION_COFIN = "Randvoorwaarden > 2. Cofinanciering"

MAX_SHARE = Rule(
    "max_share_rijk_of_total",
    Decimal("0.5"),
    "vanuit de Regio Envelop wordt maximaal 50% bijgedragen",
    _SECTION_COFIN,
    4,
)
_BANDWIDTH_QUOTE = (
    "De bijdrage uit de Regio Envelop zal een omvang hebben van minimaal € 5 miljoen en maximaal € 40 miljoen "
    "per Regio Deal."
)
MIN_RIJK = Rule("min_rijk", Decimal(5) * MILLION, _BANDWIDTH_QUOTE, _SECTION_FIN, 3)
MAX_RIJK = Rule("max_rijk", Decimal(40) * MILLION, _BANDWIDTH_QUOTE, _SECTION_FIN, 3)
TRANCHE = Rule(
    "tranche",
    Decimal(200) * MILLION,
    "De totale omvang van de bijdrage vanuit de Regio Envelop voor deze komende tranche bedraagt € 200 miljoen.",
    _SECTION_FIN,
    3,
)
ENVELOPE = Rule(
    "envelope",
    Decimal(950) * MILLION,
    "een budget ter beschikking van € 950 miljoen voor de jaren 2018 tot en met 2022",
    "",
    1,
)
ONE_OFF = Rule(
    "one_off",
    None,
    "Deze middelen zijn eenmalig. En de beschikbaarheid van structurele financiering dient dus geborgd te "
    "worden door de regio.",
    _SECTION_FIN,
    3,
)
NO_UPPER_BOUND = Rule(
    "no_upper_bound_total",
    None,
    "De totale financiële omvang van de Regio Deal, waar de bijdrage uit de Regio Envelop één van de elementen "
    "in is, kent dan ook geen bovengrens.",
    _SECTION_FIN,
    4,
)
RULES: dict[str, Rule] = {r.key: r for r in (MAX_SHARE, MIN_RIJK, MAX_RIJK, TRANCHE, ENVELOPE, ONE_OFF, NO_UPPER_BOUND)}

# The proposal's own money, as the cover letter and the two-pager state it: a question that claims
# otherwise ("Drenthe vraagt 80 miljoen aan het Rijk, waarom ...?") is corrected with these passages.
PROPOSAL_REQUEST = Rule(
    "proposal_request",
    Decimal(40) * MILLION,
    "Het Rijk wordt gevraagd om aanpassingen in wet- en regelgeving, kennisuitwisseling met de regio en een "
    "investering van 40 miljoen euro.",
    "",
    1,
    doc_id="letter",
)
PROPOSAL_INVESTMENT = Rule(
    "proposal_investment_min",
    Decimal(80) * MILLION,
    "In de komende vier jaar willen we minimaal € 80 miljoen investeren in de regio.",
    "Inzet en (co-)financiering",
    2,
    doc_id="twopager",
)
PROPOSAL_FACTS: dict[str, Rule] = {r.key: r for r in (PROPOSAL_REQUEST, PROPOSAL_INVESTMENT)}

# Co-financing and totals have no upper bound in the Kamerbrief; beyond this a figure is surely a typo.
SANITY_MAX_EUR = Decimal(100) * ENVELOPE.value  # type: ignore[operator]

INTERPRETATION = {
    "nl": "‘Maximaal 50%’ van het totale budget uit de Regio Envelop betekent: de rijksbijdrage mag niet hoger "
    "zijn dan de cofinanciering (al het andere geld in de deal).",
    "en": "‘At most 50%’ of the total budget from the Regio Envelop means: the Rijk contribution may not exceed "
    "the co-financing (all other money in the deal).",
}


class CalcInputError(UserInputError):
    """Calculator inputs that do not fit together or are missing; ``message(lang)`` explains which."""

    _messages: ClassVar[dict[str, dict[str, str]]] = {
        "invalid": {"nl": "Deze invoer kan ik niet gebruiken: {text}.", "en": "I cannot use this input: {text}."},
        "missing": {
            "nl": "Om te rekenen heb ik meer nodig: {text}.",
            "en": "To calculate I need more: {text}.",
        },
        "inconsistent": {
            "nl": "De bedragen kloppen niet met elkaar: {text}.",
            "en": "The amounts do not add up: {text}.",
        },
        "rule_mismatch": {
            "nl": "De regel ‘{text}’ wijkt af van de Kamerbrief ({rule}); ik reken alleen met de regels uit de Kamerbrief.",
            "en": "The rule ‘{text}’ differs from the Kamerbrief ({rule}); I only calculate with the Kamerbrief's rules.",
        },
        "too_many_deals": {
            "nl": "{text} past niet in de tranche van {limit}.",
            "en": "{text_en} does not fit in the tranche of {limit_en}.",
        },
        "deal_out_of_bounds": {
            "nl": "Een deal van {text} kan niet: de Kamerbrief staat per Regio Deal minimaal {limit} en maximaal {limit_max} toe.",
            "en": "A deal of {text_en} is not possible: the Kamerbrief allows at least {limit_en} and at most {limit_max_en} per Regio Deal.",
        },
        "bad_count": {
            "nl": "Het aantal ‘{text}’ moet een heel getal van 0 of meer zijn.",
            "en": "The number ‘{text}’ must be a whole number of 0 or more.",
        },
        "unclear_role": {
            "nl": "Ik weet niet waar {text} voor staat (rijksbijdrage, cofinanciering of totaal budget). "
            "Noem het erbij, bijvoorbeeld ‘de regio legt € 20 miljoen in’.",
            "en": "I do not know what {text_en} stands for (Rijk contribution, co-financing or total budget). "
            "Please say so, for example ‘the region puts in €20 million’.",
        },
    }


