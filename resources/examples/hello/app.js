App({
  globalData: { greeting: 'Hello' },
  onLaunch() {
    this.globalData.launchedAt = Date.now();
  }
});
