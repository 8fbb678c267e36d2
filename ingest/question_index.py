"""Embed the answer units' hypothetical questions at ingest time into their own Chroma collections.

Two collections per version of the unit data (the name carries a hash of the units and the embedder,
so a process that already queried an older version never reads a half-updated one):
- ``<base>_units_<hash>``: one record per unit (its text, kind, offsets, context offsets, order);
- ``<base>_uq_<hash>``: one vector per hypothetical question, embedded as a *query* (e5 "query: "),
  because it is matched against the user's question, with its unit's metadata.
A pointer collection ``<base>_unitptr`` names the active version. Vectors of questions whose text
did not change are copied from the previous version instead of re-embedded.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ingest.gaps import Gap, load_gaps
from ingest.units import Unit, load_units
from ingest.uploads_store import load_upload_units
from rag.config import Settings
from rag.doc_description import describer, description_data, with_undescribed
from rag.question_index import (
    POINTER_SUFFIX,
    gaps_name,
    questions_name,
    terms_version,
    unit_metadata,
    units_name,
)
from rag.snapshot_cache import write_atomic

log = logging.getLogger(__name__)

WRITE_BATCH = 256


def question_key(spec: str, text: str) -> str:
    return hashlib.sha1(f"{spec}\x00query\x00{text}".encode()).hexdigest()


def embed_queries(embedder: Any, texts: list[str]) -> np.ndarray:
    """Query-side vectors (e5: "query: " prefix) for many texts."""
    model = getattr(embedder, "_model", None)
    if getattr(embedder, "spec", "") == "e5-small" and model is not None and hasattr(model, "query"):
        bs = max(1, int(getattr(embedder, "batch_size", 16)) * 2)
        parts = [np.asarray(model.query(list(texts[i : i + bs])), dtype=np.float32) for i in range(0, len(texts), bs)]
        out = np.vstack(parts) if parts else np.empty((0, 384), dtype=np.float32)
    else:
        out = np.vstack([np.asarray(embedder.embed_query(t), dtype=np.float32) for t in texts])
    norms = np.linalg.norm(out, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


# The question index is small (a few thousand questions per curated corpus) and its nearest questions decide the
# answer: Chroma's default HNSW (ef_search 100, built with every core) gave other top-60 lists for 55 of 200
# probes between two builds of the same vectors (recall 0.992), enough to flip an answer between test runs.
# A wider search and a one-thread build give 0.9998 of the exact lists and the same graph on every build.
QUESTION_HNSW: dict[str, Any] = {"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 400, "num_threads": 1}}


def _cache_file(settings: Settings) -> Path | None:
    if not settings.keeps_local_state:
        return None  # a server deployment with no local state: the server's previous vectors are reused
    folder = settings.question_cache_dir
    return Path(folder) / "question-vectors.npz" if folder else None


def _read_cache(settings: Settings) -> dict[str, list[float]]:
    """Question vectors of earlier builds (any index folder), keyed like the collection's ``qkey``."""
    path = _cache_file(settings)
    if path is None or not path.exists():
        return {}
    try:
        with np.load(path) as data:
            return {str(k): v.tolist() for k, v in zip(data["keys"], data["vectors"], strict=True)}
    except Exception:  # a damaged cache only costs embedding time
        log.warning("question vector cache %s unreadable; embedding afresh", path)
        return {}


def _write_cache(settings: Settings, vectors: dict[str, list[float]]) -> None:
    path = _cache_file(settings)
    if path is None or not vectors:
        return
    try:
        buf = io.BytesIO()
        np.savez(buf, keys=np.array(list(vectors)), vectors=np.asarray(list(vectors.values()), dtype=np.float32))
        write_atomic(path, buf.getvalue())
    except OSError:
        log.warning("could not write the question vector cache %s", path, exc_info=True)


def _active_documents(client: Any, settings: Settings) -> dict[str, str]:
    from rag.chroma_client import docs_name, read_pointer

    pointer = read_pointer(client, settings.collection)
    if pointer is None:
        return {}
    col = client.get_collection(docs_name(settings.collection, str(pointer["build_id"])), embedding_function=None)
    res = col.get(include=["documents"])
    return dict(zip(res["ids"], res["documents"], strict=True))


def _version(units: list[Unit], spec: str, gaps: Sequence[Gap] = ()) -> str:
    h = hashlib.sha1(f"{spec}\0{terms_version()}".encode())  # a changed tokeniser rewrites the stored unit terms
    for u in units:
        h.update(json.dumps([u.unit_id, u.doc_id, u.kind, u.text, u.context, u.start, u.end, u.context_start,
                             u.context_end, u.all_questions()], ensure_ascii=False).encode())
    for g in gaps:
        h.update(json.dumps(["gap", g.gap_id, g.doc_id, g.topic, g.unit, g.all_questions()], ensure_ascii=False).encode())
    return h.hexdigest()[:12]


def _read_ptr(client: Any, base: str) -> dict[str, Any]:
    from chromadb.errors import NotFoundError

    try:
        col = client.get_collection(base + POINTER_SUFFIX, embedding_function=None)
    except (NotFoundError, ValueError):
        return {}
    return dict(col.metadata or {})


