"""The question index at question time: the user's question against the units' hypothetical questions.

Written at ingest (``ingest/question_index.py``); here it is only read. ``search`` embeds nothing itself:
it takes the e5 query vector the assistant already computed, asks Chroma for the nearest hypothetical
questions and aggregates them per answer unit (the best question's similarity, plus a little for every
further question of the same unit among the nearest: a unit that several phrasings point at is a safer
answer than one lucky paraphrase).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

POINTER_SUFFIX = "_unitptr"
REFRESH_S = 2.0  # server mode: seconds between two reads of the pointer
# Up to this many hypothetical (or gap) questions are searched exactly, from one array held in memory (~1.5 kB
# a question); above it through the collection's HNSW. HNSW is approximate: a rebuilt graph over the same vectors
# returned other neighbours and changed 10 of 260 blind answers (session 36), so a small index is searched exactly.
EXACT_QUESTION_LIMIT = 20_000


def questions_name(base: str, version: str) -> str:
    return f"{base}_uq_{version}"


def units_name(base: str, version: str) -> str:
    return f"{base}_units_{version}"


def gaps_name(base: str, version: str) -> str:
    return f"{base}_gaps_{version}"


@cache
def terms_version() -> str:
    """A digest of the tokeniser's source (``rag/text.py``): unit terms stored at ingest are used only while
    it is unchanged (a changed tokeniser also gives the question index a new version, so ingest rewrites them)."""
    from rag import text

    return hashlib.sha1(Path(text.__file__).read_bytes()).hexdigest()[:12]


def unit_terms(context: str, text: str, questions: list[str]) -> list[str]:
    """What the unit retriever's BM25 indexes for a unit: its context, text and hypothetical questions
    (Dutch stemming), plus the questions again with English stemming."""
    from rag.text import terms

    return terms(" ".join([context, text, *questions]), "nl") + terms(" ".join(questions), "en")


def unit_metadata(u: Any) -> dict[str, Any]:
    """The stored record of a unit (``u`` is an ``ingest.units.Unit``), with its BM25 terms computed now (at
    ingest) so the first question does not tokenise every unit."""
    return {
        "doc_id": u.doc_id, "kind": u.kind, "section": u.section, "context": u.context,
        "start": u.start, "end": u.end, "context_start": u.context_start, "context_end": u.context_end,
        "order": u.order, "langs": json.dumps(sorted(u.questions)),
        "bm25_terms": " ".join(unit_terms(u.context, u.text, [q for _, q in u.all_questions()])),
        "terms_version": terms_version(),
    }


@dataclass(frozen=True)
class UnitRecord:
    """An answer unit as the index holds it: ``document.text[start:end]`` is its source span."""

    unit_id: str
    doc_id: str
    kind: str
    section: str
    text: str
    context: str
    start: int
    end: int
    context_start: int
    context_end: int
    order: int
    # its BM25 terms as ingest computed them (None: an index written before, or by another tokeniser)
    bm25_terms: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def is_card(self) -> bool:
        return self.kind == "card"


@dataclass(frozen=True)
class GapHit:
    """The documents' gap (``corpus/gaps.yaml``) nearest to a query: what they do not say, and how close."""

    gap_id: str
    doc_id: str
    topic: str
    best: float  # similarity of its nearest question
    question: str
    unit_id: str = ""  # a false premise (corpus/claims.yaml): the unit that states what is true
    near: tuple[float, ...] = ()  # the similarities of the nearest gap questions, best first (``nearest_gap``'s k)


@dataclass(frozen=True)
class UnitHit:
    """A unit as the question index ranks it for one query (rank 1 is best)."""

    unit: UnitRecord
    score: float  # aggregated similarity
    best: float  # similarity of its best hypothetical question
    support: int  # how many of its questions are among the nearest
    best_question: str
    rank: int = 0
    sims: tuple[float, ...] = ()  # the similarities of its questions among the nearest, best first


