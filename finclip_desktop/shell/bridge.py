"""The bridge between a page and the capability registry.

The page's main world never sees Qt: :data:`SHIM_JS` runs with ``qwebchannel.js`` in the
isolated ``ApplicationWorld``, listens for ``{__fcBridge: "call", id, api, args}`` window
messages from the page itself, calls :meth:`Bridge.invoke` and posts back
``{__fcBridge: "reply", id, result}``; host events arrive as ``{__fcBridge: "event", name,
payload}``. The shim also forwards the runtime's ``finclip:painted`` event. A page's one
channel serves each document it loads in turn: the shim tags its qwebchannel message ids
and call keys with a random token of its document and drops responses and replies without
it (those of the document a reload replaced).

The shim refuses arguments whose JSON is over :data:`MAX_ARGS_BYTES` characters itself, so
they never cross into the host (copying them would stall Qt's main thread).
:meth:`Bridge.invoke` checks the page is still on the app's own origin, limits size and
rate, and never lets an exception reach Qt; results computed on worker threads come back to
the main thread through a queued signal.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal, Slot

from finclip_desktop.capabilities.registry import fail
from finclip_desktop.shell.mainthread import call_in_main
from finclip_desktop.shell.qtapp import SCHEME

log = logging.getLogger(__name__)

OBJECT_NAME = "finclipBridge"
MAX_ARGS_BYTES = 1024 * 1024
RATE_PER_SECOND = 200.0
RATE_BURST = 400.0
MAX_PENDING = 256
TOO_BIG = f"parameter error: arguments over {MAX_ARGS_BYTES} bytes"

Invoke = Callable[[str, Any], "Future[dict[str, Any]]"]


def _fill(template: str, **values: str) -> str:
    """Put ``values`` into the ``%(name)s`` slots of a JS template (which has its own ``%``
    and braces)."""
    for name, value in values.items():
        template = template.replace(f"%({name})s", value)
    return template


SHIM_JS = _fill(
    r"""
(function () {
  "use strict";
  if (window.__fcShim) { return; }
  window.__fcShim = true;
  var bridge = null, queue = [], ids = {}, next = 1;
  function post(message) { window.postMessage(message, "*"); }
  function send(call) { bridge.invoke(call[0], call[1], call[2]); }
  function parse(json) { try { return JSON.parse(json); } catch (e) { return null; } }
  // The page's one channel serves each document it loads in turn, so what the host sent
  // to the previous one (the response to a call, a reply) may arrive here: this document
  // tags its message ids and call keys with its own token and drops the rest.
  var token = Array.prototype.map.call(crypto.getRandomValues(new Uint32Array(2)),
    function (n) { return n.toString(36); }).join("") + ":";
  var wire = qt.webChannelTransport, transport = {onmessage: null, send: function (text) {
    var data = parse(text);
    if (data && data.id !== undefined) { data.id = token + data.id; text = JSON.stringify(data); }
    wire.send(text);
  }};
  wire.onmessage = function (message) {
    var data = typeof message.data === "string" ? parse(message.data) : message.data;
    if (!data) { return; }
    if (data.type === %(response)s) {
      if (typeof data.id !== "string" || data.id.indexOf(token) !== 0) { return; }
      data.id = Number(data.id.slice(token.length));
    } else if (!bridge) { return; }  // a signal before this document's channel is up
    transport.onmessage({data: data});
  };
  new QWebChannel(transport, function (channel) {
    bridge = channel.objects.%(name)s;
    bridge.replied.connect(function (key, json) {
      if (!(key in ids)) { return; }
      var id = ids[key]; delete ids[key];
      post({__fcBridge: "reply", id: id, result: parse(json)});
    });
    bridge.hostEvent.connect(function (name, json) {
      post({__fcBridge: "event", name: name, payload: parse(json)});
    });
    queue.forEach(send); queue = null;
  });
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window || !data || data.__fcBridge !== "call") { return; }
    var api = String(data.api), json;
    try { json = JSON.stringify(data.args === undefined ? {} : data.args); }
    catch (e) { json = ""; }
    json = typeof json === "string" ? json : "";
    // Oversized arguments are refused here: they never cross into the host.
    if (json.length > %(max)s) { return refuse(data.id, api, "%(too_big)s"); }
    var key = token + next++, call = [key, api, json];
    ids[key] = data.id;
    if (bridge) { send(call); }
    else if (queue.length < %(queue)s) { queue.push(call); }
    else { delete ids[key]; refuse(data.id, api, "too many calls"); }
  });
  function refuse(id, api, reason) {
    post({__fcBridge: "reply", id: id, result: {errMsg: api + ":fail " + reason}});
  }
  function painted(route) {
    (function report() {
      if (bridge) { bridge.painted(String(route || "")); } else { setTimeout(report, 10); }
    })();
  }
  window.addEventListener("finclip:painted", function (event) {
    var route = "";
    try { route = event.detail && event.detail.route; } catch (e) { route = ""; }
    painted(route);
  });
  window.__fcPaintedFallback = function () {
    requestAnimationFrame(function () { requestAnimationFrame(function () {
      painted(""); }); });
  };
})();
""",
    name=OBJECT_NAME,
    response="10",  # qwebchannel.js: QWebChannelMessageTypes.response
    queue="1000",
    max=str(MAX_ARGS_BYTES),
    too_big=TOO_BIG,
)


def to_json(result: Any) -> str:
    try:
        return json.dumps(result, ensure_ascii=False, allow_nan=False, default=str)
    except (TypeError, ValueError):
        return json.dumps({"errMsg": "bridge:fail result is not JSON"})


class RateLimiter:
    """Token bucket: ``burst`` calls at once, refilled at ``rate`` per second."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: float = RATE_BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


