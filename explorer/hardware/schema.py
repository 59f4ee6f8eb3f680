"""The accelerator description: one pydantic schema that is the single source of
validation, defaults, units, bounds and help text. YAML files, `archs --schema` (JSON
Schema) and the GUI's forms are all derived from these classes.

Conventions: units are in field names (`_bytes`, `_hz`, `_cycles`, `_pj`, `_mm2`) and also
in `json_schema_extra={"unit": ...}` so forms can show them; `description` is the help
text shown in tooltips and in docs/accelerator-format.md.
"""

from __future__ import annotations

import difflib
import functools
from enum import StrEnum
from typing import Annotated, Final, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from explorer.hardware.quantity import MAX_TEXT as MAX_QUANTITY_TEXT
from explorer.hardware.quantity import json_pattern, read_quantity

FORMAT_VERSION: Final = 1
# The smallest bandwidth (bytes/cycle) the engine accepts: 1 byte per 1000 cycles. Anything
# above 0 used to pass, and 5e-324 turned cycle counts into infinities.
MIN_RATE: Final = 1e-3


class Dataflow(StrEnum):
    """Which operand stays in the PEs while the others stream (SCALE-Sim's names)."""

    WS = "ws"  # weight stationary
    OS = "os"  # output stationary
    IS = "is"  # input stationary


class SpatialUnrolling(StrEnum):
    """Which layer loops a convolution puts on the array's reduction axis and beside the
    output channels (explorer/mapping/unrolling.py)."""

    IM2COL = "im2col"  # C·FY·FX on the reduction axis (the im2col matrix)
    CHANNELS = "channels"  # C alone on the reduction axis, FY/FX temporal (direct conv)
    PIXELS = "pixels"  # im2col plus output pixels packed block-diagonally (OX·K columns)


class Operand(StrEnum):
    INPUT = "input"
    WEIGHT = "weight"
    OUTPUT = "output"


def _unit(unit: str) -> dict:
    return {"unit": unit}


