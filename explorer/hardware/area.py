"""Silicon area of an accelerator description, per component and in total (mm²).

A first-order model built from published per-cell figures at 45 nm, scaled to the
design's technology node by (node / 45 nm)² (classical area scaling; it is optimistic
below ~20 nm, where SRAM shrinks more slowly than logic):

- PE: one multiplier of input × weight bits and one accumulator adder per MAC lane, plus
  pipeline registers for input, weight and partial sum. 45 nm figures from Horowitz,
  "Computing's energy problem", ISSCC 2014 (Fig. 1.1.9: 8-bit multiply 282 µm², 32-bit
  add 137 µm²); multiplier area taken as proportional to the product of the operand
  widths, adder area to its width; one flip-flop 4.52 µm² (Nangate 45 nm Open Cell
  Library, DFF_X1).
- SRAM: 6T bit cell 0.346 µm² (Intel 45 nm, Mistry et al., IEDM 2007) at 60 % array
  efficiency (CACTI-style periphery: decoders, sense amplifiers, drivers), i.e. about
  0.58 mm² per Mbit; each port beyond one read and one write adds 30 % to the cell
  (assumption, after CACTI's multi-ported cell model); each bank adds 0.005 mm² of
  periphery (assumption).
- Vector unit: per lane one 32-bit adder, one 8×8 multiplier and 64 bits of registers.
- DMA: 390 µm² per bit of bus width (0.05 mm² for a 128-bit engine: assumption).

Where the description gives a component's `area.mm2`, that figure is used for the design
as described; for a modified design (a sweep point) the given figure is scaled by the
model's ratio between the modified and the described component, so a measured area
stays the anchor and the model supplies only the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from explorer.hardware.schema import Accelerator, Memory

DEFAULT_NODE_NM = 45.0  # every figure below is at 45 nm
MULT_8x8_UM2 = 282.0
ADD_32_UM2 = 137.0
DFF_UM2 = 4.52
SRAM_BIT_UM2 = 0.346
SRAM_ARRAY_EFFICIENCY = 0.6
SRAM_EXTRA_PORT = 0.3
SRAM_BANK_MM2 = 0.005
DMA_UM2_PER_BIT = 390.0


@dataclass
class AreaBreakdown:
    """Area per component (mm²) and how each figure was obtained."""

    components: dict[str, float] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # "given", "scaled" or "model"
    node_nm: float = DEFAULT_NODE_NM

    @property
    def total_mm2(self) -> float:
        return sum(self.components.values())

    def to_dict(self) -> dict:
        return {"total_mm2": self.total_mm2, "node_nm": self.node_nm,
                "components_mm2": dict(self.components), "origin": dict(self.origin)}


def technology_node_nm(acc: Accelerator) -> float:
    return float(acc.technology_nm) if acc.technology_nm else DEFAULT_NODE_NM


def _scale(acc: Accelerator) -> float:
    return (technology_node_nm(acc) / DEFAULT_NODE_NM) ** 2


def pe_array_mm2(acc: Accelerator) -> float:
    c, p = acc.compute, acc.compute.precision
    mult = MULT_8x8_UM2 * p.input_bits * p.weight_bits / 64
    add = ADD_32_UM2 * p.accumulator_bits / 32
    registers = DFF_UM2 * (p.input_bits + p.weight_bits + p.accumulator_bits)
    per_pe = (mult + add + registers) * c.macs_per_pe_per_cycle
    return per_pe * c.pe_rows * c.pe_cols * 1e-6 * _scale(acc)


def vector_unit_mm2(acc: Accelerator) -> float:
    lane = ADD_32_UM2 + MULT_8x8_UM2 + 64 * DFF_UM2
    return lane * acc.compute.vector_lanes * 1e-6 * _scale(acc)


def sram_mm2(memory: Memory, acc: Accelerator) -> float:
    ports = 1 if memory.single_ported else memory.read_ports + memory.write_ports
    port_factor = max(0.85, 1 + SRAM_EXTRA_PORT * (ports - 2))
    cells = memory.size_bytes * 8 * SRAM_BIT_UM2 / SRAM_ARRAY_EFFICIENCY * port_factor
    return (cells * 1e-6 + SRAM_BANK_MM2 * memory.banks) * _scale(acc)


def dma_mm2(acc: Accelerator) -> float:
    return DMA_UM2_PER_BIT * acc.dma.bus_width_bits * 1e-6 * _scale(acc)


def model_components(acc: Accelerator) -> dict[str, float]:
    """The model's area of every component, ignoring the description's `area` fields."""
    parts = {"pe_array": pe_array_mm2(acc), "vector_unit": vector_unit_mm2(acc)}
    for memory in acc.memories:
        parts[f"memory.{memory.name}"] = sram_mm2(memory, acc)
    parts["dma"] = dma_mm2(acc)
    return parts


def _given(acc: Accelerator) -> dict[str, float]:
    """Figures the description states (> 0). The compute block's figure covers the PE
    array and the vector unit together."""
    given = {"compute": acc.compute.area.mm2, "dma": acc.dma.area.mm2}
    given |= {f"memory.{m.name}": m.area.mm2 for m in acc.memories}
    return {k: v for k, v in given.items() if v > 0}


def design_area(acc: Accelerator, reference: Accelerator | None = None) -> AreaBreakdown:
    """Area of `acc`. With `reference` (the described design `acc` was derived from),
    a figure the reference states is scaled by the model's ratio acc / reference."""
    reference = reference or acc
    model, ref_model = model_components(acc), model_components(reference)
    given = _given(reference)
    out = AreaBreakdown(node_nm=technology_node_nm(acc))
    for name, value in model.items():
        group = "compute" if name in ("pe_array", "vector_unit") else name
        if group in given and name in ref_model:
            ref_group = (ref_model["pe_array"] + ref_model["vector_unit"]
                         if group == "compute" else ref_model[name])
            share = ref_model[name] / ref_group if ref_group else 0.0
            stated = given[group] * share
            ratio = value / ref_model[name] if ref_model[name] else 1.0
            out.components[name] = stated * ratio
            out.origin[name] = "given" if ratio == 1.0 else "scaled"
        else:
            out.components[name] = value
            out.origin[name] = "model"
    return out