def sync_question_index(client: Any, settings: Settings, progress: bool = True) -> str:
    """Bring the question index in line with ``corpus/questions`` and the active documents; returns a
    one-line report. Cheap when nothing changed (one pointer read)."""
    t0 = time.perf_counter()
    base = settings.collection
    docs = _active_documents(client, settings)
    units = load_units(settings.corpus_dir, docs) + load_upload_units(settings, docs)
    gaps = load_gaps(settings.corpus_dir, docs, settings.claims)
    spec = settings.embedding
    # each hypothetical question is indexed as written and without its descriptions of documents (rag/doc_description.py)
    reader = describer(u.text for u in units if u.kind == "card")
    setup = json.dumps([QUESTION_HNSW, description_data()], sort_keys=True)
    version = _version(units, f"{spec}\0{setup}", gaps)  # a new index setup rebuilds
    ptr = _read_ptr(client, base)
    if ptr.get("version") == version:
        return f"Question index up to date ({ptr.get('units')} units, {ptr.get('questions')} questions)."
    reuse: dict[str, list[float]] = {}
    old = ptr.get("version")
    for source in {str(v) for v in (old, version) if v}:  # the active version, and a same-version leftover of a crash
        for name in (questions_name(base, source), gaps_name(base, source)):
            with contextlib.suppress(Exception):
                res = client.get_collection(name, embedding_function=None).get(include=["embeddings", "metadatas"])
                for emb, meta in zip(res["embeddings"], res["metadatas"], strict=True):
                    if meta and meta.get("qkey"):
                        reuse[str(meta["qkey"])] = list(map(float, emb))
    names = (questions_name(base, version), units_name(base, version), gaps_name(base, version))
    for name in names:
        with contextlib.suppress(Exception):
            client.delete_collection(name)
    qcol = client.create_collection(questions_name(base, version), configuration=QUESTION_HNSW, embedding_function=None)
    ucol = client.create_collection(units_name(base, version), embedding_function=None)
    gcol = client.create_collection(gaps_name(base, version), configuration=QUESTION_HNSW, embedding_function=None)
    try:
        for i in range(0, len(units), WRITE_BATCH):
            part = units[i : i + WRITE_BATCH]
            ucol.upsert(ids=[u.unit_id for u in part], documents=[u.text for u in part],
                        metadatas=[unit_metadata(u) for u in part], embeddings=[[1.0]] * len(part))
        rows = []
        for u in units:
            for n, (lang, q) in enumerate(with_undescribed(u.all_questions(), reader)):
                meta = {"unit_id": u.unit_id, "doc_id": u.doc_id, "kind": u.kind, "lang": lang,
                        "start": u.start, "end": u.end, "qkey": question_key(spec, q)}
                rows.append((f"{u.unit_id}:{n}", q, meta))
        gap_rows = [
            (f"{g.gap_id}:{n}", q, {"gap_id": g.gap_id, "doc_id": g.doc_id, "topic": g.topic, "unit": g.unit,
                                    "lang": lang, "qkey": question_key(spec, q)})
            for g in gaps for n, (lang, q) in enumerate(with_undescribed(g.all_questions(), reader))
        ]
        cache = _read_cache(settings)
        every = rows + gap_rows
        reuse.update({k: cache[k] for k in {r[2]["qkey"] for r in every} - set(reuse) if k in cache})
        todo = list({r[2]["qkey"]: r for r in every if r[2]["qkey"] not in reuse}.values())
        vectors: dict[str, list[float]] = {r[2]["qkey"]: reuse[r[2]["qkey"]] for r in every if r[2]["qkey"] in reuse}
        if todo:
            from rag.embeddings import get_embedder

            embedder = get_embedder(spec, settings.embed_batch_size)
            bs = 64
            with tqdm(total=len(todo), desc="embedding questions", unit="q", disable=not progress) as bar:
                for i in range(0, len(todo), bs):
                    qpart = todo[i : i + bs]
                    vecs = embed_queries(embedder, [q for _, q, _ in qpart])
                    for (_, _, meta), v in zip(qpart, vecs, strict=True):
                        vectors[meta["qkey"]] = v.tolist()
                    bar.update(len(qpart))
        if todo or any(r[2]["qkey"] not in cache for r in every):
            _write_cache(settings, {**cache, **{r[2]["qkey"]: vectors[r[2]["qkey"]] for r in every}})
        for col, these in ((qcol, rows), (gcol, gap_rows)):
            for i in range(0, len(these), WRITE_BATCH):
                batch = these[i : i + WRITE_BATCH]
                col.upsert(ids=[r[0] for r in batch], documents=[r[1] for r in batch], metadatas=[r[2] for r in batch],
                           embeddings=[vectors[r[2]["qkey"]] for r in batch])
    except BaseException:
        for name in names:
            with contextlib.suppress(Exception):
                client.delete_collection(name)
        raise
    pcol = client.get_or_create_collection(base + POINTER_SUFFIX, embedding_function=None)
    pcol.modify(metadata={"version": version, "previous": old or "", "units": len(units), "questions": len(rows),
                          "gaps": len(gaps), "embedding": spec, "switched_at": time.time()})
    # keep the version just replaced (a running app may still read it); drop older ones
    keep = {version, old}
    for c in client.list_collections():
        name = c if isinstance(c, str) else c.name
        for prefix in (questions_name(base, ""), units_name(base, ""), gaps_name(base, "")):
            if name.startswith(prefix) and name[len(prefix) :] not in keep:
                with contextlib.suppress(Exception):
                    client.delete_collection(name)
    secs = time.perf_counter() - t0
    gap_note = f", {len(gaps)} gaps with {len(gap_rows)} questions" if gaps else ""
    return (f"Question index: {len(units)} units, {len(rows)} questions{gap_note} ({len(todo)} embedded, "
            f"{len(every) - len(todo)} reused) in {secs:.1f} s.")
