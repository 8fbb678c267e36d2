"""Run ``python -m ingest ARGS`` with a pause injected after N embedding batches, for kill tests.

Usage: ``python tests/pause_ingest.py N ingest-args...``. Prints PAUSE_MARKER on stderr, then sleeps, so a
test can SIGKILL the process mid-build. The delay lives here, never in production code.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

PAUSE_MARKER = "INGEST-PAUSED"


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    after = int(sys.argv[1])
    import rag.embeddings as embeddings

    real = embeddings.get_embedder

    def pausing(*args: object, **kw: object) -> object:
        emb = real(*args, **kw)
        calls = {"n": 0}
        embed = emb.embed_passages

        def embed_passages(texts: list[str]) -> object:
            out = embed(texts)
            calls["n"] += 1
            if calls["n"] >= after:
                print(PAUSE_MARKER, file=sys.stderr, flush=True)
                time.sleep(600)
            return out

        emb.embed_passages = embed_passages  # type: ignore[method-assign]
        return emb

    embeddings.get_embedder = pausing  # type: ignore[assignment]
    from ingest.__main__ import main as ingest_main

    return ingest_main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
