/** How a run's command ends: the report after the results, and what to say when stopped. */
import { DEFAULT_APP_PORT } from '../app/manifest.js';

type ReportModule = typeof import('../report/report.js');
let reportModule: Promise<ReportModule> | undefined;

/**
 * Starts loading the report's code (Vega, resvg: ~0.3 s) while the run trains on its worker
 * threads, so the report follows the summary without that wait.
 */
export function preloadReport(): void {
  reportModule ??= import('../report/report.js');
  reportModule.catch(() => {}); // a failure surfaces in reportOrExplain
}

/** Exit code 130 and the command that continues the run. */
export function stopped(command: string, runDir: string): number {
  console.error(`\nstopped: finished jobs are saved in ${runDir}. Resume with:\n  digit-pairs ${command} --resume ${runDir}`);
  return 130;
}

/**
 * Builds the run's report after its results are safely on disk. If that fails, the results
 * still stand: say so and how to rebuild, and exit 1 rather than with a bare stack trace.
 */
export async function reportOrExplain(runDir: string): Promise<number> {
  try {
    preloadReport();
    const { buildReport } = await reportModule!;
    console.log(`report: ${(await buildReport(runDir, { appPort: DEFAULT_APP_PORT })).html}`);
    return 0;
  } catch (error) {
    console.error(
      `digit-pairs: building the report failed (${(error as Error).message}); the results in ${runDir} are complete. ` +
        `Rebuild it with: digit-pairs report ${runDir}`,
    );
    return 1;
  }
}
