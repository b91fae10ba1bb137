// Search over the static site's index (search-index.js sets HCPCS_INDEX to
// {rows: [[code, short, long, status]], lexicon: [[term, [alternatives]]], stopwords: [...]}),
// read the way the server reads a query: a code, a code prefix, a range (S9325-S9379), or words,
// each word or lexicon term ("o2 tank": oxygen|02 and gaseous|cylinder) a group that must match.
(() => {
  const TOKEN = /[a-z0-9]+(?:[\/'-][a-z0-9]+)*/g;
  const WORD = /[a-z0-9]+/g;
  let prepared = null;

  const stem = (word) => word.replace(/(ies|es|s|ing|ed)$/, "").slice(0, 7);

  function prepare() {
    const index = window.HCPCS_INDEX || { rows: [], lexicon: [], stopwords: [] };
    const lexicon = new Map();
    for (const [term, alternatives] of index.lexicon) {
      const words = term.split(" ");
      if (!lexicon.has(words[0])) lexicon.set(words[0], []);
      lexicon.get(words[0]).push({ words, alternatives: alternatives.map((a) => a.split(" ")) });
    }
    for (const entries of lexicon.values()) entries.sort((a, b) => b.words.length - a.words.length);
    const rows = index.rows.map(([code, short, long, status]) => {
      const shortWords = (short || "").toLowerCase().match(WORD) || [];
      const longWords = (long || "").toLowerCase().match(WORD) || [];
      const words = new Set([...shortWords, ...longWords]);
      return { code, short, long, status, words: [...words], stems: new Set([...words].map(stem)),
               shortWords: new Set(shortWords), head: longWords[0] || "" };
    });
    return { rows, lexicon, stopwords: new Set(index.stopwords) };
  }

  function groupsOf(text, data) {
    const tokens = (text.toLowerCase().match(TOKEN) || []).slice(0, 16);
    const typing = !/\s$/.test(text);
    const groups = [];
    for (let at = 0; at < tokens.length; ) {
      const entry = (data.lexicon.get(tokens[at]) || []).find((e) => e.words.every((w, n) => tokens[at + n] === w));
      if (entry) {
        groups.push({ alternatives: [entry.words, ...entry.alternatives].map((a) => a.flatMap((w) => w.match(WORD) || [])), prefix: false });
        at += entry.words.length;
        continue;
      }
      const word = tokens[at++];
      if (data.stopwords.has(word)) continue;
      groups.push({ alternatives: [word.match(WORD) || []], prefix: typing && at === tokens.length });
    }
    return groups;
  }

  function has(row, word, prefix) {
    if (prefix) return row.words.some((w) => w.startsWith(word));
    return row.stems.has(stem(word));
  }

  function matches(row, group) {
    return group.alternatives.some((words) => words.length && words.every((w, n) => has(row, w, group.prefix && n === words.length - 1)));
  }

  window.hcpcsSearch = function hcpcsSearch(query, limit) {
    prepared = prepared || prepare();
    const q = query.trim().toUpperCase();
    if (!q) return [];
    const range = q.match(/^([A-Z]\d{4})\s*-\s*([A-Z]\d{4})$/);
    const codeLike = /^[A-Z0-9]{2}$|^[A-Z0-9]{5}$|^[A-Z]\d{0,4}$/.test(q);
    const groups = range ? [] : groupsOf(query, prepared);
    const results = [];
    for (const row of prepared.rows) {
      let score = -1;
      if (range) {
        if (row.code >= range[1] && row.code <= range[2]) score = 1;
      } else if (row.code === q) {
        score = 100;
      } else if (codeLike && row.code.startsWith(q)) {
        score = 50;
      } else if (groups.length && groups.every((g) => matches(row, g))) {
        const inShort = groups.filter((g) => g.alternatives.some((words) => words.every((w) => [...row.shortWords].some((s) => s.startsWith(w))))).length;
        const head = groups.some((g) => g.alternatives.some((words) => words[0] && words[0].length >= 3 && row.head.startsWith(words[0].slice(0, 5))));
        score = 10 + 5 * inShort + (head ? 2 : 0);
      }
      if (score < 0) continue;
      if (row.status === "Terminated") score -= 5;
      results.push({ code: row.code, short_description: row.short, long_description: row.long, status: row.status, score });
    }
    results.sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : 1));
    return limit ? results.slice(0, limit) : results;
  };
})();
