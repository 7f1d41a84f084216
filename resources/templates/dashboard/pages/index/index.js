const { HOLDINGS } = require('../../utils/data.js');
const { money, enrich } = require('../../utils/format.js');

function clock() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return pad(now.getHours()) + ':' + pad(now.getMinutes());
}

Page({
  data: {
    rows: [],
    shown: [],
    filters: ['All', 'Gainers', 'Losers'],
    filter: 'All',
    totalText: '',
    dayChange: 0,
    dayChangeText: '',
    gainers: 0,
    losers: 0,
    updated: ''
  },
  onLoad() {
    this.load();
  },
  onPullDownRefresh() {
    this.load();
    wx.stopPullDownRefresh();
  },
  load() {
    const rows = HOLDINGS.map(enrich).sort((a, b) => b.value - a.value);
    const total = rows.reduce((sum, r) => sum + r.value, 0);
    const dayChange = rows.reduce((sum, r) => sum + r.change, 0);
    this.setData({
      rows,
      totalText: money(total),
      dayChange,
      dayChangeText: (dayChange >= 0 ? '+' : '') + money(dayChange),
      gainers: rows.filter((r) => r.change > 0).length,
      losers: rows.filter((r) => r.change < 0).length,
      updated: clock()
    });
    this.applyFilter(this.data.filter);
  },
  setFilter(event) {
    this.applyFilter(event.currentTarget.dataset.filter);
  },
  applyFilter(filter) {
    const rows = this.data.rows;
    const shown =
      filter === 'Gainers' ? rows.filter((r) => r.change > 0)
        : filter === 'Losers' ? rows.filter((r) => r.change < 0)
          : rows;
    this.setData({ filter, shown });
  },
  open(event) {
    wx.navigateTo({ url: '/pages/detail/index?code=' + event.currentTarget.dataset.code });
  }
});
