"""What the index's chunks say as a whole, kept per build: their distinct words (the unit retriever's
vocabulary) and the typed values they state (the false-premise check, ``rag.typed_values``).

Both are computed at ingest and kept in the build's snapshot (``rag.snapshot``), so a question never scans
the corpus; an older snapshot's are computed once when first asked. A session's view (private uploads over
the shared index) computes its own chunks' part and adds the shared retriever's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from rag import snapshot

T = TypeVar("T")


class CorpusFactsMixin:
    """``corpus_words`` and ``stated_values`` of :class:`rag.retrieval.HybridRetriever`."""

    _lock: Any
    _chunks: list[Any]
    _version: Any
    _words: list[str] | None
    _values: dict[str, set[object]] | None
    store: Any

    if TYPE_CHECKING:  # provided by HybridRetriever and SentenceLookupsMixin

        def ensure_fresh(self, force: bool = False) -> None: ...

        def _common_chunks(self, base: Any) -> int: ...

    def _per_build(
        self, attr: str, compute: Callable[[Iterable[str]], T], shared: Callable[[Any, T], T]
    ) -> T:
        """``attr`` of this build: from the snapshot, else computed over the chunks (only a session's own
        chunks, combined with the shared retriever's by ``shared``)."""
        with self._lock:
            self.ensure_fresh()
            if getattr(self, attr) is None:
                base = getattr(self.store, "base", None)
                k = self._common_chunks(base) if base is not None else 0
                own = compute(c.text for c in self._chunks[k:])
                setattr(self, attr, shared(base, own) if k else own)
            value: T = getattr(self, attr)
            return value

    def corpus_words(self) -> list[str]:
        """The distinct words of the index's chunks (what the unit retriever's vocabulary is made of); an
        older snapshot's are saved beside it once computed."""
        from rag.retrieval_units import corpus_words

        had = self._words is not None
        words = self._per_build("_words", corpus_words, lambda base, own: sorted(set(base.corpus_words()) | set(own)))
        if not had and isinstance(self._version, str):
            snapshot.save_words(self, self._version, words)
        return words

    def stated_values(self) -> dict[str, set[object]]:
        """The sums, percentages, days and years the index's chunks state."""
        from rag.typed_values import known_values

        def shared(base: Any, own: dict[str, set[object]]) -> dict[str, set[object]]:
            theirs = base.stated_values()
            return {kind: set(theirs.get(kind, set())) | vals for kind, vals in own.items()}

        return self._per_build("_values", known_values, shared)
