"""The curated corpus must stay faithful to the seed text it was made from.

Answers are relied on in public office and cite the corpus verbatim, so curation may repair OCR and
layout but must not lose or invent substance. These tests compare the corpus with the raw seed (word
8-gram coverage after a narrow, explicit set of normalisations), check the front matter, page markers and
the corrections list, check that the Markdown is clean, and check that the shared eval set's quotes can be
found (retrieval hits are judged by those quotes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
SEED = ROOT.parent / "shared" / "seeds" / "000_41de1c9b46d24068.txt"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
DOC_IDS = ("letter", "twopager", "kamerbrief")
REQUIRED_KEYS = (
    "id",
    "title",
    "kind",
    "date",
    "sender",
    "addressee",
    "reference",
    "language",
    "pages",
    "source",
)
MIN_COVERAGE = 0.98
NGRAM = 8

# Where each document starts in the seed (the seed is the three documents concatenated).
SEED_STARTS = {
    "letter": None,
    "twopager": "Op weg naar een sterke regio",
    "kamerbrief": " Geachte Voorzitter,",
}

# Seed text that is NOT body text, per document. Kept deliberately narrow: only the letterhead and the
# kenmerk line of the letter (moved to the front matter, partly illegible) and the running header/footer
# of the Kamerbrief's page 6 plus a bare link annotation that repeats a link in the text. Each string must
# occur exactly once in its document's part of the seed.
EXCLUDED: dict[str, tuple[str, ...]] = {
    "letter": (
        "Prooincieh ais Westerbrink r, Assen",
        "postad.res Postbus rzz, 94oo.l,c Assen",
        "www.drenthe.nl",
        "o59z - 36 15 55",
        "pronincieþrenthe",
        "Ons kenmerk 2915.191201 8001 852",
    ),
    "twopager": (),
    "kamerbrief": (
        "http://www.rvo.nl/regiodeals\n",
        "Pagina 6 van 6",
        "Regio Portefeuille LNV",
        "Ons kenmerk",
        "DGAN-RP / 18047581",
    ),
}

# Hyphens at a line end that are real (compound words, or "wet- en regelgeving" style ellipsis).
KEEP_HYPHEN_PAIRS = {("noord", "duitsland"), ("two", "pager"), ("kennisinstellingen", "insteek")}
KEEP_HYPHEN_NEXT = {"en", "of"}

# How each document's seed is cut into blocks for the coverage measure (see seed_blocks).
BLOCK_SPLIT: dict[str, str | None] = {
    "letter": None,
    "twopager": r"\n[ \t]*\n|\n(?= \S)",
    "kamerbrief": r"\n[ \t]+\n|\n(?= \S)",
}

PAGE_MARK = re.compile(r"<!--\s*page:\s*(\d+)\s*-->")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
FOOTNOTE = re.compile(r"\[\^(\w+)\](:?)")


# --- helpers -----------------------------------------------------------------------------------


def dehyphenate(text: str) -> str:
    """Join words hyphenated across a line break, keeping the few real line-final hyphens."""

    def join(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        if right.lower() in KEEP_HYPHEN_NEXT:
            return f"{left}- {right}"
        if (left.lower(), right.lower()) in KEEP_HYPHEN_PAIRS:
            return f"{left}-{right}"
        return left + right

    return re.sub(r"(\w+)-[ \t]*\n\s*(\w+)", join, text)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation and Markdown syntax fall away."""
    return re.findall(r"\w+", text.lower())


