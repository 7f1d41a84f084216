App({
  globalData: { lastApplication: null },
  onLaunch() {
    console.log('app launched');
  }
});
