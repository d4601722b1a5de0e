import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlTable, markdownTable, plusMinus, type TableSpec, terminalTable, thousands } from './table.js';

type Row = { name: string; count: number };
const SPEC: TableSpec<Row> = [
  { header: 'Name', align: 'left', text: (r) => r.name },
  { header: 'Count', align: 'right', text: (r) => thousands(r.count), html: (r) => `<b>${thousands(r.count)}</b>` },
  { header: 'Terminal only', align: 'right', in: ['terminal'], text: () => 'x' },
  { header: 'Not in the terminal', align: 'left', in: ['markdown', 'html'], htmlClass: 'seed', text: () => 'a < b' },
];
const ROWS: Row[] = [
  { name: 'baseline', count: 72032 },
  { name: 'cnn', count: 5 },
];

describe('one column spec, three renderings', () => {
  it('terminal: lower-case headings, a rule, words left-aligned and numbers right-aligned, only its own columns', () => {
    assert.equal(
      terminalTable(SPEC, ROWS),
      ['name       count  terminal only', '────────  ──────  ─────────────', 'baseline  72,032              x', 'cnn            5              x'].join('\n'),
    );
  });

  it('Markdown: the headings as written, ---: under right-aligned columns', () => {
    assert.equal(
      markdownTable(SPEC, ROWS),
      ['| Name | Count | Not in the terminal |', '|---|---:|---|', '| baseline | 72,032 | a < b |', '| cnn | 5 | a < b |'].join('\n'),
    );
  });

  it('HTML: the first cell heads its row, text is escaped, a column may give its own markup and class', () => {
    const html = htmlTable(SPEC, ROWS, { id: 't', caption: 'A & B' });
    assert.match(html, /^<table id="t"><caption>A &amp; B<\/caption><thead><tr><th class="left">Name<\/th><th>Count<\/th><th class="left seed">/);
    assert.match(html, /<tr><th scope="row" class="left">baseline<\/th><td><b>72,032<\/b><\/td><td class="left seed">a &lt; b<\/td><\/tr>/);
    assert.doesNotMatch(html, /Terminal only/);
  });

  it('formats a missing number (NaN, or null from summary.json) as one dash', () => {
    assert.equal(thousands(null), '–');
    assert.equal(plusMinus(NaN, NaN), '–');
    assert.equal(plusMinus(null as unknown as number, null as unknown as number), '–');
    assert.equal(plusMinus(22.98, 1.125), '22.98 ± 1.13');
  });
});
