// Search over the static site's prebuilt index (search-index.js sets HCPCS_INDEX to
// [code, short description, long description, status] rows): a code, a code prefix, a
// range such as S9325-S9379, or words (every word must start a word of the descriptions).
function hcpcsSearch(query, limit) {
  const index = window.HCPCS_INDEX || [];
  const q = query.trim().toUpperCase();
  if (!q) return [];
  const range = q.match(/^([A-Z0-9]{5})\s*-\s*([A-Z0-9]{5})$/);
  const words = q.split(/\s+/).map((w) => new RegExp("\\b" + w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  const results = [];
  for (const [code, short, long, status] of index) {
    let score;
    if (range) {
      if (code < range[1] || code > range[2]) continue;
      score = 1;
    } else if (code === q) {
      score = 100;
    } else if (code.startsWith(q)) {
      score = 50;
    } else {
      const text = (short + " " + long).toUpperCase();
      if (!words.every((w) => w.test(text))) continue;
      score = 10 + 5 * words.filter((w) => w.test(short.toUpperCase())).length;
    }
    if (status === "Terminated") score -= 5;
    results.push({code: code, short_description: short, long_description: long, status: status, score: score});
  }
  results.sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : 1));
  return limit ? results.slice(0, limit) : results;
}
