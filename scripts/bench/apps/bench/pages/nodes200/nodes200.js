// 50 cells x 4 elements = 200 element nodes (plus their text nodes), all from initial data.
const cells = [];
for (let i = 0; i < 50; i += 1) {
  cells.push({ id: i, name: 'Cell ' + i, value: (i * 3.7).toFixed(1), width: 100 + (i % 7) * 80 });
}

Page({
  data: { t0: '', cells },
  onLoad(query) { this.stamp = query.t0 || ''; },
  onReady() { this.setData({ t0: 'nav:' + this.stamp }); }
});
