"""The cost curve: ingest, index size, memory, restart and query latency at 10^3, 10^4, 10^5 chunks.

Run: ``.venv/bin/python -m bench scale`` (sizes from ``BENCH_SCALE_SIZES``, default ``1000,10000,100000``;
embedder from ``BENCH_SCALE_EMBEDDER``, default ``hash-384``, the fast stand-in of ``rag.embeddings``).

Per size, in a temporary folder (the real index is not touched):
- a corpus of the three real documents plus synthetic documents recombined from their paragraphs (seeded),
  until the build has about that many chunks (the real documents stay findable: the questions are real);
- ``python -m ingest -q build`` in a fresh interpreter: wall time, chunks/s, the index folder's size;
- a fresh interpreter (= a restart) that opens the index and answers one question: time to the first
  answer, then the questions of ``eval/questions.jsonl`` once each: retrieval and answer p50/p95 and the
  process's peak resident memory.

The raw throughput of the stand-in and of e5-small (the default) is measured on a sample of the same chunks
and their sentences (everything an ingest embeds); the e5-small ingest time of each size is extrapolated as
N x (e5 time per chunk with its sentences) + the build's own overhead per chunk (its measured time minus
the stand-in's embedding time).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REAL_DOCS = ["letter.md", "twopager.md", "kamerbrief.md"]
CHARS_PER_DOC = 18_000  # ~29 chunks (900 characters, 120 overlap, sections)


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _paragraphs() -> list[str]:
    out = []
    for name in REAL_DOCS:
        text = (ROOT / "corpus" / name).read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
        for p in re.split(r"\n\s*\n", body):
            p = p.strip()
            if len(p) >= 40 and not p.startswith(("<!--", "---")):
                out.append(p)
    return out


def make_corpus(folder: Path, n_chunks: int, seed: int = 0) -> int:
    """The real documents plus synthetic ones (~20 chunks each) until about ``n_chunks``; returns the
    number of synthetic documents."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in REAL_DOCS:
        (folder / name).write_text((ROOT / "corpus" / name).read_text(encoding="utf-8"), encoding="utf-8")
    paras = _paragraphs()
    rng = random.Random(seed)
    n_docs = max(0, round((n_chunks - 61) / 29))  # a synthetic document makes ~29 chunks
    for d in range(n_docs):
        parts: list[str] = []
        size = 0
        while size < CHARS_PER_DOC:
            if rng.random() < 0.15:
                parts.append(f"## Onderdeel {len(parts) + 1} van dossier {d}")
            p = rng.choice(paras)
            parts.append(p)
            size += len(p)
        front = f'---\nid: "gen{d:06d}"\ntitle: "Dossier {d}: Regio Deal stukken (synthetisch)"\nkind: "synthetic"\n---\n\n'
        (folder / f"gen{d:06d}.md").write_text(front + "\n\n".join(parts) + "\n", encoding="utf-8")
    return n_docs


def _env(root: Path, spec: str) -> dict[str, str]:
    return {
        **os.environ,
        "REGIODEAL_INDEX_DIR": str(root / "index"),
        "REGIODEAL_UPLOADS_DIR": str(root / "uploads"),
        "REGIODEAL_CORPUS_DIR": str(root / "corpus"),
        "REGIODEAL_EMBEDDING": spec,
        "REGIODEAL_SENTENCE_EMBEDDING": spec,
        "REGIODEAL_SNAPSHOT_CACHE_DIR": str(root / "client-cache"),  # server mode's per-user snapshot cache
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }


def _sample_texts(corpus: Path, limit: int) -> tuple[list[str], list[str], int]:
    """Passages and sentence texts of the first ``limit`` chunks of the corpus (what ingest embeds)."""
    from ingest.chunking import chunk_document
    from ingest.loaders import load_file
    from ingest.pipeline import passage_text
    from rag.config import get_settings
    from rag.sentences import embedded_text, split_chunk

    s = get_settings()
    passages: list[str] = []
    sentences: list[str] = []
    for path in sorted(corpus.glob("*.md")):
        doc = load_file(path)
        for c in chunk_document(doc, s.chunk_size, s.chunk_overlap):
            passages.append(passage_text(c))
            sents = split_chunk(c)
            sentences += [embedded_text(sents, j) for j in range(len(sents))]
            if len(passages) >= limit:
                return passages, sentences, len(passages)
    return passages, sentences, len(passages)


