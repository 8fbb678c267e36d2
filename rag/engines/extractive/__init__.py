"""The extractive engine (no language model): see ``engine.py``. Re-exports the names callers and tests use."""

from __future__ import annotations

from rag.engines.extractive.analysis import (  # noqa: F401
    _ADJECTIVE,
    _ANAPHOR,
    _CLOSING,
    _ECHO,
    _FIGURE_NUM,
    _FOCUS_RE,
    _MONTHS,
    _NEW_FIGURE_TYPES,
    _NO_ECHO,
    _NUMWORDS,
    _SIGNED,
    _SPLIT_RE,
    _TYPE_MATCH,
    _TYPE_PATTERNS,
    DOC_NAME_TERMS,
    FRAME_TERMS,
    STRICT_TYPES,
    _cap,
    _figures_in,
    _marker_start,
    _q,
    answer_type,
    doc_name,
    focus_terms,
    has_type,
    log,
    mentioned_docs,
    question_parts,
    with_translation,
)
from rag.engines.extractive.engine import (  # noqa: F401
    ExtractiveEngine,
)
from rag.engines.extractive.scoring import (  # noqa: F401
    _DATELINE,
    _DOC,
    _DOC_DATE,
    _DOC_DATED_AS,
    _FIRST_PERSON,
    _GET_VERB,
    _MID_NAME,
    _PROPOSAL_GETS,
    _PROPOSAL_NAME,
    Scored,
    ScoringParams,
    _compounds_of,
    _participles,
    _splits,
)
