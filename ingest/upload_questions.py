"""``python -m ingest questions <doc_id>``: answer units and hypothetical questions for an uploaded document.

The curated documents' units and questions are written by hand (``corpus/questions/<doc_id>.yaml``). For a
document added with ``python -m ingest add`` this module makes them with the configured generative engine:
the document's indexed text is split into answer units (sentences, list items with their lead-in, table
rows with their header; each checked verbatim by ``ingest.units.resolve``), the engine writes a few Dutch
and English questions per unit (``prompts/unit_questions.nl.md``, output parsed line by line), and the units
are stored in the same YAML format in the upload's own storage, ``<uploads_dir>/questions/<doc_id>.yaml``,
never under the corpus. ``ingest.question_index`` then embeds them into the question collection.

A run does at most ``Settings.question_units_per_run`` units (a 1.5B model on a CPU needs tens of seconds per
unit) and saves after every unit, so a run that is stopped or capped is resumed by running it again: units
already in the file are skipped. A unit whose generation fails gets no questions and is tried again next run.
Without a generative engine nothing is changed (``NoGeneratorError``); the upload is answered from its
passages alone.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm.auto import tqdm

from ingest.api import CorpusDocumentError, build_lock
from ingest.units import UnitsError, normalise, resolve
from ingest.uploads_store import (
    questions_file,
    read_done,
    read_registry,
    registered_uploads,
    remove_questions,
    unit_prefix,
    write_questions,
)
from rag.config import Settings
from rag.markdown import HEADING_TITLE, LIST_ITEM
from rag.resources import prompt_pair

log = logging.getLogger(__name__)

MAX_NL = 6
MAX_EN = 3
MIN_UNIT_WORDS = 3
MAX_CONSECUTIVE_ERRORS = 3  # an engine that fails this often in a row is down: stop, keep what is done
GENERATION_MAX_TOKENS = 220
MIN_TIMEOUT_S = 180.0


class NoGeneratorError(RuntimeError):
    """No generative engine is configured or can run here; str() says what to configure."""


class NotAnUploadError(CorpusDocumentError):
    """The id names a curated corpus document (its questions are data under corpus/, written by hand)."""


# --------------------------------------------------------------------------- splitting


@dataclass
class Draft:
    """A unit before generation: the YAML fields except the questions."""

    id: str
    kind: str
    section: str
    text: str
    context: str = ""

    def raw(self, questions: dict[str, list[str]] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "section": self.section, "text": self.text,
                               "context": self.context}
        if questions:
            out["questions"] = {lang: list(qs) for lang, qs in questions.items() if qs}
        return out


def _norm(fragment: str) -> str:
    return normalise(fragment).text


def split_units(doc_id: str, text: str) -> list[Draft]:
    """The answer units of a document's indexed text, in document order, each verbatim (resolvable).

    Sentences of running text; each list item with the sentence before the list as its lead-in (context);
    each table row with the table's header row as context. Headings give the section and no unit; page
    markers, separators and fragments of fewer than three words give none either."""
    from rag.text import sentence_spans

    drafts: list[Draft] = []
    headings: list[str] = []
    last_sentence = ""  # the lead-in of a list that follows
    lead_in = ""
    in_list = False
    header: str | None = None
    prefix = unit_prefix(doc_id)
    for s, e in sentence_spans(text):
        piece = text[s:e]
        first = piece.lstrip()
        h = HEADING_TITLE.match(first)
        if h:
            level = len(h.group(1))
            headings = [*headings[: level - 1], _norm(h.group(2))]
            in_list, header, last_sentence = False, None, ""
            continue
        norm = _norm(piece)
        if not norm:
            continue
        if first.startswith("|"):
            if header is None:
                header = norm
                continue
            kind, context = "table_row", header
        elif LIST_ITEM.match(first):
            header = None
            if not in_list:
                lead_in, in_list = last_sentence, True
            kind, context = "list_item", lead_in
        else:
            header, in_list = None, False
            kind, context = "sentence", ""
            last_sentence = norm
        if len(re.findall(r"\w+", norm)) < (2 if kind == "table_row" else MIN_UNIT_WORDS):
            continue
        drafts.append(Draft(f"{prefix}{len(drafts) + 1:03d}", kind, " > ".join(headings), norm, context))
    # keep only what resolves verbatim (a splitter corner case costs one unit, never the file)
    out: list[Draft] = []
    for d in drafts:
        try:
            resolve(doc_id, [d.raw()], text)
        except UnitsError:
            if d.context:
                d = Draft(d.id, d.kind, d.section, d.text, "")
                try:
                    resolve(doc_id, [d.raw()], text)
                except UnitsError:
                    log.info("unit %s is not verbatim after splitting; skipped", d.id)
                    continue
            else:
                log.info("unit %s is not verbatim after splitting; skipped", d.id)
                continue
        out.append(d)
    return out


# --------------------------------------------------------------------------- the model's output


_LINE = re.compile(
    r"^\s*(?:[-*•]\s*|\d+[.)]\s*)?\**\s*(nl|en|nederlands|dutch|engels|english)\s*\d{0,2}\s*\**\s*[:：\-–.)]\s*\**(.*)$",
    re.IGNORECASE,
)
_LANG = {"nl": "nl", "nederlands": "nl", "dutch": "nl", "en": "en", "engels": "en", "english": "en"}


def _clean_question(q: str) -> str | None:
    q = q.strip().strip("*").strip()
    q = q.strip("\"'“”‘’`").strip()
    q = re.sub(r"^(?:[-*•]\s*|\d+[.)]\s*)", "", q)
    q = " ".join(q.split())
    if "?" not in q:
        return None
    q = q[: q.rindex("?") + 1]  # drop what the model added after the question mark
    if not (8 <= len(q) <= 240) or len(re.findall(r"[^\W\d_]{2,}", q)) < 2:
        return None
    return q


def parse_questions(output: str, unit_text: str = "", max_nl: int = MAX_NL, max_en: int = MAX_EN) -> dict[str, list[str]]:
    """Questions per language from the model's output (``NL: ...`` / ``EN: ...`` lines).

    Robust to what small models do: bullets, numbering, bold labels, quotes, code fences, text after the
    question mark, numbered labels ("NL2:"), a chatty first line, duplicates. A line without a label is taken
    only if the output has no labelled line at all (its language is then detected). A question is kept when
    it ends in "?", has at least two words and is not the unit's text itself."""
    from rag.text import detect_language

    out: dict[str, list[str]] = {"nl": [], "en": []}
    seen = {" ".join(unit_text.lower().split())}
    lines = [ln for ln in (output or "").splitlines() if ln.strip() and not ln.strip().startswith("```")]
    labelled = [(m.group(1), m.group(2)) for m in (_LINE.match(ln) for ln in lines) if m]
    items = [(_LANG[lab.lower()], q) for lab, q in labelled] if labelled else [("", ln) for ln in lines]
    for label, raw in items:
        q = _clean_question(raw)
        if q is None:
            continue
        key = " ".join(q.lower().rstrip("?").split())
        if key in seen or key + "?" in seen:
            continue
        lang = label or detect_language(q)
        limit = max_nl if lang == "nl" else max_en
        if len(out[lang]) >= limit:
            continue
        seen.add(key)
        out[lang].append(q)
    return {lang: qs for lang, qs in out.items() if qs}


