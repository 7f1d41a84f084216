App({
  globalData: { user: { name: 'Lin Wei', level: 'Gold' } },
  onLaunch(options) {
    this.globalData.launchPath = options.path;
  }
});
