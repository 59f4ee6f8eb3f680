"""Checks of the attributes an op parser reads: a file that says `group=-1`,
`group='abc'` or `auto_pad='FOO'` is wrong, and the import says so, naming the node
(`BadNode`, turned into a one-line `WorkloadError` by the layer builder), instead of
costing it as something it is not."""

from __future__ import annotations

from typing import Any

AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")


class BadNode(Exception):
    """The node's attributes or operands contradict the op's definition."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def int_attr(attrs: dict[str, Any], name: str, default: int, minimum: int) -> int:
    value = attrs.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadNode(f"attribute {name} = {_shown(value)} is not an integer")
    if value < minimum:
        raise BadNode(f"attribute {name} = {value} (at least {minimum})")
    return value


def ints_attr(attrs: dict[str, Any], name: str, length: int, minimum: int,
              default: list[int] | None) -> list[int]:
    """A list attribute of `length` integers >= minimum (the default when absent)."""
    value = attrs.get(name)
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return list(default) if default is not None else []
    if not isinstance(value, (list, tuple)) or \
            any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise BadNode(f"attribute {name} = {_shown(value)} is not a list of integers")
    if len(value) != length:
        raise BadNode(f"attribute {name} = {_shown(list(value))} has {len(value)} values, "
                      f"expected {length}")
    if any(v < minimum for v in value):
        raise BadNode(f"attribute {name} = {_shown(list(value))} (each at least {minimum})")
    return list(value)


def choice_attr(attrs: dict[str, Any], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = attrs.get(name, default)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if value not in allowed:
        raise BadNode(f"attribute {name} = {_shown(value)} (allowed: {', '.join(allowed)})")
    return value


def check_conv(attrs: dict[str, Any], x: tuple[int, ...], w: tuple[int, ...],
               transposed: bool) -> None:
    """Conv/ConvTranspose attributes and the weight's channels against the input's."""
    rank = len(w) - 2
    groups = int_attr(attrs, "group", 1, 1)
    ints_attr(attrs, "kernel_shape", rank, 1, None)
    ints_attr(attrs, "strides", rank, 1, None)
    ints_attr(attrs, "dilations", rank, 1, None)
    ints_attr(attrs, "pads", 2 * rank, 0, None)
    choice_attr(attrs, "auto_pad", "NOTSET", AUTO_PADS)
    cin = x[1]
    if transposed:
        if w[0] != cin:
            raise BadNode(f"weight has {w[0]} input channels, the input {cin}")
    elif w[1] * groups != cin:
        raise BadNode(f"weight has {w[1]} input channels per group x {groups} groups, "
                      f"the input {cin} channels")
    if cin % groups or (not transposed and w[0] % groups):
        raise BadNode(f"group = {groups} does not divide the channels ({cin} in, "
                      f"{w[0]} weight rows)")


RNN_DIRECTIONS = ("forward", "reverse", "bidirectional")


def check_rnn(attrs: dict[str, Any], features: int, input_size: int, hidden: int,
              directions: int) -> None:
    """LSTM/GRU/RNN (and DynamicQuantizeLSTM): the attributes against the weights."""
    direction = choice_attr(attrs, "direction", "forward", RNN_DIRECTIONS)
    int_attr(attrs, "layout", 0, 0)
    if attrs.get("layout", 0) not in (0, 1):
        raise BadNode(f"attribute layout = {attrs['layout']} (allowed: 0, 1)")
    wanted = 2 if direction == "bidirectional" else 1
    if directions != wanted:
        raise BadNode(f"weights for {directions} direction(s), but direction = {direction}")
    size = int_attr(attrs, "hidden_size", hidden, 1)
    if size != hidden:
        raise BadNode(f"attribute hidden_size = {size}, the weights have {hidden}")
    if features != input_size:
        raise BadNode(f"input has {features} features, the weights expect {input_size}")
