// Benchmark mini-app: every timed action stamps `now()` in the logic layer and renders the
// stamp into an element with class "bench-t0", so the view can tell when the DOM changed.
App({
  now() {
    return performance.timeOrigin + performance.now();
  }
});
