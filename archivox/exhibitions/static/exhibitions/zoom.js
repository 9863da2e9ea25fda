/* A small image zoom of our own (no CDN, no library): tap an exhibition image to open it full
   screen; pinch, double-tap, the +/− buttons or the mouse wheel zoom; drag pans; Esc or × close.
   Works in WeChat's in-app browser (plain ES5-ish DOM, pointer and touch events). */
(function () {
  "use strict";
  var overlay = document.querySelector(".zoom-overlay");
  if (!overlay) return;
  var stage = overlay.querySelector(".zoom-stage");
  var image = overlay.querySelector(".zoom-image");
  var caption = overlay.querySelector(".zoom-caption");
  var state = { scale: 1, x: 0, y: 0, base: 1 };
  var pointers = {};
  var pinch = null;
  var lastTap = 0;
  var opener = null;
  var larger = null; // a IIIF picture with more pixels, fetched once the visitor zooms in

  function apply() {
    image.style.transform =
      "translate(" + state.x + "px," + state.y + "px) scale(" + state.base * state.scale + ")";
    overlay.setAttribute("data-scale", state.scale.toFixed(2));
  }
  function fit() {
    var w = image.naturalWidth || 1, h = image.naturalHeight || 1;
    var box = stage.getBoundingClientRect();
    state.base = Math.min(box.width / w, box.height / h, 1);
    state.scale = 1;
    state.x = -w * state.base / 2;
    state.y = -h * state.base / 2;
    apply();
    // The image is measured and shown: zooming before this would be undone by the fit.
    overlay.setAttribute("data-fitted", "");
  }
  function zoomBy(factor, cx, cy) {
    var box = stage.getBoundingClientRect();
    cx = cx === undefined ? box.width / 2 : cx;
    cy = cy === undefined ? box.height / 2 : cy;
    var next = Math.max(1, Math.min(8, state.scale * factor));
    var ratio = next / state.scale;
    // keep the point under the finger where it is
    var px = cx - box.width / 2, py = cy - box.height / 2;
    state.x = px - (px - state.x) * ratio;
    state.y = py - (py - state.y) * ratio;
    state.scale = next;
    apply();
    if (larger && state.scale >= 2) upgrade();
  }
  function open(link) {
    opener = link;
    larger = null;
    caption.textContent = link.getAttribute("data-caption") || "";
    overlay.hidden = false;
    document.documentElement.style.overflow = "hidden";
    overlay.removeAttribute("data-fitted");
    overlay.removeAttribute("data-upgraded");
    image.onload = fit;
    var service = link.getAttribute("data-iiif");
    if (service && window.fetch) openIIIF(link, service);
    else image.src = link.getAttribute("data-zoom-src");
    if (image.complete && image.naturalWidth) fit();
    overlay.querySelector(".zoom-close").focus();
  }
  /* A IIIF image (portal items): first a size that fills the screen, from info.json's sizes,
     and the largest one only once the visitor zooms in, so a phone does not fetch a 4000 px
     scan to show it 360 px wide. */
  function openIIIF(link, service) {
    var largest = service + "/full/max/0/default.jpg";
    fetch(service + "/info.json").then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (info) {
      if (opener !== link || overlay.hidden) return;
      var box = stage.getBoundingClientRect();
      var shown = Math.min(box.width / info.width, box.height / info.height, 1);
      var need = info.width * shown * (window.devicePixelRatio || 1);
      var sizes = (info.sizes || []).slice().sort(function (a, b) { return a.width - b.width; });
      var chosen = null;
      for (var i = 0; i < sizes.length && !chosen; i++) if (sizes[i].width >= need) chosen = sizes[i];
      if (!chosen || chosen.width >= Math.min(info.width, info.maxWidth || info.width)) {
        image.src = largest;
        return;
      }
      larger = largest;
      image.src = service + "/full/" + chosen.width + "," + chosen.height + "/0/default.jpg";
    }).catch(function () {
      if (opener === link && !overlay.hidden) image.src = largest;
    });
  }
  function upgrade() {
    var src = larger;
    larger = null;
    var picture = new Image();
    picture.onload = function () {
      if (overlay.hidden || !image.naturalWidth) return;
      // The same size on screen, now with more pixels behind it.
      var ratio = image.naturalWidth / picture.naturalWidth;
      image.onload = function () {
        state.base *= ratio;
        apply();
        image.onload = null;
        overlay.setAttribute("data-upgraded", "");
      };
      image.src = src;
    };
    picture.src = src;
  }
  function close() {
    overlay.hidden = true;
    larger = null;
    document.documentElement.style.overflow = "";
    image.removeAttribute("src");
    if (opener) opener.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.zoomable") : null;
    if (!link) return;
    event.preventDefault();
    open(link);
  });
  overlay.querySelector(".zoom-close").addEventListener("click", close);
  overlay.querySelector(".zoom-in").addEventListener("click", function () { zoomBy(1.5); });
  overlay.querySelector(".zoom-out").addEventListener("click", function () { zoomBy(1 / 1.5); });
  document.addEventListener("keydown", function (event) {
    if (overlay.hidden) return;
    if (event.key === "Escape") close();
    if (event.key === "+" || event.key === "=") zoomBy(1.5);
    if (event.key === "-") zoomBy(1 / 1.5);
  });
  stage.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = stage.getBoundingClientRect();
    zoomBy(event.deltaY < 0 ? 1.2 : 1 / 1.2, event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });

  stage.addEventListener("pointerdown", function (event) {
    stage.setPointerCapture && stage.setPointerCapture(event.pointerId);
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
    var ids = Object.keys(pointers);
    if (ids.length === 2) {
      var a = pointers[ids[0]], b = pointers[ids[1]];
      pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), scale: state.scale };
    } else if (ids.length === 1) {
      var now = Date.now();
      if (now - lastTap < 300) {
        var box = stage.getBoundingClientRect();
        if (state.scale > 1) fit(); else zoomBy(2.5, event.clientX - box.left, event.clientY - box.top);
      }
      lastTap = now;
    }
  });
  stage.addEventListener("pointermove", function (event) {
    var previous = pointers[event.pointerId];
    if (!previous) return;
    var current = { x: event.clientX, y: event.clientY };
    pointers[event.pointerId] = current;
    var ids = Object.keys(pointers);
    if (ids.length === 2 && pinch) {
      var a = pointers[ids[0]], b = pointers[ids[1]];
      var box = stage.getBoundingClientRect();
      var target = pinch.scale * Math.hypot(a.x - b.x, a.y - b.y) / pinch.distance;
      zoomBy(target / state.scale, (a.x + b.x) / 2 - box.left, (a.y + b.y) / 2 - box.top);
    } else if (ids.length === 1 && state.scale > 1) {
      state.x += current.x - previous.x;
      state.y += current.y - previous.y;
      apply();
    }
  });
  function release(event) {
    delete pointers[event.pointerId];
    if (Object.keys(pointers).length < 2) pinch = null;
  }
  stage.addEventListener("pointerup", release);
  stage.addEventListener("pointercancel", release);
  window.addEventListener("resize", function () { if (!overlay.hidden) fit(); });
})();
