Page({
  data: {
    user: {},
    picked: '',
    alerts: true,
    menu: [
      { key: 'orders', label: 'My orders' },
      { key: 'settings', label: 'Settings' },
      { key: 'help', label: 'Help' }
    ]
  },
  onShow() {
    this.setData({ user: getApp().globalData.user });
  },
  onMenu(event) {
    const key = event.currentTarget.dataset.key;
    this.setData({ picked: key });
    if (key === 'help') {
      wx.showModal({ title: 'Help', content: 'Call 400-000-0000 for support.', showCancel: false });
    }
  },
  onAlerts(event) {
    this.setData({ alerts: event.detail.value });
    wx.showToast({ title: event.detail.value ? 'Alerts on' : 'Alerts off', icon: 'none' });
  }
});