# --------------------------------------------------------------------------- the engine


class QuestionGenerator(Protocol):
    """What writes the questions: one call per unit, the model's raw text back."""

    name: str

    def complete(self, system: str, user: str) -> str: ...


class ChatGenerator:
    """A LangChain chat model (the ``openai`` or ``local`` engine's) as a question generator."""

    def __init__(self, name: str, model: Any) -> None:
        self.name = name
        self._model = model

    def complete(self, system: str, user: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        msg = self._model.invoke([SystemMessage(system), HumanMessage(user)])
        content = msg.content
        return content if isinstance(content, str) else " ".join(str(c) for c in content)


def get_generator(settings: Settings, engine: str | None = None) -> QuestionGenerator:
    """The configured generative engine for writing questions, or NoGeneratorError saying why there is none.

    ``question_engine`` (or ``engine``): ``openai`` (REGIODEAL_LLM_BASE_URL), ``local`` (the GGUF model of
    ``make llm``), ``auto`` (the server when one is configured, else the local model when installed) or
    ``off``."""
    choice = engine or settings.question_engine
    gen_settings = settings.model_copy(update={"llm_max_tokens": GENERATION_MAX_TOKENS,
                                               "llm_timeout_s": max(settings.llm_timeout_s, MIN_TIMEOUT_S)})
    if choice == "off":
        raise NoGeneratorError("question generation is switched off (REGIODEAL_QUESTION_ENGINE=off)")
    if choice == "auto":
        choice = "openai" if settings.llm_base_url else "local"
        if choice == "local":
            from rag.engines.local import model_problem, xllamacpp_problem

            problem = xllamacpp_problem() or model_problem(Path(settings.local_model_path))
            if problem:
                raise NoGeneratorError(
                    "no generative engine to write questions with: set REGIODEAL_LLM_BASE_URL to an "
                    f"OpenAI-compatible server, or install the local model with `make llm` ({problem})"
                )
    if choice == "openai":
        from rag.engines.openai_engine import make_chat_model, server_reachable

        url = settings.llm_base_url
        if not url:
            raise NoGeneratorError("engine 'openai' needs REGIODEAL_LLM_BASE_URL (an OpenAI-compatible server)")
        if not server_reachable(url, settings.llm_api_key):
            raise NoGeneratorError(f"the language-model server {url} does not answer")
        return ChatGenerator("openai", make_chat_model(url, gen_settings, gen_settings.llm_timeout_s))
    if choice == "local":
        from rag.engines.local import local_base_url, model_problem, xllamacpp_problem
        from rag.engines.openai_engine import make_chat_model

        problem = xllamacpp_problem() or model_problem(Path(settings.local_model_path))
        if problem:
            raise NoGeneratorError(f"engine 'local' is not available: {problem}")
        return ChatGenerator("local", make_chat_model(local_base_url(gen_settings), gen_settings,
                                                      gen_settings.llm_timeout_s))
    raise NoGeneratorError(f"unknown question engine {choice!r} (choose auto, openai, local or off)")


def prompt_for(draft: Draft, title: str) -> tuple[str, str]:
    system, user = prompt_pair("unit_questions", "nl")  # prompts/unit_questions.nl.md
    values = {"title": title, "section": draft.section or "-", "context": draft.context or "-", "text": draft.text}
    return system, re.sub(r"\{(title|section|context|text)\}", lambda m: values[m.group(1)], user)


# --------------------------------------------------------------------------- storage


# --------------------------------------------------------------------------- the command


@dataclass
class QuestionsReport:
    doc_id: str
    generator: str = ""
    units: int = 0  # answer units of the document
    done_before: int = 0  # units that had questions before this run
    generated: int = 0  # units given questions in this run
    failed: list[str] = field(default_factory=list)  # unit ids whose generation failed
    remaining: int = 0  # units left for a next run (cap)
    questions: int = 0  # questions written in this run
    seconds: float = 0.0
    stopped: str = ""  # why the run stopped early (engine down)
    index_message: str = ""
    path: str = ""

    @property
    def per_unit_s(self) -> float:
        tried = self.generated + len(self.failed)
        return self.seconds / tried if tried else 0.0

    @property
    def ok(self) -> bool:
        return not self.stopped

    def lines(self) -> list[str]:
        out = [f"{self.doc_id}: {self.units} answer units; {self.done_before} already had questions, "
               f"{self.generated} done now ({self.questions} questions, {self.per_unit_s:.1f} s per unit "
               f"with {self.generator or 'no engine'}), {len(self.failed)} failed, {self.remaining} left."]
        if self.failed:
            out.append(f"  no questions for: {', '.join(self.failed[:10])}{' …' if len(self.failed) > 10 else ''} "
                       "(tried again on the next run)")
        if self.remaining or self.failed:
            out.append(f"  run `python -m ingest questions {self.doc_id}` again to continue.")
        if self.stopped:
            out.append(f"  stopped: {self.stopped}")
        if self.index_message:
            out.append(self.index_message)
        return out


def _document(settings: Settings, doc_id: str) -> tuple[str, str]:
    """(indexed text, title) of an upload in the active index; the errors say what to do."""
    from rag.chroma_client import close_client, docs_name, open_client, read_pointer
    from rag.store import UnknownDocumentError

    registry = read_registry(settings)
    if not any(e.get("doc_id") == doc_id and not e.get("pending") for e in registry):
        client = open_client(settings, create=False)
        try:
            pointer = read_pointer(client, settings.collection)
        finally:
            close_client(client)
        import json

        indexed = list(json.loads(pointer["manifest"]).get("order", [])) if pointer else []
        if doc_id in indexed:
            raise NotAnUploadError(
                f"'{doc_id}' is a curated corpus document: its questions are written by hand in corpus/questions/"
            )
        raise UnknownDocumentError(doc_id, sorted(e["doc_id"] for e in registry))
    client = open_client(settings, create=False)
    try:
        pointer = read_pointer(client, settings.collection)
        if pointer is None:
            raise UnknownDocumentError(doc_id, [])
        col = client.get_collection(docs_name(settings.collection, str(pointer["build_id"])), embedding_function=None)
        res = col.get(ids=[doc_id], include=["documents", "metadatas"])
    finally:
        close_client(client)
    if not res["ids"]:
        raise UnknownDocumentError(doc_id, [])
    meta = (res["metadatas"] or [{}])[0] or {}
    return str(res["documents"][0]), str(meta.get("title") or doc_id)


def generate_questions(
    doc_id: str,
    settings: Settings,
    generator: QuestionGenerator | None = None,
    progress: bool = True,
    limit: int | None = None,
    engine: str | None = None,
) -> QuestionsReport:
    """Write (more of) the questions of an uploaded document and embed them. See the module docstring.

    Raises UnknownDocumentError / NotAnUploadError for a wrong id and NoGeneratorError when no engine can
    write questions; in each case nothing is changed."""
    from rag.store import UnknownDocumentError

    text, title = _document(settings, doc_id)
    path = questions_file(settings, doc_id)
    if generator is None:
        generator = get_generator(settings, engine)
    cap = settings.question_units_per_run if limit is None else limit
    report = QuestionsReport(doc_id, generator=generator.name, path=str(path))
    drafts = split_units(doc_id, text)
    report.units = len(drafts)
    done = read_done(path, doc_id)
    key = lambda d: f"{d.text}\x00{d.context}"  # noqa: E731
    report.done_before = sum(key(d) in done for d in drafts)
    todo = [d for d in drafts if key(d) not in done]
    batch, report.remaining = todo[:cap], max(0, len(todo) - cap)

    def stored() -> list[dict[str, Any]]:  # the file's units: every draft that has questions, document order
        units = []
        for d in drafts:
            u = done.get(key(d))
            if u is not None:
                units.append(d.raw({lang: list(qs) for lang, qs in (u.get("questions") or {}).items()}))
        return units

    t0 = time.perf_counter()
    errors_in_row = 0
    with tqdm(total=len(batch), desc="writing questions", unit="unit", disable=not progress) as bar:
        for n, d in enumerate(batch):
            system, user = prompt_for(d, title)
            try:
                out = generator.complete(system, user)
                errors_in_row = 0
            except Exception as exc:  # a timeout or a server error: this unit gets none, the run goes on
                log.warning("unit %s: generation failed (%s: %s)", d.id, type(exc).__name__, exc)
                report.failed.append(d.id)
                errors_in_row += 1
                bar.update(1)
                if errors_in_row >= MAX_CONSECUTIVE_ERRORS:
                    report.stopped = f"{errors_in_row} generation errors in a row ({type(exc).__name__}); is the engine running?"
                    report.remaining += len(batch) - n - 1
                    break
                continue
            qs = parse_questions(out, d.text)
            if not qs:
                log.info("unit %s: no usable questions in the model's output %r", d.id, out[:200])
                report.failed.append(d.id)
            else:
                done[key(d)] = d.raw(qs)
                report.generated += 1
                report.questions += sum(len(v) for v in qs.values())
                write_questions(path, doc_id, stored(), generator.name)
            bar.update(1)
    report.seconds = time.perf_counter() - t0
    if report.generated == 0 and not path.exists():
        report.index_message = "Question index unchanged (no questions written)."
        return report
    with build_lock(settings):
        if doc_id not in registered_uploads(settings):  # removed while we were writing
            path.unlink(missing_ok=True)
            raise UnknownDocumentError(doc_id, [])
        report.index_message = sync_questions(settings, progress)
    return report


def sync_questions(settings: Settings, progress: bool = True) -> str:
    """Embed what changed into the question index (caller holds the build lock)."""
    from ingest.question_index import sync_question_index
    from rag.chroma_client import close_client, open_client

    client = open_client(settings)
    try:
        return sync_question_index(client, settings, progress)
    finally:
        close_client(client)


__all__ = [
    "NoGeneratorError", "NotAnUploadError", "QuestionsReport", "generate_questions", "parse_questions",
    "questions_file", "remove_questions", "split_units", "unit_prefix",
]
