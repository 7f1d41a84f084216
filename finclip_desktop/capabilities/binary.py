"""How an ArrayBuffer crosses the JSON bridge: ``{"__fcBuffer": "<base64>"}``.

The runtime turns an ArrayBuffer argument into this form before calling the bridge and
turns the form back into an ArrayBuffer in results and event payloads.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

BUFFER_KEY = "__fcBuffer"


def is_buffer(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and set(value) == {BUFFER_KEY}
        and isinstance(value[BUFFER_KEY], str)
    )


def encode_buffer(data: bytes) -> dict[str, str]:
    return {BUFFER_KEY: base64.b64encode(data).decode("ascii")}


def decode_buffer(value: Mapping[str, str]) -> bytes:
    """Bytes of a buffer value; raises ValueError if its base64 is malformed."""
    try:
        return base64.b64decode(value[BUFFER_KEY], validate=True)
    except (binascii.Error, KeyError) as exc:
        raise ValueError("ArrayBuffer payload is not valid base64") from exc


def buffer_size(value: Mapping[str, str]) -> int:
    """Decoded size without decoding (base64 length arithmetic)."""
    text = value[BUFFER_KEY]
    return len(text) * 3 // 4 - text[-2:].count("=") if text else 0
