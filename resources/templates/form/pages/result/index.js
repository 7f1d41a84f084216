Page({
  data: { reference: '', application: null },
  onLoad(query) {
    this.setData({ reference: query.ref || '', application: getApp().globalData.lastApplication });
  },
  home() {
    wx.reLaunch({ url: '/pages/index/index' });
  }
});
