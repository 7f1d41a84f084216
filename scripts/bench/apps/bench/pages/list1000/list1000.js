// A 1,000-row wx:for list rendered from the page's initial data.
const app = getApp();

function makeRows(round) {
  const rows = [];
  for (let i = 0; i < 1000; i += 1) {
    rows.push({ id: i, name: 'Row ' + i, value: ((i + 1) * (round + 1.5)).toFixed(2) });
  }
  return rows;
}

Page({
  data: { t0: '', rows: makeRows(0) },
  onLoad(query) { this.stamp = query.t0 || ''; this.round = 0; },
  onReady() { this.setData({ t0: 'nav:' + this.stamp }); },

  // Every row's value changes (same keys): a 1,000-row list update. The rows are made
  // before the stamp, so the figure is setData -> DOM, not the app's own work.
  runUpdate() {
    this.round += 1;
    const rows = makeRows(this.round);
    this.setData({ rows, t0: 'upd:' + app.now().toFixed(3) });
  },

  // Empty the list; the next tap on "fill" renders 1,000 new rows into the page.
  runEmpty() {
    this.setData({ rows: [], t0: 'empty:' + app.now().toFixed(3) });
  },
  runFill() {
    this.round += 1;
    const rows = makeRows(this.round);
    this.setData({ rows, t0: 'fill:' + app.now().toFixed(3) });
  }
});
