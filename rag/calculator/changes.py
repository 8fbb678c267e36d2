"""What-if figures said as changes, not as new values: "10 miljoen lager", "€5m more", "goes up by 5 million",
"met 10 miljoen daalt" change the figure they replace by that much (the words are data: lexicon ``relative_*``,
``delta_*``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.calculator.lexicon import Item, phrase_set
from rag.config import ablated, get_settings

if TYPE_CHECKING:
    from rag.calculator.reading import Reading


def relative_changes(r: Reading) -> None:
    """"Stel dat de cofinanciering 10 miljoen lager uitvalt", "the Rijk gives €5m more", "what if our share goes up
    by 5 million", "als onze inbreng met 10 miljoen daalt": a what-if figure said to be a change (a word of more or
    less after it; a change "by" before it; "met" before it and a verb of rising or falling after it) changes the
    figure it replaces by that much (``REGIODEAL_ABLATE=calc_delta`` leaves the last two as new values)."""
    more, less = phrase_set("cues", "relative_more"), phrase_set("cues", "relative_less")
    delta = not ablated(get_settings(), "calc_delta")
    for am in r.amounts:
        if not am.new or am.partner is None:
            continue
        after = [it.text for it in r.items[am.item + 1 : am.item + 4] if it.kind == "word"]
        sign = 0
        if after and not (len(after) > 1 and after[1] in ("dan", "than")):
            sign = 1 if (after[0],) in more else -1 if (after[0],) in less else 0
        if not sign and delta:
            sign = delta_sign(r.items, am.item)
        if sign and (changed := am.partner.value + sign * am.value) > 0:
            am.value = changed


def delta_sign(items: list[Item], at: int) -> int:
    """+1 or -1 when the amount at ``at`` is a change by that much ("up by", "met ... daalt"), else 0."""
    words: list[str] = []  # the words right before the amount, at most three
    i = at - 1
    while i >= 0 and items[i].kind == "word" and len(words) < 3:
        words.insert(0, items[i].text)
        i -= 1
    before = tuple(words)
    for sign, key in ((1, "delta_more_before"), (-1, "delta_less_before")):
        if any(before[i:] in phrase_set("cues", key) for i in range(len(before))):
            return sign
    if before[-1:] == ("met",):
        after = [it.text for it in items[at + 1 : at + 4] if it.kind == "word"]
        for sign, key in ((1, "delta_more_after_met"), (-1, "delta_less_after_met")):
            if any((w,) in phrase_set("cues", key) for w in after):
                return sign
    return 0
