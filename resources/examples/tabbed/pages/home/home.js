const { makeFunds } = require('../../utils/format.js');

Page({
  data: { user: {}, upCount: 0, downCount: 0, refreshed: '-' },
  onLoad() {
    const funds = makeFunds(50);
    this.setData({
      user: getApp().globalData.user,
      upCount: funds.filter((f) => f.change >= 0).length,
      downCount: funds.filter((f) => f.change < 0).length,
      refreshed: 'just now'
    });
  },
  goFunds() {
    wx.switchTab({ url: '/pages/list/list' });
  }
});
