// The WeChat sandbox's stand-in for https://res.wx.qq.com/open/js/jweixin-1.6.0.js: the same
// calls a page makes, checked by the sandbox instead of WeChat's browser.
(function () {
  "use strict";
  var readyCallbacks = [];
  var errorCallbacks = [];
  var state = { config: null, verified: null, share: {} };
  window.wxSandbox = state;
  function settle(result) {
    state.verified = result;
    var callbacks = result.ok ? readyCallbacks : errorCallbacks;
    callbacks.forEach(function (callback) {
      callback(result.ok ? undefined : { errMsg: result.errMsg });
    });
  }
  function share(kind) {
    return function (data) {
      if (!state.verified || !state.verified.ok) {
        if (data.fail) data.fail({ errMsg: kind + ":permission denied" });
        return;
      }
      state.share[kind] = { title: data.title, desc: data.desc, link: data.link, imgUrl: data.imgUrl };
      if (data.success) data.success({ errMsg: kind + ":ok" });
    };
  }
  window.wx = {
    config: function (config) {
      state.config = config;
      fetch("{{ verify_url|escapejs }}", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          appId: config.appId,
          timestamp: config.timestamp,
          nonceStr: config.nonceStr,
          signature: config.signature,
          url: window.location.href,
        }),
      })
        .then(function (response) { return response.json(); })
        .then(settle, function () { settle({ ok: false, errMsg: "config:fail" }); });
    },
    ready: function (callback) {
      if (state.verified && state.verified.ok) callback();
      else readyCallbacks.push(callback);
    },
    error: function (callback) {
      if (state.verified && !state.verified.ok) callback({ errMsg: state.verified.errMsg });
      else errorCallbacks.push(callback);
    },
    updateAppMessageShareData: share("updateAppMessageShareData"),
    updateTimelineShareData: share("updateTimelineShareData"),
  };
})();
