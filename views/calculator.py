"""Calculator page: check a co-financing plan against the Kamerbrief's rules, with working and citations,
and a what-if block (two amounts, a live verdict and a chart of the allowed region)."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

import streamlit as st

from views.common import PAGE_FILES, get_store, lang, load_settings, verdict_banner
from views.render import escape_markdown
from views.support import CalcFieldError, rule_cards, run_calculator
from views.text import t

log = logging.getLogger("regiodeal.app.calculator")

settings = load_settings()
lg = lang()

st.title(t("calc_title", lg))
st.markdown(t("calc_intro", lg))

try:
    from rag.calculator.plans import check_plan
    from rag.calculator.rules import INTERPRETATION
    from rag.money import MILLION, UserInputError, format_eur
    from views.calc_chart import allowed_region_chart
except ImportError:
    st.info(t("calc_unavailable", lg))
    st.stop()

FIELD_LABELS = {"requested": "calc_requested", "cofinancing": "calc_regional", "total": "calc_total"}
CHECK_LABELS = {
    "nl": {"min_rijk": "Minimaal € 5 miljoen per Regio Deal", "max_rijk": "Maximaal € 40 miljoen per Regio Deal",
           "max_share": "Maximaal 50% uit de Regio Envelop (niet meer dan de cofinanciering)",
           "fits_tranche": "Past in de tranche"},
    "en": {"min_rijk": "At least € 5 million per Regio Deal", "max_rijk": "At most € 40 million per Regio Deal",
           "max_share": "At most 50% from the Regio Envelop (no more than the co-financing)",
           "fits_tranche": "Fits in the tranche"},
}


def _card_verdict(result: Any) -> str:
    """The result's verdict in one sentence (the calculator's card); the page shows the rest itself."""
    try:
        from rag.calculator.explain import card

        return card(result, lg).verdict
    except Exception:  # the card is a presentation; the check itself stands
        log.exception("calculator card failed")
        return str(result.explain(lg)).split("\n\n")[0]


with st.form("calculator"):
    requested = st.text_input(t("calc_requested", lg), placeholder="€ 40 miljoen" if lg == "nl" else "€40 million",
                              key="calc_requested")
    regional = st.text_input(t("calc_regional", lg), placeholder="€ 45 mln" if lg == "nl" else "€45M",
                             key="calc_regional")
    total = st.text_input(t("calc_total", lg), placeholder="€ 85 miljoen" if lg == "nl" else "€85 million",
                          key="calc_total")
    submitted = st.form_submit_button(t("calc_submit", lg), type="primary", icon=":material/calculate:")

if submitted or st.session_state.get("calc_done"):
    st.session_state["calc_done"] = True
    try:
        result: Any = run_calculator(requested, regional, total, lg)
    except CalcFieldError as exc:
        st.error(f"**{t(FIELD_LABELS[exc.field], lg)}:** {escape_markdown(exc.text)}", icon=":material/error:")
        st.stop()
    except UserInputError as exc:
        st.error(escape_markdown(exc.message(lg)), icon=":material/error:")
        st.stop()
    except Exception:
        log.exception("calculator failed")
        st.error(t("error_generic", lg), icon=":material/error:")
        st.stop()

    if result.amounts.get("rijk_request") is not None and result.amounts.get("regional_cofinancing") is not None and submitted:
        st.session_state["whatif_rijk"] = float(result.amounts["rijk_request"] / MILLION)
        st.session_state["whatif_cof"] = float(result.amounts["regional_cofinancing"] / MILLION)

    st.subheader(t("calc_result", lg))
    explanation = escape_markdown(_card_verdict(result))  # the figures, rules and working follow below
    if result.allowed is True:
        st.success(explanation, icon=":material/check_circle:")
    elif result.allowed is False:
        st.error(explanation, icon=":material/cancel:")
    else:
        st.info(explanation, icon=":material/info:")

    amounts = result.amounts
    shown = [(k, v) for k, v in (
        ("rijk_request", amounts.get("rijk_request")),
        ("regional_cofinancing", amounts.get("regional_cofinancing")),
        ("total_budget", amounts.get("total_budget")),
        ("max_rijk", amounts.get("max_rijk")),
    ) if v is not None]
    metric_labels = {
        "nl": {"rijk_request": "Gevraagd", "regional_cofinancing": "Cofinanciering", "total_budget": "Totaal",
               "max_rijk": "Maximale rijksbijdrage"},
        "en": {"rijk_request": "Requested", "regional_cofinancing": "Co-financing", "total_budget": "Total",
               "max_rijk": "Maximum contribution"},
    }[lg]
    if shown:
        for col, (key, value) in zip(st.columns(len(shown)), shown, strict=True):
            col.metric(metric_labels[key], format_eur(value, lg, short=True))

    if result.checks:
        st.markdown(f"**{t('calc_rules', lg)}**")
        for check in result.checks:
            icon = ":green[:material/check_circle:]" if check.passed else ":red[:material/cancel:]"
            status = t("calc_passed", lg) if check.passed else t("calc_failed", lg)
            label = CHECK_LABELS[lg].get(check.check, check.check)
            st.markdown(f"{icon} {escape_markdown(label)} — **{status}** "
                        f"({escape_markdown(format_eur(check.value, lg, short=True))})")

    working = result.working(lg)
    if working:
        st.markdown(f"**{t('calc_working', lg)}**")
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in working))
    if result.uses_interpretation:
        st.caption(escape_markdown(INTERPRETATION[lg]))

    st.markdown(f"**{t('calc_citations', lg)}**")
    try:
        store = get_store(settings)
        titles = {d.doc_id: d.title for d in store.documents()}

        def _text(doc_id: str) -> str | None:
            return store.document(doc_id).text
    except Exception:
        log.warning("index not available for rule citations", exc_info=True)
        titles, _text = {}, None  # type: ignore[assignment]
    for card in rule_cards(result.citations, _text):
        card.title = titles.get(card.doc_id, card.title)
        with st.container(border=True):
            st.markdown(card.heading(lg))
            st.markdown(card.markdown())
            if card.start >= 0:
                st.page_link(PAGE_FILES["documents"], label=t("open_in_document", lg), icon=":material/open_in_new:",
                             query_params={**card.link_params(), "lang": lg})


def _verdict(rijk_eur_m: float, cof_eur_m: float) -> tuple[str, bool | None]:
    """The plan's verdict in one sentence (the calculator's own card), and whether it is allowed."""
    try:
        plan = check_plan(Decimal(str(rijk_eur_m)), Decimal(str(cof_eur_m)))
    except (UserInputError, InvalidOperation) as exc:
        return (exc.message(lg) if isinstance(exc, UserInputError) else str(exc)), None
    return _card_verdict(plan), plan.allowed


st.divider()
st.subheader(t("calc_whatif_title", lg))
st.caption(t("calc_whatif_intro", lg))
st.session_state.setdefault("whatif_rijk", 40.0)
st.session_state.setdefault("whatif_cof", 80.0)
left, right = st.columns(2)
with left:
    whatif_rijk = st.number_input(t("calc_whatif_rijk", lg), min_value=0.0, max_value=1000.0, step=1.0, key="whatif_rijk")
with right:
    whatif_cof = st.number_input(t("calc_whatif_cof", lg), min_value=0.0, max_value=100000.0, step=1.0, key="whatif_cof")
verdict, ok = _verdict(whatif_rijk, whatif_cof)
verdict_banner(escape_markdown(verdict), ok)
st.altair_chart(allowed_region_chart(whatif_rijk, whatif_cof, lg), width="stretch")
st.caption(t("calc_chart_caption", lg))
