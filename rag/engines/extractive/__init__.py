"""The default engine: answers by quoting the sentences that answer the question, no language model.

Every statement is a verbatim quote with a citation, so nothing can be invented. The work is in
choosing: sentences of the top passages are scored by IDF-weighted term overlap with the question, the
e5 similarity of the sentence, the rank of its passage and whether it holds the kind of answer asked
for (an amount for "hoeveel kost", a date for "wanneer", ...). When no sentence is relevant enough, or
none holds the asked-for kind of answer, the engine refuses and shows the most related passage instead.
Thresholds are calibrated on the question sets (see BENCHMARKS.md), not guessed.

"""

from __future__ import annotations

from rag.engines.extractive.analysis import (  # noqa: F401
    _ADJECTIVE,
    _ANAPHOR,
    _CLOSING,
    _DOC_MENTIONS,
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
    PROMPTS_DIR,
    STRICT_TYPES,
    _cap,
    _figures_in,
    _marker_start,
    _q,
    answer_type,
    doc_name,
    focus_terms,
    fold_eq,
    has_type,
    log,
    mentioned_docs,
    prompt,
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