def raw_seconds_per_chunk(spec: str, passages: list[str], sentences: list[str]) -> dict[str, float]:
    """Seconds per chunk (its passage and its sentences) of the bare embedder, model load apart."""
    from rag.embeddings import embed_sentences, get_embedder

    t0 = time.perf_counter()
    emb = get_embedder(spec)
    emb.embed_passages(passages[:2])
    embed_sentences(sentences[:2], spec)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(0, len(passages), 16):
        emb.embed_passages(passages[i : i + 16])
    t_pass = time.perf_counter() - t0
    t0 = time.perf_counter()
    embed_sentences(sentences, spec)
    t_sent = time.perf_counter() - t0
    n = len(passages)
    return {
        "load_s": load,
        "chunk_s": t_pass / n,
        "sentences_per_chunk": len(sentences) / n,
        "sentence_s": t_sent / len(sentences),
        "per_chunk_s": (t_pass + t_sent) / n,
    }


def _query_child(restart: bool = False) -> None:
    """Runs in a fresh interpreter: open the index, answer, measure; prints one JSON line. ``restart``: a second
    client start that answers the questions again (in server mode its snapshot and the sentence vectors the
    first start read come from the per-user cache), reporting the timings only."""
    t_start = time.perf_counter()
    import resource

    from rag.assistant import Assistant
    from rag.evaluation import load_questions

    items = load_questions(ROOT / "eval" / "questions.jsonl")
    assistant = Assistant()
    t_load = time.perf_counter()
    assistant.retriever.ensure_fresh()
    t_load = time.perf_counter() - t_load
    first = assistant.ask(items[0]["question"], items[0].get("history"))
    t_first = time.perf_counter() - t_start
    rss_first_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    retrieve, total = [], []
    for it in items:
        ans = assistant.ask(it["question"], it.get("history"))
        if "retrieve" in ans.timings_ms:
            retrieve.append(ans.timings_ms["retrieve"])
        total.append(ans.timings_ms["total"])
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def pct(xs: list[float], q: float) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else float("nan")

    out: dict[str, Any] = {
        "first_answer_s": t_first,
        "index_load_s": t_load,
        "retrieve_p50": statistics.median(retrieve) if retrieve else float("nan"),
        "answer_p50": statistics.median(total),
    }
    if not restart:
        out.update({
            "first_answer_chars": len(first.answer),
            "questions": len(items),
            "retrieve_p95": pct(retrieve, 0.95),
            "answer_p95": pct(total, 0.95),
            "rss_mb": rss_mb,
            "rss_first_mb": rss_first_mb,
            "memory": assistant.retriever.memory_report(),
        })
    print(json.dumps(out))


def _restart_child() -> None:
    _query_child(restart=True)


