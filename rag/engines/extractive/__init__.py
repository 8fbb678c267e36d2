"""The extractive engine (no language model): see ``engine.py``. Re-exports the names callers and tests use."""

from __future__ import annotations

from rag.engines.extractive.analysis import (  # noqa: F401
    STRICT_TYPES,
    answer_type,
    doc_name,
    focus_terms,
    has_type,
    mentioned_docs,
    question_parts,
    with_translation,
)
from rag.engines.extractive.engine import (  # noqa: F401
    ExtractiveEngine,
)
from rag.engines.extractive.scoring import (  # noqa: F401
    Scored,
    ScoringParams,
    _splits,
)
