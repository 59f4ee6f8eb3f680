"""The device-side runner: measures a plan's ONNX models (single layers or whole networks)
with onnxruntime.

Imports nothing else from this project (and only the standard library, numpy and
onnxruntime), so it runs on any machine with those: `python -m explorer.runner`, or copy
`explorer/runner/runner.py` alone to the device and run `python runner.py`.
"""
