"""The session's sensitivity analysis (explorer.sensitivity, issue 10 §3) as an operation:
how much each numeric parameter of the edited design moves the loaded network's latency
and energy, run in the background with progress per parameter and cancel between them.
The window's Sensitivity tab and scripts use it:

    run = sensitivity_operation(session).run()
    labels, values = bar_chart_data(run.rows, "latency")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from explorer.errors import Cancelled, EstimationError
from explorer.hardware.schema import Accelerator
from explorer.sensitivity import DEFAULT_STEP, Elasticity, numeric_parameters, sensitivity
from explorer.session.operations import CancelFn, Operation, Steps, callback_steps
from explorer.session.state import Session, sweep_usable
from explorer.workload.network import Network


@dataclass(frozen=True)
class SensitivityRun:
    """Elasticities and what they were computed for."""

    rows: list[Elasticity]
    network: Network
    accelerator: Accelerator
    estimator: str
    step: float

    def is_current(self, session: Session) -> bool:
        """Computed for the loaded network, the design as edited now and the chosen
        estimator."""
        return (self.network is session.network and self.estimator == session.estimator
                and self.accelerator == session.document.accelerator)

    def describe(self) -> str:
        rejected = sum(1 for row in self.rows if row.note)
        return (f"{self.network.name} on {self.accelerator.name} with {self.estimator}, "
                f"±{self.step:.0%} per parameter, {len(self.rows)} parameters"
                + (f" ({rejected} limited by the schema)" if rejected else ""))


def parameter_count(session: Session) -> int:
    acc = session.document.accelerator
    return len(list(numeric_parameters(acc))) if acc is not None else 0


def sensitivity_operation(session: Session, step: float = DEFAULT_STEP,
                          parameters: list[str] | None = None,
                          commit: Callable[[SensitivityRun], None] | None = None
                          ) -> Operation[SensitivityRun]:
    """Vary each numeric parameter (or those in `parameters`, override paths) by ±`step`
    with the chosen estimator (a fast one that needs no model file: two full estimates
    per parameter). EstimationError (one line) when it cannot run."""
    blocker = session.estimate_blocker()
    if blocker:
        raise EstimationError(f"cannot analyse sensitivity: {blocker}")
    usable, reason = sweep_usable(session.estimator)
    if not usable:
        raise EstimationError(f"cannot analyse sensitivity: {reason}")
    network, acc, estimator = session.network, session.document.accelerator, session.estimator
    assert network is not None and acc is not None

    def steps(cancel: CancelFn) -> Steps[SensitivityRun]:
        def work(progress: Callable, cancel: CancelFn) -> list[Elasticity]:
            def report(done: int, total: int, what: str) -> None:
                if cancel():  # sensitivity() has no cancel of its own: stop between params
                    raise Cancelled(f"sensitivity cancelled after {done} of {total} "
                                    "parameters")
                progress(done, total, what or "done")

            return sensitivity(network, acc, estimator, step=step, parameters=parameters,
                               progress=report)

        rows = yield from callback_steps(work, cancel)
        return SensitivityRun(rows, network, acc, estimator, step)

    return Operation("sensitivity", f"Sensitivity of {network.name} with {estimator}", steps,
                     commit or (lambda _run: None))
