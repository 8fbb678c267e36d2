"""What the chat, documents and calculator pages keep and write: chat messages and their history, feedback
records, uploads and the calculator form, computed without Streamlit so they are unit-tested."""

from __future__ import annotations

import fcntl
import json
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rag.types import Answer
from views.render import (
    SourceCard,
    _trim_context,
    locate_quote,
)
from views.text import t

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------
# Conversation: messages, history, export
# --------------------------------------------------------------------------------------------------


def settings_env(settings: Any) -> dict[str, str]:
    """``REGIODEAL_*`` variables that make another process (``streamlit run app.py``) use these settings.

    This is the app's configuration hook: the app reads its settings from the environment on every
    run, so tests and deployments point it at an index without code changes.
    """
    env = {}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"REGIODEAL_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def user_message(text: str) -> dict[str, Any]:
    return {"id": new_id(), "role": "user", "content": text}


def assistant_message(answer: Answer, cards: Sequence[SourceCard]) -> dict[str, Any]:
    """A chat message with everything needed to re-render it on every rerun and to export it."""
    return {
        "id": new_id(),
        "role": "assistant",
        "content": answer.answer,
        "question": answer.question,
        "language": answer.language,
        "engine": answer.engine,
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "fallback": answer.fallback,
        "notice": answer.notice,
        "standalone_question": answer.standalone_question,
        "sources": [c.to_dict() for c in cards],
        "tool": answer.tool.to_json() if answer.tool else None,
        "error": False,
    }


def calculator_verdict(message: Mapping[str, Any]) -> tuple[str, bool | None, str] | None:
    """A calculator answer's card split for display: (verdict sentence, allowed?, the rest of the text).

    The calculator's answer leads with its verdict in one paragraph; the chat shows it as a green, red or
    neutral banner above the table. None for an answer that is not the calculator's."""
    tool = message.get("tool") or {}
    result = tool.get("result") or {}
    if tool.get("name") != "cofinancing" or not isinstance(result, dict) or result.get("error") or message.get("error"):
        return None
    text = str(message.get("content") or "").strip()
    verdict, _, rest = text.partition("\n\n")
    if not verdict or verdict.lstrip().startswith("|"):
        return None
    allowed = result.get("allowed")
    return verdict, allowed if isinstance(allowed, bool) else None, rest.strip()


def error_message(question: str, text: str, lang: str, reason: str = "error") -> dict[str, Any]:
    """A friendly stand-in answer when answering failed or was not tried; never sent back as history."""
    return {
        "id": new_id(), "role": "assistant", "content": text, "question": question, "language": lang,
        "engine": "", "refused": True, "refusal_reason": reason, "fallback": None, "notice": None,
        "standalone_question": None, "sources": [], "tool": None, "error": True,
    }


