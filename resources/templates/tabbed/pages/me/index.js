Page({
  data: {
    user: {},
    initials: '',
    items: [
      { label: 'Notifications', value: 'On' },
      { label: 'Language', value: 'English' },
      { label: 'Version', value: '1.0.0' }
    ]
  },
  onLoad() {
    const user = getApp().globalData.user;
    const initials = user.name.split(' ').map((part) => part[0]).join('');
    this.setData({ user, initials });
  },
  tapItem(event) {
    wx.showToast({ title: event.currentTarget.dataset.label, icon: 'none' });
  }
});
