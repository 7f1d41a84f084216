Page({
  data: {
    requirements: [
      'Your identity document number',
      'The registration number of your vehicle',
      'A phone number where we can reach you'
    ],
    fees: [
      { label: 'First vehicle, 12 months', amount: '40.00' },
      { label: 'Second vehicle, 12 months', amount: '80.00' }
    ]
  },
  start() {
    wx.navigateTo({ url: '/pages/apply/index' });
  }
});
