const { ARTICLES } = require('../../utils/articles.js');

function tagsOf(articles) {
  const tags = ['All'];
  articles.forEach((a) => {
    if (tags.indexOf(a.tag) < 0) tags.push(a.tag);
  });
  return tags;
}

Page({
  data: { tags: tagsOf(ARTICLES), current: 'All', shown: ARTICLES },
  pickTag(event) {
    const tag = event.currentTarget.dataset.tag;
    this.setData({
      current: tag,
      shown: tag === 'All' ? ARTICLES : ARTICLES.filter((a) => a.tag === tag)
    });
  },
  openArticle(event) {
    wx.navigateTo({ url: '/pages/article/index?id=' + event.currentTarget.dataset.id });
  }
});
