"""Accelerator descriptions: the schema and the library of YAML files."""

from explorer.hardware.library import library_names, load_accelerator, save_accelerator
from explorer.hardware.schema import Accelerator, Dataflow, Operand

__all__ = ["Accelerator", "Dataflow", "Operand", "library_names", "load_accelerator",
           "save_accelerator"]
