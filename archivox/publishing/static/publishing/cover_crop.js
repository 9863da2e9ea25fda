/* The composer's cover cropper (Cropper.js, served from our own static files): the editor picks
   a platform's ratio, moves and sizes the frame, and saves; the box goes to the server in the
   cover's own pixels, which stores it and cuts the picture. Without this script the four number
   fields take the box by hand. */
(function () {
  "use strict";
  var form = document.querySelector("form.crop-form");
  var image = document.getElementById("cover-to-crop");
  if (!form || !image || !window.Cropper) return;
  var crops = JSON.parse(form.dataset.crops || "[]");
  var byKey = {};
  crops.forEach(function (row) { byKey[row.key] = row; });
  var fields = ["x", "y", "width", "height"].map(function (name) { return form.elements[name]; });
  var status = form.querySelector(".crop-status");
  var cropper = null;

  var chosen = function () {
    var radio = form.querySelector("input[name=ratio]:checked");
    return radio ? radio.value : "";
  };
  var show = function (data) {
    fields[0].value = Math.round(data.x);
    fields[1].value = Math.round(data.y);
    fields[2].value = Math.round(data.width);
    fields[3].value = Math.round(data.height);
  };
  var place = function () {
    var row = byKey[chosen()];
    if (!row) return;
    cropper.setAspectRatio(row.ratio);
    if (row.box) {
      cropper.setData({ x: row.box[0], y: row.box[1], width: row.box[2], height: row.box[3] });
    }
    show(cropper.getData(true));
  };
  var start = function () {
    cropper = new window.Cropper(image, {
      viewMode: 1,
      autoCropArea: 0.9,
      responsive: true,
      zoomable: false,
      background: false,
      ready: place,
      crop: function (event) { show(event.detail); },
    });
  };
  if (image.complete && image.naturalWidth) start(); else image.addEventListener("load", start);

  form.addEventListener("change", function (event) {
    if (event.target.name === "ratio") place();
  });
  fields.forEach(function (field) {
    field.addEventListener("change", function () {
      cropper.setData({
        x: Number(fields[0].value), y: Number(fields[1].value),
        width: Number(fields[2].value), height: Number(fields[3].value),
      });
    });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(cropper.getData(true));
    var key = chosen();
    var label = byKey[key] ? byKey[key].label : key;
    status.textContent = "";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (!result.ok || !result.answer.ok) {
        status.textContent = form.dataset.msgFailed.replace("{error}", result.answer.error || "");
        return;
      }
      result.answer.crops.forEach(function (row) {
        byKey[row.key] = row;
        var item = document.querySelector('.crop-results li[data-ratio-key="' + row.key + '"]');
        if (!item || !row.url) return;
        var picture = item.querySelector("img");
        var note = item.querySelector(".muted");
        if (!picture) {
          picture = document.createElement("img");
          picture.alt = row.label;
          item.appendChild(picture);
        }
        if (note) note.remove();
        picture.src = row.url + "?v=" + Date.now();
      });
      status.textContent = form.dataset.msgSaved.replace("{ratio}", label);
    }).catch(function () {
      status.textContent = form.dataset.msgFailed.replace("{error}", "");
    });
  });
})();
