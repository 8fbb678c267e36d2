"""The app's interface texts in Dutch and English, kept out of the Streamlit files.

One table per language keeps the two versions side by side for reviewers, and lets a test check that
no key is missing in either language (a missing key would show a raw key to a council member).
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
LANG_LABELS: dict[str, str] = {"nl": "Nederlands", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "app_title": "Regio Deal Assistent",
        "app_tagline": "Vragen over de Regio Deal Zuid- en Oost-Drenthe, beantwoord uit drie officiële documenten.",
        "nav_chat": "Chat",
        "nav_documents": "Documenten",
        "nav_calculator": "Cofinanciering",
        "nav_about": "Over",
        "language": "Taal",
        "new_chat": "Nieuw gesprek",
        "export": "Gesprek exporteren (.md)",
        "export_nothing": "Nog geen gesprek om te exporteren.",
        "sidebar_note": "Antwoorden komen alleen uit de documenten en tonen altijd hun bron.",
        "chat_placeholder": "Stel een vraag over de Regio Deal…",
        "empty_intro": (
            "Stel een vraag in gewone taal. De assistent zoekt het antwoord in de aanbiedingsbrief van "
            "Gedeputeerde Staten (5 september 2018), de two-pager *Op weg naar een sterke regio Zuid- en "
            "Oost-Drenthe* en de Kamerbrief over de aanpak van Regio Deals. Elk antwoord verwijst met [n] naar "
            "de letterlijke passage; staat het antwoord niet in de documenten, dan zegt de assistent dat."
        ),
        "starters_title": "Probeer bijvoorbeeld",
        "audience_council": "Voor raads- en Statenleden",
        "audience_official": "Voor ambtenaren",
        "audience_citizen": "Voor inwoners",
        "thinking": "Zoeken in de documenten…",
        "sources": "Bronnen",
        "source_page": "p.",
        "source_upload": "geüpload document, geen officiële bron",
        "open_in_document": "Bekijk in het document",
        "engine": "Beantwoord door",
        "engine_extractive": "letterlijke passages (extractief)",
        "standalone": "Gelezen als",
        "banner_refused": "De documenten geven hierop geen antwoord; de assistent verzint niets.",
        "banner_fallback": "Het taalmodel was niet beschikbaar; dit antwoord bestaat uit letterlijke passages.",
        "banner_notice": "Let op",
        "too_long": "Uw vraag is te lang ({n} tekens; maximaal {max}). Maak de vraag korter en probeer het opnieuw.",
        "error_generic": "Er ging iets mis bij het beantwoorden. Probeer het opnieuw; details staan in het logboek.",
        "index_missing_title": "De index is nog niet gebouwd",
        "index_missing_body": (
            "De assistent heeft een index van de documenten nodig. Bouw die eenmalig met `make index` "
            "(of `.venv/bin/python -m ingest build`) en herlaad daarna deze pagina."
        ),
        "feedback_prompt": "Was dit antwoord nuttig?",
        "feedback_comment": "Toelichting (optioneel)",
        "feedback_send": "Verstuur toelichting",
        "feedback_thanks": "Dank u wel voor uw feedback.",
        "feedback_error": "Uw feedback kon niet worden opgeslagen.",
        "calc_title": "Cofinanciering berekenen",
        "calc_intro": (
            "Controleer een financieringsplan tegen de regels van de Kamerbrief: de bijdrage uit de Regio "
            "Envelop is maximaal 50% en ligt tussen € 5 miljoen en € 40 miljoen per Regio Deal. Bedragen "
            "mogen als '€ 2,5 miljoen', '40 mln' of '€40M'."
        ),
        "calc_requested": "Gevraagde bijdrage uit de Regio Envelop",
        "calc_regional": "Cofinanciering door de regio",
        "calc_total": "Totale omvang van het plan (optioneel)",
        "calc_submit": "Controleer plan",
        "calc_result": "Uitkomst",
        "calc_working": "Berekening",
        "calc_rules": "Regels",
        "calc_passed": "voldaan",
        "calc_failed": "niet voldaan",
        "calc_citations": "Bronnen van de regels",
        "calc_unavailable": "De rekenmodule is nog niet beschikbaar in deze installatie.",
        "calc_need_amount": "Vul ten minste de gevraagde bijdrage of de cofinanciering in.",
        "calc_max_title": "Hulpmiddelen",
        "calc_whatif_title": "Wat als?",
        "calc_whatif_intro": "Verschuif de bedragen: het oordeel en de grafiek volgen direct.",
        "calc_whatif_rijk": "Rijksbijdrage (€ miljoen)",
        "calc_whatif_cof": "Cofinanciering (€ miljoen)",
        "calc_chart_caption": (
            "Groen vlak: toegestaan. Stippellijn: rijksbijdrage gelijk aan de cofinanciering (50% van het "
            "totaal). Rode lijnen: minimaal € 5 en maximaal € 40 miljoen per Regio Deal. Ruit: uw plan."
        ),
        "docs_title": "Documenten",
        "docs_intro": "De documenten waaruit de assistent antwoordt. Kies een document om het te lezen.",
        "docs_choose": "Document",
        "docs_cited": "Geciteerde passage",
        "docs_jump": "Spring naar de passage in het document",
        "docs_bad_link": "Deze link verwijst naar een passage die niet (meer) in het document staat.",
        "docs_unknown": "Dit document bestaat niet (meer) in de index.",
        "docs_page": "pagina",
        "docs_pages": "pagina's",
        "docs_meta_date": "Datum",
        "docs_meta_sender": "Afzender",
        "docs_meta_addressee": "Geadresseerde",
        "docs_meta_reference": "Kenmerk",
        "docs_upload_title": "Eigen document toevoegen",
        "docs_upload_help": "PDF of Markdown, maximaal {mb} MB. Het document wordt aan de index toegevoegd.",
        "docs_upload_button": "Toevoegen aan de index",
        "docs_indexing": "Document indexeren…",
        "docs_indexed": "Toegevoegd: {name} ({chunks} passage(s) in de index).",
        "docs_upload_failed": "Niet toegevoegd: {name}. {reason}",
        "docs_remove_title": "Toegevoegde documenten",
        "docs_remove_none": "U heeft nog geen eigen documenten toegevoegd.",
        "docs_remove": "Verwijderen",
        "docs_removed": "Verwijderd: {name}.",
        "docs_upload_unavailable": "Uploaden is in deze installatie niet beschikbaar.",
        "docs_mode_private": (
            "Eigen documenten zijn privé: alleen u ziet ze in dit browservenster, de assistent gebruikt ze "
            "alleen voor uw vragen, en ze worden na {hours:g} uur of bij het sluiten van de sessie vergeten."
        ),
        "docs_mode_shared": (
            "Gedeelde bibliotheek: een document dat u toevoegt, is voor alle gebruikers zichtbaar en bruikbaar. "
            "Alleen een beheerder met het beheerderstoken kan documenten toevoegen of verwijderen."
        ),
        "docs_mode_off": "Uploaden van eigen documenten staat in deze installatie uit.",
        "docs_admin_token": "Beheerderstoken",
        "docs_admin_needed": "Voer het beheerderstoken in om de gedeelde bibliotheek te wijzigen.",
        "docs_admin_wrong": "Dit beheerderstoken klopt niet.",
        "docs_upload_help_private": "PDF, Markdown of tekst, maximaal {mb} MB. Alleen voor deze sessie.",
        "docs_upload_button_private": "Toevoegen aan mijn documenten",
        "docs_progress": "Document verwerken: {done} van {total} passages…",
        "docs_busy": "Er wordt al een document verwerkt; wacht tot het klaar is.",
        "docs_own_label": "eigen document",
        "index_unreachable": "De zoekindex is niet bereikbaar",
        "err_too_big": "Het bestand is {size:.1f} MB; het maximum is {max} MB.",
        "err_bad_type": "Alleen PDF- en Markdown-bestanden (.pdf, .md) worden ondersteund.",
        "err_empty": "Het bestand is leeg.",
        "err_not_pdf": "Dit bestand is geen geldige PDF.",
        "err_not_text": "Dit Markdown-bestand is geen leesbare UTF-8-tekst.",
        "about_title": "Over de assistent",
        "about_can": "Wat de assistent kan",
        "about_can_body": (
            "- vragen beantwoorden, in het Nederlands of Engels, uit de drie documenten hieronder;\n"
            "- bij elk antwoord de letterlijke passage tonen waar het op steunt, met pagina en paragraaf;\n"
            "- vervolgvragen begrijpen ('en hoeveel is dat per jaar?');\n"
            "- een financieringsplan toetsen aan de cofinancieringsregels van de Kamerbrief."
        ),
        "about_cannot": "Wat de assistent niet kan",
        "about_cannot_body": (
            "- vragen beantwoorden waar de documenten niets over zeggen: dan zegt de assistent dat eerlijk;\n"
            "- actuele informatie geven (na september 2018), of standpunten en adviezen;\n"
            "- juridisch of financieel advies vervangen: controleer belangrijke besluiten altijd in de bron."
        ),
        "about_docs": "Herkomst van de documenten",
        "about_status": "Status van de assistent",
        "about_engine": "Antwoordmodel",
        "about_embedding": "Embeddingmodel",
        "about_chunks": "Passages in de index",
        "about_built": "Index gebouwd",
        "about_age": "Leeftijd van de index",
        "about_version": "Versie",
        "about_documents": "Documenten in de index",
        "about_privacy": (
            "Alles draait op deze computer: vragen en feedback verlaten het apparaat niet. Feedback wordt "
            "lokaal bewaard om de assistent te verbeteren."
        ),
        "unknown": "onbekend",
        "role_user": "Vraag",
        "role_assistant": "Antwoord",
        "export_title": "Gesprek met de Regio Deal Assistent",
        "export_date": "Geëxporteerd op",
        "export_no_sources": "Geen bronnen.",
    },
    "en": {
        "app_title": "Regio Deal Assistant",
        "app_tagline": "Questions about the Regio Deal Zuid- en Oost-Drenthe, answered from three official documents.",
        "nav_chat": "Chat",
        "nav_documents": "Documents",
        "nav_calculator": "Co-financing",
        "nav_about": "About",
        "language": "Language",
        "new_chat": "New conversation",
        "export": "Export conversation (.md)",
        "export_nothing": "No conversation to export yet.",
        "sidebar_note": "Answers come only from the documents and always show their source.",
        "chat_placeholder": "Ask a question about the Regio Deal…",
        "empty_intro": (
            "Ask a question in plain language. The assistant looks for the answer in the cover letter of the "
            "Provincial Executive (5 September 2018), the two-pager *Op weg naar een sterke regio Zuid- en "
            "Oost-Drenthe* and the Minister's letter to Parliament on the Regio Deals. Every answer points with "
            "[n] to the verbatim passage; when the documents do not answer, the assistant says so."
        ),
        "starters_title": "For example",
        "audience_council": "For council members",
        "audience_official": "For officials",
        "audience_citizen": "For residents",
        "thinking": "Searching the documents…",
        "sources": "Sources",
        "source_page": "p.",
        "source_upload": "uploaded document, not an official source",
        "open_in_document": "Open in document",
        "engine": "Answered by",
        "engine_extractive": "verbatim passages (extractive)",
        "standalone": "Read as",
        "banner_refused": "The documents do not answer this; the assistant does not make things up.",
        "banner_fallback": "The language model was unavailable; this answer consists of verbatim passages.",
        "banner_notice": "Note",
        "too_long": "Your question is too long ({n} characters; at most {max}). Please shorten it and try again.",
        "error_generic": "Something went wrong while answering. Please try again; details are in the log.",
        "index_missing_title": "The index has not been built yet",
        "index_missing_body": (
            "The assistant needs an index of the documents. Build it once with `make index` "
            "(or `.venv/bin/python -m ingest build`) and reload this page."
        ),
        "feedback_prompt": "Was this answer useful?",
        "feedback_comment": "Comment (optional)",
        "feedback_send": "Send comment",
        "feedback_thanks": "Thank you for your feedback.",
        "feedback_error": "Your feedback could not be saved.",
        "calc_title": "Co-financing check",
        "calc_intro": (
            "Check a financing plan against the rules of the Minister's letter: the Regio Envelop contributes "
            "at most 50%, between € 5 million and € 40 million per Regio Deal. Amounts may be written as "
            "'€ 2.5 million', '40 mln' or '€40M'."
        ),
        "calc_requested": "Requested contribution from the Regio Envelop",
        "calc_regional": "Co-financing by the region",
        "calc_total": "Total size of the plan (optional)",
        "calc_submit": "Check plan",
        "calc_result": "Result",
        "calc_working": "Working",
        "calc_rules": "Rules",
        "calc_passed": "met",
        "calc_failed": "not met",
        "calc_citations": "Sources of the rules",
        "calc_unavailable": "The calculator is not available in this installation yet.",
        "calc_need_amount": "Enter at least the requested contribution or the co-financing.",
        "calc_max_title": "Tools",
        "calc_whatif_title": "What if?",
        "calc_whatif_intro": "Change the amounts: the verdict and the chart follow at once.",
        "calc_whatif_rijk": "Rijk contribution (€ million)",
        "calc_whatif_cof": "Co-financing (€ million)",
        "calc_chart_caption": (
            "Green area: allowed. Dashed line: Rijk contribution equal to the co-financing (50% of the total). "
            "Red lines: at least € 5 and at most € 40 million per Regio Deal. Diamond: your plan."
        ),
        "docs_title": "Documents",
        "docs_intro": "The documents the assistant answers from. Choose a document to read it.",
        "docs_choose": "Document",
        "docs_cited": "Cited passage",
        "docs_jump": "Jump to the passage in the document",
        "docs_bad_link": "This link points to a passage that is not (or no longer) in the document.",
        "docs_unknown": "This document does not exist (any more) in the index.",
        "docs_page": "page",
        "docs_pages": "pages",
        "docs_meta_date": "Date",
        "docs_meta_sender": "Sender",
        "docs_meta_addressee": "Addressee",
        "docs_meta_reference": "Reference",
        "docs_upload_title": "Add your own document",
        "docs_upload_help": "PDF or Markdown, at most {mb} MB. The document is added to the index.",
        "docs_upload_button": "Add to the index",
        "docs_indexing": "Indexing document…",
        "docs_indexed": "Added: {name} ({chunks} passage(s) in the index).",
        "docs_upload_failed": "Not added: {name}. {reason}",
        "docs_remove_title": "Added documents",
        "docs_remove_none": "You have not added any documents yet.",
        "docs_remove": "Remove",
        "docs_removed": "Removed: {name}.",
        "docs_upload_unavailable": "Uploading is not available in this installation.",
        "docs_mode_private": (
            "Your own documents are private: only you see them in this browser window, the assistant uses them "
            "only for your questions, and they are forgotten after {hours:g} hours or when the session ends."
        ),
        "docs_mode_shared": (
            "Shared library: a document you add is visible and used for every user. Only an administrator "
            "with the admin token can add or remove documents."
        ),
        "docs_mode_off": "Uploading your own documents is switched off in this installation.",
        "docs_admin_token": "Admin token",
        "docs_admin_needed": "Enter the admin token to change the shared library.",
        "docs_admin_wrong": "This admin token is not correct.",
        "docs_upload_help_private": "PDF, Markdown or text, at most {mb} MB. For this session only.",
        "docs_upload_button_private": "Add to my documents",
        "docs_progress": "Processing the document: {done} of {total} passages…",
        "docs_busy": "A document is already being processed; wait until it is done.",
        "docs_own_label": "own document",
        "index_unreachable": "The search index is not reachable",
        "err_too_big": "The file is {size:.1f} MB; the limit is {max} MB.",
        "err_bad_type": "Only PDF and Markdown files (.pdf, .md) are supported.",
        "err_empty": "The file is empty.",
        "err_not_pdf": "This file is not a valid PDF.",
        "err_not_text": "This Markdown file is not readable UTF-8 text.",
        "about_title": "About the assistant",
        "about_can": "What the assistant can do",
        "about_can_body": (
            "- answer questions, in Dutch or English, from the three documents below;\n"
            "- show with every answer the verbatim passage it rests on, with page and section;\n"
            "- understand follow-up questions ('and how much is that per year?');\n"
            "- check a financing plan against the co-financing rules of the Minister's letter."
        ),
        "about_cannot": "What the assistant cannot do",
        "about_cannot_body": (
            "- answer questions the documents say nothing about: it then says so honestly;\n"
            "- give current information (after September 2018), opinions or advice;\n"
            "- replace legal or financial advice: always check important decisions in the source."
        ),
        "about_docs": "Provenance of the documents",
        "about_status": "Assistant status",
        "about_engine": "Answer engine",
        "about_embedding": "Embedding model",
        "about_chunks": "Passages in the index",
        "about_built": "Index built",
        "about_age": "Index age",
        "about_version": "Version",
        "about_documents": "Documents in the index",
        "about_privacy": (
            "Everything runs on this computer: questions and feedback do not leave the machine. Feedback is "
            "kept locally to improve the assistant."
        ),
        "unknown": "unknown",
        "role_user": "Question",
        "role_assistant": "Answer",
        "export_title": "Conversation with the Regio Deal Assistant",
        "export_date": "Exported on",
        "export_no_sources": "No sources.",
    },
}


def t(key: str, lang: str = "nl", **fmt: object) -> str:
    """The interface text ``key`` in ``lang`` (Dutch when unknown), formatted with ``fmt``."""
    table = TEXTS.get(lang, TEXTS["nl"])
    text = table.get(key) or TEXTS["nl"].get(key) or key
    return text.format(**fmt) if fmt else text
