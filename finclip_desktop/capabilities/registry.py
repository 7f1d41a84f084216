"""The capability registry: every wx.* call from a mini-app ends in :meth:`Registry.invoke`.

``invoke`` never raises: an unknown API, malformed arguments, a scope the app did not
declare, a consent the user refused and a failing handler all resolve the returned future
to ``{"errMsg": "<api>:fail <reason>"}``; success resolves to ``{"errMsg": "<api>:ok", ...}``.

Kinds (what the runtime builds in the ``wx`` object for each name):

- ``async``: callback / Promise API, answered by the handler;
- ``sync``:  ``*Sync`` API, answered by the handler over the synchronous bridge;
- ``task``:  async API whose call returns a task object (the runtime passes a ``taskId``
  argument; progress arrives as ``taskEvent`` events, see :mod:`.tasks`);
- ``event``: ``wx.onX`` / ``wx.offX`` listener for the host event ``x`` (no handler);
- ``view``:  implemented by the runtime inside the view (toast, modal, routing, ...; no
  handler); declared here so ``canIUse`` and the docs know it.

Names starting with ``_`` are internal plumbing for the runtime, not part of ``wx``.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, TypeVar

from finclip_desktop.capabilities import wxfile
from finclip_desktop.capabilities.errors import CapabilityError
from finclip_desktop.capabilities.host import BaseHost, Host
from finclip_desktop.capabilities.schema import Schema, SchemaError, validate

log = logging.getLogger(__name__)

KINDS = ("async", "sync", "event", "task", "view")
ENTRY_POINT_GROUP = "finclip_desktop.capabilities"
BUILTIN_FAMILIES = (
    "storage", "network", "sockets", "tasks", "system", "files", "clipboard", "location",
    "login", "media", "ui",
)  # fmt: skip
MAX_WORKERS = 8  # blocking calls running at once, per app
MAX_PENDING_PER_APP = 64

Result = dict[str, Any]
Observer = Callable[[str, str, bool, float], None]
Handler = Callable[["CallContext", dict[str, Any]], "Result | Future[Result] | None"]
T = TypeVar("T")


@dataclass(frozen=True)
class Capability:
    """One wx.* API: its handler, argument schema, permission scope and kind."""

    name: str
    handler: Handler | None = None
    schema: Schema | None = None
    scope: str | None = None
    kind: str = "async"
    blocking: bool = False
    note: str = ""  # a limitation worth documenting, e.g. "fails: not on desktop"
    # the result's fields (nested ones dotted: "safeArea.left"), for wx.canIUse's
    # `api.return.x` / `api.success.x` / `api.callback.x`; undeclared fields answer false
    returns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"capability {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if (self.handler is None) != (self.kind in ("view", "event")):
            raise ValueError(f"capability {self.name}: only view and event kinds have no handler")


def view(*names: str) -> list[Capability]:
    """Descriptors of APIs the runtime implements inside the view."""
    return [Capability(name, kind="view") for name in names]


def event(*names: str) -> list[Capability]:
    """Descriptors of ``wx.onX`` listeners and their ``wx.offX`` twins (the host emits the
    event ``x``); ``names`` are the ``onX`` names."""
    return [
        Capability(prefix + name.removeprefix("on"), kind="event")
        for name in names
        for prefix in ("on", "off")
    ]


def returning(field_name: str, handler: Handler) -> Handler:
    """A ``sync`` variant answering ``{data: <field of handler's result>}``.

    The runtime's ``*Sync`` functions return ``data`` when it is a result's only field and
    the whole result otherwise; this makes e.g. ``readdirSync`` return the list itself.
    """

    def sync_handler(ctx: CallContext, args: dict[str, Any]) -> Result:
        result = handler(ctx, args)
        return {"data": result[field_name]}  # type: ignore[index]

    return sync_handler


def event_name(listener: str) -> str:
    """``onNetworkStatusChange`` (or ``offNetworkStatusChange``) -> ``networkStatusChange``:
    the host event it listens to."""
    prefix = "off" if listener.startswith("off") else "on"
    bare = listener.removeprefix(prefix)
    return bare[:1].lower() + bare[1:]


def entry_points(group: str) -> Any:
    """The installed entry points of ``group``. importlib.metadata costs tens of
    milliseconds to import, so it is used only when some distribution declares the group
    (:func:`group_declared`); a launch without capability plugins never imports it."""
    if not group_declared(group):
        return ()
    from importlib.metadata import entry_points as installed

    return installed(group=group)


def group_declared(group: str) -> bool:
    """Whether an ``entry_points.txt`` of a distribution on ``sys.path`` names ``group``
    (a look at the same files importlib.metadata reads; a zip on the path counts as yes)."""
    import os
    import sys

    header = f"[{group}]".encode()
    for entry in sys.path:
        if os.path.isfile(entry):
            return True  # a zipped path entry: let importlib.metadata look inside
        try:
            listing = os.scandir(entry or ".")
        except OSError:
            continue
        with listing:
            for dist in listing:
                if not dist.name.endswith((".dist-info", ".egg-info")):
                    continue
                try:
                    with open(os.path.join(dist.path, "entry_points.txt"), "rb") as f:
                        if header in f.read():
                            return True
                except OSError:
                    continue
    return False


def _deny(scope: str) -> Future[bool]:
    return done(False)


def _drop(name: str, payload: dict[str, Any]) -> None:
    return None


@dataclass(eq=False)
class CallContext:
    """What a handler knows about its caller. The shell keeps one per running app session:
    ``wxfile://tmp`` is emptied when it is created and when it closes.

    ``ask_permission(scope)`` resolves to the user's decision (asking at first use);
    ``emit(name, payload)`` sends a host event to the app and must be thread-safe (blocking
    handlers emit from worker threads). ``settings`` carries launch-time facts: the app's
    ``networkTimeout`` (ms per kind), ``domains`` (the server's signed domain lists of an
    app it delivered, which limit the manifest's; absent otherwise), ``proxy``,
    ``launchOptions``, ``envVersion`` (develop | trial | release); see docs/architecture.md.
    ``package`` (a VerifiedPackage, or anything with ``read(path) -> bytes`` raising
    KeyError) lets file APIs read the app's own files.
    """

    app_id: str
    data_dir: Path
    manifest: Any = None  # finclip_desktop.package.Manifest; None only for dev folders
    dev_mode: bool = False
    ask_permission: Callable[[str], Future[bool]] = _deny
    emit: Callable[[str, dict[str, Any]], None] = _drop
    host: Host = field(default_factory=BaseHost)
    settings: Mapping[str, Any] = field(default_factory=dict)
    package: Any = None
    _resources: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _pending: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        wxfile.purge_tmp(self.data_dir)  # a new session: files of an earlier one are gone

    def resource(self, key: str, factory: Callable[[], T]) -> T:
        """The per-app object under ``key`` (created once by ``factory``; thread-safe)."""
        with self._lock:
            if key not in self._resources:
                self._resources[key] = factory()
            return self._resources[key]

    def declares(self, scope: str) -> bool:
        if self.manifest is None:
            return self.dev_mode
        return scope in self.manifest.permissions

    def close(self) -> None:
        """Release per-app resources (open sockets, database handles) and the host's
        watchers (``host.close()`` when it has one), then delete the session's temporary
        files: the app closed."""
        with self._lock:
            resources, self._resources = self._resources, {}
        for value in [*resources.values(), self.host]:
            closer = getattr(value, "close", None)
            if callable(closer):
                try:
                    closer()
                except Exception:  # noqa: BLE001 - closing must go on for the others
                    log.exception("closing %s resource failed", self.app_id)
        wxfile.purge_tmp(self.data_dir)

    def _acquire(self) -> bool:
        with self._lock:
            if self._pending >= MAX_PENDING_PER_APP:
                return False
            self._pending += 1
            return True

    def _release(self) -> None:
        with self._lock:
            self._pending -= 1


def done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


def label(api: str) -> str:
    """The name errMsg starts with: a method's own name (``readFile``, as WeChat)."""
    return api.rsplit(".", 1)[-1]


def ok(api: str, result: Mapping[str, Any] | None = None) -> Result:
    return {"errMsg": f"{label(api)}:ok", **(result or {})}


def fail(api: str, reason: str, **extra: Any) -> Result:
    return {"errMsg": f"{label(api)}:fail {reason}", **extra}


class Registry:
    """Named capabilities and the one entry point that calls them."""

    def __init__(self, max_workers: int = MAX_WORKERS) -> None:
        self._caps: dict[str, Capability] = {}
        self._observers: list[Observer] = []
        self._max_workers = max_workers
        self._pools: weakref.WeakSet[_AppPool] = weakref.WeakSet()
        self._closed = False

    # -- contents ---------------------------------------------------------------------------
    def register(self, *caps: Capability | Iterable[Capability]) -> None:
        """Add capabilities; a name registered twice is an error (plugins cannot shadow)."""
        for item in caps:
            for cap in [item] if isinstance(item, Capability) else item:
                if not isinstance(cap, Capability):
                    raise TypeError(f"not a Capability: {cap!r}")
                if cap.name in self._caps:
                    raise ValueError(f"capability {cap.name} is already registered")
                self._caps[cap.name] = cap

    def get(self, name: str) -> Capability | None:
        return self._caps.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._caps

    def names(self) -> list[str]:
        return sorted(self._caps)

    def describe(self) -> list[dict[str, Any]]:
        """``[{name, kind, scope, note}]`` sorted by name: what ``wx`` is built from."""
        return [
            {"name": c.name, "kind": c.kind, "scope": c.scope, "note": c.note}
            for c in sorted(self._caps.values(), key=lambda c: c.name)
        ]

    def load_plugins(self) -> list[str]:
        """Register capabilities from the entry-point group; returns the loaded plugin names.

        An entry point may name a Capability, an iterable of them, or a function taking the
        registry (which may register directly or return capabilities). A broken plugin is
        logged and skipped.
        """
        loaded = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                self._register_plugin(ep.load())
            except Exception:  # noqa: BLE001 - one broken plugin must not stop the host
                log.exception("capability plugin %s failed to load", ep.name)
                continue
            loaded.append(ep.name)
        return loaded

    def _register_plugin(self, obj: Any) -> None:
        if isinstance(obj, Capability):
            self.register(obj)
        elif callable(obj):
            returned = obj(self)
            if returned is not None:
                self.register(returned)
        else:
            self.register(obj)

    def add_observer(self, observer: Observer) -> None:
        """Call ``observer(app_id, api, ok, duration_ms)`` after every call (API statistics).

        It runs on whichever thread finished the call and must not block.
        """
        self._observers.append(observer)

    # -- calls ------------------------------------------------------------------------------
    def invoke(self, ctx: CallContext, api: str, args: Any = None) -> Future[Result]:
        """Call ``api`` for the app of ``ctx``; the future always resolves to a result dict."""
        started = time.monotonic()
        try:
            future = self._invoke(ctx, api, args)
        except Exception:  # noqa: BLE001 - nothing may raise into the host
            log.exception("capability %s failed before running", api)
            future = done(fail(str(api), "internal error"))
        if not self._observers:
            return future
        out: Future[Result] = Future()

        def observed(f: Future[Result]) -> None:
            self._observe(ctx, str(api), f.result(), started)
            out.set_result(f.result())

        future.add_done_callback(observed)
        return out

    def _observe(self, ctx: CallContext, api: str, result: Result, started: float) -> None:
        ms = round((time.monotonic() - started) * 1000, 3)
        succeeded = str(result.get("errMsg", "")).endswith(":ok")
        for observer in list(self._observers):
            try:
                observer(ctx.app_id, api, succeeded, ms)
            except Exception:  # noqa: BLE001 - statistics must never break a call
                log.exception("capability observer failed")

    def _invoke(self, ctx: CallContext, api: str, args: Any) -> Future[Result]:
        cap = self._caps.get(api) if isinstance(api, str) else None
        if cap is None:
            return done(fail(str(api), "not supported"))
        if cap.handler is None:
            return done(fail(api, f"is a {cap.kind} API answered by the runtime, not the host"))
        try:
            args = validate(cap.schema, args)
        except SchemaError as exc:
            return done(fail(api, str(exc)))
        if cap.scope is None:
            return self._run(ctx, cap, args)
        if not ctx.declares(cap.scope):
            return done(fail(api, f"permission {cap.scope} is not declared by the app"))
        consent = ctx.ask_permission(cap.scope)
        out: Future[Result] = Future()

        def decided(f: Future[bool]) -> None:
            if f.cancelled() or f.exception() is not None or f.result() is not True:
                out.set_result(fail(api, "auth deny"))
                return
            try:
                _chain(self._run(ctx, cap, args), out)
            except Exception:  # noqa: BLE001 - the call must still be answered
                log.exception("capability %s failed after consent", api)
                out.set_result(fail(api, "internal error"))

        consent.add_done_callback(decided)
        return out

    def _run(self, ctx: CallContext, cap: Capability, args: dict[str, Any]) -> Future[Result]:
        if not cap.blocking:
            return _settle(cap.name, lambda: cap.handler(ctx, args))  # type: ignore[misc]
        if not ctx._acquire():
            return done(fail(cap.name, "too many pending calls"))
        try:
            future = self._executor(ctx).submit(_settle, cap.name, lambda: cap.handler(ctx, args))  # type: ignore[misc]
        except RuntimeError:
            ctx._release()
            return done(fail(cap.name, "host is shutting down"))
        out: Future[Result] = Future()

        def finished(f: Future[Future[Result]]) -> None:
            ctx._release()
            if f.cancelled():
                out.set_result(fail(cap.name, "host is shutting down"))
            else:
                _chain(f.result(), out)

        future.add_done_callback(finished)
        return out

    def _executor(self, ctx: CallContext) -> ThreadPoolExecutor:
        """The app's own worker pool: one app's slow calls never hold another app's."""
        if self._closed:
            raise RuntimeError("registry is shut down")
        pool = ctx.resource("executor", lambda: _AppPool(self._max_workers, ctx.app_id))
        self._pools.add(pool)
        return pool.executor

    def shutdown(self) -> None:
        """Stop every app's worker pool (running calls finish, queued ones are cancelled)."""
        self._closed = True
        for pool in list(self._pools):
            pool.close()


class _AppPool:
    """A per-app thread pool, shut down with its CallContext."""

    def __init__(self, workers: int, app_id: str) -> None:
        self.executor = ThreadPoolExecutor(workers, f"finclip-{app_id}")

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _settle(api: str, call: Callable[[], Result | Future[Result] | None]) -> Future[Result]:
    """Run a handler and turn whatever it returns or raises into a result future."""
    try:
        returned = call()
    except Exception as exc:  # noqa: BLE001 - reported as a fail result
        return done(_failure(api, exc))
    if isinstance(returned, Future):
        out: Future[Result] = Future()

        def resolved(f: Future[Any]) -> None:
            exc = f.exception()
            out.set_result(_failure(api, exc) if exc is not None else _success(api, f.result()))

        returned.add_done_callback(resolved)
        return out
    return done(_success(api, returned))


def _success(api: str, value: Any) -> Result:
    if value is not None and not isinstance(value, Mapping):
        log.error("capability %s returned %r, not a dict", api, type(value))
        return fail(api, "internal error")
    return ok(api, value)


def _failure(api: str, exc: BaseException) -> Result:
    if isinstance(exc, CapabilityError):
        return fail(api, exc.reason, **exc.extra)
    if isinstance(exc, SchemaError):
        return fail(api, str(exc))
    log.error("capability %s raised", api, exc_info=exc)
    return fail(api, "internal error")


def _chain(source: Future[Result], target: Future[Result]) -> None:
    source.add_done_callback(lambda f: target.set_result(f.result()))


# -- the default registry -------------------------------------------------------------------
_default: Registry | None = None
_default_lock = threading.Lock()


def builtin_capabilities() -> list[Capability]:
    """Every capability of the built-in families (``<family>.CAPABILITIES``)."""
    caps: list[Capability] = []
    for family in BUILTIN_FAMILIES:
        caps.extend(import_module(f"finclip_desktop.capabilities.{family}").CAPABILITIES)
    return caps


def default_registry() -> Registry:
    """The process-wide registry: the built-in families plus installed plugins."""
    global _default
    with _default_lock:
        if _default is None:
            registry = Registry()
            registry.register(builtin_capabilities())
            registry.load_plugins()
            _default = registry
        return _default


def invoke(ctx: CallContext, api: str, args: Any = None) -> Future[Result]:
    """Call ``api`` through the default registry (see :meth:`Registry.invoke`)."""
    return default_registry().invoke(ctx, api, args)


def describe() -> list[dict[str, Any]]:
    """Describe the default registry (see :meth:`Registry.describe`)."""
    return default_registry().describe()
