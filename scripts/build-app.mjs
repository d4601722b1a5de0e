// Bundles the browser app (dist/src/app, compiled by tsc) into dist/app with esbuild.
// platform=browser: a Node built-in reached from src/app fails the build, so the app stays
// free of Node. The engine's Node-only gradients bundle is swapped for tfjs-core's own
// gradient registrations, so the page holds one copy of tfjs-core.
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const gradients = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');

await build({
  entryPoints: ['dist/src/app/page.js', 'dist/src/app/engine-worker.js'],
  outdir: 'dist/app',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { APP_VERSION: JSON.stringify(version) },
  plugins: [
    {
      name: 'tfjs-gradients',
      setup(b) {
        b.onResolve({ filter: /\/tfjs-gradients\.js$/ }, () => ({ path: gradients }));
      },
    },
  ],
});
copyFileSync('src/app/index.html', 'dist/app/index.html');
// The package's bin: tsc writes it without the executable bit, so `npx digit-pairs` in a project
// that installed this folder would be refused after a rebuild.
chmodSync('dist/src/cli/main.js', 0o755);
