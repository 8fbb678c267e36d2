"""The Assistant: one object the app, the CLI and the evaluation talk to.

It does, once per question, everything that does not depend on the engine: input checks, language,
follow-up condensing, declining, calculator routing and hybrid retrieval (``prepare``); then an engine
turns that evidence into an answer, and the citation check runs on every answer before it leaves. An
answer that fails the check is never shown: the assistant logs it and refuses instead.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np

from rag import router, warmup
from rag.chroma_client import IndexUnavailableError
from rag.chunk_table import of_doc
from rag.citations import chunk_of_quote, verify
from rag.condense import condense, split_carried
from rag.config import Settings, ablated, get_settings
from rag.engines.base import AnswerContext, Engine, collect
from rag.engines.extractive import ExtractiveEngine, question_parts
from rag.glossary import named_documents
from rag.previous_answer import (
    Pointer,
    anchor_units,
    has_position_word,
    point,
    previous_turn,
    prose_item,
    shows_list,
)
from rag.question_index import QuestionIndex, UnitRecord
from rag.resources import message
from rag.retrieval import HybridRetriever, RetrievalResult, embed_query
from rag.retrieval_units import FusionWeights, UnitEvidence, UnitRetriever
from rag.safe_input import has_words
from rag.text import detect_language_with_history, fold
from rag.types import Answer, Chunk, RetrievedChunk, ToolCall

log = logging.getLogger(__name__)


class UnknownDocumentFilterError(ValueError):
    """A ``doc_ids`` filter names a document that is not in the index; str() is user-facing."""


class Assistant:
    """Question (+ history) in, cited :class:`Answer` out."""

    def __init__(self, settings: Settings | None = None, store: Any | None = None) -> None:
        self.settings = settings or get_settings()
        if store is None:
            from rag.store import IndexStore

            store = IndexStore(self.settings)
        self.store = store
        self.retriever = HybridRetriever(store, self.settings)
        self.units = UnitRetriever(
            QuestionIndex(self.settings), lambda: self.retriever.chunks, words=lambda: self.retriever.corpus_words(),
            weights=FusionWeights.for_settings(self.settings), embed=embed_query,
        )
        self._engines: dict[str, Engine] = {}
        self.extractive = ExtractiveEngine(self.settings)
        self._engines["extractive"] = self.extractive
        self._unavailable: dict[str, str] = {}
        warmup.start(self.settings)  # the language detector's models load while the index opens

    def warm(self, progress: bool = True) -> None:
        """Load the models and sentence vectors now (one-time per index version; cached on disk)."""
        self.retriever.ensure_fresh()
        if not self.retriever.sentences_ready():
            self.retriever.warm(progress=progress)

    # -- engines ---------------------------------------------------------------------------------------

    def engine(self, name: str | None = None) -> Engine:
        """The named engine; one that cannot run here (no server, no model file) falls back to extractive
        with a logged warning, so a question never fails because of the engine choice."""
        name = name or self.settings.engine
        if name not in self._engines:
            from rag.engines.registry import get_engine

            try:
                self._engines[name] = get_engine(name, self.settings)
            except Exception as exc:
                log.warning("engine %s unavailable (%s); using extractive", name, exc)
                self._unavailable[name] = str(exc)
                return self.extractive
        return self._engines[name]

    # -- the pipeline --------------------------------------------------------------------------------

    def _check_doc_ids(self, doc_ids: list[str] | None) -> list[str] | None:
        if not doc_ids:
            return None
        known = set(self.retriever.doc_ids())
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise UnknownDocumentFilterError(
                f"unknown document id(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        return list(doc_ids)

    def _condense(self, question: str, history: list[dict[str, str]], lang: str, engine: str | None) -> str:
        """The engine's own condensing when it has one (a language model rewrites follow-ups better), else,
        or when it gives up (None, error), the deterministic method."""
        if history and engine:
            eng = self.engine(engine)
            model_condense = getattr(eng, "condense", None)
            if callable(model_condense):
                try:
                    out = model_condense(question, history, lang)
                except Exception:
                    log.exception("engine %s failed to condense; using the deterministic method", engine)
                    out = None
                if isinstance(out, str) and out.strip():
                    return out.strip()
        return condense(question, history)

    def prepare(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        *,
        doc_ids: list[str] | None = None,
        engine: str | None = None,
    ) -> AnswerContext:
        """Language, standalone question, routing and retrieval: the evidence any engine answers from."""
        self.warm()
        t0 = time.perf_counter()
        history = [h for h in (history or []) if isinstance(h, dict) and h.get("content")]
        doc_ids = self._check_doc_ids(doc_ids)
        lang = detect_language_with_history(question, history)
        asked = question
        pointer, turn, picked = self._list_position(question, history)
        # "Kun je die zesde wat verder uitleggen?" asks about an item of the list the answer showed, not for the answer again
        restated = None if pointer is not None or picked is not None else self._restated(question, history)
        if restated is not None:  # "in English please", "kort samengevat?": the previous question, in this turn's language
            question, history = restated
            pointer, turn, picked = self._list_position(question, history)
        standalone = self._condense(question, history, lang, engine)
        search_own: str | None = None
        if pointer is not None and picked is not None and turn is not None and not shows_list(turn[1], pointer.items):
            pointer = None  # a list among the units the answer is about, but not the one it showed
        item_text: str | None = pointer.item.text if pointer is not None else None
        if item_text is None and picked is not None:
            item_text, rest = picked
            search_own = f"{rest} {item_text}"
        if item_text:  # the list item it points at is the subject carried over, not the last turn's words
            carried = " ".join(item_text.replace("(", " ").replace(")", " ").split()[:30])
            standalone = f"{split_carried(standalone)[0].rstrip()} ({carried})"
        analysis = router.analyse(question, standalone, lang, declines=not ablated(self.settings, "decline"), history=history)
        route, standalone, claim, clauses = analysis.route, analysis.search_question, analysis.claim, analysis.clauses
        t1 = time.perf_counter()

        parts = question_parts(standalone)
        # "..., en wanneer gaat die open?": a later part leans on the first one's subject ("deze tranche" names its own)
        first = [{"role": "user", "content": parts[0]}]
        parts = [p if i == 0 else condense(p, first, ablated(self.settings, "part_determiner")) for i, p in enumerate(parts)]
        qvec = embed_query(standalone)
        part_vecs: list[tuple[str, np.ndarray | None]] = [(standalone, qvec)]
        if len(parts) > 1:
            part_vecs = [(p, embed_query(p)) for p in parts]
        t2 = time.perf_counter()

        k = self.settings.top_k
        result = self.retriever.search(standalone, k, doc_ids)
        hits = result.hits
        # the best answer units, and the whole question's chunk ranking fused with their chunks; the parts',
        # a claim's and the calculator's passages are placed after that, as before
        units, unit_parts = self._unit_evidence(search_own or question, history, standalone, qvec, part_vecs, hits, doc_ids, pointer, item_text)
        if not ablated(self.settings, "unit_chunks"):
            hits = self._fuse_chunks(hits, units, k)
            result = dataclasses.replace(result, hits=hits)
        extra_queries = [p for p, _ in part_vecs] if len(parts) > 1 else []
        claim_is_question = bool(claim) and fold(claim or "").strip(" ?") == fold(standalone).strip(" ?")
        if claim and not claim_is_question:  # a claim that is the whole question adds no search
            extra_queries.append(claim)
        n = self.settings.answer_passages
        part_ranks: dict[str, dict[str, int]] = {}
        if extra_queries:
            # a claim, or a part, that names a document is searched in it ("..., and what does the
            # two-pager say?"): a search of every document can miss its passage for the others' words
            extra_results = [
                self.retriever.search(q, k, self._claim_docs(question if q == claim else split_carried(q)[0], doc_ids)) for q in extra_queries
            ]
            hits = self._merge([result, *extra_results], k)
            # each part's sentences are weighed by that part's own ranking, not the merged one
            part_ranks = {q: {h.chunk.chunk_id: h.rank for h in res.hits} for q, res in zip(extra_queries, extra_results, strict=True)}
            # every part of a multi-part question keeps its own best passages among those the answer reads
            hits = self._ensure([h for res in extra_results for h in res.hits[: self.settings.part_passages]], hits, n)
            if claim in extra_queries and named_documents(question):
                # a claim put in a document's mouth is judged first by what that document says on it
                claim_hits = extra_results[extra_queries.index(claim)].hits
                hits = self._ensure(claim_hits[: self.settings.part_passages], hits, 0)
        if route.kind in ("calc", "mixed") and route.rule_citations:
            hits = self._pin(self._rule_chunks(route.rule_citations), hits, k)
        t3 = time.perf_counter()

        passages = hits[: n + len(extra_queries) * 2]
        tool = None
        if route.kind in ("calc", "mixed"):
            tool = ToolCall(name=route.tool, input=route.tool_input, result=route.tool_result)
        return AnswerContext(
            question=asked,
            standalone_question=standalone,
            language=lang,
            passages=passages,
            retrieved=hits,
            history=history,
            tool=tool,
            tool_explanation=route.explanation,
            units=units,
            unit_parts=unit_parts,
            retriever=self.retriever,
            document=self.store.document,
            retrieval=result,
            query_vec=qvec,
            parts=part_vecs,
            part_ranks=part_ranks,
            route=route,
            mixed=route.kind == "mixed",
            rule_citations=list(route.rule_citations or []),
            # a question the calculator reads as a money question with its figures is no request to advise or invent
            decline=route.reason if route.kind == "decline" else None if tool is not None else self._intent_decline(qvec, units, question, standalone),
            premise_claim=claim,
            pointer=pointer,
            claim_vec=(qvec if claim_is_question else embed_query(claim)) if claim else None,
            # a claim of several clauses ("X vraagt 80 miljoen, terwijl het maximum 40 is") is checked per clause
            claims=[(c, embed_query(c)) for c in clauses] if len(clauses) > 1 else None,
            doc_ids=doc_ids,
            timings_ms={"route": (t1 - t0) * 1000, "embed": (t2 - t1) * 1000, "retrieve": (t3 - t2) * 1000 + (t2 - t1) * 1000},
        )

    def _list_position(
        self, question: str, history: list[dict[str, str]]
    ) -> tuple[Pointer | None, tuple[str, str] | None, tuple[str, str] | None]:
        """The list position a follow-up asks, read once: the item of the list among the previous answer's units it
        points at, the previous turn, and the item of that answer's own enumeration (``rag.previous_answer``)."""
        turn = previous_turn(history) if history and not ablated(self.settings, "prose_item") else None
        # no unit holds the list the previous answer showed: an enumeration in the answer's own words
        picked = prose_item(question, turn[1]) if turn else None
        said = " ".join(h.get("content", "") for h in history[-2:])
        anchors = self._anchors(history) if history and not ablated(self.settings, "list_position") and has_position_word(question, said) else None
        return (point(question, anchors, self.units, said) if anchors is not None else None), turn, picked

    def _anchors(self, history: list[dict[str, str]]) -> list[UnitRecord]:
        """The units the previous answer quoted or paraphrased, best first (``rag.previous_answer``; empty if unreadable)."""
        try:
            self.units.prepare()
            return anchor_units(history, self.units, embed_query) if self.units.qindex.available else []
        except Exception:  # reading the previous answer is a refinement: never a reason to fail the question
            log.warning("could not read the follow-up against the previous answer", exc_info=True)
            return []

    def _intent_decline(self, qvec: np.ndarray, units: UnitEvidence | None, question: str, standalone: str) -> str | None:
        """A request to write, advise or invent the router did not catch (``rag.engines.confidence.intent_decline``); a
        follow-up asking an opinion also in its own words, by the request probe (``REGIODEAL_ABLATE=own_request``)."""
        if ablated(self.settings, "decline_intents") or ablated(self.settings, "decline"):
            return None
        from rag.engines.confidence import intent_decline

        found = intent_decline(qvec, units, outcomes=not ablated(self.settings, "outcome_probe"))
        if found is None and split_carried(standalone)[1] and not ablated(self.settings, "own_request"):
            found = intent_decline(embed_query(question), units, outcomes=False)  # an opinion asked: "leg uit" is no request
            return found if found == "advice" else None
        return found

    def _unit_evidence(
        self, question: str, history: list[dict[str, str]], standalone: str, qvec: np.ndarray,
        part_vecs: list[tuple[str, np.ndarray | None]], hits: list[RetrievedChunk], doc_ids: list[str] | None,
        pointer: Pointer | None = None, item_text: str | None = None,
    ) -> tuple[UnitEvidence | None, list[tuple[str, UnitEvidence]]]:
        """The fused unit ranking: a follow-up is searched as typed and together with the previous user
        turn (fused), never with carried keywords; each part of a multi-part question on its own."""
        conversation = None
        own = question.strip()
        prev = next((h["content"] for h in reversed(history) if h.get("role") == "user"), None)
        if prev:
            joined = f"{prev.strip()} {own}"
            said = next((h["content"] for h in reversed(history) if h.get("role") == "assistant"), "")
            if said and self.units.w.conversation_answer_words > 0 and not ablated(self.settings, "conv_answer"):
                # what the previous answer said is the follow-up's context too ("what are they organising because
                # of that?"): its first words, without citation markers, between the previous question and this one
                said = " ".join(re.sub(r"\[\d+\]", " ", said).split()[: self.units.w.conversation_answer_words])
                joined = f"{prev.strip()} {said} {own}"
            if pointer is not None:  # the item the question points at is its context, not the whole last turn
                joined = f"{own} {pointer.item.context} {pointer.item.text}"
            elif item_text:  # an item of the previous answer's own enumeration: ``own`` holds it already
                joined = own
            conversation = (joined, embed_query(joined))
            vec = embed_query(own)
        else:
            own, vec = standalone, qvec
        units = self.units.search(own, vec, hits, doc_ids, conversation)
        parts: list[tuple[str, UnitEvidence]] = []
        if len(part_vecs) > 1:
            parts = [(p, self.units.search(split_carried(p)[0], v, hits, doc_ids, conversation)) for p, v in part_vecs]
        return units, parts

    def _restated(self, question: str, history: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]] | None:
        """The previous user question and the turns before it, when this follow-up asks for the previous
        answer again in another language or form (the restate probe on its e5 vector,
        ``rag/engines/restate_exemplars.yaml``); None otherwise, and without a previous question."""
        last = next((i for i in range(len(history) - 1, -1, -1) if history[i].get("role") == "user"), None)
        if last is None or ablated(self.settings, "restate"):
            return None
        from rag.engines.request_probe import RESTATE_PROBE_FILE, load_probe

        probe = load_probe(RESTATE_PROBE_FILE)
        if probe is None or probe.decline(embed_query(question)) is None:
            return None
        return history[last]["content"], history[:last]

    def _fuse_chunks(self, hits: list[RetrievedChunk], units: UnitEvidence | None, k: int) -> list[RetrievedChunk]:
        """One ranking of chunks: the passage ranking fused (reciprocal rank) with the chunks that hold the
        best answer units, so a unit the question index finds brings its passage up."""
        w = self.units.w
        if units is None or not units.candidates or w.chunk_from_units <= 0:
            return hits
        by_id = {h.chunk.chunk_id: h for h in hits}
        unit_rank: dict[str, int] = {}
        for c in units.candidates[: w.unit_chunk_depth]:
            for chunk in self.units.chunks_of(c.unit):
                unit_rank.setdefault(chunk.chunk_id, len(unit_rank) + 1)
                by_id.setdefault(chunk.chunk_id, RetrievedChunk(chunk, 0, 0.0, None, None))
        score = {cid: 1.0 / (w.k + h.rank) if h.rank else 0.0 for cid, h in by_id.items()}
        for cid, r in unit_rank.items():
            score[cid] += w.chunk_from_units / (w.k + r)
        order = sorted(score, key=lambda cid: (-score[cid], by_id[cid].rank or 10**6))[: max(k, len(hits))]
        return [
            RetrievedChunk(by_id[c].chunk, r, score[c], by_id[c].dense_rank, by_id[c].sparse_rank)
            for r, c in enumerate(order, start=1)
        ]

    @staticmethod
    def _claim_docs(question: str, doc_ids: list[str] | None) -> list[str] | None:
        """Where a claim the question attributes to a document ("since the Kamerbrief says X"), or a part
        that names one ("..., and what does the two-pager say?"), is searched: in that document, whose
        passage a search of the whole index can rank far down for the rest of the question's words."""
        named = sorted(named_documents(question))
        if not named:
            return doc_ids
        return [d for d in named if not doc_ids or d in doc_ids] or doc_ids

    @staticmethod
    def _merge(results: list[RetrievalResult], k: int) -> list[RetrievedChunk]:
        """Reciprocal-rank merge of the whole question's ranking with each part's (multi-part questions)."""
        scores: dict[str, float] = {}
        first: dict[str, RetrievedChunk] = {}
        for w, res in zip([1.5] + [1.0] * (len(results) - 1), results, strict=True):
            for h in res.hits:
                scores[h.chunk.chunk_id] = scores.get(h.chunk.chunk_id, 0.0) + w / (10 + h.rank)
                first.setdefault(h.chunk.chunk_id, h)
        order = sorted(scores, key=lambda c: -scores[c])[:k]
        return [
            RetrievedChunk(first[c].chunk, r, scores[c], first[c].dense_rank, first[c].sparse_rank)
            for r, c in enumerate(order, start=1)
        ]

    @staticmethod
    def _ensure(wanted: list[RetrievedChunk], hits: list[RetrievedChunk], n: int) -> list[RetrievedChunk]:
        """``hits`` with each of ``wanted`` moved up to just after the first ``n`` when it ranks lower (or
        was cut), renumbered: the merged ranking stays in charge of the order."""
        have = {h.chunk.chunk_id for h in hits[:n]}
        extra: list[RetrievedChunk] = []
        for h in wanted:
            if h.chunk.chunk_id not in have:
                have.add(h.chunk.chunk_id)
                extra.append(h)
        if not extra:
            return hits
        rest = [h for h in hits[n:] if h.chunk.chunk_id not in have]
        order = hits[:n] + extra + rest
        return [
            RetrievedChunk(h.chunk, r, h.score, h.dense_rank, h.sparse_rank)
            for r, h in enumerate(order[: max(len(hits), n + len(extra))], start=1)
        ]

    def _rule_chunks(self, rules: list[Any]) -> list[Chunk]:
        """The chunks holding the calculator's rule quotes: a money answer rests on them, so they are
        retrieved first for it, whatever the question's wording."""
        out: list[Chunk] = []
        for rule in rules:
            get = rule.get if isinstance(rule, dict) else lambda k, d=None, r=rule: getattr(r, k, d)
            doc_id, quote = get("doc_id"), get("quote")
            if not doc_id:
                continue
            try:
                doc = self.store.document(doc_id)
            except Exception:  # an index without that document: nothing to pin
                continue
            found = chunk_of_quote(doc.text, quote or "", of_doc(self.retriever.chunks, doc_id), doc_id)
            if found is not None and found[2] is not None and found[2] not in out:
                out.append(found[2])
        return out

    @staticmethod
    def _pin(chunks: list[Chunk], hits: list[RetrievedChunk], k: int) -> list[RetrievedChunk]:
        """``chunks`` first, then the other hits, renumbered."""
        ids = {c.chunk_id for c in chunks}
        by_id = {h.chunk.chunk_id: h for h in hits}
        first = [by_id.get(c.chunk_id) or RetrievedChunk(c, 0, 0.0, None, None) for c in chunks]
        rest = [h for h in hits if h.chunk.chunk_id not in ids]
        return [
            RetrievedChunk(h.chunk, r, h.score, h.dense_rank, h.sparse_rank)
            for r, h in enumerate((first + rest)[: max(k, len(first))], start=1)
        ]

    def _refusal(self, question: str, lang: str, text: str, reason: str, engine: str, **kw: Any) -> Answer:
        return Answer(
            question=question, language=lang, answer=text, refused=True, engine=engine, refusal_reason=reason, **kw
        )

    def _precheck(self, question: str, history: list[dict[str, str]] | None, engine: str) -> Answer | None:
        """Input problems become a polite refused answer, never an exception."""
        q = question if isinstance(question, str) else ""
        if not q.strip():
            lang = detect_language_with_history("", history)
            return self._refusal(q, lang, message("empty", lang), "empty", engine)
        if not has_words(q):  # emoji, symbols or punctuation only: nothing to look up
            lang = detect_language_with_history("", history)
            return self._refusal(q, lang, message("no_words", lang), "no_words", engine)
        limit = self.settings.max_question_chars
        if len(q) > limit:
            lang = detect_language_with_history(q[:500], history)
            text = message("too_long", lang).format(n=len(q), max=limit)
            return self._refusal(q, lang, text, "too_long", engine, notice=text)
        return None

    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        *,
        doc_ids: list[str] | None = None,
        engine: str | None = None,
        plain_language: bool | None = None,
        qid: str | None = None,
        callbacks: Any = None,
    ) -> Answer:
        """Answer one question. Never raises for user-input problems; raises IndexUnavailableError when
        the index cannot be used and UnknownDocumentFilterError for an unknown ``doc_ids`` entry."""
        return collect(
            self.stream(
                question, history, doc_ids=doc_ids, engine=engine, plain_language=plain_language, qid=qid, callbacks=callbacks
            )
        )[1]

    def _mark_unavailable(self, ans: Answer, eng: Engine, name: str) -> None:
        """An engine that cannot run here was replaced by the extractive one: say so to the user."""
        if eng is self.extractive and name in self._unavailable:
            message = self._unavailable[name]
            ans.fallback = ans.fallback or f"engine {name} unavailable: {message}"
            ans.notice = ans.notice or message

    def _decline(self, ctx: AnswerContext, engine: str) -> Answer:
        reason = ctx.decline or ""
        if reason == "outcome":  # not a request to refuse but a question the documents predate: show what they say
            return self.extractive.after_the_documents(ctx)
        return Answer(
            question=ctx.question,
            language=ctx.language,
            answer=message(f"decline_{reason}", ctx.language),
            refused=True,
            engine=engine,
            retrieved=list(ctx.retrieved),
            standalone_question=ctx.standalone_question,
            refusal_reason=reason,
        )

    def _finish(self, ans: Answer, ctx: AnswerContext, qid: str | None, t0: float, t1: float) -> Answer:
        """Run the citation check, fill the contract fields, time it."""
        problems = verify(ans, self.store.document)
        if problems:
            log.error("answer to %r failed the citation check: %s", ctx.question[:80], "; ".join(problems))
            ans = Answer(
                question=ctx.question,
                language=ctx.language,
                answer=message("error", ctx.language),
                refused=True,
                engine=ans.engine,
                retrieved=list(ctx.retrieved),
                refusal_reason="citation_check_failed",
            )
        ans.id = qid
        ans.question = ctx.question
        ans.standalone_question = ctx.standalone_question
        if not ans.retrieved:
            ans.retrieved = list(ctx.retrieved)
        if ans.tool is None and ctx.tool is not None and not ans.refused:
            ans.tool = ctx.tool
        t2 = time.perf_counter()
        timings = dict(ctx.timings_ms)
        timings.update({k: v for k, v in ans.timings_ms.items() if k not in ("total",)})
        timings["generate"] = (t2 - t1) * 1000
        timings["total"] = (t2 - t0) * 1000
        ans.timings_ms = timings
        return ans

    def stream(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        *,
        doc_ids: list[str] | None = None,
        engine: str | None = None,
        plain_language: bool | None = None,
        qid: str | None = None,
        callbacks: Any = None,
    ) -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the final (checked) Answer.

        For the extractive engine the text is complete before it is streamed; for generative engines
        the pieces come live and the final Answer may differ (it is the checked one: show that).
        ``callbacks`` (LangChain's, from ``rag.chain``) reach the engine's retriever, model and tool calls."""
        t0 = time.perf_counter()
        name = engine or self.settings.engine
        pre = self._precheck(question, history, name)
        if pre is not None:
            pre.id = qid
            pre.timings_ms = {"total": (time.perf_counter() - t0) * 1000}
            yield pre.answer
            yield pre
            return
        ctx = self.prepare(question, history, doc_ids=doc_ids, engine=name)
        ctx.plain_language = self.settings.plain_language if plain_language is None else plain_language
        ctx.callbacks = callbacks
        t1 = time.perf_counter()
        if ctx.decline:
            ans = self._decline(ctx, name)
            yield ans.answer
            yield self._finish(ans, ctx, qid, t0, t1)
            return
        eng = self.engine(name)
        if eng is self.extractive:
            ans = eng.answer(ctx)
            self._mark_unavailable(ans, eng, name)
            ans = self._finish(ans, ctx, qid, t0, t1)
            yield from self.extractive.stream_text(ans.answer)
            yield ans
            return
        final: Answer | None = None
        try:
            for item in eng.stream(ctx):
                if isinstance(item, Answer):
                    final = item
                else:
                    yield item
        except Exception:
            log.exception("engine %s failed while streaming; falling back to extractive", name)
            final = self.extractive.answer(ctx)
            final.fallback = f"engine {name} failed"
        if final is None:
            final = self.extractive.answer(ctx)
            final.fallback = f"engine {name} returned no answer"
        yield self._finish(final, ctx, qid, t0, t1)

    # -- status --------------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """What the app's sidebar and `python -m rag status` show."""
        out: dict[str, Any] = {"engine": self.settings.engine, "embedding_model": self.settings.embedding}
        try:
            stats = self.store.stats() if hasattr(self.store, "stats") else {}
        except IndexUnavailableError:  # missing or unreachable: callers show how to build it / the cause
            raise
        except Exception as exc:  # the status page must render even when the index is broken
            return {**out, "error": str(exc)}
        out.update({k: v for k, v in (stats or {}).items() if k not in out})
        try:
            manifest = self.store.manifest() if hasattr(self.store, "manifest") else {}
        except Exception:
            manifest = {}
        manifest = manifest if isinstance(manifest, dict) else getattr(manifest, "__dict__", {})
        chunks = self.retriever.chunks
        out["chunk_count"] = len(chunks)
        out["documents"] = sorted(self.retriever.doc_ids())
        built = manifest.get("built_at") or out.get("built_at")
        out["index_built_at"] = built
        out["index_version"] = self.store.version() if hasattr(self.store, "version") else None
        if isinstance(built, int | float) and built > 0:
            out["index_built_at"] = datetime.fromtimestamp(built, UTC).isoformat(timespec="seconds")
            out["index_age_s"] = round(time.time() - built, 1)
        elif built:
            try:
                ts = datetime.fromisoformat(str(built).replace("Z", "+00:00"))
                if ts.tzinfo is None:
                    ts = ts.replace(tzinfo=UTC)
                out["index_age_s"] = round((datetime.now(UTC) - ts).total_seconds(), 1)
            except ValueError:
                out["index_age_s"] = None
        return out