def _child(name: str, env: dict[str, str]) -> dict[str, Any]:
    q = subprocess.run(
        [sys.executable, "-c", f"from bench.bench_scale import {name}; {name}()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if q.returncode != 0:
        raise RuntimeError(q.stderr[-3000:])
    return dict(json.loads(q.stdout.strip().splitlines()[-1]))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma_server(path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``chroma run`` (the venv's own) on a free loopback port; returns the process and its URL once it answers."""
    import urllib.request

    port = _free_port()
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("chroma server did not start")


def one_size(
    n: int, spec: str, raw: dict[str, float], e5: dict[str, float] | None, server: bool = False
) -> dict[str, Any]:
    keep = os.environ.get("BENCH_SCALE_WORKDIR")  # keep corpus and index there; a kept build is reused
    with contextlib.ExitStack() as stack:
        if keep:
            root = Path(keep) / f"{'server' if server else 'embedded'}-{n}"
        else:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-scale-{n}-")))
        if not (root / "corpus").exists():
            make_corpus(root / "corpus", n)
        env = _env(root, spec)
        proc = None
        if server:
            proc, url = start_chroma_server(root / "index")
            env["REGIODEAL_CHROMA_URL"] = url
        try:
            row = _measure(root, env, n, spec, raw, e5, server)
            if proc is not None:  # the server's own peak memory (the client's is rss_mb)
                status = Path(f"/proc/{proc.pid}/status")
                hwm = (
                    [ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM")]
                    if status.exists()
                    else []
                )
                row["server_rss_mb"] = int(hwm[0].split()[1]) / 1024 if hwm else float("nan")
            return row
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)


def _measure(
    root: Path,
    env: dict[str, str],
    n: int,
    spec: str,
    raw: dict[str, float],
    e5: dict[str, float] | None,
    server: bool,
) -> dict[str, Any]:
    done = root / "ingest.json"
    if done.exists():
        ingest_s = float(json.loads(done.read_text())["ingest_s"])
    else:
        t0 = time.perf_counter()
        workers = os.environ.get("BENCH_SCALE_WORKERS", "1")
        log_path = root / "ingest.log"  # the build's progress bars (rate, ETA) and log
        with open(log_path, "a", encoding="utf-8") as log_file:
            out = subprocess.run(
                [sys.executable, "-m", "ingest", "build", "--workers", workers],
                env={**env, "TQDM_MININTERVAL": "10"},
                cwd=ROOT,
                stdout=log_file,
                stderr=log_file,
                text=True,
            )
        ingest_s = time.perf_counter() - t0
        if out.returncode != 0:
            raise RuntimeError(log_path.read_text(encoding="utf-8")[-3000:])
        done.write_text(json.dumps({"ingest_s": ingest_s}))
    from rag.config import Settings
    from rag.store import IndexStore

    st = IndexStore(
        Settings(
            index_dir=root / "index",
            uploads_dir=root / "uploads",
            corpus_dir=root / "corpus",
            embedding=spec,
            sentence_embedding=spec,
            chroma_url=env.get("REGIODEAL_CHROMA_URL"),
        )
    )
    manifest = st.manifest()
    chunks = int(manifest.get("chunk_count", 0))
    sentences = int(manifest.get("sentence_count", 0))
    size_mb = _dir_size(root / "index") / 1e6
    import shutil

    shutil.rmtree(root / "client-cache", ignore_errors=True)  # the first start is a client's first ever
    load_before = os.getloadavg()[0]  # the machine's 1-minute load average: figures are only comparable with it
    res = _child("_query_child", env)
    if server:  # a restart of the client: the snapshot from its cache
        again = _child("_restart_child", env)
        res["first_answer_cached_s"] = again["first_answer_s"]
        res["index_load_cached_s"] = again["index_load_s"]
        res["retrieve_p50_cached"] = again["retrieve_p50"]
        res["answer_p50_cached"] = again["answer_p50"]
        # a deployment with no local state (REGIODEAL_SNAPSHOT_CACHE_DIR=): every start reads the blob from the server
        bare = _child("_restart_child", {**env, "REGIODEAL_SNAPSHOT_CACHE_DIR": ""})
        res["first_answer_nocache_s"] = bare["first_answer_s"]
        res["index_load_nocache_s"] = bare["index_load_s"]
        res["retrieve_p50_nocache"] = bare["retrieve_p50"]
        res["answer_p50_nocache"] = bare["answer_p50"]
    # the build's own cost per chunk: its time minus what the bare stand-in needs for the same texts
    overhead = max(0.0, ingest_s / chunks - raw["per_chunk_s"])
    row: dict[str, Any] = {
        "mode": "server" if server else "embedded",
        "target": n,
        "chunks": chunks,
        "sentences": sentences,
        "ingest_s": ingest_s,
        "ingest_chunks_per_s": chunks / ingest_s,
        "raw_chunks_per_s": 1 / raw["per_chunk_s"],
        "overhead_per_chunk_ms": overhead * 1000,
        "size_mb": size_mb,
        "load_avg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        **res,
    }
    if e5 is not None:
        e5_s = chunks * (e5["chunk_s"] + e5["sentence_s"] * sentences / max(1, chunks))
        row["e5_ingest_s_extrapolated"] = e5_s + chunks * overhead
        row["e5_share_of_raw"] = e5_s / row["e5_ingest_s_extrapolated"]
    return row


def main() -> str:
    sizes = [int(x) for x in os.environ.get("BENCH_SCALE_SIZES", "1000,10000,100000").split(",") if x.strip()]
    spec = os.environ.get("BENCH_SCALE_EMBEDDER", "hash-384")
    with tempfile.TemporaryDirectory(prefix="bench-scale-sample-") as tmp:
        make_corpus(Path(tmp), 200, seed=1)
        passages, sentences, _ = _sample_texts(Path(tmp), 200)
    raw = raw_seconds_per_chunk(spec, passages, sentences)
    e5 = None
    if os.environ.get("BENCH_SCALE_E5", "1") != "0":
        e5 = (
            raw
            if spec == "e5-small"
            else raw_seconds_per_chunk("e5-small", passages[:32], sentences[: 32 * 7])
        )
    modes = [
        m.strip() for m in os.environ.get("BENCH_SCALE_MODES", "embedded,server").split(",") if m.strip()
    ]
    rows = []
    for mode in modes:
        for n in sizes:
            rows.append(one_size(n, spec, raw, e5, server=mode == "server"))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"scale-{'-'.join(modes)}.json").write_text(
        json.dumps({"embedder": spec, "raw": raw, "e5": e5, "rows": rows}, indent=2)
    )
    plot(rows, out / f"scale-{'-'.join(modes)}.png")
    lines = [
        f"Embedder of the runs: {spec} ({1 / raw['per_chunk_s']:.0f} chunks/s raw, a chunk with its "
        f"{raw['sentences_per_chunk']:.1f} sentences)."
        + (
            f" e5-small raw: {e5['chunk_s'] * 1000:.0f} ms per chunk passage + {e5['sentence_s'] * 1000:.0f} ms per "
            f"sentence = {1 / e5['per_chunk_s']:.2f} chunks/s with their sentences; model load {e5['load_s']:.1f} s."
            if e5
            else ""
        ),
        "",
        "| mode | chunks | sentences | ingest (s) | ingest chunks/s | raw embedder chunks/s | build overhead (ms/chunk) | "
        "e5-small ingest, extrapolated (h) | e5 share of ingest time | index on disk (MB) | first answer after "
        "restart (s) | retrieval p50 / p95 (ms) | answer p50 / p95 (ms) | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        e5h = f"{r['e5_ingest_s_extrapolated'] / 3600:.2f}" if "e5_ingest_s_extrapolated" in r else "-"
        share = f"{r['e5_share_of_raw']:.0%}" if "e5_share_of_raw" in r else "-"
        lines.append(
            f"| {r['mode']} | {r['chunks']} | {r['sentences']} | {r['ingest_s']:.0f} | {r['ingest_chunks_per_s']:.0f} | "
            f"{r['raw_chunks_per_s']:.0f} | {r['overhead_per_chunk_ms']:.1f} | {e5h} | {share} | {r['size_mb']:.0f} | "
            f"{r['first_answer_s']:.1f}"
            + (f" (restart, cached: {r['first_answer_cached_s']:.1f})" if "first_answer_cached_s" in r else "")
            + (f" (no cache: {r['first_answer_nocache_s']:.1f})" if "first_answer_nocache_s" in r else "")
            + f" | {r['retrieve_p50']:.0f} / {r['retrieve_p95']:.0f} | "
            f"{r['answer_p50']:.0f} / {r['answer_p95']:.0f} | {r['rss_mb']:.0f}"
            + (f" (+ server {r['server_rss_mb']:.0f})" if "server_rss_mb" in r else "")
            + " |"
        )
    return "\n".join(lines) + "\n"


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """A small log-log chart (Pillow only): per mode, retrieval and answer p50 (ms), first answer after a
    restart (s x 100) and peak RSS (MB) against the number of chunks, with the issue's bars dashed."""
    import math

    from PIL import Image, ImageDraw

    w, h, left, bottom, top, right = 760, 420, 70, 50, 20, 210
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    xs = [r["chunks"] for r in rows] or [1000]
    x0, x1 = math.log10(min(xs) / 1.5), math.log10(max(xs) * 1.5)
    y0, y1 = 1.0, 4.5  # 10 .. ~30,000

    def px(x: float, y: float) -> tuple[float, float]:
        fx = (math.log10(x) - x0) / (x1 - x0)
        fy = (math.log10(max(y, 10)) - y0) / (y1 - y0)
        return left + fx * (w - left - right), h - bottom - fy * (h - top - bottom)

    d.rectangle([left, top, w - right, h - bottom], outline="black")
    for e in range(1, 5):
        _, y = px(10 ** x0, 10**e)
        d.line([left - 4, y, left, y], fill="black")
        d.text((8, y - 6), f"1e{e}", fill="black")
    for e in range(math.ceil(x0), math.floor(x1) + 1):
        x, _ = px(10**e, 10)
        d.line([x, h - bottom, x, h - bottom + 4], fill="black")
        d.text((x - 14, h - bottom + 8), f"1e{e}", fill="black")
    d.text((left + 120, h - 20), "chunks in the index (log)", fill="black")
    series = [
        ("retrieval p50 (ms)", "retrieve_p50", 1.0, (31, 119, 180), 100),
        ("answer p50 (ms)", "answer_p50", 1.0, (255, 127, 14), 300),
        ("first answer (s x 100)", "first_answer_s", 100.0, (44, 160, 44), 1000),
        ("peak RSS (MB)", "rss_mb", 1.0, (214, 39, 40), 3000),
    ]
    ly = top
    for mode, dash in (("embedded", False), ("server", True)):
        pts = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r["chunks"])
        for _label, key, scale, color, _ in series:
            line = [px(r["chunks"], r[key] * scale) for r in pts]
            for a, b in itertools.pairwise(line):
                d.line([a, b], fill=color, width=1 if dash else 3)
            for x, y in line:
                d.ellipse([x - 3, y - 3, x + 3, y + 3], fill=color)
    for label, _, _, color, bar in series:
        _, y = px(10 ** x0, bar)
        for x in range(left, w - right, 12):
            d.line([x, y, x + 5, y], fill=color)
        d.line([w - right + 10, ly + 6, w - right + 30, ly + 6], fill=color, width=3)
        d.text((w - right + 35, ly), f"{label}, bar {bar}", fill="black")
        ly += 18
    d.text((w - right + 10, ly + 6), "thick: embedded, thin: server", fill="black")
    d.text((w - right + 10, ly + 24), "dashed: the issue's bars", fill="black")
    img.save(path, optimize=True)


if __name__ == "__main__":
    print(main())
