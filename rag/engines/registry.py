"""Engine selection by name: ``extractive``, ``openai``, ``local`` or ``auto``.

``auto`` picks the best engine that can run here, by measured figures (BENCHMARKS.md, "Engines"): a
configured OpenAI-compatible server that answers is preferred (a deployment that sets one up means it);
the local 1.5B model is used only when ``LOCAL_BEATS_EXTRACTIVE`` says the benchmark found it more accurate
than the extractive engine; otherwise, and whenever a generative engine cannot run, ``extractive``.
"""

from __future__ import annotations

import logging

from rag.config import Settings
from rag.engines.base import Engine, EngineUnavailableError

__all__ = ["EngineUnavailableError", "get_engine", "resolve_auto"]

log = logging.getLogger(__name__)

# Set from bench/bench_engines.py's figures: on all 30 items of the shared dev set the local model is not more accurate
# than the extractive engine (see BENCHMARKS.md), so ``auto`` does not choose it.
LOCAL_BEATS_EXTRACTIVE = False


def get_engine(name: str, settings: Settings) -> Engine:
    """Build the named engine; ``auto`` resolves to the best available one."""
    if name == "extractive":
        from rag.engines.extractive import ExtractiveEngine

        return ExtractiveEngine(settings)
    if name == "openai":
        from rag.engines.openai_engine import OpenAIEngine

        return OpenAIEngine(settings)
    if name == "local":
        from rag.engines.local import LocalEngine

        return LocalEngine(settings)
    if name == "auto":
        return get_engine(resolve_auto(settings), settings)
    raise EngineUnavailableError(f"engine '{name}' is not available (choose extractive, openai, local or auto)")


def resolve_auto(settings: Settings) -> str:
    """The engine ``auto`` stands for on this machine, with this configuration."""
    if settings.llm_base_url:
        from rag.engines.openai_engine import server_reachable

        if server_reachable(settings.llm_base_url, settings.llm_api_key):
            return "openai"
        log.warning("auto: the language-model server %s does not answer; not using it", settings.llm_base_url)
    if LOCAL_BEATS_EXTRACTIVE:
        from pathlib import Path

        from rag.engines.local import model_problem, xllamacpp_problem

        if not (xllamacpp_problem() or model_problem(Path(settings.local_model_path))):
            return "local"
    return "extractive"
