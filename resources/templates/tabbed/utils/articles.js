const ARTICLES = [
  { id: 'a1', title: 'Welcome to your workspace', tag: 'News', minutes: 2,
    body: 'Everything your team needs, one tap away. Open the Explore tab to browse.' },
  { id: 'a2', title: 'Quarterly planning starts Monday', tag: 'Events', minutes: 4,
    body: 'Bring your goals and your questions. Rooms are booked on the fifth floor.' },
  { id: 'a3', title: 'New expense policy', tag: 'Policy', minutes: 3,
    body: 'Receipts are now submitted from the Expenses mini-app within 30 days.' },
  { id: 'a4', title: 'Security reminder', tag: 'IT', minutes: 1,
    body: 'Never share one-time codes. IT will never ask you for your password.' },
  { id: 'a5', title: 'Office hours for the data team', tag: 'Events', minutes: 2,
    body: 'Every Thursday at 15:00: dashboards, reports and questions welcome.' }
];

function findArticle(id) {
  return ARTICLES.find((a) => a.id === id);
}

module.exports = { ARTICLES, findArticle };
