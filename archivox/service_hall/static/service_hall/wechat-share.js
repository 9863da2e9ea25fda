// A portal page opened in WeChat's browser: configure the JS-SDK with the signed config the page
// carries and share the page as a card built from its Open Graph tags (WeChat ignores them).
(function () {
  "use strict";
  var holder = document.getElementById("wechat-jssdk-config");
  if (!holder || !window.wx) return;
  var config = JSON.parse(holder.textContent);
  function meta(property) {
    var tag = document.querySelector('meta[property="' + property + '"]');
    return tag ? tag.getAttribute("content") : "";
  }
  var card = {
    title: meta("og:title") || document.title,
    desc: meta("og:description"),
    link: window.location.href.split("#")[0],
    imgUrl: meta("og:image"),
  };
  // The archive's share defaults replace the site-wide image and sentence, not a page's own.
  var defaults = document.getElementById("wechat-share-defaults");
  if (defaults) {
    var share = JSON.parse(defaults.textContent);
    if (share.imgUrl && card.imgUrl === share.siteImage) card.imgUrl = share.imgUrl;
    if (share.desc && card.desc === share.siteDesc) card.desc = share.desc;
  }
  window.wx.config({
    debug: false,
    appId: config.appId,
    timestamp: config.timestamp,
    nonceStr: config.nonceStr,
    signature: config.signature,
    jsApiList: config.jsApiList,
  });
  window.wx.ready(function () {
    window.wx.updateAppMessageShareData(card);
    window.wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl });
  });
})();
