"""The page guard: no WebRTC (nor WebTransport) in any document of an app's page.

WebRTC opens its own sockets (STUN over UDP, TURN over TCP/TLS) in the engine's network
service: neither the request interceptor nor the CSP sees them, and neither Qt nor Chromium
has a switch to turn WebRTC off (nor do they know CSP's ``webrtc`` directive). WebTransport
(QUIC over UDP) passes the interceptor too; only ``connect-src`` stops it, and a remote
``<web-view>`` page has no CSP of ours. So :data:`GUARD_JS` runs in the main world of every
frame Qt injects into (``DocumentCreation``, sub-frames included) and replaces every
``RTC*`` / ``webkitRTC*`` / ``WebTransport*`` global with a non-configurable ``undefined``
(see :func:`guard_script` for the main frame of a WeChat-syntax app).

Qt does not inject into ``about:blank`` frames, and it injects into other frames from a task
posted after their commit. A page could reach such a fresh same-origin window first, so the
guard also guards every same-origin child window the moment the page can touch it: after
each DOM insertion, on ``contentWindow`` / ``contentDocument`` access, on frame ``load``
and on every DOM mutation (the microtask before any later script). ``srcdoc`` frames are
refused (their attribute is removed before the frame commits). Workers have no
``RTCPeerConnection`` (they can only come from the app's own origin, whose CSP bars
WebTransport); the engine flag ``--force-webrtc-ip-handling-policy`` (see
:mod:`qtapp`) keeps UDP off as a second line.
"""

from __future__ import annotations

