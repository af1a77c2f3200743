// The project's one build: esbuild transpiles every TypeScript file into dist/ (types are
// stripped, not checked: `npm test` runs tsc as the type gate). Plain JavaScript, because
// it builds everything else.
//
// `npm run build` runs it alone; `npm start` preloads it (`node --require`) in the process
// that then runs dist/main.js, so a start costs one Node process and no nested `npm run`.
// (`npm start` also caps V8's young generation, --max-semi-space-size=4: about 25 MB less
// peak memory for the same CPU time, measured with /usr/bin/time on the three accounts.)
// Set before esbuild loads (esbuild/lib/main.js reads it then): otherwise the first buildSync
// starts a worker thread and an esbuild service process that live as long as the process,
// through the whole synth. With 0 each build (this one, the mail bundles) is one short esbuild
// process: about 70 MB less peak memory for `npm start` (whole process tree, measured with
// tools/bench-measure.ts: 284-313 MB -> 226 MB) for about 0.2 s more CPU.
process.env.ESBUILD_WORKER_THREADS ??= '0';
const { buildSync } = require('esbuild');
const { join } = require('node:path');

const root = join(__dirname, '..');
buildSync({
  absWorkingDir: root,
  entryPoints: ['main.ts', 'bootstrap/**/*.ts', 'accounts/**/*.ts', 'constructs/**/*.ts', 'stacks/**/*.ts', 'policies/**/*.ts', 'tools/**/*.ts'],
  outdir: 'dist',
  outbase: '.',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
