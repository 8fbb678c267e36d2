"""The Calculator page's what-if block through AppTest: two amounts, a live verdict and the chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag.config import ROOT, Settings
from views.support import settings_env

APP = str(ROOT / "app.py")
pytestmark = pytest.mark.slow


@pytest.fixture
def page(built_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    settings = built_settings.model_copy(update={"feedback_path": tmp_path / "feedback.jsonl"})
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("views/calculator.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def test_what_if_gives_a_live_verdict_and_a_chart(page: AppTest) -> None:
    at = page
    assert at.number_input(key="whatif_rijk").value == 40.0
    assert at.number_input(key="whatif_cof").value == 80.0
    assert at.success and at.success[-1].value.startswith("Ja")
    assert len(_charts(at)) == 1

    at.number_input(key="whatif_cof").set_value(30.0).run()  # the Rijk would give more than the region
    assert not at.exception
    assert at.error and at.error[-1].value.startswith("Nee")
    assert "cofinanciering" in at.error[-1].value.lower() or "50%" in at.error[-1].value
    assert len(_charts(at)) == 1

    at.number_input(key="whatif_rijk").set_value(30.0).run()
    assert at.success and not at.error


def test_a_checked_plan_moves_the_what_if_point(page: AppTest) -> None:
    at = page
    at.text_input(key="calc_requested").input("€ 12,5 miljoen")
    at.text_input(key="calc_regional").input("10 mln")
    at.button[0].click().run()
    assert not at.exception
    assert at.number_input(key="whatif_rijk").value == 12.5
    assert at.number_input(key="whatif_cof").value == 10.0
