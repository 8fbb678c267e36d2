"""Shared fixtures. Real parts only: the real corpus, real Chroma, the real e5 model, PDFs made with reportlab.

The expensive one is ``built_settings``: the real corpus indexed once per test session into a temporary
folder. Tests that read the index take it; tests that change an index build their own small one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from rag.config import ROOT, Settings

MINI_DOCS = {
    "alpha.md": """---
id: alpha
title: "Alpha: spelregels voor de Regio Envelop"
language: nl
pages: 2
---
<!-- page: 1 -->
# Alpha

## Randvoorwaarden

De bijdrage uit de Regio Envelop is minimaal € 5 miljoen en maximaal € 40 miljoen per Regio Deal.
De regio levert zelf ten minste 50% cofinanciering.

<!-- page: 2 -->
## Planning

Voorstellen kunnen tot 1 september 2018 worden ingediend bij het ministerie van LNV.
""",
    "beta.md": """---
id: beta
title: "Beta: leefbaarheid in Zuidoost-Drenthe"
language: nl
pages: 1
---
<!-- page: 1 -->
# Beta

## Opgave

In Zuid- en Oost-Drenthe staan de voorzieningen onder druk: huisartsen, scholen en winkels verdwijnen
uit de dorpen. Dorpshubs moeten zorg en voorzieningen bereikbaar houden.

| Gemeente | Inwoners |
|---|---|
| Emmen | 107.000 |
| Coevorden | 35.000 |
""",
}



def require_local_model(module: str) -> None:
    """Skip a real-model test module when the local model cannot run, or fail it under
    ``REGIODEAL_REQUIRE_LLM=1`` (CI installs the model with ``make llm``, so a skip there would hide a fault)."""
    from rag.config import get_settings
    from rag.engines.local import model_problem, xllamacpp_problem

    problem = xllamacpp_problem() or model_problem(Path(get_settings().local_model_path))
    if problem:
        if os.environ.get("REGIODEAL_REQUIRE_LLM") == "1":
            pytest.fail(f"REGIODEAL_REQUIRE_LLM=1 but the local model cannot run: {problem}", pytrace=False)
        print(f"\nSKIP {module}: {problem}")
        pytest.skip(problem, allow_module_level=True)


def make_settings(root: Path, corpus_dir: Path | None = None, **overrides: object) -> Settings:
    """Settings whose every writable path is under ``root`` (tests never touch the real index)."""
    values: dict[str, object] = {
        "corpus_dir": corpus_dir if corpus_dir is not None else ROOT / "corpus",
        "index_dir": root / "index",
        "uploads_dir": root / "uploads",
        "feedback_path": root / "feedback.jsonl",
        "snapshot_cache_dir": root / "snapshot-cache",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def write_mini_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in MINI_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session", autouse=True)
def _no_user_snapshot_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Server-mode tests never write to the user's cache folder (settings made without make_settings)."""
    os.environ.setdefault("REGIODEAL_SNAPSHOT_CACHE_DIR", str(tmp_path_factory.mktemp("snapshot-cache")))


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at an index of the real ``corpus/``, built once per session (shared, read-only)."""
    from ingest.api import build

    corpus = ROOT / "corpus"
    assert any(corpus.glob("*.md")), f"the corpus is missing in {corpus}"
    settings = make_settings(tmp_path_factory.mktemp("built"))
    report = build(settings, progress=False)
    assert report.ok, report.lines()
    assert report.documents >= 3
    return settings


@pytest.fixture(scope="module")
def assistant(built_settings: Settings) -> Any:
    """An Assistant over the real corpus's index, warmed, one per test module."""
    from rag.assistant import Assistant

    a = Assistant(built_settings)
    a.warm(progress=False)
    return a


@pytest.fixture
def ablate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``ablate("name")`` switches a mechanism off (``REGIODEAL_ABLATE``) for the rest of the test; the process-wide
    settings are read again then and after the test, when the variable is restored."""
    from rag.config import get_settings

    def switch_off(name: str) -> None:
        monkeypatch.setenv("REGIODEAL_ABLATE", name)
        get_settings.cache_clear()

    yield switch_off
    monkeypatch.delenv("REGIODEAL_ABLATE", raising=False)
    get_settings.cache_clear()


def corrected_only_with(assistant: Any, settings: Settings, question: str, correct: str, switch: str) -> None:
    """A premise check end to end: ``question`` is refused and corrected (``correct`` in the answer, cited); with the
    check's ``switch`` off (``REGIODEAL_ABLATE``) it is not refused."""
    from rag.assistant import Assistant

    ans = assistant.ask(question)
    assert ans.refused and correct in ans.answer, ans.answer
    assert ans.citations
    off = Assistant(settings.model_copy(update={"ablate": switch})).ask(question)
    assert not off.refused, off.answer


@pytest.fixture
def mini_settings(tmp_path: Path) -> Settings:
    """Settings over a two-document Markdown corpus in a fresh folder (not built yet)."""
    return make_settings(tmp_path, corpus_dir=write_mini_corpus(tmp_path / "corpus"))


@pytest.fixture(scope="session")
def mini_built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The mini corpus, built once per session (read-only; copy it before changing anything)."""
    from ingest.api import build

    root = tmp_path_factory.mktemp("mini")
    settings = make_settings(root, corpus_dir=write_mini_corpus(root / "corpus"))
    assert build(settings, progress=False).ok
    return settings


PDF_PAGES = [
    "Regio Deal Zuid- en Oost-Drenthe: financiën\n"
    "Het Rijk investeert € 40 miljoen in de regio. De ‘Regio Envelop’ is bedoeld voor\n"
    "gezamenlijke opgaven van gemeenten, provincie en maatschappelijke part-\n"
    "ners in de regio.",
    "Coöperatie en leefbaarheid\n"
    "De coöperatie van inwoners zorgt voor ‘dorpshubs’ met zorg en onderwijs.\n"
    "Zij krijgt € 2,5 miljoen voor de periode 2019-2022.",
    "Planning\nDe uitvoering start in 2019 en eindigt in 2022 met een evaluatie door het ministerie.",
]


@pytest.fixture(scope="session")
def make_pdf() -> Callable[..., Path]:
    """Write a real multi-page PDF with reportlab: running header, 'Pagina N van M' footer, €, ë, ‘ ’."""

    def _make(
        path: Path,
        pages: list[str] | None = None,
        first_number: int = 1,
        header: str = "Provincie Drenthe — vertrouwelijk concept",
        encrypt: str | None = None,
        text: bool = True,
    ) -> Path:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        pages = pages or PDF_PAGES
        c = canvas.Canvas(str(path), pagesize=A4)
        c.setTitle("Testnotitie Regio Deal")
        if encrypt:
            c.setEncrypt(encrypt)
        width, height = A4
        for i, body in enumerate(pages):
            if text:
                c.setFont("Helvetica", 9)
                c.drawString(72, height - 40, header)
                c.setFont("Helvetica", 11)
                y = height - 100
                for line in body.split("\n"):
                    c.drawString(72, y, line)
                    y -= 16
                c.setFont("Helvetica", 9)
                c.drawString(width / 2 - 30, 30, f"Pagina {first_number + i} van {first_number + len(pages) - 1}")
            else:
                c.rect(72, 72, 300, 400, fill=1)  # a "scan": marks but no text layer
            c.showPage()
        c.save()
        return path

    return _make
