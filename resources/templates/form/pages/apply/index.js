const { validate, referenceNumber } = require('../../utils/validate.js');

Page({
  data: {
    districts: ['North', 'Central', 'Harbour', 'Riverside', 'Hills'],
    districtIndex: '',
    purposes: [
      { value: 'resident', label: 'I live in the zone' },
      { value: 'carer', label: 'I care for someone who lives there' },
      { value: 'business', label: 'I run a business there' }
    ],
    errors: {}
  },
  pickDistrict(event) {
    this.setData({ districtIndex: Number(event.detail.value) });
  },
  submit(event) {
    const values = event.detail.value;
    values.district = this.data.districtIndex;
    const errors = validate(values);
    this.setData({ errors });
    if (Object.keys(errors).length) {
      wx.showToast({ title: 'Please check the form', icon: 'none' });
      return;
    }
    const application = {
      reference: referenceNumber(new Date()),
      name: values.fullName.trim(),
      district: this.data.districts[values.district]
    };
    getApp().globalData.lastApplication = application;
    wx.redirectTo({ url: '/pages/result/index?ref=' + application.reference });
  }
});