class _ExactRows:
    """A collection's vectors in one array, searched exactly; ``query`` answers like Chroma's (one query)."""

    def __init__(self, res: dict[str, Any]) -> None:
        m = np.asarray(res["embeddings"], dtype=np.float32).reshape(len(res["ids"]), -1)
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        self.matrix = m / np.where(norms > 0, norms, 1.0)
        self.metadatas: list[dict[str, Any]] = list(res["metadatas"])
        self.documents: list[str] = list(res["documents"])
        self.doc_ids = np.asarray([str(x.get("doc_id") or "") for x in self.metadatas])

    def __len__(self) -> int:
        return len(self.documents)

    def query(self, vec: np.ndarray, n: int, doc_ids: list[str] | None) -> dict[str, Any]:
        q = np.asarray(vec, dtype=np.float32).ravel()
        q = q / (float(np.linalg.norm(q)) or 1.0)
        sims = self.matrix @ q
        rows = np.flatnonzero(np.isin(self.doc_ids, list(doc_ids))) if doc_ids else np.arange(len(self))
        order = rows[np.argsort(-sims[rows], kind="stable")[:n]]
        return {"ids": [[str(i) for i in order]], "metadatas": [[self.metadatas[i] for i in order]],
                "documents": [[self.documents[i] for i in order]], "distances": [[1.0 - float(sims[i]) for i in order]]}


def _exact_rows(col: Any, count: int, settings: Any) -> _ExactRows | None:
    """The collection's rows for exact search, or None (too many, or switched off for measurement)."""
    from rag.config import ablated

    if col is None or count <= 0 or count > EXACT_QUESTION_LIMIT or ablated(settings, "exact_questions"):
        return None
    return _ExactRows(col.get(include=["embeddings", "documents", "metadatas"]))


