"""The documents' gaps: load ``corpus/gaps.yaml``.

A gap is something readers ask about a subject the documents mention that the documents do not say (the
outcome of a meeting after the letter's date, a statistic, the name of an office holder referred to by role
only), written from the documents as data, with hypothetical questions in Dutch and English like an answer
unit's. Ingest embeds the questions into the question index's own gap collection
(``ingest.question_index``); a user's question that is clearly nearer to a gap's questions than to any
question the documents answer is evidence that they do not answer it (``rag.engines.confidence``).

This module knows nothing of answering: it turns the file into :class:`Gap` records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.units import ID_RE, UnitsError, question_map

log = logging.getLogger(__name__)

GAPS_FILE = "gaps.yaml"
CLAIMS_FILE = "claims.yaml"  # false premises: gaps whose ``unit`` states what is true instead


@dataclass(frozen=True)
class Gap:
    """One thing the documents do not say, with the questions that ask for it."""

    gap_id: str
    doc_id: str
    topic: str
    questions: dict[str, tuple[str, ...]]
    unit: str = ""  # a false premise: the answer unit that contradicts it ("" for a gap)

    def all_questions(self) -> list[tuple[str, str]]:
        return [(lang, q) for lang in sorted(self.questions) for q in self.questions[lang]]


def read_gaps(path: Path, key: str = "gaps") -> list[Gap]:
    """The gaps (or, with ``key="claims"``, the false premises) of one file; ``UnitsError`` names the entry
    that cannot be used."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UnitsError(f"{path.name}: cannot read ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key) or [], list):
        raise UnitsError(f"{path.name}: top level must be a mapping with a list of {key}")
    out: list[Gap] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get(key) or []):
        where = f"{path.name} entry {i + 1}"
        if not isinstance(raw, dict):
            raise UnitsError(f"{where}: must be a mapping")
        gid = str(raw.get("id") or "")
        if not ID_RE.match(gid) or gid in seen:
            raise UnitsError(f"{where}: id {gid!r} is missing, malformed or repeated")
        seen.add(gid)
        topic = " ".join(str(raw.get("topic") or "").split())
        if not topic or not raw.get("doc_id"):
            raise UnitsError(f"{where} ({gid}): doc_id and topic are required")
        questions = question_map(raw.get("questions"), f"{where} ({gid})")
        if not questions:
            raise UnitsError(f"{where} ({gid}): no questions")
        unit = str(raw.get("unit") or "")
        if key == "claims" and not unit:
            raise UnitsError(f"{where} ({gid}): a false premise needs the unit that contradicts it")
        out.append(Gap(gid, str(raw["doc_id"]), topic, questions, unit))
    return out


def load_gaps(corpus_dir: Path, documents: dict[str, str], claims: bool = False) -> list[Gap]:
    """The gaps and false premises of the indexed documents (one of a document that is not indexed is left
    out; a file that cannot be used is left out whole, with a warning)."""
    out: list[Gap] = []
    for name, key in ((GAPS_FILE, "gaps"), (CLAIMS_FILE, "claims"))[: 2 if claims else 1]:
        path = Path(corpus_dir) / name
        if not path.exists():
            continue
        try:
            out += [g for g in read_gaps(path, key) if g.doc_id in documents]
        except UnitsError as exc:  # as a broken units file: the index is built without it, and says why
            log.warning("%s left out: %s", key, exc)
    return out
