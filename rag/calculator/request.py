"""The typed request a money question becomes: one operation from a fixed set and the figures by role.

Amounts are in € million (``Decimal``), as in the question sets (see ``eval/calc/``). A figure the
question states is kept as stated; a rule's figure only fills a role the question names without a
figure ("de tranche" → € 200 miljoen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Operation = Literal[
    "plan_check",
    "max_rijk",
    "min_cofinancing",
    "min_total",
    "deals_per_tranche",
    "tranche_remainder",
    "share",
    "per_year",
    "what_if",
    "difference",
    "rules",
]
OPERATIONS: tuple[str, ...] = Operation.__args__  # type: ignore[attr-defined]
Role = Literal["rijk", "cofinancing", "total", "tranche", "envelope", "per_year", "count", "before", "after"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class CalcRequest:
    """A money question as the calculator reads it.

    ``roles`` hold the figures by role (€ million); ``replace`` the figure a what-if puts in place of one
    of them; ``years`` the number of years of a per-year question; ``asks`` the extra figures asked for
    (``extra_deals_at_max`` / ``extra_deals_at_min`` of a tranche remainder; ``share_of_total`` / ``share_of_tranche`` /
    ``share_of_envelope`` of a maximum: "... and what share of the tranche is that?"). ``sources`` says where each
    role's figure came from: 'question', 'history', 'rule' (a rule named: "het maximumbedrag") or
    'document' (a figure of the documents the question names: "de tranche", "het Drentse voorstel").
    """

    operation: Operation
    roles: dict[str, Decimal] = field(default_factory=dict)
    years: int | None = None
    replace: dict[str, Decimal] | None = None
    asks: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    question: str = ""
    lang: str = "nl"

    def to_schema(self) -> dict[str, Any]:
        """The request as the question sets write it: operation, roles, years, replace."""
        return {
            "operation": self.operation,
            "roles": {k: _num(v) for k, v in self.roles.items()},
            "years": self.years,
            "replace": {k: _num(v) for k, v in self.replace.items()} if self.replace else None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The tool-call input of the ``ask --json`` contract."""
        return {**self.to_schema(), "asks": list(self.asks), "sources": dict(self.sources)}


@dataclass(frozen=True)
class Clarification:
    """The question's figures have no clear role: ask one short question instead of guessing."""

    amount_eur_m: Decimal
    lang: str = "nl"
