"""Native wx.* APIs behind the bridge: a registry plus one module per API family.

The shell calls :func:`registry.invoke` with a :class:`CallContext` per running app; the
runtime builds the ``wx`` object from :func:`registry.describe`.
"""

from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.host import BaseHost, Host, WindowMetrics
from finclip_desktop.capabilities.registry import (
    CallContext,
    Capability,
    Registry,
    default_registry,
    describe,
    invoke,
)
from finclip_desktop.capabilities.schema import Arg, SchemaError

__all__ = [
    "Arg", "BaseHost", "CallContext", "Capability", "CapabilityError", "Host", "Registry",
    "SchemaError", "WindowMetrics", "default_registry", "describe", "invoke",
]  # fmt: skip
