const { HOLDINGS, history } = require('../../utils/data.js');
const { enrich } = require('../../utils/format.js');

const MONTHS = ['J', 'F', 'M', 'A', 'M', 'J', 'J', 'A', 'S', 'O', 'N', 'D'];

Page({
  data: { code: '', holding: null, bars: [], low: 0, high: 0 },
  onLoad(query) {
    const found = HOLDINGS.find((h) => h.code === query.code);
    if (!found) {
      this.setData({ code: query.code || '' });
      return;
    }
    const points = history(found);
    const low = Math.min.apply(null, points);
    const high = Math.max.apply(null, points);
    const bars = points.map((p, i) => ({
      key: i,
      month: MONTHS[i],
      height: Math.round(20 + ((p - low) / (high - low || 1)) * 80)
    }));
    this.setData({ code: found.code, holding: enrich(found), bars, low, high });
  }
});
