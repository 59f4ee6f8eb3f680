"""Builders of the attack files the security tests (and the GUI's) open: each is the real
thing an attacker would send, not a stand-in."""

from __future__ import annotations

import builtins
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper


# -- a model file that runs code -----------------------------------------------------------
def code_running_model(path: Path, marker: Path) -> Path:
    """A skops file holding a scikit-learn Pipeline of two FunctionTransformers: the
    first fills the input with Python source, the second applies
    `numpy.vectorize(builtins.exec)` to it. Its `predict` (what an estimate calls) runs
    the source, which creates `marker`."""
    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    source = f"open({str(marker)!r}, 'w').write('pwned')"
    pipeline = Pipeline([
        ("fill", FunctionTransformer(np.full_like,
                                     kw_args={"fill_value": source, "dtype": object})),
        ("run", FunctionTransformer(np.vectorize(builtins.exec))),
    ])
    # What `load_model` reads after loading: the attacker copies it from a real file.
    pipeline.metadata_ = json.dumps({"format": "accel-explorer latency model",
                                     "format_version": 1, "model_class": "PRLatencyModel"})
    sio.dump(pipeline, path)
    return path


def zip_bomb_model(path: Path, mebibytes: int = 4095) -> Path:
    """A ~4 MB skops-looking zip whose schema.json inflates to `mebibytes` MiB of spaces.

    Written by hand from one deflated MiB repeated (a full flush resets the compressor,
    so every repetition is the same bytes): building it takes milliseconds. Its CRC is
    left 0: a safe reader refuses it from the sizes in the zip's directory before
    inflating a byte, so the CRC is never reached."""
    import struct
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b" " * (1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * mebibytes + b"\x03\x00"  # an empty final block ends the stream
    name = b"schema.json"
    size = mebibytes << 20
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, 0, len(data), size,
                        len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, 0,
                          len(data), size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)
    path.write_bytes(local + data + central + end)
    return path


def many_members_model(path: Path, members: int) -> Path:
    """A skops-looking zip of `members` empty files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("schema.json", "{}")
        for index in range(members):
            zf.writestr(f"{index}.npy", b"")
    path.write_bytes(buffer.getvalue())
    return path


# -- ONNX files whose weights live "elsewhere" ---------------------------------------------
def external_weight_model(path: Path, location: str, length: int = 64) -> Path:
    """A real one-Conv ONNX file whose weight initializer is external data at `location`
    (relative to the model's folder, as ONNX defines it)."""
    weight = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[4, 1, 2, 2])
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(length))):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "W"], ["y"], name="conv")], "external",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 7, 7])],
        initializer=[weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path.write_bytes(model.SerializeToString())
    return path


# -- YAML ----------------------------------------------------------------------------------
def billion_laughs_yaml() -> str:
    """Nine levels of nine aliases: 9^9 (387 million) leaves from a 441-byte text."""
    lines = ["format_version: 1", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", '
             '"lol", "lol"]']
    names = "abcdefghi"
    for prev, name in zip(names, names[1:]):
        refs = ", ".join(f"*{prev}" for _ in range(9))
        lines.append(f"{name}: &{name} [{refs}]")
    lines.append("name: *i")
    return "\n".join(lines) + "\n"


# -- running an attack with a cap ----------------------------------------------------------
def run_capped(code: str, timeout_s: float = 20.0, memory_bytes: int = 2 * 1024**3
               ) -> tuple[int, str, float]:
    """Run Python `code` in a child process under a memory cap and a time limit (so an
    attack that still works fails the test instead of hanging or swapping the machine).
    Returns (exit code, stdout + stderr, seconds); exit code -9 on timeout."""
    import resource
    import subprocess
    import sys
    import time

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    root = Path(__file__).resolve().parents[2]
    env = {"PYTHONPATH": f"{root}{os.pathsep}{Path(__file__).parent}", "PATH": "/usr/bin:/bin",
           "QT_QPA_PLATFORM": "offscreen", "HOME": os.environ.get("HOME", "/tmp")}
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=timeout_s, preexec_fn=cap, env=env, cwd=root)
    except subprocess.TimeoutExpired:
        return -9, "timed out", time.perf_counter() - start
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - start
