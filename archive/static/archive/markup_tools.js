// Inline markup helpers for the admin's mixed-content fields (textarea.fonds-markup):
// three buttons that wrap the selected words in emphasis, a title or a link. Typing the
// markup by hand works just as well; without JavaScript the field is a plain textarea.
"use strict";

(function () {
  const TOOLS = [
    { label: "Italic", title: "Emphasis (italic)", open: '<emph render="italic">', close: "</emph>" },
    { label: "Title", title: "Title of a work", open: "<title>", close: "</title>" },
    { label: "Link", title: "Link to a web address", open: '<extref href="">', close: "</extref>" },
  ];

  function wrap(area, tool) {
    const start = area.selectionStart;
    const end = area.selectionEnd;
    const value = area.value;
    area.value = value.slice(0, start) + tool.open + value.slice(start, end) + tool.close + value.slice(end);
    // Put the caret where the user types next: inside href="" for a link, else after the text.
    const caret = tool.open.endsWith('href="">')
      ? start + tool.open.length - 2
      : end + tool.open.length + tool.close.length;
    area.focus();
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function equip(area) {
    if (area.dataset.markupTools) return;
    area.dataset.markupTools = "1";
    const bar = document.createElement("div");
    bar.className = "fonds-markup-tools";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Insert markup");
    for (const tool of TOOLS) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = tool.label;
      button.title = tool.title;
      button.addEventListener("click", () => wrap(area, tool));
      bar.appendChild(button);
    }
    area.parentNode.insertBefore(bar, area);
  }

  function equipAll(root) {
    for (const area of root.querySelectorAll("textarea.fonds-markup")) {
      // (the empty template row of an inline formset is copied when a row is added)
      if (!area.name.includes("__prefix__")) equip(area);
    }
  }

  document.addEventListener("DOMContentLoaded", () => equipAll(document));
  document.addEventListener("formset:added", (event) => equipAll(event.target));
})();
