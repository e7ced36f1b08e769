// The collection outline: disclosure buttons that load a node's children on first opening,
// and "show more" links that splice in the next batch. Without JavaScript the buttons stay
// hidden and every link leads to a page that works on its own.
(function () {
  "use strict";

  function fragmentUrl(href) {
    var url = new URL(href, window.location.href);
    url.searchParams.set("fragment", "1");
    return url.toString();
  }

  function load(url) {
    return fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      });
  }

  function setUp(root) {
    root.querySelectorAll("button.outline__toggle[hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function toggle(button) {
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) { return; }
    var open = button.getAttribute("aria-expanded") === "true";
    if (open) {
      button.setAttribute("aria-expanded", "false");
      list.hidden = true;
      return;
    }
    if (button.dataset.loaded) {
      button.setAttribute("aria-expanded", "true");
      list.hidden = false;
      return;
    }
    button.setAttribute("aria-busy", "true");
    load(button.dataset.src).then(function (html) {
      list.innerHTML = html;
      setUp(list);
      button.dataset.loaded = "1";
      button.setAttribute("aria-expanded", "true");
      list.hidden = false;
    }).catch(function () {
      // Fall back to the component page, which opens the outline at this node.
      var link = button.parentNode.querySelector("a");
      if (link) { window.location.href = link.href; }
    }).finally(function () {
      button.removeAttribute("aria-busy");
    });
  }

  function more(link) {
    var item = link.closest("li");
    link.setAttribute("aria-busy", "true");
    load(fragmentUrl(link.href)).then(function (html) {
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      var first = template.content.querySelector("li.outline__node a, li.outline__node button");
      var isBefore = link.href.indexOf("before=") !== -1;
      setUp(template.content);
      item.replaceWith(template.content);
      // Keep the keyboard where the reader was: on the first new entry after "show more".
      if (first && !isBefore) { first.focus(); }
    }).catch(function () {
      window.location.href = link.href;
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-outline] button.outline__toggle, [data-outline] a[data-outline-more]");
    if (!target) { return; }
    event.preventDefault();
    if (target.tagName === "BUTTON") { toggle(target); } else { more(target); }
  });

  document.querySelectorAll("[data-outline]").forEach(setUp);
})();
