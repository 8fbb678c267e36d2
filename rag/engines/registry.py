"""Engine selection by name; the generative engines register here as they land."""

from __future__ import annotations

from rag.config import Settings
from rag.engines.base import Engine


class EngineUnavailableError(RuntimeError):
    """The configured engine cannot run here (no server, no model file); str() is user-facing."""


def get_engine(name: str, settings: Settings) -> Engine:
    """Build the named engine; ``auto`` resolves to the best available one."""
    if name in ("extractive", "auto"):
        from rag.engines.extractive import ExtractiveEngine

        return ExtractiveEngine(settings)
    raise EngineUnavailableError(f"engine '{name}' is not available (choose extractive, openai, local or auto)")