class QuestionIndex:
    """Read access to the active question index (absent index: ``available`` is False, search is empty)."""

    def __init__(self, settings: Any, client_factory: Any | None = None) -> None:
        self.settings = settings
        self._factory = client_factory
        self._lock = threading.RLock()
        self._client: Any = None
        self._version: str | None = None
        self._qcol: Any = None
        self._gcol: Any = None  # the gaps' questions (absent in an index built before gaps existed)
        self._gcount = 0  # its records, read once per version (the collection is written once, with its version)
        self._units: dict[str, UnitRecord] = {}
        self._by_doc: dict[str, list[UnitRecord]] = {}
        self._questions: dict[str, list[str]] = {}
        self._qcount = 0  # records of the questions collection, read with the pointer
        self._qexact: _ExactRows | None = None  # the questions' vectors while few (exact search)
        self._gexact: _ExactRows | None = None
        self._checked = -1e9  # monotonic time of the last pointer read

    def _open(self) -> Any:
        if self._client is None:
            if self._factory is not None:
                self._client = self._factory()
            else:
                from rag.chroma_client import open_client

                self._client = open_client(self.settings, create=False)
        return self._client

    def refresh(self, force: bool = False) -> None:
        """(Re)read the pointer; load the unit records of a new version. Against a Chroma server the pointer is
        read at most every ``REFRESH_S`` seconds (two HTTP round trips per question otherwise; the chunk index's
        own refresh waits as long), unless ``force``."""
        from chromadb.errors import NotFoundError

        with self._lock:
            now = time.monotonic()
            if not force and self.settings.chroma_url and now - self._checked < REFRESH_S:
                return
            self._checked = now
            try:
                client = self._open()
                ptr = client.get_collection(self.settings.collection + POINTER_SUFFIX, embedding_function=None)
                version = str((ptr.metadata or {}).get("version") or "")
            except (NotFoundError, ValueError, Exception) as exc:  # no question index: passages only
                log.info("no question index (%s)", type(exc).__name__)
                self._version, self._qcol, self._gcol, self._units, self._by_doc = None, None, None, {}, {}
                self._qexact = self._gexact = None
                return
            if version == self._version:
                self._qcount = self._count()
                if (len(self._qexact) if self._qexact is not None else 0) != self._qcount:  # an upload's questions
                    self._qexact = _exact_rows(self._qcol, self._qcount, self.settings)
                return
            base = self.settings.collection
            self._qcol = client.get_collection(questions_name(base, version), embedding_function=None)
            try:
                self._gcol = client.get_collection(gaps_name(base, version), embedding_function=None)
                self._gcount = int(self._gcol.count())
            except (NotFoundError, ValueError):
                self._gcol, self._gcount = None, 0
            res = client.get_collection(units_name(base, version), embedding_function=None).get(
                include=["documents", "metadatas"]
            )
            units: dict[str, UnitRecord] = {}
            tv = terms_version()
            for uid, text, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                stored = m.get("bm25_terms") if m.get("terms_version") == tv else None
                units[uid] = UnitRecord(
                    unit_id=uid, doc_id=str(m["doc_id"]), kind=str(m["kind"]), section=str(m.get("section") or ""),
                    text=text, context=str(m.get("context") or ""), start=int(m["start"]), end=int(m["end"]),
                    context_start=int(m["context_start"]), context_end=int(m["context_end"]), order=int(m["order"]),
                    bm25_terms=tuple(str(stored).split()) if stored is not None else None,
                )
            by_doc: dict[str, list[UnitRecord]] = {}
            for u in sorted(units.values(), key=lambda u: (u.doc_id, u.order)):
                by_doc.setdefault(u.doc_id, []).append(u)
            questions: dict[str, list[str]] = {}
            qres = self._qcol.get(include=["documents", "metadatas"])
            for qtext, m in zip(qres["documents"], qres["metadatas"], strict=True):
                questions.setdefault(str(m["unit_id"]), []).append(qtext)
            self._units, self._by_doc, self._questions, self._version = units, by_doc, questions, version
            self._qcount = self._count()
            self._qexact = _exact_rows(self._qcol, self._qcount, self.settings)
            self._gexact = _exact_rows(self._gcol, self._gcount, self.settings)

    def _count(self) -> int:
        try:
            return int(self._qcol.count()) if self._qcol is not None else 0
        except Exception:  # the collection went with a new version: the next refresh reads the pointer again
            log.debug("question collection unavailable", exc_info=True)
            self._checked = -1e9
            return 0

    @property
    def available(self) -> bool:
        return self._version is not None and self._qcol is not None

    def unit(self, unit_id: str) -> UnitRecord | None:
        return self._units.get(unit_id)

    def units_of(self, doc_id: str) -> list[UnitRecord]:
        return self._by_doc.get(doc_id, [])

    def questions_of(self, unit_id: str) -> list[str]:
        return self._questions.get(unit_id, [])

    def card(self, doc_id: str) -> UnitRecord | None:
        return next((u for u in self.units_of(doc_id) if u.is_card), None)

    def search(self, vec: np.ndarray | None, k: int = 60, doc_ids: list[str] | None = None) -> list[UnitHit]:
        """Units ranked by their hypothetical questions' similarity to the query vector."""
        if vec is None or not self.available:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        with self._lock:
            n = min(k, self._qcount)
            if n <= 0:
                return []
            if self._qexact is not None:
                res = self._qexact.query(vec, n, doc_ids)
            else:
                res = self._qcol.query(query_embeddings=[np.asarray(vec, dtype=np.float32).tolist()], n_results=n,
                                       where=where, include=["metadatas", "distances", "documents"])
        sims: dict[str, list[float]] = {}
        best_q: dict[str, str] = {}
        for meta, dist, doc in zip(res["metadatas"][0], res["distances"][0], res["documents"][0], strict=True):
            uid = str(meta["unit_id"])
            if uid not in self._units:
                continue
            sims.setdefault(uid, []).append(1.0 - float(dist))
            best_q.setdefault(uid, doc)
        hits = []
        for uid, ss in sims.items():
            ss.sort(reverse=True)
            score = ss[0] + 0.01 * sum(ss[1:4])
            hits.append(UnitHit(self._units[uid], score, ss[0], len(ss), best_q[uid]))
        hits.sort(key=lambda h: (-h.score, h.unit.unit_id))
        return [UnitHit(h.unit, h.score, h.best, h.support, h.best_question, r, tuple(sims[h.unit.unit_id]))
                for r, h in enumerate(hits, start=1)]

    def nearest_gap(self, vec: np.ndarray | None, doc_ids: list[str] | None = None, k: int = 1) -> GapHit | None:
        """The gap whose questions come nearest to the query vector (None without gaps), with the similarities of
        the ``k`` nearest gap questions (``GapHit.near``)."""
        if vec is None or not self.available or self._gcol is None or self._gcount == 0:
            return None
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        with self._lock:
            try:
                n = max(1, min(k, self._gcount))
                res = (self._gexact.query(vec, n, doc_ids) if self._gexact is not None else self._gcol.query(
                    query_embeddings=[np.asarray(vec, dtype=np.float32).tolist()], n_results=n,
                    where=where, include=["metadatas", "distances", "documents"]))
            except Exception:  # gaps are evidence, never a reason to fail a question
                log.debug("gap search failed", exc_info=True)
                return None
        if not res["ids"] or not res["ids"][0]:
            return None
        m, d, q = res["metadatas"][0][0], res["distances"][0][0], res["documents"][0][0]
        near = tuple(1.0 - float(x) for x in res["distances"][0])
        return GapHit(str(m["gap_id"]), str(m["doc_id"]), str(m.get("topic") or ""), 1.0 - float(d), q, str(m.get("unit") or ""),
                      near)
