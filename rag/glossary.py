"""A small curated glossary of this domain, used to expand the BM25 query.

BM25 only sees the Dutch stems of the documents, so a question that says "rondes" where the Kamerbrief
says "tranches", or an English question ("upcoming round", "co-financing", "signed") over Dutch text, gets
no lexical evidence at all; e5-small alone is too weak to carry such questions. The entries below are
written from knowledge of Dutch government / Regio Deal vocabulary (not from evaluation items): Dutch
synonym groups (each member expands to the others) and English terms with their Dutch renderings.
Expansion terms are added to the BM25 query with a lower weight than the user's own words, so they can
find a passage but not outvote the question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from rag.text import terms

# Dutch words that mean the same in this domain: every member expands to the others.
DUTCH_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("tranche", "ronde", "rondes", "tranches"),
    ("ondertekend", "getekend", "tekenen", "ondertekenen", "ondertekening", "gesloten", "sluiten"),
    ("cofinanciering", "medefinanciering", "co-financiering", "bijdrage", "meefinancieren"),
    ("geld", "middelen", "budget", "financiering", "bedrag"),
    ("eenmalig", "tijdelijk", "incidenteel"),
    ("structureel", "blijvend", "duurzaam", "borgen", "geborgd", "verankering", "verankeren"),
    ("banen", "arbeidsplaatsen", "werkgelegenheid"),
    ("werkloosheid", "werkzoekenden", "werklozen", "uitkering"),
    ("woningen", "huizen", "wonen", "woningvoorraad", "huisvesting"),
    ("zorg", "gezondheid", "welzijn", "gezondheidszorg"),
    ("dokter", "huisarts", "artsen", "medisch personeel"),
    ("inwoners", "bewoners", "bevolking", "burgers"),
    ("krimp", "bevolkingsdaling", "daalt", "ontgroening", "vergrijzing"),
    ("gemeente", "gemeenten", "gemeentes"),
    ("provincie", "provincies", "provinciale"),
    ("minister", "bewindspersoon", "bewindspersonen", "kabinet", "rijk"),
    ("rijk", "rijksoverheid", "kabinet"),
    ("voorstel", "voorstellen", "propositie", "proposities", "aanvraag", "inzending"),
    ("indienen", "ingediend", "inzenden", "aanvragen", "aanmelden"),
    ("voorwaarden", "randvoorwaarden", "eisen", "criteria"),
    ("besluit", "besluiten", "beslist", "selectie", "selecteren", "kiezen", "keuze"),
    ("looptijd", "periode", "duur", "jaren"),
    ("bereikbaarheid", "mobiliteit", "vervoer", "infrastructuur", "wegen"),
    ("energietransitie", "duurzame energie", "verduurzaming", "waterstof", "zonneparken"),
    ("onderwijs", "opleiding", "scholing", "leren"),
    ("bedrijven", "ondernemers", "ondernemen", "bedrijfsleven", "mkb"),
    ("toerisme", "recreatie", "vakantieparken", "toeristische"),
    ("grens", "grensregio", "duitsland", "grensoverschrijdend"),
    ("armoede", "schulden", "laagopgeleiden", "kwetsbaar"),
    ("samenwerking", "samenwerken", "partners", "partijen", "gezamenlijk"),
    ("brief", "kamerbrief", "aanbiedingsbrief"),
    ("voorjaar", "lente"),
    ("najaar", "herfst"),
    ("doel", "doelen", "ambitie", "doelstelling"),
    ("sporten", "sport", "bewegen"),
    ("roken", "rokers"),
    ("overgewicht", "obesitas"),
    ("geneesmiddelen", "medicijnen", "geneesmiddelengebruik"),
)

# English terms (single words or phrases) and their Dutch renderings in these documents.
ENGLISH_TO_DUTCH: dict[str, tuple[str, ...]] = {
    "round": ("tranche", "ronde"),
    "rounds": ("tranches", "rondes"),
    "tranche": ("tranche",),
    "upcoming": ("komende", "volgende"),
    "next": ("komende", "volgende"),
    "previous": ("vorige", "eerdere"),
    "first": ("eerste",),
    "second": ("tweede",),
    "signed": ("ondertekend", "getekend"),
    "sign": ("ondertekenen", "tekenen"),
    "signature": ("ondertekening", "handtekening"),
    "concluded": ("gesloten",),
    "closed": ("gesloten",),
    "co-financing": ("cofinanciering", "medefinanciering"),
    "cofinancing": ("cofinanciering", "medefinanciering"),
    "co-finance": ("cofinanciering", "meefinancieren"),
    "match": ("cofinanciering",),
    "contribution": ("bijdrage",),
    "contribute": ("bijdragen", "bijdrage"),
    "contributes": ("bijdraagt", "bijdrage"),
    "funding": ("financiering", "middelen", "bijdrage"),
    "fund": ("fonds", "financiering"),
    "money": ("geld", "middelen"),
    "budget": ("budget", "middelen"),
    "amount": ("bedrag", "omvang"),
    "total": ("totale", "totaal"),
    "million": ("miljoen",),
    "billion": ("miljard",),
    "maximum": ("maximum", "maximaal"),
    "minimum": ("minimum", "minimaal"),
    "at most": ("maximaal",),
    "at least": ("minimaal",),
    "half": ("50%", "helft"),
    "invest": ("investeren", "investering"),
    "investment": ("investering", "investeren"),
    "investments": ("investeringen",),
    "one-off": ("eenmalig",),
    "temporary": ("eenmalig", "tijdelijk"),
    "structural": ("structurele", "structureel"),
    "permanent": ("structurele", "blijvend"),
    "secured": ("geborgd",),
    "ensure": ("borgen", "zorgen"),
    "minister": ("minister",),
    "ministry": ("ministerie",),
    "cabinet": ("kabinet",),
    "government": ("rijk", "kabinet", "overheid"),
    "central government": ("rijk",),
    "state": ("rijk",),
    "parliament": ("tweede kamer", "kamer"),
    "house of representatives": ("tweede kamer",),
    "agriculture": ("landbouw",),
    "nature": ("natuur",),
    "food quality": ("voedselkwaliteit",),
    "interior": ("binnenlandse zaken",),
    "province": ("provincie",),
    "provinces": ("provincies",),
    "provincial": ("provinciale",),
    "provincial council": ("provinciale staten",),
    "provincial executive": ("gedeputeerde staten",),
    "municipality": ("gemeente",),
    "municipalities": ("gemeenten",),
    "council": ("raad", "staten"),
    "region": ("regio",),
    "regions": ("regio's", "regio"),
    "regional": ("regionale",),
    "area": ("gebied", "regio"),
    "border": ("grens",),
    "borders": ("grenzen", "grens"),
    "cross-border": ("grensoverschrijdend", "grensregio"),
    "germany": ("duitsland",),
    "german": ("duitse", "duitsland"),
    "administrative": ("bestuurlijk", "bestuurlijke"),
    "geographic": ("geografische",),
    "geographical": ("geografische",),
    "scale": ("schaal",),
    "proposal": ("voorstel", "propositie"),
    "proposals": ("voorstellen", "proposities"),
    "submit": ("indienen",),
    "submitted": ("ingediend",),
    "application": ("aanvraag", "voorstel"),
    "apply": ("aanvragen", "indienen"),
    "deadline": ("uiterlijk", "termijn"),
    "conditions": ("voorwaarden", "randvoorwaarden"),
    "condition": ("voorwaarde", "randvoorwaarde"),
    "requirements": ("voorwaarden", "eisen", "randvoorwaarden"),
    "criteria": ("criteria", "voorwaarden"),
    "procedure": ("procedure",),
    "selection": ("selectie",),
    "select": ("selecteren", "selectie"),
    "decide": ("besluiten", "beslissen", "besluit"),
    "decision": ("besluit", "besluitvorming"),
    "assessment": ("beoordeling", "analyse"),
    "spring": ("voorjaar",),
    "autumn": ("najaar",),
    "fall": ("najaar",),
    "summer": ("zomer",),
    "winter": ("winter",),
    "duration": ("looptijd",),
    "term": ("looptijd",),
    "years": ("jaar", "jaren"),
    "letter": ("brief",),
    "cover letter": ("aanbiedingsbrief", "brief"),
    "goal": ("doel", "ambitie"),
    "goals": ("doelen", "ambities"),
    "aim": ("doel", "ambitie"),
    "ambition": ("ambitie",),
    "purpose": ("doel",),
    "objective": ("doel", "doelstelling"),
    "wellbeing": ("welzijn", "brede welvaart"),
    "well-being": ("welzijn", "brede welvaart"),
    "broad prosperity": ("brede welvaart",),
    "prosperity": ("welvaart",),
    "welfare": ("welzijn", "welvaart"),
    "economy": ("economie", "economische"),
    "economic": ("economische",),
    "socio-economic": ("sociaaleconomische",),
    "jobs": ("banen", "arbeidsplaatsen", "werkgelegenheid"),
    "job": ("baan", "banen", "arbeidsplaatsen"),
    "employment": ("werkgelegenheid",),
    "work": ("werk", "werken"),
    "unemployment": ("werkloosheid", "werkzoekenden"),
    "unemployed": ("werkzoekenden", "werklozen", "werkloosheid"),
    "jobseekers": ("werkzoekenden",),
    "job seekers": ("werkzoekenden",),
    "labour market": ("arbeidsmarkt",),
    "labor market": ("arbeidsmarkt",),
    "shortage": ("tekort",),
    "shortages": ("tekorten", "tekort"),
    "vacancies": ("vacatures",),
    "professions": ("beroepsgroepen", "beroepen"),
    "low-skilled": ("laagopgeleide", "laagopgeleiden"),
    "education": ("onderwijs",),
    "school": ("school", "onderwijs"),
    "training": ("opleiding", "scholing", "opleidingen"),
    "companies": ("bedrijven",),
    "businesses": ("bedrijven", "ondernemers"),
    "entrepreneurs": ("ondernemers",),
    "industry": ("industrie", "maakindustrie"),
    "manufacturing": ("maakindustrie",),
    "innovation": ("innovatie", "innovaties"),
    "innovative": ("innovatieve",),
    "housing": ("wonen", "woningen", "woningvoorraad", "woningmarkt"),
    "houses": ("woningen", "huizen"),
    "homes": ("woningen", "huizen"),
    "home": ("huis", "woning"),
    "renovation": ("renovatie", "gerenoveerd"),
    "vacancy": ("leegstand",),
    "living environment": ("leefklimaat", "leefomgeving"),
    "quality of life": ("leefbaarheid",),
    "liveability": ("leefbaarheid",),
    "livability": ("leefbaarheid",),
    "care": ("zorg",),
    "health": ("gezondheid", "zorg"),
    "healthcare": ("zorg", "gezondheidszorg", "zorgkosten"),
    "doctor": ("huisarts", "dokter", "artsen"),
    "doctors": ("artsen", "huisarts", "medisch personeel"),
    "nurses": ("verpleegkundigen",),
    "medical": ("medisch", "medische"),
    "medication": ("geneesmiddelen", "geneesmiddelengebruik"),
    "medicines": ("geneesmiddelen", "geneesmiddelengebruik"),
    "smoke": ("rokers", "roken"),
    "smokers": ("rokers",),
    "smoking": ("rokers", "roken"),
    "sport": ("sporten",),
    "sports": ("sporten",),
    "exercise": ("sporten", "bewegen"),
    "overweight": ("overgewicht",),
    "obesity": ("ernstig overgewicht", "overgewicht"),
    "elderly": ("ouderen",),
    "ageing": ("vergrijzing",),
    "aging": ("vergrijzing",),
    "young people": ("jongeren",),
    "youth": ("jongeren", "jeugd"),
    "population": ("inwoners", "bevolking"),
    "inhabitants": ("inwoners",),
    "residents": ("inwoners", "bewoners"),
    "citizens": ("burgers", "inwoners"),
    "households": ("huishoudens",),
    "decline": ("daling", "krimp", "daalt"),
    "shrinking": ("krimp", "daalt"),
    "poverty": ("armoede",),
    "debt": ("schulden",),
    "inclusive": ("inclusieve",),
    "society": ("samenleving",),
    "community": ("gemeenschap",),
    "villages": ("dorpen",),
    "village": ("dorp", "dorpen"),
    "neighbourliness": ("noaberschap",),
    "volunteers": ("vrijwilligers",),
    "accessibility": ("bereikbaarheid",),
    "mobility": ("mobiliteit",),
    "transport": ("vervoer", "mobiliteit"),
    "public transport": ("openbaar vervoer",),
    "road": ("weg",),
    "roads": ("wegen",),
    "railway": ("spoor",),
    "rail": ("spoor",),
    "broadband": ("breedband", "glasvezel"),
    "energy": ("energie",),
    "energy transition": ("energietransitie",),
    "sustainable": ("duurzame", "duurzaam"),
    "sustainability": ("duurzaamheid", "verduurzaming"),
    "renewable": ("duurzame",),
    "hydrogen": ("waterstof",),
    "natural gas": ("aardgas",),
    "gas": ("aardgas", "gas"),
    "solar": ("zonne-energie", "zonneparken", "zonnepanelen"),
    "solar panels": ("zonnepanelen",),
    "heat": ("warmte",),
    "network": ("netwerk", "netwerken"),
    "networks": ("netwerken",),
    "tourism": ("toerisme", "toeristische"),
    "tourist": ("toeristische",),
    "holiday parks": ("vakantieparken",),
    "leisure": ("recreatie", "vrijetijdseconomie"),
    "agriculture sector": ("landbouw",),
    "farming": ("landbouw",),
    "space": ("ruimte",),
    "partners": ("partners", "partijen"),
    "parties": ("partijen",),
    "stakeholders": ("partijen", "partners"),
    "cooperation": ("samenwerking",),
    "collaboration": ("samenwerking",),
    "together": ("samen", "gezamenlijk"),
    "governance": ("governance", "bestuur"),
    "programme": ("programma",),
    "program": ("programma",),
    "projects": ("projecten",),
    "evaluation": ("evaluatie",),
    "monitoring": ("monitoring", "monitoren"),
    "experience": ("ervaringen",),
    "experiences": ("ervaringen",),
    "adjusted": ("bijgesteld",),
    "approach": ("aanpak", "werkwijze"),
    "method": ("werkwijze",),
    "pillar": ("pijler",),
    "pillars": ("pijlers",),
    "figures": ("cijfers",),
    "percentage": ("percentage", "%"),
    "average": ("gemiddeld", "gemiddelde"),
    "national": ("landelijk", "nederland"),
    "netherlands": ("nederland",),
    "dutch": ("nederland", "nederlandse"),
    "quote": ("citaat",),
    "resident": ("inwoner", "bewoner"),
    "date": ("datum",),
    "dated": ("datum",),
    "sender": ("afzender",),
    "reference": ("kenmerk",),
    "subject": ("onderwerp",),
    "attachment": ("bijlage",),
    "attachments": ("bijlagen",),
    "inform": ("informeren",),
    "priority": ("voorrang", "prioriteit"),
    "balanced": ("evenwichtige",),
    "distribution": ("verdeling",),
    "spread": ("verdeling", "gespreid"),
    "country": ("land", "nederland"),
    "parts of the country": ("landsdelen",),
    "north": ("noord",),
    "east": ("oost",),
    "south": ("zuid",),
    "west": ("west",),
    # Everyday words of English questions: for choosing sentences only (see TRANSLATION_ONLY).
    "family": ("gezinswoningen",),
    "young": ("jongeren",),
    "people": ("inwoners", "mensen"),
    "hubs": ("dorpshubs",),
    "hub": ("dorpshubs",),
    "cycling": ("fietsafstand",),
    "costs": ("kosten",),
    "cost": ("kosten",),
    "schools": ("onderwijs",),
    "campus": ("campus",),
    "knowledge": ("kennis",),
    "research": ("onderzoek",),
    "business": ("bedrijven",),
    "reachable": ("bereikbaar",),
    "recreation": ("recreatie",),
    "holiday": ("vakantieparken",),
    "parks": ("vakantieparken",),
    "partnership": ("partnerschap",),
    "challenges": ("opgaven",),
    "challenge": ("opgave",),
    "coalition": ("regeerakkoord",),
    "agreement": ("regeerakkoord",),
    "quality": ("kwaliteit",),
    "life": ("leven",),
    "meeting": ("bijeenkomst",),
    "experiments": ("experimenteerruimte",),
    "experimental": ("experimenteerruimte",),
    "rules": ("regels",),
    "staff": ("personeel",),
    "personnel": ("personeel",),
    "income": ("inkomen",),
    "incomes": ("inkomens",),
    "value": ("waarde",),
    "seekers": ("werkzoekenden",),
    "low-educated": ("laagopgeleide", "laagopgeleiden"),
    "registered": ("geregistreerd",),
    "civil": ("ambtenaar",),
    "servant": ("ambtenaar",),
    "official": ("ambtenaar",),
    "handled": ("behandeld",),
    "handles": ("behandeld",),
    "handling": ("behandeld",),
}


# English keys used only to translate a question for sentence choice (rag.engines.extractive), not to
# expand the BM25 query: everyday words ("people", "value", "rules") whose Dutch is common in all three
# documents, so as query terms they pull in passages on weak evidence (measured: it cost answers), while
# within already retrieved passages they still help pick the sentence.
TRANSLATION_ONLY: frozenset[str] = frozenset(
    {
        "family",
        "young",
        "people",
        "hubs",
        "hub",
        "cycling",
        "costs",
        "cost",
        "schools",
        "campus",
        "knowledge",
        "research",
        "business",
        "reachable",
        "recreation",
        "holiday",
        "parks",
        "partnership",
        "challenges",
        "challenge",
        "coalition",
        "agreement",
        "quality",
        "life",
        "meeting",
        "experiments",
        "experimental",
        "rules",
        "staff",
        "personnel",
        "income",
        "incomes",
        "value",
        "seekers",
        "low-educated",
        "registered",
        "civil",
        "servant",
        "official",
        "handled",
        "handles",
        "handling",
    }
)


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
    words = re.findall(_EN_WORD, question.lower())
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


# How people name the three documents; a question that names one is most likely answered by it.
DOC_ALIASES: dict[str, tuple[str, ...]] = {
    "kamerbrief": ("kamerbrief", "kamer brief", "brief aan de tweede kamer", "letter to parliament", "minister's letter", "ministers letter"),
    "twopager": ("two-pager", "twopager", "two pager", "tweepager", "tweeluik"),
    "letter": ("aanbiedingsbrief", "cover letter", "begeleidende brief", "brief van gedeputeerde staten", "gs-brief"),
}


def named_documents(text: str) -> set[str]:
    """Ids of the documents a question names ("volgens de Kamerbrief", "the two-pager says")."""
    low = " ".join(text.lower().replace("’", "'").split())
    return {doc for doc, names in DOC_ALIASES.items() if any(n in low for n in names)}
