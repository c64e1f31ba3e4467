/** A one- or two-sentence summary from a Markdown body, for articles whose front matter has none. */
export function deriveSummary(body: string, maxLen = 200): string {
  const lines = body.split(/\r?\n/);
  const paras: string[] = [];
  let cur: string[] = [];
  const flush = (): void => {
    if (cur.length) paras.push(cur.join(' '));
    cur = [];
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('```') || line.startsWith('|')) { flush(); continue; }
    cur.push(line.replace(/^([-*+]|\d+[.)])\s+/, ''));
  }
  flush();
  const plain = (paras[0] ?? '')
    .replace(/!\[[^[\]]*]\([^()]*\)/g, '')
    .replace(/\[([^[\]]*)]\([^()]*\)/g, '$1')
    .replace(/[*_`>]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= maxLen) return plain;
  const cut = plain.slice(0, maxLen);
  const stop = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('; '));
  if (stop > maxLen * 0.5) return cut.slice(0, stop + 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : maxLen).trimEnd()}…`;
}
