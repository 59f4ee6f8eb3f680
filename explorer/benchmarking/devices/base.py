"""The device interface: measure one layer configuration, get one `Measurement`."""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from explorer.learned.configs import KINDS, LayerConfig

STATUS_OK = "ok"
STATUS_NOISY = "noisy"  # round-to-round spread above the limit in every attempt
STATUS_LOADED = "loaded"  # spread fine but the machine's load average was above the limit


@dataclass
class Measurement:
    """The latency of one configuration on one device, with how much to trust it."""

    latency_s: float  # median over rounds of the min-of-k run time
    spread_s: float  # inter-quartile range over rounds (0 for a deterministic device)
    rounds: int  # timed rounds of the kept attempt
    runs_per_round: int
    loadavg: float  # 1-minute load average, the larger of before and after
    timestamp: float  # Unix time at the end of the measurement
    device: str
    software: str  # versions of what executed the layer
    status: str = STATUS_OK
    attempts: int = 1
    excluded_s: float = 0.0  # measured but not the layer's (layout reorders at the boundary)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def relative_spread(self) -> float:
        return self.spread_s / self.latency_s if self.latency_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Device(ABC):
    """Something that runs single layers and reports how long they take."""

    name: str
    deterministic: ClassVar[bool] = False

    @abstractmethod
    def measure(self, config: LayerConfig) -> Measurement: ...

    @abstractmethod
    def provenance(self) -> dict[str, str]:
        """What a store or a model records about the device (versions, model, settings)."""

    def parallelism_hints(self) -> dict[str, list[int]]:
        """Device knowledge: candidate step periods per configuration parameter, most
        likely first. Sweeps test them against the data; they are never taken on trust."""
        return {}

    def supported_kinds(self) -> tuple[str, ...]:
        return KINDS

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (sessions, simulators)."""


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this platform
        return float("nan")


def now() -> float:
    return time.time()
