"""The app's pure helpers: safe Markdown, highlighting, source cards, export, feedback, uploads, calculator form."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from pathlib import Path

import pytest

from rag.types import Answer, Chunk, Citation, RetrievedChunk
from views.render import (
    STARTER_QUESTIONS,
    SourceCard,
    answer_markdown,
    blocks_overlapping,
    document_blocks,
    escape_markdown,
    highlight_segments,
    locate_quote,
    parse_document_link,
    passage_markdown,
    safe_document_markdown,
    source_cards,
    starter_questions,
)
from views.support import (
    CalcFieldError,
    UploadError,
    append_feedback,
    assistant_message,
    check_upload,
    conversation_to_markdown,
    error_message,
    feedback_record,
    format_age,
    history_for_assistant,
    rule_cards,
    run_calculator,
    safe_filename,
    standalone_differs,
    user_message,
)
from views.text import TEXTS, t

DOC = (
    "## Randvoorwaarden\n\n"
    "2. Cofinanciering: vanuit de Regio Envelop wordt maximaal 50% bijgedragen met een minimum van € 5 miljoen.\n\n"
    "| Gemeente | Inwoners |\n|---|---|\n| Emmen | 107.000 |\n\n"
    "> Nel (81): “Sinds onze huisarts met pensioen is gegaan, moet ik naar Coevorden.”\n\n"
    "De totale omvang bedraagt € 200 miljoen."
)


def _unescape(md: str) -> str:
    return re.sub(r"\\(.)", r"\1", md)


# --------------------------------------------------------------------------- texts and starters


def test_every_interface_text_exists_in_both_languages() -> None:
    assert set(TEXTS["nl"]) == set(TEXTS["en"])
    assert t("new_chat", "nl") == "Nieuw gesprek"
    assert t("new_chat", "en") == "New conversation"
    assert t("too_long", "en", n=3000, max=2000).startswith("Your question is too long (3000")


def test_starter_questions_cover_three_audiences_in_both_languages() -> None:
    for lang in ("nl", "en"):
        groups = starter_questions(lang)
        assert [label for label, _ in groups] == [t(f"audience_{a}", lang) for a in ("council", "official", "citizen")]
        assert all(len(qs) >= 2 and all(q.endswith("?") for q in qs) for _, qs in groups)
    assert STARTER_QUESTIONS["nl"]["official"][0] != STARTER_QUESTIONS["en"]["official"][0]


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "$x$ en $$y$$", "**vet** _schuin_ [link](http://x.nl)", ":red[rood]", "# kop", "a\\b"],
)
def test_escape_markdown_leaves_no_active_syntax(text: str) -> None:
    escaped = escape_markdown(text)
    assert _unescape(escaped) == text
    i = 0
    while i < len(escaped):  # every special character is consumed by a preceding backslash
        if escaped[i] == "\\":
            assert i + 1 < len(escaped) and not escaped[i + 1].isalnum(), escaped
            i += 2
            continue
        assert escaped[i] not in "<>$*_[]():#\\", escaped
        i += 1


def test_answer_markdown_keeps_markers_and_defuses_dollars() -> None:
    md = answer_markdown("Het is € 5 miljoen [1]. Kost $3 [2].\n\nTweede alinea.")
    assert "**\\[1\\]**" in md and "**\\[2\\]**" in md
    assert "\\$3" in md
    assert "\n\n" in md


# --------------------------------------------------------------------------- highlighting


def test_highlight_segments_split_and_clip() -> None:
    segs = highlight_segments("abcdef", 2, 4)
    assert [(s.text, s.highlighted) for s in segs] == [("ab", False), ("cd", True), ("ef", False)]
    assert [(s.text, s.highlighted) for s in highlight_segments("abc", -5, 99)] == [("abc", True)]


def test_locate_quote_tolerates_whitespace_and_hyphenation() -> None:
    passage = "meer dan 20% van de totale werk-\ngelegenheid in de regio"
    assert locate_quote(passage, "20% van de totale") == (9, 26)
    found = locate_quote(passage, "de totale werk- gelegenheid")
    assert found is not None and passage[found[0] : found[1]].startswith("de totale")
    assert locate_quote(passage, "niet aanwezig") is None
    assert locate_quote(passage, "  ") is None


def test_passage_markdown_highlights_only_the_quote() -> None:
    quote = "maximaal 50% bijgedragen"
    start = DOC.index(quote)
    md = passage_markdown(DOC, start, start + len(quote))
    highlighted = re.findall(r":orange-background\[(.*?)\]", md)
    assert [_unescape(h) for h in highlighted] == [quote]
    assert "**Randvoorwaarden**" in md  # heading turned into bold reading text
    assert "2\\. Cofinanciering" in md  # numbered rule keeps its number
    assert "Emmen · 107" in _unescape(md)  # table row readable
    assert "|---" not in md and "<" not in md.replace("\\<", "")


def test_passage_markdown_highlight_across_lines_is_split_per_line() -> None:
    text = "eerste regel\n\ntweede regel"
    md = passage_markdown(text, 7, 19)
    assert md.count(":orange-background[") == 2
    assert all("\n" not in h for h in re.findall(r":orange-background\[(.*?)\]", md))


# --------------------------------------------------------------------------- source cards


def _answer(citations: list[Citation], chunks: list[Chunk]) -> Answer:
    return Answer(
        question="Hoeveel?", language="nl", answer="Maximaal 50% [1].", refused=False, engine="extractive",
        citations=citations, retrieved=[RetrievedChunk(c, i + 1, 1.0) for i, c in enumerate(chunks)],
        standalone_question="Hoeveel cofinanciering?",
    )


def test_source_cards_use_the_chunk_as_context() -> None:
    quote = "maximaal 50% bijgedragen"
    s = DOC.index(quote)
    chunk = Chunk("kb-1", "kamerbrief", "Kamerbrief", DOC[20:200], 20, 200, 4, "Randvoorwaarden")
    cit = Citation(1, "kamerbrief", "Kamerbrief", 4, "Randvoorwaarden", "kb-1", quote, s, s + len(quote))
    (card,) = source_cards(_answer([cit], [chunk]))
    assert card.passage[card.quote_start : card.quote_end] == quote
    assert card.link_params() == {"doc": "kamerbrief", "start": str(s), "end": str(s + len(quote))}
    assert card.heading("nl") == "**\\[1\\] Kamerbrief** · p. 4 · Randvoorwaarden"
    assert SourceCard.from_dict(card.to_dict()) == card


def test_an_upload_that_looks_like_a_corpus_document_is_marked_as_an_upload(tmp_path: Path) -> None:
    from rag.config import Settings
    from rag.types import Document
    from views.session import is_official
    from views.support import conversation_to_markdown

    settings = Settings(corpus_dir=tmp_path / "corpus", uploads_dir=tmp_path / "uploads")
    official = Document("kamerbrief", "Kamerbrief", DOC, source_path=str(tmp_path / "corpus" / "kamerbrief.md"))
    shared = Document("kamerbrief-2", "Kamerbrief", DOC, source_path=str(tmp_path / "uploads" / "kamerbrief.md"))
    private = Document("eigen-kamerbrief", "Kamerbrief", DOC)  # a session upload: no file at all
    assert is_official(official, settings) and not is_official(shared, settings) and not is_official(private, settings)

    quote = "maximaal 50% bijgedragen"
    s = DOC.index(quote)
    docs = {d.doc_id: d for d in (official, shared, private)}
    cits = [Citation(n, d, "Kamerbrief", 4, "", "missing", quote, s, s + len(quote)) for n, d in enumerate(docs, 1)]
    cards = source_cards(_answer(cits, []), lambda d: DOC, official=lambda d: is_official(docs[d], settings))
    assert [c.upload for c in cards] == [False, True, True]
    assert "geüpload document" not in cards[0].heading("nl")
    assert all("geüpload document, geen officiële bron" in c.heading("nl") for c in cards[1:])
    assert "uploaded document, not an official source" in cards[1].heading("en")
    ans = _answer(cits, [])
    exported = conversation_to_markdown([user_message("Hoeveel?"), assistant_message(ans, cards)], "nl")
    assert exported.count("geüpload document, geen officiële bron") == 2


def test_source_cards_fall_back_to_document_then_quote() -> None:
    quote = "De totale omvang bedraagt € 200 miljoen."
    s = DOC.index(quote)
    cit = Citation(1, "kamerbrief", "Kamerbrief", 4, "", "missing-chunk", quote, s, s + len(quote))
    (from_doc,) = source_cards(_answer([cit], []), lambda d: DOC)
    assert from_doc.passage[from_doc.quote_start : from_doc.quote_end] == quote
    assert len(from_doc.passage) > len(quote)

    def broken(_: str) -> str:
        raise KeyError("gone")

    (bare,) = source_cards(_answer([cit], []), broken)
    assert bare.passage == quote and (bare.quote_start, bare.quote_end) == (0, len(quote))


def test_source_card_context_is_trimmed_at_word_boundaries() -> None:
    text = ("woord " * 200) + "DE QUOTE" + (" woord" * 200)
    s = text.index("DE QUOTE")
    cit = Citation(1, "d", "D", None, "", "x", "DE QUOTE", s, s + 8)
    (card,) = source_cards(_answer([cit], []), lambda d: text, context_chars=50)
    assert card.passage.startswith("… woord") and card.passage.endswith("woord …")
    assert card.passage[card.quote_start : card.quote_end] == "DE QUOTE"
    assert len(card.passage) < 150


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"doc": "kamerbrief", "start": "10", "end": "20"}, ("kamerbrief", 10, 20)),
        ({"doc": ["letter"], "start": ["5"], "end": ["9"]}, ("letter", 5, 9)),
        ({"doc": "twopager", "start": "x", "end": "20"}, ("twopager", None, None)),
        ({"doc": "twopager", "start": "30", "end": "20"}, ("twopager", None, None)),
        ({"doc": "../etc/passwd", "start": "1", "end": "2"}, (None, 1, 2)),
        ({}, (None, None, None)),
    ],
)
def test_parse_document_link(params: dict, expected: tuple) -> None:
    assert parse_document_link(params) == expected


def test_document_blocks_are_exact_slices() -> None:
    blocks = document_blocks(DOC)
    assert all(DOC[b.start : b.end] == b.text for b in blocks)
    assert [b.text.split("\n")[0][:2] for b in blocks] == ["##", "2.", "| ", "> ", "De"]
    s = DOC.index("Emmen")
    assert blocks_overlapping(blocks, s, s + 5) == [2]


def test_safe_document_markdown_keeps_structure_but_no_latex_html_or_directives() -> None:
    md = safe_document_markdown("# Titel\n\nKost $5 <b>vet</b> :red[x]\n\n> citaat\n\n| a | b |")
    assert md.startswith("### Titel")
    assert "\\$5" in md and "\\<b>" in md and "\\:red[" in md
    assert "\n> citaat" in md and "| a | b |" in md


# --------------------------------------------------------------------------- conversation


def _conversation() -> list[dict]:
    quote = "maximaal 50% bijgedragen"
    s = DOC.index(quote)
    cit = Citation(1, "kamerbrief", "Kamerbrief", 4, "Randvoorwaarden", "kb-1", quote, s, s + len(quote))
    ans = _answer([cit], [])
    return [user_message("Hoeveel?"), assistant_message(ans, source_cards(ans, lambda d: DOC))]


def test_history_skips_failed_turns() -> None:
    msgs = [*_conversation(), user_message("kapot"), error_message("kapot", "Er ging iets mis", "nl")]
    assert history_for_assistant(msgs) == [
        {"role": "user", "content": "Hoeveel?"},
        {"role": "assistant", "content": "Maximaal 50% [1]."},
    ]


def test_standalone_shown_only_when_different() -> None:
    assert standalone_differs({"question": "Hoeveel?", "standalone_question": "Hoeveel cofinanciering?"})
    assert not standalone_differs({"question": "Hoeveel?", "standalone_question": " hoeveel? "})
    assert not standalone_differs({"question": "Hoeveel?", "standalone_question": None})


def test_conversation_export_has_questions_answers_and_verbatim_sources() -> None:
    md = conversation_to_markdown(_conversation(), "nl", datetime(2026, 1, 2, 3, 4))
    assert md.startswith("# Gesprek met de Regio Deal Assistent")
    assert "2026-01-02 03:04" in md
    assert "## Vraag\n\nHoeveel?" in md
    assert "Maximaal 50% [1]." in md
    assert "1. Kamerbrief · p. 4 · Randvoorwaarden" in md
    assert "> maximaal 50% bijgedragen" in md
    assert "Gelezen als: Hoeveel cofinanciering?" in md
    assert conversation_to_markdown(_conversation(), "en").startswith("# Conversation with")


# --------------------------------------------------------------------------- feedback


def test_feedback_is_appended_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "feedback.jsonl"
    msg = _conversation()[1]
    append_feedback(path, feedback_record(msg, 1, session_id="s1"))
    append_feedback(path, feedback_record(msg, 0, "  Bron klopt niet  "))
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert rows[1]["comment"] == "Bron klopt niet"
    assert rows[0]["comment"] is None and rows[0]["session_id"] == "s1"
    assert rows[0]["question"] == "Hoeveel?" and rows[0]["answer"] == "Maximaal 50% [1]."
    assert rows[0]["sources"][0]["quote"] == "maximaal 50% bijgedragen"
    assert rows[0]["message_id"] == msg["id"]


def test_concurrent_feedback_lines_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    record = {"comment": "x" * 20000}

    def write() -> None:
        for _ in range(20):
            append_feedback(path, record)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 80
    assert all(json.loads(line) == record for line in lines)


# --------------------------------------------------------------------------- uploads


def test_check_upload_accepts_pdf_and_markdown() -> None:
    assert check_upload("notitie.PDF", b"%PDF-1.7\n...", 20) == "pdf"
    assert check_upload("notitie.md", "# Kop\n€ 5 miljoen".encode(), 20) == "md"


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("foto.png", b"\x89PNG....", "err_bad_type"),
        ("leeg.pdf", b"", "err_empty"),
        ("nep.pdf", b"\x89PNG not a pdf", "err_not_pdf"),
        ("binair.md", b"\xff\xfe\x00bad", "err_not_text"),
        ("groot.md", b"a" * (2 * 1024 * 1024 + 1), "err_too_big"),
    ],
)
def test_check_upload_refuses_with_a_reason(name: str, data: bytes, key: str) -> None:
    with pytest.raises(UploadError) as info:
        check_upload(name, data, 2)
    assert info.value.key == key
    assert info.value.message("nl") != key and info.value.message("en") != key


def test_safe_filename_cannot_escape() -> None:
    assert safe_filename("../../etc/pässwd .PDF") == "passwd.pdf"
    assert safe_filename("..\\..\\x.md") == "x.md"
    assert safe_filename("...") == "document"


def test_format_age() -> None:
    assert format_age(None, "nl") == "onbekend"
    assert format_age(30, "en") == "30 s"
    assert format_age(7300, "nl") == "2 uur"
    assert format_age(86400, "nl") == "1 dag"
    assert format_age(3 * 86400, "en") == "3 days"


# --------------------------------------------------------------------------- calculator form


def test_calculator_checks_a_plan_in_dutch_notation() -> None:
    result = run_calculator("€ 40 miljoen", "35 mln", "", "nl")
    assert result.allowed is False
    checks = {c.check: c.passed for c in result.checks}
    assert checks == {"min_rijk": True, "max_rijk": True, "max_share": False}
    assert "€ 35 mln" in " ".join(result.working("nl"))


def test_calculator_other_modes_and_errors() -> None:
    assert run_calculator("€40M", "", "", "en").to_dict()["min_regional_cofinancing_eur_m"] == 40
    assert run_calculator("", "€ 2,5 miljoen", "", "nl").to_dict()["eligible"] is False
    assert run_calculator("", "", "100", "nl").to_dict()["max_rijk_eur_m"] == 40
    with pytest.raises(CalcFieldError) as info:
        run_calculator("veel geld", "", "", "nl")
    assert info.value.field == "requested" and "veel geld" in info.value.text
    with pytest.raises(CalcFieldError):
        run_calculator("", "", "", "en")


def test_rule_cards_locate_quotes_in_the_document() -> None:
    from rag.calculator import MAX_SHARE

    doc = "… 2. Cofinanciering: vanuit de Regio Envelop wordt maximaal 50% bijgedragen met een minimum …"
    (card,) = rule_cards([MAX_SHARE], lambda d: doc)
    assert doc[card.start : card.end] == MAX_SHARE.quote
    (missing,) = rule_cards([MAX_SHARE], None)
    assert missing.start == -1 and missing.passage == MAX_SHARE.quote