def model_area(acc: Accelerator) -> AreaBreakdown:
    """The model alone (no stated figures): what is compared with published die areas."""
    out = AreaBreakdown(node_nm=technology_node_nm(acc))
    out.components = model_components(acc)
    out.origin = {k: "model" for k in out.components}
    return out


@dataclass(frozen=True)
class PublishedDie:
    """A library design's published die area, the node it was built in, and where from."""

    design: str
    die_mm2: float
    node_nm: float
    source: str
    upper_bound: bool = False  # the paper gives "less than"


# Checked against the model (benchmarks/area_check.py, docs/validation/area.json). The
# library's stated `area` fields were split from these same dies, so only the model alone
# is an independent check. Dies include I/O, PHYs and control the model does not cover.
PUBLISHED_DIES = [
    PublishedDie("tpuv1", 331.0, 28, "Jouppi et al., ISCA 2017, Table 2: die < 331 mm², "
                 "28 nm", upper_bound=True),
    PublishedDie("eyeriss", 16.0, 65, "Chen et al., JSSC 2017: 4.0 mm × 4.0 mm die, 65 nm"),
    PublishedDie("plasticine", 112.8, 28, "Prabhakar et al., ISCA 2017: 112.8 mm², 28 nm"),
]
TOLERANCE = 0.30

# Where a paper breaks its die down, the model is compared part by part: a diagnosis of
# where the miss comes from, never an input to the model. (component of the model or a
# part it lacks, share of the die or mm², what the paper calls it)
PUBLISHED_PARTS: dict[str, list[tuple[str, float, str]]] = {
    # Jouppi et al., ISCA 2017, Figure 2 (floor plan) and its caption: Unified Buffer 29 %,
    # Matrix Multiply Unit 24 %, Accumulators 6 %, I/O (DDR3 ports, PCIe, host interface)
    # 10 %, control 2 % of the die.
    "tpuv1": [("memory.unified_buffer", 0.29, "Unified Buffer"),
              ("pe_array", 0.24, "Matrix Multiply Unit"),
              ("memory.accumulators", 0.06, "Accumulators"),
              ("(not modelled) I/O", 0.10, "DDR3 ports, PCIe, host interface"),
              ("(not modelled) control", 0.02, "control")],
    # Chen et al., JSSC 2017, chip summary: 4.0 mm x 4.0 mm die, 3.5 mm x 3.5 mm core; the
    # rest is the pad ring.
    "eyeriss": [("(not modelled) pad ring", 16.0 - 12.25, "die minus the 3.5 x 3.5 mm core")],
}


def check_published(library: dict[str, Accelerator]) -> list[dict]:
    """For each published die: the model's total at its node and the relative miss."""
    rows = []
    for die in PUBLISHED_DIES:
        acc = library[die.design].model_copy(update={"technology_nm": die.node_nm})
        model = model_area(acc)
        described = design_area(library[die.design]).total_mm2
        miss = model.total_mm2 / die.die_mm2 - 1
        parts = []
        for component, share, what in PUBLISHED_PARTS.get(die.design, []):
            published = share * die.die_mm2 if share < 1 else share
            modelled = model.components.get(component, 0.0)
            parts.append({"component": component, "paper": what,
                          "published_mm2": published, "model_mm2": modelled,
                          "miss": modelled / published - 1})
        rows.append({"design": die.design, "node_nm": die.node_nm, "parts": parts,
                     "published_mm2": die.die_mm2, "upper_bound": die.upper_bound,
                     "source": die.source, "model_mm2": model.total_mm2,
                     "model_components_mm2": model.components, "miss": miss,
                     "within_tolerance": abs(miss) <= TOLERANCE,
                     "described_mm2": described})
    return rows
