"""The nine model-zoo networks shipped inside the installed `onnx` package.

They are real architectures whose weights were replaced by `ConstantOfShape` nodes
(`onnx/backend/test/data/light/light_*.onnx`). We load them from the installed package
and never copy them into the repository.
"""

from __future__ import annotations

from pathlib import Path

from explorer.errors import WorkloadError

# Short name -> stem of the file after "light_".
_FILES: dict[str, str] = {
    "resnet50": "resnet50",
    "vgg19": "vgg19",
    "densenet121": "densenet121",
    "inception_v1": "inception_v1",
    "inception_v2": "inception_v2",
    "alexnet": "bvlc_alexnet",
    "squeezenet": "squeezenet",
    "shufflenet": "shufflenet",
    "zfnet512": "zfnet512",
}
_ALIASES: dict[str, str] = {"bvlc_alexnet": "alexnet"}

ZOO_NAMES: tuple[str, ...] = tuple(_FILES)


def canonical_zoo_name(name: str) -> str | None:
    """The short name for `name` (accepting aliases and any case), or None if not in the zoo."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in _FILES else None


def is_zoo_name(name: str) -> bool:
    return canonical_zoo_name(name) is not None


def _light_dir() -> Path:
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - onnx is a core dependency
        raise WorkloadError(f"onnx: package not importable ({exc})") from None
    return Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"


def zoo_path(name: str) -> Path:
    """Path of the zoo network `name` inside the installed onnx package."""
    key = canonical_zoo_name(name)
    if key is None:
        raise WorkloadError(f"{name}: not an ONNX file and not a zoo network "
                            f"(zoo: {', '.join(ZOO_NAMES)})")
    path = _light_dir() / f"light_{_FILES[key]}.onnx"
    if not path.is_file():
        raise WorkloadError(f"{path}: zoo network {key!r} missing from the installed onnx "
                            "package (reinstall onnx)")
    return path