GUARD_JS = r"""
(function () {
  "use strict";
  // Everything the guard calls later is taken now, before the page can replace it.
  var me = self, O = Object, apply = Reflect.apply, names = O.getOwnPropertyNames;
  var describe = O.getOwnPropertyDescriptor, define = O.defineProperty;
  var starts = String.prototype.startsWith;
  var lengthOf = describe(me, "length").get;
  var viewOf = describe(Document.prototype, "defaultView").get;
  var typeOf = describe(Node.prototype, "nodeType").get;
  var listen = EventTarget.prototype.addEventListener;
  var Observer = MutationObserver, observe = Observer.prototype.observe;
  var queryDoc = Document.prototype.querySelectorAll;
  var queryTree = DocumentFragment.prototype.querySelectorAll;
  var unset = Element.prototype.removeAttribute;
  var OFF = ["RTC", "webkitRTC", "WebTransport"];
  var GONE = {__proto__: null, value: undefined, writable: false, enumerable: false,
              configurable: false};
  // DOM members after which a new frame may exist, or that hand out a frame's window
  var HOOKS = [
    ["Node", ["appendChild", "insertBefore", "replaceChild"]],
    ["Element", ["append", "prepend", "before", "after", "replaceWith", "replaceChildren",
                 "insertAdjacentElement", "insertAdjacentHTML", "setHTMLUnsafe", "setHTML",
                 "moveBefore", "innerHTML", "outerHTML", "attachShadow"]],
    ["CharacterData", ["before", "after", "replaceWith"]],
    ["DocumentType", ["before", "after", "replaceWith"]],
    ["Document", ["append", "prepend", "replaceChildren", "write", "writeln", "execCommand",
                  "moveBefore"]],
    ["DocumentFragment", ["append", "prepend", "replaceChildren", "moveBefore"]],
    ["ShadowRoot", ["innerHTML", "setHTMLUnsafe", "setHTML"]],
    ["Range", ["insertNode", "surroundContents"]],
    ["HTMLIFrameElement", ["contentWindow", "contentDocument"]],
    ["HTMLFrameElement", ["contentWindow", "contentDocument"]],
    ["HTMLObjectElement", ["contentWindow", "contentDocument", "getSVGDocument"]],
    ["HTMLEmbedElement", ["getSVGDocument"]]
  ];
  // members whose result is guarded too (frames in shadow trees are not in window.frames)
  var RESULTS = {__proto__: null, contentWindow: "window", contentDocument: "document",
                 getSVGDocument: "document", attachShadow: "shadow"};
  function reachable(w) {
    try { return !!w && w.document !== undefined; } catch (e) { return false; }
  }
  function guarded(w) {
    var d = describe(w, "RTCPeerConnection");
    return !!d && !d.configurable && d.value === undefined;
  }
  function off(name) {
    for (var i = 0; i < OFF.length; i++) { if (apply(starts, name, [OFF[i]])) { return true; } }
    return false;
  }
  function strip(w) {
    var list = names(w);
    for (var i = 0; i < list.length; i++) {
      if (!off(list[i])) { continue; }
      try { delete w[list[i]]; define(w, list[i], GONE); } catch (e) { /* already gone */ }
    }
    if (!guarded(w)) { define(w, "RTCPeerConnection", GONE); }  // the mark of a guarded window
  }
  function noSrcdoc(root) {
    var query = apply(typeOf, root, []) === 9 ? queryDoc : queryTree;
    var frames = apply(query, root, ["iframe[srcdoc]"]);
    for (var i = 0; i < frames.length; i++) { apply(unset, frames[i], ["srcdoc"]); }
  }
  function sweep(w) {
    var n = 0;
    try { n = apply(lengthOf, w, []); } catch (e) { return; }
    for (var i = 0; i < n; i++) {
      var child = w[i];
      if (reachable(child)) { guard(child); }
    }
  }
  function guardResult(kind, value) {
    if (!value) { return; }
    if (kind === "shadow") { watch(value); return; }
    var w = kind === "window" ? value : apply(viewOf, value, []);
    if (reachable(w)) { guard(w); }
  }
  function wrap(fn, name) {
    return function () {
      var value;
      try { value = apply(fn, this, arguments); return value; } finally {
        sweep(me);
        if (RESULTS[name]) { guardResult(RESULTS[name], value); }
      }
    };
  }
  function hook(proto, name) {
    var d = describe(proto, name);
    if (!d || !d.configurable) { return; }
    var out = {__proto__: null, configurable: true, enumerable: d.enumerable};
    if (typeof d.value === "function") {
      out.value = wrap(d.value, name); out.writable = d.writable;
    } else { out.get = d.get && wrap(d.get, name); out.set = d.set && wrap(d.set, name); }
    define(proto, name, out);
  }
  function watch(root) {
    // frame loads (a new document in a frame) and srcdoc attributes, in a document or a
    // shadow tree (whose events stay inside it)
    apply(listen, root, ["load", function () { sweep(me); }, true]);
    apply(observe, new Observer(function () { noSrcdoc(root); sweep(me); }),
          [root, {__proto__: null, childList: true, subtree: true, attributes: true,
                  attributeFilter: ["srcdoc"]}]);
    noSrcdoc(root);
  }
  function guard(w) {
    if (guarded(w)) { sweep(w); return; }
    strip(w);
    for (var i = 0; i < HOOKS.length; i++) {
      var ctor = w[HOOKS[i][0]], members = HOOKS[i][1];
      if (!ctor || !ctor.prototype) { continue; }
      for (var j = 0; j < members.length; j++) { hook(ctor.prototype, members[j]); }
    }
    watch(w.document);
    sweep(w);
  }
  if (FRAMEWORK_PAGE && me === me.top) { strip(me); return; }
  guard(me);
})();
"""


def guard_script(framework_page: bool) -> str:
    """:data:`GUARD_JS` for an app whose main frame runs only the framework (a WeChat-syntax
    app: the app's own code runs in the logic-layer worker, WXS too, and the view creates no
    same-origin frame): there the globals are stripped once and nothing is hooked, so DOM
    patches pay nothing; every sub-frame (a ``<web-view>`` page) still gets the whole guard.
    A plain web app's own scripts run in its main frame: it gets the whole guard there too."""
    return GUARD_JS.replace("FRAMEWORK_PAGE &&", "true &&" if framework_page else "false &&", 1)
