"""Headless parity (issue 9 §6): `estimate`, `compare` and `sweep` run the session's
operations, the code the window runs, so the CLI and a script driving a `Session` get the
same results and the same errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.compare import comparison_report
from explorer.errors import ExplorerError
from explorer.session import Session
from explorer.session.state import Session as SessionClass
from explorer.sweep import Axis, read_sweep


def _session(arch: str, network: str, estimator: str, **options) -> Session:
    session = Session()
    session.set_estimator(estimator, **options)
    session.document.load(arch)
    session.load_network(network).run()
    return session


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def operations_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the session operations called: a command that computed on its own
    would leave this empty and fail the tests below."""
    called: list[str] = []
    for name in ("estimate", "compare", "sweep"):
        original = getattr(SessionClass, name)

        def spy(self, *args, _name=name, _original=original, **kwargs):
            called.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SessionClass, name, spy)
    return called


def test_estimate_is_the_sessions_estimate(capsys, operations_run) -> None:
    cli = _cli_json(capsys, "estimate", "squeezenet", "--arch", "systolic", "--estimator",
                    "refined-roofline", "--option", "alpha=0.5", "--format", "json")
    assert operations_run == ["estimate"]
    session = _session("systolic", "squeezenet", "refined-roofline", alpha=0.5)
    result = session.estimate().run()
    ours = json.loads(result.to_json())
    for data in (cli, ours):
        data.pop("runtime_s")
    assert cli["estimator_options"] == ours["estimator_options"] == {"alpha": 0.5}
    assert cli == ours


def test_compare_is_the_sessions_compare(capsys, operations_run) -> None:
    cli = _cli_json(capsys, "compare", "squeezenet", "--arch", "systolic", "--estimators",
                    "depgraph,refined-roofline", "--option", "alpha=0.5", "--format", "json")
    assert operations_run == ["compare"]
    session = _session("systolic", "squeezenet", "simulate")
    results = session.compare(["simulate", "depgraph", "refined-roofline"],
                              {"refined-roofline": {"alpha": 0.5}}).run()
    ours = comparison_report(results)
    assert cli["simulate"]["layers"] == ours["simulate"]["layers"]
    for name in ("depgraph", "refined-roofline"):
        for key in ("layers", "total_cycles", "total_error", "layer_mape", "layer_max_error"):
            assert cli["estimators"][name][key] == ours["estimators"][name][key], (name, key)
    # alpha reached refined-roofline: its cycles differ from the default's
    default = comparison_report(session.compare(["simulate", "refined-roofline"]).run())
    assert default["estimators"]["refined-roofline"]["total_cycles"] != \
        cli["estimators"]["refined-roofline"]["total_cycles"]


def _rows(path: Path) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "runtime_s"} for row in read_sweep(path)]


def test_sweep_is_the_sessions_sweep(tmp_path, capsys, operations_run) -> None:
    cli_file, session_file = tmp_path / "cli.h5", tmp_path / "session.h5"
    assert main(["sweep", "squeezenet", "--arch", "systolic", "--estimator",
                 "refined-roofline", "--option", "alpha=0.5",
                 "--param", "compute.pe_rows=8,16", "-o", str(cli_file)]) == 0
    err = capsys.readouterr().err
    assert operations_run == ["sweep"]
    assert "[1/2] compute.pe_rows=" in err  # the session's progress text, point by point
    session = _session("systolic", "squeezenet", "refined-roofline", alpha=0.5)
    rows = session.sweep([Axis.parse("compute.pe_rows=8,16")], str(session_file)).run()
    assert len(rows) == 2 and _rows(cli_file) == _rows(session_file)


@pytest.mark.parametrize("args, make_error", [
    (["sweep", "squeezenet", "--estimator", "simulate", "--param", "compute.pe_rows=8,16"],
     lambda s, out: s.sweep([Axis.parse("compute.pe_rows=8,16")], out)),
    (["estimate", "squeezenet", "--estimator", "refined-roofline", "--option", "beta=1"],
     lambda s, out: s.set_estimator("refined-roofline", beta="1")),
    (["estimate", "squeezenet", "--estimator", "refined-roofline", "--option", "alpha=-1"],
     lambda s, out: s.set_estimator("refined-roofline", alpha="-1")),
])
def test_same_errors(tmp_path, capsys, args, make_error) -> None:
    out = str(tmp_path / "x.h5")
    cli_args = [*args, "-o", out] if args[0] == "sweep" else args
    assert main(cli_args) == 2
    cli_error = capsys.readouterr().err.strip()
    session = Session()
    if args[0] == "sweep":
        session.set_estimator("simulate")
        session.document.load("gemmini")
        session.load_network("squeezenet").run()
    with pytest.raises(ExplorerError) as caught:
        make_error(session, out)
    assert cli_error.endswith(str(caught.value)), (cli_error, str(caught.value))
