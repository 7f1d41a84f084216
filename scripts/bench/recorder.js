/* Benchmark recorder, run in the view's main world after the first page painted.

   Clock: performance.timeOrigin + performance.now() (ms since the epoch), the same clock the
   bench app stamps with in the logic layer (a Web Worker of the same renderer process).

   - stamps[text] for every new text of a ".bench-t0" element ("kind:<t0>"):
       dom   = the MutationObserver callback that saw it (the patch carrying it was applied),
       frame = after the next frame was rendered (rAF, then a message-channel task).
   - painted[] for every "finclip:painted" event (the runtime dispatches it from the first
     requestAnimationFrame after a page rendered): {route, t, frame}.
*/
(function () {
  if (window.__fcBench) return;
  var B = window.__fcBench = { stamps: {}, painted: [], order: [] };
  function now() { return performance.timeOrigin + performance.now(); }
  function afterTask(cb) {
    var ch = new MessageChannel();
    ch.port1.onmessage = function () { cb(now()); };
    ch.port2.postMessage(0);
  }
  function afterFrame(cb) { requestAnimationFrame(function () { afterTask(cb); }); }
  function scan() {
    var t = now(), els = document.getElementsByClassName('bench-t0');
    for (var i = 0; i < els.length; i++) {
      var key = els[i].textContent.trim();
      if (!key || key in B.stamps) continue;
      var rec = B.stamps[key] = { t0: parseFloat(key.split(':')[1]), dom: t, frame: null };
      B.order.push(key);
      afterFrame(function (r) { return function (ft) { r.frame = ft; }; }(rec));
    }
  }
  new MutationObserver(scan).observe(document.body,
    { subtree: true, childList: true, characterData: true });
  addEventListener('finclip:painted', function (e) {
    var rec = { route: e.detail && e.detail.route, t: now(), frame: null };
    B.painted.push(rec);
    afterTask(function (ft) { rec.frame = ft; });
  });
  scan();
})();