def history_for_assistant(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Earlier turns in the ``[{"role", "content"}]`` form the Assistant takes; failed turns are left out."""
    history: list[dict[str, str]] = []
    for m in messages:
        if m.get("error"):
            if history and history[-1]["role"] == "user":
                history.pop()
            continue
        history.append({"role": str(m["role"]), "content": str(m["content"])})
    return history


def standalone_differs(message: Mapping[str, Any]) -> bool:
    """Show the rewritten follow-up only when it actually differs from what the user typed."""
    sq = message.get("standalone_question")
    q = message.get("question") or ""
    return bool(sq) and " ".join(str(sq).split()).lower() != " ".join(str(q).split()).lower()


def conversation_to_markdown(
    messages: Sequence[Mapping[str, Any]], lang: str, exported_at: datetime | None = None
) -> str:
    """The conversation as a Markdown file with, under each answer, its sources and verbatim quotes."""
    exported_at = exported_at or datetime.now().astimezone()
    lines = [f"# {t('export_title', lang)}", "", f"_{t('export_date', lang)} {exported_at:%Y-%m-%d %H:%M}_", ""]
    for m in messages:
        if m["role"] == "user":
            lines += [f"## {t('role_user', lang)}", "", str(m["content"]).strip(), ""]
            continue
        lines += [f"### {t('role_assistant', lang)}", "", str(m["content"]).strip(), ""]
        meta = []
        if m.get("engine"):
            meta.append(f"{t('engine', lang)}: {m['engine']}")
        if standalone_differs(m):
            meta.append(f"{t('standalone', lang)}: {m['standalone_question']}")
        if m.get("refused") and not m.get("error"):
            meta.append(t("banner_refused", lang))
        if m.get("fallback"):
            meta.append(t("banner_fallback", lang))
        if meta:
            lines += [f"_{' · '.join(meta)}_", ""]
        sources = m.get("sources") or []
        if sources:
            lines += [f"**{t('sources', lang)}**", ""]
            for s in sources:
                where = [str(s["title"])]
                if s.get("upload"):
                    where.append(t("source_upload", lang))
                if s.get("page") is not None:
                    where.append(f"{t('source_page', lang)} {s['page']}")
                if s.get("section"):
                    where.append(str(s["section"]))
                quote = " ".join(str(s["quote"]).split())
                lines.append(f"{s['n']}. {' · '.join(where)}  ")
                lines.append(f"   > {quote}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------------------


def feedback_record(
    message: Mapping[str, Any],
    rating: int,
    comment: str | None = None,
    *,
    session_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One JSONL line: who/when, the rating (1 = 👍, 0 = 👎), and the question, answer and sources.

    A comment sent after the thumbs gives a second line for the same ``message_id``; readers take
    the last line per message.
    """
    return {
        "ts": (now or datetime.now().astimezone()).isoformat(timespec="seconds"),
        "session_id": session_id,
        "message_id": message.get("id"),
        "rating": "up" if rating == 1 else "down",
        "comment": (comment or "").strip() or None,
        "question": message.get("question"),
        "standalone_question": message.get("standalone_question"),
        "answer": message.get("content"),
        "language": message.get("language"),
        "engine": message.get("engine"),
        "refused": message.get("refused"),
        "sources": [
            {k: s.get(k) for k in ("n", "doc_id", "page", "section", "quote", "start", "end")}
            for s in message.get("sources") or []
        ],
    }


def append_feedback(path: Path, record: Mapping[str, Any]) -> None:
    """Append one JSON line, locked, so concurrent sessions never interleave partial lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------
# Uploads
# --------------------------------------------------------------------------------------------------

UPLOAD_TYPES: tuple[str, ...] = ("pdf", "md", "markdown")


@dataclass
class UploadError(ValueError):
    """A user-facing reason why an uploaded file is refused; ``message(lang)`` is what to show."""

    key: str
    fmt: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.fmt)

    def __str__(self) -> str:
        return self.message("en")


def check_upload(name: str, data: bytes, max_mb: int) -> str:
    """Validate an upload before anything is written; returns the normalised suffix ('pdf' or 'md')."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise UploadError("err_bad_type")
    if not data:
        raise UploadError("err_empty")
    size_mb = len(data) / (1024 * 1024)
    if size_mb > max_mb:
        raise UploadError("err_too_big", {"size": size_mb, "max": max_mb})
    if suffix == "pdf":
        if not data.lstrip()[:5] == b"%PDF-":
            raise UploadError("err_not_pdf")
        return "pdf"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadError("err_not_text") from exc
    return "md"


def safe_filename(name: str) -> str:
    """A file name that cannot escape the uploads folder or confuse a shell."""
    base = Path(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-._")[:80] or "document"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def save_upload(name: str, data: bytes, uploads_dir: Path, max_mb: int) -> Path:
    """Check and store an upload under ``uploads_dir``; never overwrites an earlier upload."""
    check_upload(name, data, max_mb)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = uploads_dir / safe_filename(name)
    n = 2
    while target.exists():
        target = uploads_dir / f"{Path(safe_filename(name)).stem}-{n}{Path(target).suffix}"
        n += 1
    target.write_bytes(data)
    return target


def format_age(seconds: float | None, lang: str) -> str:
    """'3 min', '2 uur', '5 dagen' — how stale the index is, for the About page."""
    if seconds is None:
        return t("unknown", lang)
    s = max(0, int(seconds))
    units = (
        (86400, "dag", "dagen", "day", "days"),
        (3600, "uur", "uur", "hour", "hours"),
        (60, "min", "min", "min", "min"),
    )
    for size, nl1, nln, en1, enn in units:
        if s >= size:
            k = s // size
            return f"{k} {(nl1 if k == 1 else nln) if lang == 'nl' else (en1 if k == 1 else enn)}"
    return f"{s} s"


# --------------------------------------------------------------------------------------------------
# Calculator page
# --------------------------------------------------------------------------------------------------


@dataclass
class CalcFieldError(ValueError):
    """An amount field the calculator could not read; ``field`` names which one for the form."""

    field: str
    text: str

    def __str__(self) -> str:
        return f"{self.field}: {self.text}"


def run_calculator(requested: str, cofinancing: str, total: str, lang: str) -> Any:
    """Parse the form's amounts (Dutch or English notation, bare numbers in € million) and pick the check.

    A request (with or without co-financing/total) is checked as a plan; co-financing alone or a total
    alone gives the largest possible Regio Envelop contribution. Raises ``CalcFieldError`` for an
    unreadable amount and ``rag.money.UserInputError`` for amounts that do not fit together.
    """
    from rag.calculator import plans as cof
    from rag.money import MILLION, AmountError, parse_amount

    values: dict[str, Any] = {}
    for name, raw in (("requested", requested), ("cofinancing", cofinancing), ("total", total)):
        if raw and raw.strip():
            try:
                euros = parse_amount(raw, lang=lang, default_unit="million", allow_zero=name != "requested",
                                     maximum=None)
            except AmountError as exc:
                raise CalcFieldError(name, exc.message(lang)) from exc
            values[name] = euros / MILLION
    if "requested" in values:
        return cof.check_plan(values["requested"], values.get("cofinancing"),
                              total_budget_eur_m=values.get("total"))
    if "cofinancing" in values:
        return cof.max_rijk_for_cofinancing(values["cofinancing"])
    if "total" in values:
        return cof.max_rijk_for_total(values["total"])
    raise CalcFieldError("requested", t("calc_need_amount", lang))


def rule_cards(rules: Sequence[Any], document_text: Callable[[str], str | None] | None) -> list[SourceCard]:
    """Source cards for the calculator's rules: each rule's quote located in its document."""
    cards = []
    for i, rule in enumerate(rules, start=1):
        text = None
        if document_text is not None:
            try:
                text = document_text(rule.doc_id)
            except Exception:
                log.warning("document %s not available for rule context", rule.doc_id, exc_info=True)
        found = locate_quote(text, rule.quote) if text else None
        if text and found:
            passage, qs, qe, line_start = _trim_context(text, found[0], found[1], 200)
            cards.append(SourceCard(n=i, doc_id=rule.doc_id, title=rule.doc_id, page=rule.page, section=rule.section,
                                    quote=rule.quote, start=found[0], end=found[1], passage=passage,
                                    quote_start=qs, quote_end=qe, passage_at_line_start=line_start))
        else:
            cards.append(SourceCard(n=i, doc_id=rule.doc_id, title=rule.doc_id, page=rule.page, section=rule.section,
                                    quote=rule.quote, start=-1, end=-1, passage=rule.quote, quote_start=0,
                                    quote_end=len(rule.quote)))
    return cards