def _no_repeats(values: list, what: str) -> list:
    repeated = sorted({str(getattr(v, "value", v)) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{what} lists {', '.join(repeated)} more than once")
    return values


def _numeric_kind(annotation: object) -> type | None:
    """int or float for a number field (also `X | None`), else None."""
    kinds = set(get_args(annotation)) or {annotation}
    if bool in kinds:
        return None
    return int if int in kinds else float if float in kinds else None


def _quantities_in_json_schema(schema: dict, cls: type[BaseModel]) -> None:
    """Number fields also take quantity text ("8MiB", "500MHz", "500e6"): the published
    JSON Schema says so with the very grammar `read_quantity` reads (a pattern), so that
    editors and the tool agree on a file. Bounds (minimum, maximum) still apply to numbers
    written as numbers; those of text are checked by the tool."""
    for name, info in cls.model_fields.items():
        prop = schema.get("properties", {}).get(name)
        if prop is None or _numeric_kind(info.annotation) is None:
            continue
        extra = info.json_schema_extra
        unit = str(extra.get("unit", "")) if isinstance(extra, dict) else ""
        for branch in prop.get("anyOf", [prop]):
            if branch.get("type") in ("integer", "number"):
                branch["type"] = [branch["type"], "string"]
                branch["pattern"] = json_pattern(unit)
                branch["maxLength"] = MAX_QUANTITY_TEXT


class _Strict(BaseModel):
    # Unknown keys are errors: a typo must not silently fall back to a default.
    model_config = ConfigDict(extra="forbid", validate_assignment=True,
                              use_enum_values=False,
                              json_schema_extra=_quantities_in_json_schema)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers(cls, value: object, info: ValidationInfo) -> object:
        """YAML's `true` is Python's 1: `size_bytes: true` must not read as 1 byte. Text in
        a number field is a quantity ("8MiB", "500MHz", "500e6", which YAML 1.1 leaves a
        string), read by the one quantity reader that `--set` uses too."""
        if info.field_name is None:
            return value
        field = cls.model_fields[info.field_name]
        kind = _numeric_kind(field.annotation)
        if kind is None:
            return value
        if isinstance(value, bool):
            raise ValueError("true/false is not a number")
        if isinstance(value, str):
            extra = field.json_schema_extra
            unit = str(extra.get("unit", "")) if isinstance(extra, dict) else ""
            number = read_quantity(value, unit, kind)
            return value if number is None else number
        return value


class Source(_Strict):
    """Where a number comes from (paper, repository file, or 'assumption: why')."""

    what: str = Field(description="Which values this source backs.")
    ref: str = Field(description="Citation: paper, URL-free repository path, or 'assumption'.")


class Area(_Strict):
    """Area estimate of a component, with where it comes from."""

    mm2: float = Field(0.0, ge=0, le=1e5, description="Area estimate.",
                       json_schema_extra=_unit("mm²"))
    source: str = Field("", description="Where the estimate comes from.")


class Precision(_Strict):
    """Bit widths of the operands as stored in memory, and of the partial sums."""

    input_bits: int = Field(8, ge=1, le=64, description="Bits per input activation element.",
                            json_schema_extra=_unit("bit"))
    weight_bits: int = Field(8, ge=1, le=64, description="Bits per weight element.",
                             json_schema_extra=_unit("bit"))
    output_bits: int = Field(8, ge=1, le=64,
                             description="Bits per output activation written back to memory.",
                             json_schema_extra=_unit("bit"))
    accumulator_bits: int = Field(32, ge=1, le=64,
                                  description="Bits per partial sum in the accumulator.",
                                  json_schema_extra=_unit("bit"))

    @model_validator(mode="after")
    def _accumulator_wide_enough(self) -> Precision:
        widest = max(self.input_bits, self.weight_bits)
        if self.accumulator_bits < widest:
            raise ValueError(f"accumulator_bits {self.accumulator_bits} is narrower than the "
                             f"{widest}-bit operands it accumulates")
        return self


class Compute(_Strict):
    """The processing-element array and the vector unit beside it."""

    pe_rows: int = Field(16, ge=1, le=4096, description="Rows of the PE array.",
                         json_schema_extra=_unit("PE"))
    pe_cols: int = Field(16, ge=1, le=4096, description="Columns of the PE array.",
                         json_schema_extra=_unit("PE"))
    macs_per_pe_per_cycle: int = Field(1, ge=1, le=1024,
                                       description="MACs one PE completes per cycle.",
                                       json_schema_extra=_unit("MAC/cycle"))
    dataflows: list[Dataflow] = Field(default_factory=lambda: [Dataflow.WS], min_length=1,
                                      description="Dataflows the array supports.")
    dataflow: Dataflow = Field(Dataflow.WS, description="Dataflow used for estimates.",
                               json_schema_extra={"choices_from": "dataflows"})
    precision: Precision = Field(default_factory=Precision)
    pipeline_depth_cycles: int = Field(
        0, ge=0, le=10000,
        description="Extra cycles of the compute pipeline before the first result "
                    "(beyond the array's own fill and drain).", json_schema_extra=_unit("cycle"))
    vector_lanes: int = Field(16, ge=1, le=65536,
                              description="Element-wise operations per cycle of the vector unit "
                                          "(activations, pooling, normalisation).",
                              json_schema_extra=_unit("op/cycle"))
    fused_elementwise_free: bool = Field(
        True, description="Element-wise work in an array layer's output path (its bias, "
                          "requantisation and the element-wise layers fused into it: batch "
                          "norm, activation, residual add) costs no cycles, applied as results "
                          "leave the array; false runs it on the vector unit as the outputs "
                          "leave. Every estimator reads it (one work decomposition).")
    partial_sums_on_chip: bool = Field(
        True, description="Partial sums accumulate on chip when the output tile fits; "
                          "false: they leave the chip after every fold (SCALE-Sim's data "
                          "movement).")
    input_im2col_stream: bool = Field(
        False, description="The input is fetched as its im2col stream, each window's pixels "
                           "once per window with no halo reuse (SCALE-Sim's ifmap demand); "
                           "false: each input pixel once per pass.")
    operand_holding: bool = Field(
        True, description="Operand slices stay on chip across the loops that do not index "
                          "them, and the stream may be cut into chunks; false: every fold "
                          "loads its tiles and streams its whole length (SCALE-Sim).")
    dataflow_per_layer: bool = Field(
        False, description="The compiler picks, for each layer, the fastest of `dataflows` "
                           "(an array whose dataflow is chosen at run time); false: every "
                           "layer uses `dataflow`.")
    spatial_unrollings: list[SpatialUnrolling] = Field(
        default_factory=lambda: list(SpatialUnrolling), min_length=1,
        description="Spatial unrollings the mapper may choose per layer (the fastest wins): "
                    "im2col (C·FY·FX on the reduction axis), channels (C alone, the kernel "
                    "window temporal, as a direct-convolution array without im2col does), "
                    "pixels (several output pixels side by side, weights repeated on the "
                    "diagonal, where C·FY·FX and K are small). A fixed array lists fewer.")
    stationary_double_buffered: bool = Field(
        False, description="The PEs hold a second copy of the stationary operand (weights "
                           "in WS, inputs in IS), so the next fold's preload runs while this "
                           "fold streams; false: the preload waits until the fold is done.")
    fold_pipelining: bool = Field(
        False, description="Consecutive folds follow each other through the array, so the "
                           "fill/drain skew (rows + cols - 2 cycles) is paid once per layer; "
                           "false: once per fold, as SCALE-Sim counts it.")
    energy_per_mac_pj: float = Field(0.5, ge=0, le=1e6, description="Energy of one MAC.",
                                     json_schema_extra=_unit("pJ"))
    energy_per_vector_op_pj: float = Field(0.2, ge=0, le=1e6,
                                           description="Energy of one vector-unit operation.",
                                           json_schema_extra=_unit("pJ"))
    area: Area = Field(default_factory=Area)

    @field_validator("dataflows")
    @classmethod
    def _dataflows_unique(cls, value: list[Dataflow]) -> list[Dataflow]:
        return _no_repeats(value, "dataflows")

    @field_validator("spatial_unrollings")
    @classmethod
    def _unrollings_usable(cls, value: list[SpatialUnrolling]) -> list[SpatialUnrolling]:
        if not {SpatialUnrolling.IM2COL, SpatialUnrolling.CHANNELS} & set(value):
            raise ValueError("spatial_unrollings needs im2col or channels (pixels packs "
                             "im2col rows and cannot map every layer alone)")
        return _no_repeats(value, "spatial_unrollings")

    @model_validator(mode="after")
    def _dataflow_supported(self) -> Compute:
        if self.dataflow not in self.dataflows:
            raise ValueError(f"dataflow {self.dataflow.value!r} is not in dataflows "
                             f"{[d.value for d in self.dataflows]}")
        return self

    @property
    def peak_macs_per_cycle(self) -> int:
        return self.pe_rows * self.pe_cols * self.macs_per_pe_per_cycle


class Memory(_Strict):
    """One on-chip memory level (scratchpad, accumulator, SRAM buffer)."""

    name: str = Field(description="Unique name of this memory.", min_length=1,
                      pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    size_bytes: int = Field(description="Capacity.", ge=1, le=2**40,
                            json_schema_extra=_unit("B"))
    holds: list[Operand] = Field(min_length=1,
                                 description="Operands this memory stores (input, weight, output).")
    banks: int = Field(1, ge=1, le=1024, description="Independent banks.")
    read_ports: int = Field(1, ge=1, le=64, description="Reads per cycle per bank.")
    write_ports: int = Field(1, ge=1, le=64, description="Writes per cycle per bank.")
    single_ported: bool = Field(
        False, description="Reads and writes share one port per bank: a bank either reads "
                           "or writes in a cycle (e.g. Gemmini's scratchpad).")
    read_bandwidth_bytes_per_cycle: float = Field(
        64, ge=MIN_RATE, le=1e6, description="Bytes the array can read from it per cycle.",
        json_schema_extra=_unit("B/cycle"))
    write_bandwidth_bytes_per_cycle: float = Field(
        64, ge=MIN_RATE, le=1e6, description="Bytes that can be written to it per cycle.",
        json_schema_extra=_unit("B/cycle"))
    latency_cycles: int = Field(1, ge=0, le=10000, description="Access latency.",
                                json_schema_extra=_unit("cycle"))
    dram_bandwidth_bytes_per_cycle: float | None = Field(
        None, ge=MIN_RATE, le=1e6,
        description="Bandwidth of this memory's own connection to DRAM (SCALE-Sim gives each "
                    "SRAM one); empty: the memories share offchip.bandwidth_bytes_per_cycle.",
        json_schema_extra=_unit("B/cycle"))
    double_buffered: bool = Field(
        True, description="Half the capacity is filled while the other half is used.")
    energy_read_pj_per_byte: float = Field(0.1, ge=0, le=1e6, description="Read energy.",
                                           json_schema_extra=_unit("pJ/B"))
    energy_write_pj_per_byte: float = Field(0.1, ge=0, le=1e6, description="Write energy.",
                                            json_schema_extra=_unit("pJ/B"))
    area: Area = Field(default_factory=Area)

    @field_validator("holds")
    @classmethod
    def _holds_unique(cls, value: list[Operand]) -> list[Operand]:
        return _no_repeats(value, "holds")

    @model_validator(mode="after")
    def _room_for_two_buffers(self) -> Memory:
        if self.double_buffered and self.size_bytes < 2:
            raise ValueError(f"size_bytes {self.size_bytes} cannot be split into two buffers; "
                             "use at least 2 bytes or double_buffered: false")
        return self

    @property
    def usable_bytes(self) -> int:
        """Capacity one tile may use: half of it when double buffered."""
        return self.size_bytes // 2 if self.double_buffered else self.size_bytes


class OffChip(_Strict):
    """Main memory (DRAM) as seen from the accelerator."""

    bandwidth_bytes_per_cycle: float = Field(16, ge=MIN_RATE, le=1e6,
                                             description="Sustained DRAM bandwidth.",
                                             json_schema_extra=_unit("B/cycle"))
    latency_cycles: int = Field(100, ge=0, le=100000, description="Latency of one request.",
                                json_schema_extra=_unit("cycle"))
    energy_pj_per_byte: float = Field(20.0, ge=0, le=1e6, description="Energy per byte moved.",
                                      json_schema_extra=_unit("pJ/B"))


class DMA(_Strict):
    """The DMA engine / interconnect between DRAM and on-chip memories."""

    bus_width_bits: int = Field(128, ge=8, le=65536, description="Width of the data bus.",
                                json_schema_extra=_unit("bit"))
    request_bytes: int = Field(64, ge=1, le=1 << 20, description="Bytes per memory request.",
                               json_schema_extra=_unit("B"))
    max_requests_in_flight: int = Field(64, ge=1, le=65536,
                                        description="Outstanding memory requests at once.")
    setup_cycles: int = Field(0, ge=0, le=100000,
                              description="Fixed cost of issuing one DMA transfer.",
                              json_schema_extra=_unit("cycle"))
    area: Area = Field(default_factory=Area)

    @property
    def bus_bytes_per_cycle(self) -> float:
        return self.bus_width_bits / 8


class Queues(_Strict):
    """Instruction queue depths: how far each unit may run ahead of the others."""

    load: int = Field(8, ge=1, le=4096, description="Depth of the load (DMA in) queue.")
    store: int = Field(2, ge=1, le=4096, description="Depth of the store (DMA out) queue.")
    execute: int = Field(8, ge=1, le=4096, description="Depth of the execute queue.")


class FusionRule(_Strict):
    """A chain of ONNX op types the target's compiler executes as one layer."""

    pattern: list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]] = Field(
        min_length=2, description="ONNX op types in data-flow order, "
                                  "e.g. [Conv, BatchNormalization, Relu].")
    name: str = Field("", description="Optional label for reports.")

    @field_validator("pattern")
    @classmethod
    def _known_op_types(cls, pattern: list[str]) -> list[str]:
        # A misspelt op type (BatchNorm for BatchNormalization) would silently fuse nothing.
        known = known_op_types()
        for op in pattern:
            if op not in known:
                close = difflib.get_close_matches(op, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"unknown op type {op!r}{hint} (ONNX op types and "
                                 "onnxruntime's com.microsoft ones are allowed)")
        return pattern


@functools.cache
def known_op_types() -> frozenset[str]:
    """ONNX's op types (every domain onnx defines) and the com.microsoft ones the importer
    parses."""
    import onnx

    from explorer.workload.parsers import contrib_op_types

    names = {schema.name for schema in onnx.defs.get_all_schemas_with_history()}
    return frozenset(names | contrib_op_types())


class Accelerator(_Strict):
    """A complete accelerator description (one YAML file of arch_library/)."""

    format_version: Literal[1] = Field(FORMAT_VERSION,
                                       description="Version of this description format.")
    name: str = Field(description="Short name used on the command line.", min_length=1,
                      pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = Field("", description="One paragraph on what this design is.")
    clock_hz: float = Field(1e9, ge=1e3, le=1e11, description="Clock frequency.",
                            json_schema_extra=_unit("Hz"))
    technology_nm: float | None = Field(
        None, ge=1, le=1000,
        description="Process node; the area model (hardware/area.py) scales its 45 nm "
                    "figures by (node / 45 nm)². Empty: 45 nm.", json_schema_extra=_unit("nm"))
    compute: Compute = Field(default_factory=Compute)
    memories: Annotated[list[Memory], Field(min_length=1)] = Field(
        description="On-chip memory levels; every operand must be held by one of them.")
    offchip: OffChip = Field(default_factory=OffChip)
    dma: DMA = Field(default_factory=DMA)
    queues: Queues = Field(default_factory=Queues)
    fusion: list[FusionRule] = Field(default_factory=list,
                                     description="What the target's compiler fuses.")
    sources: list[Source] = Field(default_factory=list,
                                  description="Where the numbers of this file come from.")

    @field_validator("memories")
    @classmethod
    def _memories_consistent(cls, memories: list[Memory]) -> list[Memory]:
        # A field validator (not a model validator) so that errors point at `memories`.
        names = [m.name for m in memories]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"memory names must be unique, repeated: {', '.join(dupes)}")
        for operand in Operand:
            if not any(operand in m.holds for m in memories):
                raise ValueError(f"no memory holds operand {operand.value!r}; "
                                 "add it to some memory's 'holds'")
        return memories

    @field_validator("fusion")
    @classmethod
    def _fusion_patterns_unique(cls, rules: list[FusionRule]) -> list[FusionRule]:
        _no_repeats(["+".join(r.pattern) for r in rules], "fusion")
        return rules

    def memory_for(self, operand: Operand) -> Memory:
        """The innermost (first listed) memory that holds `operand`."""
        return next(m for m in self.memories if operand in m.holds)

    @property
    def peak_macs_per_s(self) -> float:
        return self.compute.peak_macs_per_cycle * self.clock_hz

    @property
    def onchip_bytes(self) -> int:
        return sum(m.size_bytes for m in self.memories)

    def cycles_to_seconds(self, cycles: float) -> float:
        return cycles / self.clock_hz
