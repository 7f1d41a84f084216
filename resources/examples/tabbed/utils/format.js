function money(value) {
  return '¥' + Number(value).toFixed(2);
}

function makeFunds(count) {
  const names = ['Growth', 'Income', 'Balanced', 'Index', 'Bond', 'Tech', 'Health', 'Energy'];
  const funds = [];
  for (let i = 0; i < count; i++) {
    funds.push({
      id: 'F' + String(1000 + i),
      name: names[i % names.length] + ' Fund ' + (i + 1),
      nav: 1 + ((i * 37) % 250) / 100,
      change: (((i * 53) % 200) - 100) / 25
    });
  }
  return funds;
}

module.exports = { money, makeFunds };
