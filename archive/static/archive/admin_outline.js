// The admin outline editor, enhanced: expand nodes in place and reorder rows by dragging.
// Everything here sits on top of plain links and forms that work without JavaScript.
"use strict";

(function () {
  // --- Lazy expansion: fetch a node's children (one page at a time) into the row.
  async function loadInto(list, url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    const holder = document.createElement("ol");
    holder.innerHTML = await response.text();
    for (const item of Array.from(holder.children)) list.appendChild(item);
  }

  document.addEventListener("click", async (event) => {
    const more = event.target.closest("a[data-more]");
    if (more) {
      event.preventDefault();
      const list = more.closest("ol");
      more.closest("li").remove();
      await loadInto(list, more.dataset.more);
      return;
    }
    const opener = event.target.closest("a.outline-open[data-children]");
    if (!opener) return;
    event.preventDefault();
    const row = opener.closest("li.outline-row");
    const existing = row.querySelector(":scope > ol.outline");
    if (existing) {
      existing.remove();
      opener.setAttribute("aria-expanded", "false");
      return;
    }
    const list = document.createElement("ol");
    list.className = "outline";
    row.appendChild(list);
    opener.setAttribute("aria-expanded", "true");
    await loadInto(list, opener.dataset.children);
  });

  // --- Drag and drop among the rows of the level being edited; renumbers the position
  // inputs so that "Save order" posts the new order through the same form.
  const top = document.querySelector("ol.outline[data-reorder='1']");
  if (!top || !("draggable" in document.createElement("li"))) return;
  let dragged = null;

  function renumber() {
    const inputs = top.querySelectorAll(":scope > li.outline-row > .outline-line input[name^='pos-']");
    if (!inputs.length) return;
    const first = Math.min(...Array.from(inputs, (i) => parseInt(i.defaultValue, 10) || 1));
    inputs.forEach((input, n) => { input.value = String(first + n); });
  }

  top.addEventListener("dragstart", (event) => {
    const row = event.target.closest("li.outline-row");
    if (!row || row.parentElement !== top) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.id);
  });
  top.addEventListener("dragover", (event) => {
    const row = event.target.closest("li.outline-row");
    if (!dragged || !row || row.parentElement !== top || row === dragged) return;
    event.preventDefault();
    top.querySelectorAll(".drop-target").forEach((r) => r.classList.remove("drop-target"));
    row.classList.add("drop-target");
  });
  top.addEventListener("drop", (event) => {
    const row = event.target.closest("li.outline-row");
    if (!dragged || !row || row.parentElement !== top) return;
    event.preventDefault();
    const rows = Array.from(top.children);
    top.insertBefore(dragged, rows.indexOf(dragged) < rows.indexOf(row) ? row.nextSibling : row);
    renumber();
  });
  top.addEventListener("dragend", () => {
    top.querySelectorAll(".drop-target, .dragging").forEach((r) => r.classList.remove("drop-target", "dragging"));
    dragged = null;
  });

  // --- Multi-select: shift-click ticks (or unticks) every box between the last one clicked
  // and this one, as in a file manager. Without JavaScript each box is ticked on its own.
  let lastBox = null;
  document.addEventListener("click", (event) => {
    const box = event.target.closest("input.outline-select");
    if (!box) return;
    if (event.shiftKey && lastBox && lastBox !== box && document.contains(lastBox)) {
      const boxes = Array.from(document.querySelectorAll("input.outline-select"));
      const from = boxes.indexOf(lastBox);
      const to = boxes.indexOf(box);
      if (from >= 0 && to >= 0) {
        const [start, end] = from < to ? [from, to] : [to, from];
        for (const other of boxes.slice(start, end + 1)) other.checked = box.checked;
      }
    }
    lastBox = box;
  });
})();
