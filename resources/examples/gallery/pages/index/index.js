Page({
  data: {
    name: '',
    agree: true,
    volume: 40,
    colors: ['Red', 'Green', 'Blue'],
    colorIndex: 1,
    fruits: [
      { value: 'apple', label: 'Apple', checked: true },
      { value: 'pear', label: 'Pear', checked: false }
    ],
    html: '<p>Rich <b>text</b> with <i>markup</i><script>alert(1)</script></p>',
    submitted: '',
    years: [2023, 2024, 2025, 2026, 2027],
    months: ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'],
    dateIdx: [3, 10]
  },
  onColor(e) {
    this.setData({ colorIndex: e.detail.value });
  },
  onSlide(e) {
    this.setData({ volume: e.detail.value });
  },
  onSubmit(e) {
    this.setData({ submitted: JSON.stringify(e.detail.value) });
  },
  onDate(e) {
    this.setData({ dateIdx: e.detail.value });
  },
  openApis() {
    wx.navigateTo({ url: '/pages/apis/apis' });
  }
});
