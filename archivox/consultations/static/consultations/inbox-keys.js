// Keyboard shortcuts of the consultation inbox (listed on the page for screen readers too):
//   j / k  next / previous consultation in the list     o or Enter  open it
//   /      the filters                                  r  the answer box (on a consultation)
//   u      back to the list
// Shortcuts never fire while typing in a field.
(() => {
  const rows = () => Array.from(document.querySelectorAll("table.inbox tbody tr[data-href]"));
  let current = -1;

  function select(index) {
    const list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((row, i) => row.classList.toggle("selected", i === current));
    list[current].querySelector("a")?.focus();
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    const focus = (selector) => {
      const field = document.querySelector(selector);
      if (field) {
        event.preventDefault();
        field.focus();
      }
    };
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o":
      case "Enter": {
        const row = rows()[current];
        if (row) window.location.href = row.dataset.href;
        break;
      }
      case "/": focus("form.filters select, form.filters input"); break;
      case "r": focus("textarea[name=text]"); break;
      case "u": {
        const back = document.querySelector("[data-inbox-home]");
        if (back) window.location.href = back.getAttribute("href");
        break;
      }
      default:
    }
  });
})();