class Bridge(QObject):
    """The one object the isolated world sees. Signals carry JSON text only."""

    replied = Signal(str, str)  # call key, result JSON
    hostEvent = Signal(str, str)  # noqa: N815 - JS-facing name; event name, payload JSON
    paintedRoute = Signal(str)  # noqa: N815

    def __init__(
        self,
        app_id: str,
        invoke: Invoke,
        page_url: Callable[[], QUrl],
        limiter: RateLimiter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.app_id = app_id
        self._invoke = invoke
        self._page_url = page_url
        self.limiter = limiter or RateLimiter()
        self.pending = 0
        self.calls = 0
        self.closed = False

    def on_own_origin(self) -> bool:
        url = self._page_url()
        return url.scheme() == SCHEME and url.host() == self.app_id

    @Slot(str, str, str)
    def invoke(self, key: str, api: str, args_json: str) -> None:
        try:
            self.call(api, args_json, lambda result: self._reply(key, result))
        except Exception:  # noqa: BLE001 - never into Qt
            log.exception("bridge call %s failed", api)
            self._reply(key, fail(str(api), "internal error"))

    @Slot(str)
    def painted(self, route: str) -> None:
        self.paintedRoute.emit(route)

    def emit_event(self, name: str, payload: dict[str, Any]) -> None:
        """Send a host event to the page; thread-safe."""
        text = to_json(payload)
        log.debug("event %s %.200s", name, text)
        call_in_main(lambda: None if self.closed else self.hostEvent.emit(name, text))

    def _reply(self, key: str, result: dict[str, Any]) -> None:
        if not self.closed:
            log.debug("reply %s %.200s", key, result)
            self.replied.emit(key, to_json(result))

    def call(
        self, api: str, args_json: str | bytes, answer: Callable[[dict[str, Any]], None]
    ) -> None:
        """Check and run one call; ``answer`` is called once, on the main thread."""
        self.calls += 1
        api = api if isinstance(api, str) and 0 < len(api) <= 128 else "bridge"
        if not self.on_own_origin():
            answer(fail(api, "the page is not the app's own"))
            return
        if not self.limiter.take():
            answer(fail(api, "too many calls"))
            return
        if len(args_json) > MAX_ARGS_BYTES:  # the shim refuses them first; the sync path not
            answer(fail(api, TOO_BIG))
            return
        try:
            args = json.loads(args_json) if args_json else None
        except ValueError:
            args = None
        if not isinstance(args, dict):
            answer(fail(api, "parameter error: arguments must be a JSON object"))
            return
        if self.pending >= MAX_PENDING:
            answer(fail(api, "too many pending calls"))
            return
        self.pending += 1
        future = self._invoke(api, args)

        def settled(f: Future[dict[str, Any]]) -> None:
            try:
                result = f.result()
            except BaseException:  # noqa: BLE001 - a broken future still answers
                result = fail(api, "internal error")

            def deliver() -> None:
                self.pending -= 1
                answer(result)

            call_in_main(deliver)

        future.add_done_callback(settled)
