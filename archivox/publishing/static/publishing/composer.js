/* The composer of the publishing desk: the rich-text editor (Quill, served from our own static
   files) over the body's textarea, character counts per channel, the catalog item picker
   without reloading the page, and an autosaved copy of the draft in this browser.
   Everything works without it: the textarea takes HTML, the picker's buttons redraw the page
   with what was typed. The server sanitises the HTML (nh3) whatever this script sends. */
(function () {
  "use strict";
  var form = document.querySelector("form.compose");
  if (!form) return;
  var text = function (name) { return form.dataset[name] || ""; };
  var body = form.querySelector("#body_html");
  var shortText = form.querySelector("#text");
  var quill = null;

  // -- the editor -------------------------------------------------------------------------
  if (window.Quill && body) {
    var holder = document.createElement("div");
    holder.className = "editor";
    body.parentNode.insertBefore(holder, body.nextSibling);
    body.hidden = true;
    quill = new window.Quill(holder, {
      theme: "snow",
      placeholder: text("msgPlaceholder"),
      modules: {
        toolbar: [
          [{ header: [2, 3, false] }],
          ["bold", "italic", "underline"],
          ["blockquote", { list: "ordered" }, { list: "bullet" }],
          ["link"],
          ["clean"],
        ],
      },
    });
    if (body.value.trim()) quill.clipboard.dangerouslyPasteHTML(body.value);
    quill.root.setAttribute("aria-labelledby", "body_label");
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    var toolbar = holder.previousElementSibling;
    if (toolbar && toolbar.classList.contains("ql-toolbar")) {
      toolbar.setAttribute("role", "toolbar");
      toolbar.setAttribute("aria-label", text("msgToolbar"));
      var tools = JSON.parse(text("tools") || "{}");
      toolbar.querySelectorAll("button").forEach(function (button) {
        var format = (button.className.match(/ql-(\w+)/) || [])[1];
        var name = button.value ? format + "-" + button.value : format;
        button.setAttribute("aria-label", tools[name] || name);
      });
      toolbar.querySelectorAll(".ql-picker-label").forEach(function (label) {
        label.setAttribute("aria-label", tools.header || "header");
      });
    }
    var sync = function () {
      // Quill writes a space as &nbsp; in its semantic HTML; the article keeps plain spaces.
      body.value = quill.getLength() <= 1 ? "" : quill.getSemanticHTML().replace(/&nbsp;/g, " ");
    };
    sync();
    quill.on("text-change", function () { sync(); counts(); autosave(); });
    // The same body, whether it goes as a Quill edit or as the textarea's text, on submit.
    form.addEventListener("submit", sync);
  }

  // -- counts per channel -------------------------------------------------------------------
  function weiboLength(value) {
    // Weibo counts a Chinese character as one and two Latin letters or digits as one.
    var n = 0;
    for (var i = 0; i < value.length; i++) n += value.charCodeAt(i) < 128 ? 0.5 : 1;
    return Math.ceil(n);
  }
  function show(name, message, over) {
    var out = form.querySelector("[data-count-for=" + name + "]");
    if (!out) return;
    out.textContent = message;
    out.classList.toggle("over", over);
  }
  function counts() {
    var chars = quill ? quill.getText().replace(/\s+$/, "").length
      : body ? body.value.replace(/<[^>]*>/g, "").length : 0;
    var wechat = parseInt(text("limitWechat"), 10);
    show("body_html", text("msgWechatCount").replace("{count}", chars).replace("{limit}", wechat), chars > wechat);
    if (shortText) {
      var weibo = parseInt(text("limitWeibo"), 10);
      var n = weiboLength(shortText.value.trim());
      show("text", text("msgWeiboCount").replace("{count}", n).replace("{limit}", weibo), n + 10 > weibo);
    }
  }

  // -- the item picker ------------------------------------------------------------------------
  var chosenBody = form.querySelector("table.chosen tbody");
  function choose(row) {
    // A ticked candidate joins the chosen items (without its access column).
    var empty = chosenBody.querySelector("tr.empty");
    if (empty) empty.remove();
    if (row.cells.length > 4) row.deleteCell(2);
    chosenBody.appendChild(row);
  }
  function chosenIds() {
    return Array.prototype.map.call(chosenBody.querySelectorAll("input[name=item]"), function (i) { return i.value; });
  }
  var pickerAsked = 0;
  function loadPicker(page) {
    // Only the last search's answer is shown, and never an item ticked while it was on its way.
    var asked = ++pickerAsked;
    var params = new URLSearchParams();
    params.set("q", form.querySelector("#q").value);
    params.set("page", page || 1);
    chosenIds().forEach(function (id) { params.append("chosen", id); });
    var picker = form.querySelector("#picker");
    picker.setAttribute("aria-busy", "true");
    fetch(form.dataset.pickerUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (asked !== pickerAsked) return;
        picker.innerHTML = html;
        chosenIds().forEach(function (id) {
          var dup = picker.querySelector("tr[data-item='" + id + "']");
          if (dup) dup.remove();
        });
      })
      .catch(function () {
        if (asked === pickerAsked) picker.insertAdjacentHTML("afterbegin", '<p class="form-errors" role="alert">' + text("msgPickerFailed") + "</p>");
      })
      .finally(function () { if (asked === pickerAsked) picker.removeAttribute("aria-busy"); });
  }
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "item" && input.checked && input.closest("table.candidates")) choose(input.closest("tr"));
    autosave();
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=picker], button[data-page]");
    if (!button) return;
    event.preventDefault();
    loadPicker(button.dataset.page || 1);
  });
  form.querySelector("#q").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); loadPicker(1); }
  });

  // -- autosave in this browser ------------------------------------------------------------
  var key = form.dataset.draftKey;
  var timer = null;
  function snapshot() {
    var fields = {};
    form.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.type === "file" || el.type === "hidden" || el.name === "q" || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "checkbox") {
        if (el.name === "item") return;
        fields[el.name + "=" + el.value] = el.checked;
      } else {
        fields[el.name] = el.value;
      }
    });
    var rows = Array.prototype.map.call(chosenBody.querySelectorAll("tr:not(.empty)"), function (row) { return row.outerHTML; });
    return { fields: fields, rows: rows };
  }
  function autosave() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      try {
        localStorage.setItem(key, JSON.stringify({ at: Date.now(), draft: snapshot() }));
      } catch (e) { /* private mode or full: the form still works */ }
    }, 600);
  }
  function restore(draft) {
    Object.keys(draft.fields).forEach(function (name) {
      if (name.indexOf("=") > 0) {
        var parts = name.split("=");
        var box = form.querySelector('input[name="' + parts[0] + '"][value="' + parts[1] + '"]');
        if (box && !box.disabled) box.checked = draft.fields[name];
        return;
      }
      var el = form.elements[name];
      if (el && el.type !== "checkbox") el.value = draft.fields[name];
    });
    if (draft.rows.length) {
      chosenBody.innerHTML = draft.rows.join("");
      chosenBody.querySelectorAll("input[name=item]").forEach(function (box) {
        box.checked = true;
        var dup = form.querySelector("table.candidates tr[data-item='" + box.value + "']");
        if (dup) dup.remove();
      });
    }
    if (quill) quill.setContents(quill.clipboard.convert({ html: body.value }), "silent");
    counts();
  }
  form.addEventListener("input", autosave);
  form.addEventListener("submit", function (event) {
    if (event.submitter && (event.submitter.name === "picker" || event.submitter.name === "page")) return;
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  });
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved && saved.draft && !form.dataset.typed && JSON.stringify(saved.draft) !== JSON.stringify(snapshot())) {
    var banner = form.querySelector(".draft-restore");
    banner.querySelector("span").textContent = text("msgDraftFound").replace("{time}", new Date(saved.at).toLocaleString("zh-CN"));
    banner.hidden = false;
    banner.addEventListener("click", function (event) {
      var what = event.target.dataset && event.target.dataset.draft;
      if (!what) return;
      if (what === "restore") restore(saved.draft);
      else { try { localStorage.removeItem(key); } catch (e) { /* gone */ } }
      banner.hidden = true;
    });
  }
  counts();
})();
