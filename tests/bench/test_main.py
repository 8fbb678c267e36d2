"""``python -m bench``: --help lists the benchmarks and runs none; an unknown name is an error (it once started
the hour-long scale benchmark, which took ``--help`` for nothing)."""

from __future__ import annotations

import pytest

from bench.__main__ import available, main


def test_help_lists_the_benchmarks_and_runs_none(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["scale", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "scale" in available() and all(name in out for name in available())
    assert "## bench_" not in out


def test_an_unknown_benchmark_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-benchmark"])
    assert exc.value.code == 2
    assert "unknown benchmark" in capsys.readouterr().err
