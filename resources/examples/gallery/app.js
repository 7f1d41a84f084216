App({ globalData: { visits: 0 } });
