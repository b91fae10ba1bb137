// The static site's search page: reads ?q=, searches the index (site-search.js), lists the hits.
(() => {
  const q = new URLSearchParams(location.search).get("q") || "";
  document.getElementById("q").value = q;
  if (!q) return;
  const hits = window.hcpcsSearch(q, 500), body = document.getElementById("results");
  document.getElementById("heading").textContent = hits.length + (hits.length === 1 ? " result" : " results") + " for “" + q + "”";
  document.getElementById("hint").textContent = hits.length ? "" : "No code matches. Try fewer words or another word.";
  for (const hit of hits) {
    const row = body.insertRow(), link = document.createElement("a");
    link.href = "codes/" + hit.code + ".html";
    link.textContent = hit.code;
    const code = row.insertCell();
    code.className = "code";
    code.appendChild(link);
    const words = row.insertCell(), short = document.createElement("strong"), long = document.createElement("span");
    short.textContent = hit.short_description || "";
    long.className = "muted";
    long.textContent = hit.long_description || "";
    words.append(short, document.createElement("br"), long);
    const badge = document.createElement("span");
    badge.className = "badge status-" + hit.status.toLowerCase().replace(/ /g, "-");
    badge.textContent = hit.status;
    row.insertCell().appendChild(badge);
  }
  body.parentElement.hidden = hits.length === 0;
})();
