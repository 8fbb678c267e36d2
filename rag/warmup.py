"""Start-up work that a first question would otherwise wait for, begun in the background when an
:class:`rag.assistant.Assistant` is made (``REGIODEAL_ABLATE=warm_language`` switches it off).

The language detector (lingua) reads its Dutch and English n-gram models on first use: 1.3-4 s on a busy
2-core machine, which the first question paid in full. lingua's native code does not hold the interpreter's
lock while it loads, so loading it in a thread overlaps with opening the index. The decisions are lingua's own,
unchanged: only the moment its models are read moves.
"""

from __future__ import annotations

import logging
import threading

from rag.config import Settings, ablated

log = logging.getLogger(__name__)

_started = threading.Event()


def _load_language_models() -> None:
    try:
        from rag.text import detect_language

        detect_language("The language models are read once, before the first question needs them.")
    except Exception:  # a warm-up only saves time: the first question loads the models itself
        log.debug("warming the language detector failed", exc_info=True)


def start(settings: Settings) -> threading.Thread | None:
    """Load the language detector's models in a daemon thread (once per process); the thread, or None when
    already started or switched off."""
    if ablated(settings, "warm_language") or _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(target=_load_language_models, name="warm-language", daemon=True)
    thread.start()
    return thread
