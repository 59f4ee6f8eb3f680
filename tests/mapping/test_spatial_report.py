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


def test_per_layer_dataflow_choice_is_the_fastest_supported_one() -> None:
    from explorer.hardware.overrides import apply_overrides

    base = explorer.load_accelerator("systolic")
    fixed = {df: explorer.estimate("squeezenet", apply_overrides(base, [
        f"compute.dataflow={df}"]), "depgraph") for df in ("ws", "os", "is")}
    chooser = apply_overrides(base, ["compute.dataflow_per_layer=true"])
    chosen = explorer.estimate("squeezenet", chooser, "depgraph")
    for i, layer in enumerate(chosen.layers):
        if not layer.mapping or "rows_dim" not in layer.mapping:
            continue
        best = min(fixed[df].layers[i].cycles for df in fixed)
        assert layer.cycles == best
        assert layer.mapping["spatial"]["dataflow"] == layer.mapping["dataflow"]
        assert "fastest" in layer.mapping["spatial"]["choice"]
    assert {layer.mapping["dataflow"] for layer in chosen.layers
            if layer.mapping and "rows_dim" in layer.mapping} > {"ws"}
    simulated = explorer.estimate("squeezenet", chooser, "simulate")
    assert [x.cycles for x in simulated.layers] == [x.cycles for x in chosen.layers]
