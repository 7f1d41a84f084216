const { ARTICLES } = require('../../utils/articles.js');

Page({
  data: { user: {}, latest: [] },
  onLoad() {
    this.setData({ user: getApp().globalData.user, latest: ARTICLES.slice(0, 3) });
  },
  openArticle(event) {
    wx.navigateTo({ url: '/pages/article/index?id=' + event.currentTarget.dataset.id });
  },
  goExplore() {
    wx.switchTab({ url: '/pages/explore/index' });
  }
});
