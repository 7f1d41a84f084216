// Each tap runs one timed action in the logic layer; the benchmark taps as often as it
// needs samples. Stamps are "kind:<ms since the epoch>" (performance.timeOrigin + now()).
const app = getApp();

Page({
  data: { t0: '', count: 0, result: '' },

  // Small setData: one number and the stamp.
  runSetData() {
    this.setData({ count: this.data.count + 1, t0: 'set:' + app.now().toFixed(3) });
  },

  // Bridge round trip: a no-op native API (getSetting) from the logic layer and back;
  // "<call number>:ok:<ms>" is rendered into #bench-result.
  runBridge() {
    this.calls = (this.calls || 0) + 1;
    const n = this.calls;
    const t0 = app.now();
    wx.getSetting({
      complete: (res) => {
        const ms = app.now() - t0;
        const ok = /:ok$/.test(res.errMsg);
        this.setData({ result: n + (ok ? ':ok:' + ms.toFixed(3) : ':fail:' + res.errMsg) });
      }
    });
  },

  // navigateTo with the stamp in the query: the new page shows it once it is ready.
  go(event) {
    const url = event.currentTarget.dataset.url;
    wx.navigateTo({ url: url + '?t0=' + app.now().toFixed(3) });
  }
});
