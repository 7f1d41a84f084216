const { makeFunds } = require('../../utils/format.js');

Page({
  data: {
    user: {},
    upCount: 0,
    downCount: 0,
    refreshed: '-',
    goal: 62,
    banners: [
      { title: 'Spring savings plan', color: '#1677ff' },
      { title: 'Zero-fee index funds', color: '#00a870' },
      { title: 'Invite friends, earn points', color: '#ff7d00' }
    ]
  },
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
