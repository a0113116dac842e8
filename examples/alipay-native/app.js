App({ globalData: {} });
