// articlepack review site: light up an annotation together with its spans and what links to it,
// name a span by its annotation on hover, follow a mention to its registry entry, and switch
// layers on and off. It reads only the page's own attributes and fetches nothing.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const SELECTOR = "[data-for], [data-layer], a[href^='#']";
  const keyOf = (el) => {
    if (el.dataset.for) return el.dataset.for;
    if (el.dataset.layer) return el.dataset.layer + "/" + el.dataset.id;
    const target = el.hash ? document.getElementById(decodeURIComponent(el.hash.slice(1))) : null;
    return target && target !== el ? keyOf(target) : null;
  };
  const groups = new Map();
  for (const el of document.querySelectorAll(SELECTOR)) {
    const key = keyOf(el);
    if (key === null) continue;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(el);
  }
  const light = (event, on) => {
    const el = event.target.closest(SELECTOR);
    const key = el ? keyOf(el) : null;
    for (const other of groups.get(key) || []) other.classList.toggle("on", on);
    if (on && el && el.dataset.for && !el.title) {
      const slash = key.indexOf("/");
      const entry = document.getElementById(key.slice(0, slash) + "-" + key.slice(slash + 1));
      const head = entry ? entry.querySelector(".head") : null;
      el.title = (head ? head.textContent : key) + " · " + el.dataset.span;
    }
  };
  document.addEventListener("mouseover", (event) => light(event, true));
  document.addEventListener("mouseout", (event) => light(event, false));
  document.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    const mark = event.target.closest("mark[data-href]");
    if (mark) window.location.href = mark.dataset.href;
    const hit = event.target.closest("[data-page] [data-layer]");
    if (hit) {
      const place = hit.dataset.layer + "-" + hit.dataset.id;
      window.location.href = hit.closest("[data-page]").dataset.page + "#" + encodeURIComponent(place);
    }
  });
  for (const box of document.querySelectorAll("input[data-toggle]")) {
    box.addEventListener("change", () => {
      for (const mark of document.querySelectorAll("#text mark")) {
        const layer = mark.dataset.layer || (mark.dataset.for || "").split("/")[0];
        if (layer === box.dataset.toggle) mark.classList.toggle("off", !box.checked);
      }
    });
  }
});
