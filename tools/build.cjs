// The project's one build: esbuild transpiles every TypeScript file into dist/ (types are
// stripped, not checked: `npm test` runs tsc as the type gate). Plain JavaScript, because
// it builds everything else.
//
// `npm run build` runs it alone; `npm start` preloads it (`node --require`) in the process
// that then runs dist/main.js, so a start costs one Node process and no nested `npm run`.
// (`npm start` also caps V8's young generation, --max-semi-space-size=4: about 25 MB less
// peak memory for the same CPU time, measured with /usr/bin/time on the three accounts.)
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
