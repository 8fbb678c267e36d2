"""The ``local`` engine: a GGUF model run in this process by xllamacpp, spoken to over loopback HTTP.

xllamacpp embeds llama.cpp's own server, which listens on an OpenAI-compatible endpoint; the engine talks
to it through the same ChatOpenAI chain as the ``openai`` engine, so both engines are one code path and
one set of tests. The server starts once per process and model file (loading takes a few seconds) on a
free loopback port. The default model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M, assembled by ``make llm`` into
the per-user data dir (``~/.local/share/regiodeal/models/``, see ``rag.config.default_model_path``);
any other GGUF works via ``REGIODEAL_LOCAL_MODEL_PATH``. Without the file, the engine is unavailable with
a message that says how to get it, and ``auto`` uses the extractive engine.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.engines.base import Engine, EngineUnavailableError
from rag.engines.generative import GenerativeEngine
from rag.engines.openai_engine import make_chat_model

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
MIN_MODEL_BYTES = 1_000_000

_servers: dict[tuple[str, int, int], Any] = {}
_lock = threading.Lock()


def model_problem(path: Path) -> str | None:
    """Why ``path`` cannot be used as a model (None when it can)."""
    if not path.is_file():
        return f"no model file at {path} (run `make llm`, or set REGIODEAL_LOCAL_MODEL_PATH to a GGUF file)"
    if path.stat().st_size < MIN_MODEL_BYTES:
        return f"{path} is too small to be a model ({path.stat().st_size} bytes)"
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            return f"{path} is not a GGUF file"
    return None


def xllamacpp_problem() -> str | None:
    try:
        import xllamacpp  # noqa: F401
    except ImportError as exc:
        return f"xllamacpp is not installed ({exc}); run `make llm`"
    return None


def local_server(settings: Settings) -> Any:
    """The process-wide xllamacpp server for the configured model (started on first use)."""
    path = Path(settings.local_model_path).resolve()
    key = (str(path), settings.llm_threads, settings.llm_ctx)
    with _lock:
        server = _servers.get(key)
        if server is not None:
            return server
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(path)
        params.n_ctx = settings.llm_ctx
        params.n_parallel = 1  # one answer at a time: 2 cores cannot do better by interleaving
        params.n_predict = settings.llm_max_tokens
        params.cpuparams.n_threads = settings.llm_threads
        params.cpuparams_batch.n_threads = settings.llm_threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # a free port, chosen by the OS
        params.sampling.temp = 0.0
        params.sampling.top_k = 1
        params.verbosity = 0
        params.warmup = False
        params.use_jinja = True  # the GGUF's own chat template: needed for tool calls (the calculator)
        log.info("starting the local model %s (%d threads)", path.name, settings.llm_threads)
        server = xlc.Server(params)
        _servers[key] = server
        return server


def stop_local_servers() -> None:
    """Stop every server this process started (xllamacpp stops a server when its object is freed)."""
    import gc

    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    del servers
    gc.collect()


def local_base_url(settings: Settings) -> str:
    return str(local_server(settings).listening_address).rstrip("/") + "/v1"


class LocalEngine(GenerativeEngine):
    """Generative answers from the local GGUF model, verified and cited by the shared chain."""

    def __init__(self, settings: Settings, fallback: Engine | None = None) -> None:
        problem = xllamacpp_problem() or model_problem(Path(settings.local_model_path))
        if problem:
            raise EngineUnavailableError(f"engine 'local' is not available: {problem}")
        self._base_url: str | None = None
        super().__init__("local", settings, self._make_model, fallback, server_key=f"local:{settings.local_model_path}")

    def _make_model(self, timeout_s: float) -> Any:
        if self._base_url is None:
            self._base_url = local_base_url(self.settings)
        return make_chat_model(self._base_url, self.settings, timeout_s)
