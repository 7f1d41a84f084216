function money(value) {
  const fixed = Math.abs(value).toFixed(2);
  const parts = fixed.split('.');
  parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (value < 0 ? '-' : '') + parts.join('.');
}

function enrich(holding) {
  const value = holding.units * holding.price;
  const change = holding.units * (holding.price - holding.prev);
  const pct = holding.prev ? ((holding.price - holding.prev) / holding.prev) * 100 : 0;
  return Object.assign({}, holding, {
    value,
    change,
    pct,
    valueText: money(value),
    changeText: (change >= 0 ? '+' : '') + money(change),
    pctText: (pct >= 0 ? '+' : '') + pct.toFixed(2) + '%'
  });
}

module.exports = { money, enrich };
