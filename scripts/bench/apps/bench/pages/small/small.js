Page({
  data: { t0: '' },
  onLoad(query) { this.stamp = query.t0 || ''; },
  onReady() { this.setData({ t0: 'nav:' + this.stamp }); }
});
