// Sample holdings; replace with wx.request to your server (add its domain to
// finclip.config.json "domains.request").
const HOLDINGS = [
  { code: 'GBF', name: 'Global Bond Fund', units: 1200, price: 10.42, prev: 10.38 },
  { code: 'TEC', name: 'Technology Equity', units: 310, price: 58.9, prev: 60.12 },
  { code: 'HCF', name: 'Healthcare Fund', units: 540, price: 23.15, prev: 22.87 },
  { code: 'MMF', name: 'Money Market', units: 5000, price: 1.0, prev: 1.0 },
  { code: 'EMQ', name: 'Emerging Markets', units: 820, price: 14.06, prev: 14.31 },
  { code: 'REI', name: 'Real Estate Income', units: 260, price: 31.77, prev: 31.2 },
  { code: 'GRN', name: 'Clean Energy', units: 450, price: 19.84, prev: 20.35 },
  { code: 'DIV', name: 'Dividend Leaders', units: 700, price: 27.5, prev: 27.31 }
];

// Twelve month-end prices per holding, derived from the code so they stay stable.
function history(holding) {
  let seed = 0;
  for (let i = 0; i < holding.code.length; i++) seed = seed * 31 + holding.code.charCodeAt(i);
  const points = [];
  let value = holding.price * 0.85;
  for (let month = 0; month < 12; month++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    value = value * (0.97 + (seed % 1000) / 12000);
    points.push(month === 11 ? holding.price : Math.round(value * 100) / 100);
  }
  return points;
}

module.exports = { HOLDINGS, history };
