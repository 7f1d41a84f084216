Page({
  data: { result: 'Tap a button', items: ['Toast', 'Loading', 'Modal', 'Action sheet', 'Title'] },
  run(e) {
    const what = e.currentTarget.dataset.what;
    if (what === 'Toast') wx.showToast({ title: 'Done' });
    if (what === 'Loading') {
      wx.showLoading({ title: 'Loading' });
      setTimeout(() => wx.hideLoading(), 800);
    }
    if (what === 'Modal') {
      wx.showModal({ title: 'Confirm', content: 'Proceed with the transfer?' })
        .then((r) => this.setData({ result: r.confirm ? 'Confirmed' : 'Cancelled' }));
    }
    if (what === 'Action sheet') {
      wx.showActionSheet({ itemList: ['Share', 'Save'] })
        .then((r) => this.setData({ result: 'Picked item ' + r.tapIndex }))
        .catch(() => this.setData({ result: 'Sheet cancelled' }));
    }
    if (what === 'Title') wx.setNavigationBarTitle({ title: 'Renamed' });
  },
  onPullDownRefresh() {
    this.setData({ result: 'Refreshed at ' + new Date().toLocaleTimeString() });
    wx.stopPullDownRefresh();
  }
});
