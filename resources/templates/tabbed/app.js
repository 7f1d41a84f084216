App({
  globalData: {
    user: { name: 'Alex Chen', team: 'Operations' }
  },
  onLaunch() {
    console.log('app launched');
  }
});
