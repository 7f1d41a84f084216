const { makeFunds } = require('../../utils/format.js');

Page({
  data: { funds: [] },
  onLoad() {
    this.setData({ funds: makeFunds(50) });
  },
  openDetail(event) {
    wx.navigateTo({ url: '/pages/detail/detail?id=' + event.currentTarget.dataset.id });
  },
  onPullDownRefresh() {
    this.setData({ funds: makeFunds(50) });
    wx.stopPullDownRefresh();
  }
});
