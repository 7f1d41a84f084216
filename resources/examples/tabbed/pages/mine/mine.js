Page({
  data: {
    user: {},
    picked: '',
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
    this.setData({ picked: event.currentTarget.dataset.key });
  }
});