def ngrams(tokens: list[str], n: int = NGRAM) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def load_corrections() -> list[tuple[str, str, str]]:
    """Rows of corpus/CORRECTIONS.md as (original, corrected, reason)."""
    rows: list[tuple[str, str, str]] = []
    for line in (CORPUS / "CORRECTIONS.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("original", "---") or set(cells[0]) <= {"-", ":"}:
            continue
        assert len(cells) == 3, f"CORRECTIONS.md row must have 3 columns: {line}"
        orig, corr, reason = cells
        m1, m2 = re.fullmatch(r"`(.+)`", orig), re.fullmatch(r"`(.+)`", corr)
        assert m1 and m2, f"original and corrected must be in backticks: {line}"
        rows.append((m1.group(1), m2.group(1), reason))
    return rows


def apply_corrections(text: str, corrections: list[tuple[str, str, str]]) -> str:
    for orig, corr, _ in corrections:
        text = text.replace(orig, corr)
    return text


def seed_parts() -> dict[str, str]:
    """The raw seed split into the three documents."""
    raw = SEED.read_text(encoding="utf-8")
    i_two = raw.index(SEED_STARTS["twopager"])
    i_kb = raw.index(SEED_STARTS["kamerbrief"])
    assert 0 < i_two < i_kb
    return {"letter": raw[:i_two], "twopager": raw[i_two:i_kb], "kamerbrief": raw[i_kb:]}


def read_doc(doc_id: str) -> tuple[dict[str, Any], str]:
    """Front matter and Markdown body of corpus/<doc_id>.md."""
    text = (CORPUS / f"{doc_id}.md").read_text(encoding="utf-8")
    m = FRONT_MATTER.match(text)
    assert m, f"{doc_id}.md must start with YAML front matter between --- lines"
    meta = yaml.safe_load(m.group(1))
    assert isinstance(meta, dict)
    return meta, text[m.end() :]


def corpus_words_text(body: str) -> str:
    """Body for 8-gram comparison: markers gone, footnote marks glued back as the seed prints them."""
    body = PAGE_MARK.sub(" ", body)
    return FOOTNOTE.sub(lambda m: m.group(1), body)


def corpus_plain_text(body: str) -> str:
    """Body as running text (what a loader indexes): no markers, Markdown syntax or table pipes."""
    body = PAGE_MARK.sub(" ", body)
    body = FOOTNOTE.sub(lambda m: m.group(1) + " " if m.group(2) else "", body)
    out: list[str] = []
    for line in body.splitlines():
        s = line.strip()
        if re.fullmatch(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?", s):
            continue  # table separator row
        if s.startswith("|"):
            s = " ".join(c.strip() for c in s.strip("|").split("|") if c.strip())
        s = re.sub(r"^#{1,6}\s+", "", s)
        s = re.sub(r"^>\s?", "", s)
        s = re.sub(r"^[-*+]\s+", "", s)
        s = s.replace("**", "").replace("\\*", "*")
        out.append(s)
    return collapse("\n".join(out))


def normalise_quote(quote: str, corrections: list[tuple[str, str, str]]) -> str:
    """FORMAT.md's comparison form; a word cut off by a hyphen at the quote's end keeps its first part."""
    q = apply_corrections(collapse(dehyphenate(quote)), corrections)
    return re.sub(r"(\w)-$", r"\1", q).lower()


def dev_sources() -> Iterator[tuple[str, str, str]]:
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            for src in item.get("sources", []):
                if src.get("doc") in DOC_IDS:
                    yield item["id"], src["doc"], src["quote"]


needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"seed text not available at {SEED}")


# --- front matter and page markers ---------------------------------------------------------------


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_front_matter(doc_id: str) -> None:
    meta, body = read_doc(doc_id)
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    assert not missing, f"{doc_id}: missing front matter keys {missing}"
    assert meta["id"] == doc_id
    assert meta["language"] == "nl"
    assert isinstance(meta["pages"], int) and meta["pages"] >= 1
    assert isinstance(meta["date"], str), "quote the date so YAML keeps it a string"
    date.fromisoformat(meta["date"])
    for key in ("title", "kind", "sender", "addressee", "source"):
        assert isinstance(meta[key], str) and meta[key].strip(), f"{doc_id}: {key} must be a non-empty string"
    assert meta["reference"] is None or isinstance(meta["reference"], str)
    assert body.strip(), f"{doc_id}: empty body"


def test_fixed_metadata() -> None:
    """The facts the issue fixes: dates, kenmerk of the Kamerbrief, page counts."""
    letter, _ = read_doc("letter")
    two, _ = read_doc("twopager")
    kb, _ = read_doc("kamerbrief")
    assert letter["date"] == "2018-09-05"
    assert kb["date"] == "2018-06-18"
    assert kb["reference"] == "DGAN-RP / 18047581"
    assert "[onleesbaar]" in letter["reference"], "the letter's kenmerk is partly illegible and must say so"
    assert (letter["pages"], two["pages"], kb["pages"]) == (1, 2, 6)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_page_markers_in_order(doc_id: str) -> None:
    meta, body = read_doc(doc_id)
    found = [int(n) for n in PAGE_MARK.findall(body)]
    assert found == list(range(1, meta["pages"] + 1)), f"{doc_id}: page markers {found}"
    assert body.lstrip().startswith("<!-- page: 1 -->"), f"{doc_id}: body must open with page 1"


# --- corrections -------------------------------------------------------------------------------


@needs_seed
def test_corrections_parse_and_apply() -> None:
    corrections = load_corrections()
    assert len(corrections) >= 10
    seed = collapse(dehyphenate(SEED.read_text(encoding="utf-8")))
    all_corpus = " ".join(collapse((CORPUS / f"{d}.md").read_text(encoding="utf-8")) for d in DOC_IDS)
    # The raw OCR may be kept on purpose in the front matter (reference_ocr); bodies must be corrected.
    all_bodies = " ".join(collapse(read_doc(d)[1]) for d in DOC_IDS)
    for orig, corr, reason in corrections:
        assert orig != corr
        assert reason, f"correction {orig!r} needs a reason"
        assert orig in seed, f"original {orig!r} does not occur in the seed"
        assert corr in all_corpus, f"corrected {corr!r} does not occur in the corpus"
        assert orig not in all_bodies or orig in corr, f"uncorrected {orig!r} still in a corpus body"


def test_known_ocr_errors_are_corrected() -> None:
    text = (CORPUS / "letter.md").read_text(encoding="utf-8")
    for bad in (
        "l8 juni",
        "ln het najaar",
        "Wijondersteunen",
        "Ondenrverp",
        "wijvanuit",
        "DealZuid",
        "'lnvesteren",
    ):
        assert bad not in text
    for good in (
        "18 juni 2018",
        "In het najaar",
        "Wij ondersteunen",
        "Onderwerp:",
        "wij vanuit",
        "Deal Zuid-",
    ):
        assert good in text


# --- nothing of substance dropped -----------------------------------------------------------------


def seed_blocks(doc_id: str, corrections: list[tuple[str, str, str]]) -> list[list[str]]:
    """A document's seed body as word-token blocks: the units whose order the extraction preserved.

    The PDF extraction emits the two-pager's text boxes (columns, panel items, quotes) in an arbitrary
    order, and the Kamerbrief's footnotes sit wherever its page breaks fell. Restoring reading order
    moves those units, so an 8-gram that spans two of them is an artifact of the extraction, not text.
    Blocks: the letter (plain OCR, nothing reordered) is one block; the two-pager splits at every blank
    line; the Kamerbrief (double-spaced lines) splits at its paragraph separators (lines holding only
    spaces). Both split where the extraction starts a new page or text box: a line opening with one
    space. Every word of every block is still checked.
    """
    text = seed_parts()[doc_id]
    for excluded in EXCLUDED[doc_id]:
        assert text.count(excluded) == 1, f"exclusion {excluded!r} must occur once in the {doc_id} seed"
        text = text.replace(excluded, " ")
    text = dehyphenate(text)
    split = BLOCK_SPLIT[doc_id]
    raw_blocks = re.split(split, text) if split else [text]
    blocks = [words(apply_corrections(collapse(b), corrections)) for b in raw_blocks]
    return [b for b in blocks if b]


def block_grams(block: list[str]) -> list[tuple[str, ...]]:
    """8-grams of a block; a block shorter than 8 words must occur whole."""
    return ngrams(block) if len(block) >= NGRAM else [tuple(block)]


def _missing_spans(tokens: list[str], have: set[tuple[str, ...]]) -> list[str]:
    """Seed passages whose 8-grams are missing, merged into readable spans."""
    spans: list[tuple[int, int]] = []
    for i, g in enumerate(block_grams(tokens)):
        if g not in have:
            end = i + len(g)
            if spans and i <= spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((i, end))
    return [" ".join(tokens[s:e]) for s, e in spans]


def _corpus_has(corpus_tokens: list[str], grams: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """Which of ``grams`` occur contiguously in the corpus tokens."""
    lengths = {len(g) for g in grams}
    have: set[tuple[str, ...]] = set()
    for n in lengths:
        have |= set(ngrams(corpus_tokens, n)) & {g for g in grams if len(g) == n}
    return have


@needs_seed
def test_seed_body_covered_by_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    corrections = load_corrections()
    total = covered = 0
    report: list[str] = []
    failed: list[str] = []
    for doc_id in DOC_IDS:
        _, body = read_doc(doc_id)
        corpus_tokens = words(corpus_words_text(body))
        blocks = seed_blocks(doc_id, corrections)
        grams = [g for b in blocks for g in block_grams(b)]
        have = _corpus_has(corpus_tokens, grams)
        hit = sum(g in have for g in grams)
        total += len(grams)
        covered += hit
        ratio = hit / len(grams)
        # For information: the same measure without blocks (every seam of the repaired order counts).
        flat = [t for b in blocks for t in b]
        flat_grams = ngrams(flat)
        flat_have = set(ngrams(corpus_tokens))
        flat_ratio = sum(g in flat_have for g in flat_grams) / len(flat_grams)
        report.append(f"{doc_id}: {hit}/{len(grams)} = {ratio:.4f} (across blocks: {flat_ratio:.4f})")
        if ratio < MIN_COVERAGE:
            failed.append(doc_id)
        for block in blocks:
            for span in _missing_spans(block, have):
                report.append(f"  missing in {doc_id}: {span}")
    report.append(f"all: {covered}/{total} = {covered / total:.4f}")
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert not failed and covered / total >= MIN_COVERAGE, "\n".join(report)


# --- clean Markdown ------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_markdown_is_clean(doc_id: str) -> None:
    _, body = read_doc(doc_id)
    lines = body.splitlines()
    problems: list[str] = []
    for n, line in enumerate(lines, 1):
        if line.lstrip().startswith(("•", "\uf0b7")) or "\t" in line:
            problems.append(f"{n}: stray bullet or tab: {line[:60]!r}")
        if re.search(r"\w-$", line.rstrip()) and not line.lstrip().startswith("|"):
            problems.append(f"{n}: line ends in a hyphenated word: {line[-40:]!r}")
        if re.match(r"\s*\*\s", line):
            problems.append(f"{n}: '* ' at line start renders as a bullet; escape it as '\\*': {line[:40]!r}")
        if re.search(r"Pagina \d+ van \d+|Regio Portefeuille LNV|Ons kenmerk", line):
            problems.append(f"{n}: page furniture left in the body: {line[:60]!r}")
        for comment in re.findall(r"<!--.*?-->", line):
            if not PAGE_MARK.fullmatch(comment):
                problems.append(f"{n}: only page markers may be HTML comments: {comment!r}")
    # Tables: consecutive '|' lines form a table; header, separator, rows with equal column counts.
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|"):
            block = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                block.append(lines[i].strip())
                i += 1
            counts = {len(r.strip("|").split("|")) for r in block}
            if len(counts) != 1:
                problems.append(f"table with unequal column counts {sorted(counts)}: {block[0]!r}")
            if len(block) < 3 or not re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", block[1]):
                problems.append(f"table needs a header and a separator row: {block[0]!r}")
        i += 1
    # Headings do not skip a level.
    level = 0
    for line in lines:
        m = re.match(r"(#{1,6})\s", line)
        if m:
            new = len(m.group(1))
            if new > level + 1 and level:
                problems.append(f"heading jumps from level {level} to {new}: {line!r}")
            level = new
    # Footnote references and definitions match.
    refs = set(re.findall(r"\[\^(\w+)\](?!:)", body))
    defs = set(re.findall(r"^\[\^(\w+)\]:", body, re.M))
    if refs != defs:
        problems.append(f"footnote refs {sorted(refs)} vs definitions {sorted(defs)}")
    assert not problems, f"{doc_id}:\n" + "\n".join(problems)


def test_twopager_statistics_table() -> None:
    """The statistics panel is a table Zuidoost-Drenthe vs Nederland with the weighted-average note."""
    _, body = read_doc("twopager")
    assert "|  | Zuidoost-Drenthe | Nederland |" in body
    assert "| Zorgkosten per verzekerde zorgverzekeringswet | € 2.698* | € 2.323 |" in body
    assert "| Wekelijks sporten | 40%* | 51% |" in body
    assert "\\* gewogen gemiddelden" in body
    assert "Zuidoost-Drenthe + Hoogeveen en Hardenberg" in body
    for name, age in (("Nel", 81), ("Henk", 56), ("Alie", 86), ("Bert", 72), ("Yasmin", 23), ("Els", 42)):
        assert re.search(rf"^> {name} \({age}\): “", body, re.M), f"quote of {name} must be a blockquote"


def test_twopager_reading_order_repaired() -> None:
    plain = corpus_plain_text(read_doc("twopager")[1])
    assert "In de huursector resulteerde de ontstane leegstand in sloop door de wooncorporaties." in plain
    # Pillar 2 is one block: it ends before pillar 3 begins.
    assert plain.index("Pijler 2: wonen") < plain.index("Wij vragen het Rijk om hierin mee te investeren.")
    assert plain.index("Wij vragen het Rijk om hierin mee te investeren.") < plain.index("Pijler 3: welzijn")


# --- the shared eval set's quotes ------------------------------------------------------------------


@pytest.mark.skipif(not DEV.exists() or not SEED.exists(), reason="shared eval set or seed not available")
def test_dev_quotes_in_corpus() -> None:
    corrections = load_corrections()
    plain = {d: corpus_plain_text(read_doc(d)[1]).lower() for d in DOC_IDS}
    sources = list(dev_sources())
    assert sources, "dev.jsonl has no quotes for the three documents"
    missing = [
        f"{qid} [{doc}]: {quote!r}"
        for qid, doc, quote in sources
        if normalise_quote(quote, corrections) not in plain[doc]
    ]
    assert not missing, "quotes not found in the corpus:\n" + "\n".join(missing)
