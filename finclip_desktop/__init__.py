"""FinClip Desktop: an enterprise container for WeChat-syntax mini-programs."""

__version__ = "0.1.0"
RUNTIME_VERSION = "1.0.0"
