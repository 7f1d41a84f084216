const app = getApp();

Page({
  data: {
    greeting: 'Hello',
    name: 'FinClip',
    count: 0,
    fruits: ['Apple', 'Banana', 'Cherry']
  },
  onLoad() {
    this.setData({ greeting: app.globalData.greeting });
  },
  onTap() {
    this.setData({ count: this.data.count + 1 });
  }
});
