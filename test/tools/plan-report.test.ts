import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GITHUB_COMMENT_LIMIT, MAX_COMMENTS, changesOf, main, marker, parsePlan, renderReport } from '../../tools/plan-report';
import { errorOf } from '../helpers';

const fixture = readFileSync(join(__dirname, 'fixtures/plan-mixed.json'), 'utf8');
const mixed = parsePlan(fixture);

/** A plan with the given [type, actions] changes. */
function plan(changes: Array<[string, string[], Record<string, unknown>?]>) {
  return {
    format_version: '1.2',
    resource_changes: changes.map(([type, actions, extra], i) => ({
      address: `${type}.r${i}`, mode: 'managed', type, name: `r${i}`,
      change: { actions, before: { n: 1 }, after: { n: 2 }, after_unknown: {}, before_sensitive: {}, after_sensitive: {}, ...(extra ?? {}) },
    })),
  };
}

describe('plan report', () => {
  it('counts create, update, replace and destroy, ignoring no-ops', () => {
    const report = renderReport(mixed, { stack: 'production', allowDestroy: true });
    expect(report.counts).toEqual({ create: 1, update: 2, replace: 1, delete: 1 });
    expect(report.comments[0]).toContain('**1 to create, 2 to update, 1 to replace, 1 to destroy.**');
    expect(report.comments[0]).not.toContain('aws_vpc.network_vpc');
  });

  it('lists destructive changes to stateful resources first, with a warning, and blocks without the label', () => {
    const report = renderReport(mixed, { stack: 'production' });
    expect(report.blocked).toBe(true);
    expect(report.destructive.map((d) => d.address)).toEqual(['aws_rds_cluster.aurora-restaurant_cluster_7F2B7C1A']);
    const body = report.comments[0];
    expect(body).toContain('> **1 stateful resource would be destroyed or replaced**');
    expect(body).toContain('> - `aws_rds_cluster.aurora-restaurant_cluster_7F2B7C1A` (replace, because of `cluster_identifier`)');
    expect(body).toContain('until a reviewer adds the `allow-destroy` label');
    // The stateful type's section comes before every other section.
    expect(body.indexOf('<code>aws_rds_cluster</code>')).toBeLessThan(body.indexOf('<code>aws_elastic_beanstalk_environment</code>'));
    // A non-stateful delete is listed, but does not block.
    expect(report.destructive.some((d) => d.type === 'aws_security_group_rule')).toBe(false);
  });

  it('does not block a destructive plan with the allow-destroy label', () => {
    const report = renderReport(mixed, { stack: 'production', allowDestroy: true });
    expect(report.blocked).toBe(false);
    expect(report.comments[0]).toContain('carries the `allow-destroy` label');
  });

  it('shows changed attributes, grouped by resource type, folded', () => {
    const body = renderReport(mixed, { stack: 'production', allowDestroy: true }).comments[0];
    expect(body).toContain('<details><summary><code>aws_elastic_beanstalk_environment</code> (~1)</summary>');
    expect(body).toContain('    solution_stack_name: "64bit Windows Server 2022 v2.17.0 running IIS 10.0" -> "64bit Windows Server 2022 v2.18.0 running IIS 10.0"');
    expect(body).toContain('    cluster_identifier: "restaurant" -> "restaurant-v2"  # forces replacement');
    expect(body).toContain('    endpoint: null -> (known after apply)');
    expect(body).not.toContain('tags_all');
  });

  it('masks sensitive values', () => {
    const body = renderReport(mixed, { stack: 'production', allowDestroy: true }).comments[0];
    expect(body).toContain('    master_password: (sensitive) -> (sensitive)');
    expect(body).not.toContain('old-secret-value');
    expect(body).not.toContain('new-secret-value');
  });

  it('masks a value nested under a sensitive block', () => {
    const p = plan([['aws_db_instance', ['update'], { before: { options: { key: 'a' } }, after: { options: { key: 'b' } }, after_sensitive: { options: { key: true } } }]]);
    expect(renderReport(p, { stack: 's' }).comments[0]).toContain('options: (sensitive) -> (sensitive)');
  });

  it('reports a no-op plan as no changes, and does not block', () => {
    const report = renderReport(plan([['aws_vpc', ['no-op']], ['aws_subnet', ['read']]]), { stack: 'staging' });
    expect(report.comments).toHaveLength(1);
    expect(report.comments[0]).toContain('**No changes.**');
    expect(report.blocked).toBe(false);
  });

  it('reports create, update, delete and replace alone', () => {
    expect(renderReport(plan([['aws_sqs_queue', ['create']]]), { stack: 's' }).counts).toEqual({ create: 1, update: 0, replace: 0, delete: 0 });
    expect(renderReport(plan([['aws_sqs_queue', ['update']]]), { stack: 's' }).counts.update).toBe(1);
    const deleted = renderReport(plan([['aws_dynamodb_table', ['delete']]]), { stack: 's' });
    expect([deleted.counts.delete, deleted.blocked]).toEqual([1, true]);
    const replaced = renderReport(plan([['aws_s3_bucket', ['create', 'delete']]]), { stack: 's' });
    expect([replaced.counts.replace, replaced.blocked]).toEqual([1, true]);
  });

  it('starts every comment with a marker the workflow finds it by', () => {
    const report = renderReport(mixed, { stack: 'production', commit: 'abcdef1234567890' });
    expect(report.comments[0].startsWith(marker('production', 1))).toBe(true);
    expect(report.comments[0]).toContain('Plan for `production` at `abcdef123456`');
  });

  it('splits a plan of 5,000 changes into comments within GitHub\'s limit, never more than the maximum', () => {
    const big = plan(Array.from({ length: 5000 }, (_, i): [string, string[], Record<string, unknown>] => [`aws_type_${i % 40}`, ['update'], { before: { value: 'x'.repeat(60), i }, after: { value: 'y'.repeat(60), i: i + 1 } }]));
    const report = renderReport(big, { stack: 'production', planUrl: 'https://github.com/o/r/actions/runs/1' });
    expect(report.counts.update).toBe(5000);
    expect(report.comments.length).toBeGreaterThan(1);
    expect(report.comments.length).toBeLessThanOrEqual(MAX_COMMENTS);
    for (const c of report.comments) expect(c.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const last = report.comments[report.comments.length - 1];
    expect(last).toContain('shortened to fit in GitHub comments. Full plan: https://github.com/o/r/actions/runs/1');
    expect(report.comments[1]).toContain('### Plan for `production`, part 2 of');
  });

  it('refuses malformed input with a clear message', () => {
    expect(errorOf(() => parsePlan('{not json', 'plan.json'))).toMatch(/^plan\.json: not JSON \(.*\); expected the output of "terraform show -json <planfile>"$/);
    expect(errorOf(() => parsePlan('[]', 'plan.json'))).toBe('plan.json: expected a JSON object, got an array');
    expect(errorOf(() => parsePlan('{"resource_changes": []}', 'plan.json'))).toBe('plan.json: no "format_version": this is not "terraform show -json" output');
    expect(errorOf(() => changesOf({ format_version: '1.2', resource_changes: [{ address: 'a.b', type: 'a', change: { actions: ['explode'] } }] }))).toBe('resource a.b: unknown actions ["explode"]');
  });
});

describe('plan report CLI', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'plan-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(args, (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('writes the comments and exits 2 on a blocked destroy, 0 with --allow-destroy', () => {
    const planFile = join(__dirname, 'fixtures/plan-mixed.json');
    const blocked = run(['--plan', planFile, '--stack', 'production', '--out', join(dir, 'a')]);
    expect(blocked.code).toBe(2);
    expect(blocked.err).toContain('production: 1 stateful resource(s) would be destroyed or replaced: aws_rds_cluster.aurora-restaurant_cluster_7F2B7C1A');
    expect(readdirSync(join(dir, 'a'))).toEqual(['comment-1.md']);
    const allowed = run(['--plan', planFile, '--stack', 'production', '--out', join(dir, 'b'), '--allow-destroy']);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toBe(`production: 1 to create, 2 to update, 1 to replace, 1 to destroy; 1 comment(s) in ${join(dir, 'b')}`);
  });

  it('exits 1 with the reason on malformed input or missing arguments', () => {
    writeFileSync(join(dir, 'bad.json'), '{"format_version": 1');
    const bad = run(['--plan', join(dir, 'bad.json'), '--stack', 's', '--out', dir]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('bad.json: not JSON');
    expect(run(['--plan', 'x']).code).toBe(1);
  });
});

describe('README example', () => {
  it('shows the comment the fixture really renders', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const report = renderReport(mixed, { stack: 'production', commit: '4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d', planUrl: 'https://github.com/example-co/infrastructure/actions/runs/123456789' });
    expect(readme).toContain(report.comments[0].split('\n').slice(1).join('\n'));
  });
});
