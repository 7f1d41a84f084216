const { findArticle } = require('../../utils/articles.js');

Page({
  data: { article: null },
  onLoad(query) {
    const article = findArticle(query.id) || null;
    this.setData({ article });
    if (article) wx.setNavigationBarTitle({ title: article.tag });
  }
});
