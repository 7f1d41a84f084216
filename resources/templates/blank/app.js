App({
  globalData: {},
  onLaunch() {
    console.log('app launched');
  }
});
