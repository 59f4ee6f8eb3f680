from __future__ import annotations

import explorer


def test_every_array_layer_reports_its_spatial_unrolling_in_layer_loops() -> None:
    result = explorer.estimate("squeezenet", "systolic", "depgraph")
    on_array = [layer for layer in result.layers if layer.mapping and "rows_dim" in layer.mapping]
    assert on_array
    for layer in on_array:
        spatial = layer.mapping["spatial"]
        assert spatial["rows"]["dim"] == layer.mapping["rows_dim"]
        assert spatial["rows"]["folds"] == layer.mapping["folds"]["rows"]
    first = on_array[0]  # conv1: 3 input channels, 3x3 kernel, im2col on the WS rows
    assert first.mapping["spatial"]["rows"]["loops"] == ["C", "FY", "FX"]
    assert first.mapping["spatial"]["cols"]["loops"] == ["K"]
    assert first.mapping["spatial"]["stream"]["loops"] == ["B", "OY", "OX"]
    assert "spatial" not in next(layer.mapping for layer in result.layers
                                 if layer.mapping and "rows_dim" not in layer.mapping)
