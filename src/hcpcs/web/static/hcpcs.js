// The search box as an ARIA combobox (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/):
// suggestions as you type, ArrowDown/ArrowUp to move, Enter to open the highlighted code,
// Escape to close the list (again to clear the box). The server answers from /api/v1/suggest;
// the static site searches its own index (site-search.js, loaded on first use).
(() => {
  const form = document.querySelector("form.search");
  if (!form) return;
  const box = form.querySelector("input[role=combobox]");
  const list = document.getElementById("suggestions");
  const status = document.createElement("p");  // announces how many suggestions there are
  status.className = "vh";
  status.setAttribute("aria-live", "polite");
  form.appendChild(status);
  const top = form.dataset.top || "";
  let timer = 0, asked = 0, active = -1, items = [];

  const codeHref = (code) => (form.dataset.suggest ? "/codes/" + encodeURIComponent(code) : top + "codes/" + code + ".html");

  function loadIndex() {
    if (window.hcpcsSearch) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = top + "search-index.js";
      script.onload = () => {
        const search = document.createElement("script");
        search.src = top + "static/site-search.js";
        search.onload = resolve;
        search.onerror = reject;
        document.head.appendChild(search);
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function fetchSuggestions(q) {
    if (form.dataset.suggest) {
      const response = await fetch(form.dataset.suggest + "?limit=8&q=" + encodeURIComponent(q));
      return response.ok ? response.json() : [];
    }
    await loadIndex();
    return window.hcpcsSearch(q, 8);
  }

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((option, n) => option.setAttribute("aria-selected", n === index ? "true" : "false"));
    active = index;
    if (index >= 0) {
      box.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function show(found) {
    items = found;
    list.innerHTML = "";
    found.forEach((item, n) => {
      const option = document.createElement("li");
      option.id = "suggestion-" + n;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.href = codeHref(item.code);
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = item.code;
      const text = document.createElement("span");
      text.textContent = item.short_description || "";
      option.append(code, text);
      option.addEventListener("mousedown", (event) => { event.preventDefault(); location.href = option.dataset.href; });
      list.appendChild(option);
    });
    status.textContent = found.length ? found.length + " suggestions; arrow keys to choose" : "";
    if (found.length) {
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      highlight(-1);
    } else {
      close();
    }
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = box.value.trim();
      const ticket = ++asked;
      if (!q) { close(); return; }
      let found = [];
      try { found = await fetchSuggestions(box.value); } catch (error) { found = []; }
      if (ticket === asked) show(found);  // an older answer never replaces a newer one
    }, 120);
  });

  box.addEventListener("keydown", (event) => {
    const open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      highlight(active + 1 < items.length ? active + 1 : 0);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(active > 0 ? active - 1 : items.length - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      location.href = list.querySelectorAll("[role=option]")[active].dataset.href;
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); close(); } else { box.value = ""; }
    }
  });
  box.addEventListener("blur", () => setTimeout(close, 150));
})();
