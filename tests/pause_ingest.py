"""Run ``python -m ingest ARGS`` with a pause injected after N embedding batches, for kill tests.

Usage: ``python tests/pause_ingest.py N ingest-args...``. Prints PAUSE_MARKER on stderr, then sleeps, so a
test can SIGKILL the process mid-build. The delay lives here, never in production code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

PAUSE_MARKER = "INGEST-PAUSED"
ROOT = Path(__file__).resolve().parent.parent


def kill_ingest_at_pause(after: int, args: list[str], env: Mapping[str, str] | None = None) -> int:
    """Run ``python -m ingest ARGS`` paused after ``after`` embedding batches, SIGKILL it there; its return code.

    Fails the calling test when the run ends before reaching the pause."""
    import pytest

    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), str(after), *args],
        env=dict(env if env is not None else os.environ), cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if PAUSE_MARKER in line:
                break
        else:
            pytest.fail(f"ingest {' '.join(args)} finished before the pause")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode


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
