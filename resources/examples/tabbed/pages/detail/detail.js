const { money, makeFunds } = require('../../utils/format.js');

Page({
  data: { fund: {}, price: '' },
  onLoad(query) {
    const fund = makeFunds(50).find((f) => f.id === query.id) || { id: query.id, name: 'Unknown', nav: 0 };
    this.setData({ fund, price: money(fund.nav) });
  }
});
