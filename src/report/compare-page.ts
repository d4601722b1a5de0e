/**
 * A comparison as one self-contained HTML page (inline CSS and SVG, no scripts): the table, and
 * each round's train and test error per model and side, drawn as the report's figures 1 and 2.
 */
import type { Comparison } from './compare.js';
import { COMPARE_TABLE, compareLines, notesText, sidesText } from './compare.js';
import { type ErrorSet, errorBoxplotSpec, jitterOf, type RoundError } from './figures.js';
import { figure, htmlPage } from './html.js';
import { specToSvg } from './report.js';
import { escapeHtml, htmlTable } from './table.js';

/**
 * The x axis' boxes: one per model and side. Across two runs a model appears twice, so its
 * side is named; within one run the two models name themselves.
 */
function boxes(comparison: Comparison): { label: string; side: 'a' | 'b'; row: Comparison['rows'][number] }[] {
  return comparison.rows.flatMap((row) => {
    const within = row.a.model !== row.b.model;
    return (['a', 'b'] as const).map((side) => ({ label: within ? row[side].model : `${row.label} · ${side.toUpperCase()}`, side, row }));
  });
}

/** Every finished round of every box, as the report's figures take them. */
export function comparePoints(comparison: Comparison, set: ErrorSet): RoundError<string>[] {
  return boxes(comparison).flatMap(({ label, side, row }) =>
    row.rounds[side].map((p) => ({
      model: label,
      round: p.round + 1,
      errorPercent: set === 'train' ? p.trainErrorPercent : p.testErrorPercent,
      jitter: jitterOf(p.round),
    })),
  );
}

export async function comparePage(comparison: Comparison): Promise<string> {
  const labels = boxes(comparison).map((b) => b.label);
  const figures = await Promise.all(
    (['test', 'train'] as const).map(async (set) => {
      const spec = errorBoxplotSpec(comparePoints(comparison, set), { title: `${set === 'test' ? 'Test' : 'Train'} error per round`, models: labels });
      return figure({
        id: `fig-${set}-error`,
        caption: `Final ${set} error of every finished round (points); box: quartiles with the median; whiskers: min to max.`,
        svg: await specToSvg(spec),
        files: [],
      });
    }),
  );
  const title = `digit-pairs compare · ${comparison.a.run}${comparison.b.run === comparison.a.run ? '' : ` vs ${comparison.b.run}`}`;
  const paragraphs = (lines: string[], className: string) => lines.map((l) => `<p class="${className}">${escapeHtml(l)}</p>`).join('\n');
  const warnings = comparison.warnings.map((w) => `warning: ${w}`);
  return htmlPage(
    title,
    `${paragraphs(sidesText(comparison), 'sub')}
${paragraphs(warnings, 'warning')}
<h2>Differences</h2>
${htmlTable(COMPARE_TABLE, compareLines(comparison), { id: 'compare', className: 't3' })}
${paragraphs(notesText(comparison), 'note')}
<h2>Rounds</h2>
<div class="figrow">${figures.join('')}</div>`,
    '\n  .warning { color: #a40; font-weight: 600; }\n',
  );
}
