import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountSources } from '../../accounts';
import { AccountSource, layer } from '../../accounts/schema';
import { production } from '../../accounts/production';
import { evaluate } from '../../policies/engine';
import { ALL_RULES, packsFor, rulesIn } from '../../policies/packs';
import { stackOf } from '../../policies/rule';
import { runMain } from '../../stacks/synthesize';
import { errorOf } from '../helpers';

const encryptionRule = ALL_RULES.find((r) => r.id === 'RDS-ENCRYPTED')!;
const unencrypted = stackOf('prod', { resource: { aws_rds_cluster: { c: { storage_encrypted: false, '//': { metadata: { path: 'prod/aurora-x/cluster' } } } } } });

describe('policy engine', () => {
  it('reports a violation with the construct path', () => {
    const report = evaluate(unencrypted, [encryptionRule], []);
    expect(report.violations.map((v) => [v.rule.id, v.resource.path])).toEqual([['RDS-ENCRYPTED', 'prod/aurora-x/cluster']]);
  });

  it('moves a finding under a suppressed construct to the suppressed list', () => {
    const report = evaluate(unencrypted, [encryptionRule], [{ rule: 'RDS-ENCRYPTED', reason: 'restored from a legacy snapshot, migrating in Q3', path: 'prod/aurora-x' }]);
    expect(report.violations).toEqual([]);
    expect(report.suppressed.map((s) => s.suppression.reason)).toEqual(['restored from a legacy snapshot, migrating in Q3']);
  });

  it('does not let a suppression reach a sibling construct with a common prefix', () => {
    const report = evaluate(unencrypted, [encryptionRule], [{ rule: 'RDS-ENCRYPTED', reason: 'only the other cluster, really', path: 'prod/aurora' }]);
    expect(report.violations).toHaveLength(1);
  });

  it('refuses a suppression of an unknown rule or without a reason', () => {
    expect(errorOf(() => evaluate(unencrypted, [encryptionRule], [{ rule: 'RDS-ENCRYPTION', reason: 'a long enough reason', path: 'prod/x' }]))).toContain('prod/x: rule "RDS-ENCRYPTION" does not exist');
    expect(errorOf(() => evaluate(unencrypted, [encryptionRule], [{ rule: 'RDS-ENCRYPTED', reason: 'ok', path: 'prod/x' }]))).toContain('rule RDS-ENCRYPTED needs a reason of 10 characters or more, got "ok"');
  });

  it('counts only compliant verdicts as passed checks: not-applicable and suppressed findings are not passes', () => {
    const s = stackOf('prod', {
      resource: {
        aws_rds_cluster: {
          ok: { storage_encrypted: true, '//': { metadata: { path: 'prod/ok' } } },
          bad: { storage_encrypted: false, '//': { metadata: { path: 'prod/bad' } } },
        },
        aws_iam_role: { r: { assume_role_policy: '${jsonencode({})}' } },
      },
    });
    const trustRule = ALL_RULES.find((r) => r.id === 'IAM-TRUST-NOT-PUBLIC')!;
    const report = evaluate(s, [encryptionRule, trustRule], [{ rule: 'RDS-ENCRYPTED', reason: 'legacy snapshot, re-encrypting next quarter', path: 'prod/bad' }]);
    expect([report.checks, report.notApplicable, report.suppressed.length, report.violations.length]).toEqual([1, 1, 1, 0]);
  });

  it('judges each resource once per rule that applies to its type, in one pass', () => {
    const calls: string[] = [];
    const counting = ALL_RULES.map((r) => ({ ...r, check: (res: Parameters<typeof r.check>[0], st: Parameters<typeof r.check>[1]) => (calls.push(`${r.id} ${res.type}.${res.name}`), r.check(res, st)) }));
    const s = stackOf('prod', { resource: { aws_rds_cluster: { a: {}, b: {} }, aws_sqs_queue: { q: {} }, aws_route_table_association: { x: {} } } });
    evaluate(s, counting, []);
    const expected = s.resources.flatMap((res) => ALL_RULES.filter((r) => r.resourceTypes.includes('*') || r.resourceTypes.includes(res.type)).map((r) => `${r.id} ${res.type}.${res.name}`));
    expect(calls.sort()).toEqual(expected.sort());
  });

  it('accepts a function URL with authorization NONE only as a suppression with its reason (CKV_AWS_258)', () => {
    const url = stackOf('prod', { resource: { aws_lambda_function_url: { u: { authorization_type: 'NONE', '//': { metadata: { path: 'prod/mail/url' } } } } } });
    const rule = ALL_RULES.find((r) => r.id === 'LAMBDA-URL-AUTH')!;
    expect(evaluate(url, [rule], []).violations).toHaveLength(1);
    const report = evaluate(url, [rule], [{ rule: 'LAMBDA-URL-AUTH', reason: 'the function checks the caller signature', path: 'prod/mail/url' }]);
    expect([report.violations.length, report.suppressed.map((s) => s.suppression.reason)]).toEqual([0, ['the function checks the caller signature']]);
  });

  it('runs the production pack only in production', () => {
    expect(rulesIn(packsFor('staging')).some((r) => r.pack === 'production')).toBe(false);
    expect(rulesIn(packsFor('production')).some((r) => r.id === 'RDS-DELETION-PROTECTION')).toBe(true);
  });
});

describe('npm start with the policy packs', () => {
  let root: string;
  let outdir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'policy-'));
    outdir = join(root, 'cdktf.out');
    mkdirSync(outdir);
    writeFileSync(join(outdir, 'previous'), 'kept');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** The real accounts, with production's first Aurora cluster changed. */
  function withProductionAurora(changes: Record<string, unknown>): AccountSource[] {
    const aurora = production.databases!.aurora!.map((db, i) => (i === 0 ? { ...db, ...changes } : db));
    return accountSources.map((s) => (s.folder === 'production' ? { ...s, overrides: layer(s.overrides, { databases: { aurora } }) } : s));
  }
  const run = (sources: AccountSource[]) => {
    const out = { log: [] as string[], error: [] as string[] };
    const code = runMain({ outdir, sources }, { log: (t) => out.log.push(t), error: (t) => out.error.push(t) });
    return { code, log: out.log.join('\n'), error: out.error.join('\n') };
  };

  it('fails when config turns off encryption on the production Aurora cluster', () => {
    const { code, error } = run(withProductionAurora({ storageEncrypted: false }));
    expect(code).toBe(1);
    expect(error).toContain('RDS-ENCRYPTED [baseline] in account production');
    expect(error).toContain('construct: production/aurora-restaurant/cluster');
    expect(error).toMatch(/resource: {2}aws_rds_cluster\.aurora-restaurant_cluster_\w+/);
    expect(error).toContain('fix:       Remove storageEncrypted: false from the database config');
    expect(readFileSync(join(outdir, 'previous'), 'utf8')).toBe('kept');
  });

  it('succeeds with a suppression next to the cluster, and lists it', () => {
    const { code, log } = run(
      withProductionAurora({ storageEncrypted: false, suppressions: [{ rule: 'RDS-ENCRYPTED', reason: 'restored from an unencrypted legacy snapshot; re-encrypting in INFRA-142' }] }),
    );
    expect(code).toBe(0);
    expect(log).toMatch(/suppressed RDS-ENCRYPTED on production\/aurora-restaurant\/cluster \(aws_rds_cluster\): restored from an unencrypted legacy snapshot; re-encrypting in INFRA-142/);
  });

  it('fails when a secret reaches the synthesized JSON, without printing it', () => {
    const apps = production.apps!.map((app, i) =>
      i === 0 ? { ...app, environments: app.environments!.map((e) => ({ ...e, environmentVariables: { LEGACY_ID: 'AKIAABCDEFGHIJKLMNOP' } })) } : app,
    );
    const sources = accountSources.map((s) => (s.folder === 'production' ? { ...s, overrides: layer(s.overrides, { apps }) } : s));
    const { code, error } = run(sources);
    expect(code).toBe(1);
    // The account config field first, then where it was synthesized to.
    expect(error).toMatch(/account production: apps\[0\]\.environments\[0\]\.environmentVariables\.LEGACY_ID\b.*: AWS access key id \(synthesized into stacks\/production\/cdk\.tf\.json: resource\.aws_elastic_beanstalk_environment\.[\w-]+\.setting\.\d+\.value\)/);
    expect(error).not.toContain('AKIAABCDEFGHIJKLMNOP');
    expect(readFileSync(join(outdir, 'previous'), 'utf8')).toBe('kept');
  });

  it('refuses a secret given where a secret ARN belongs, naming the field and never printing the value', () => {
    const apps = production.apps!.map((app, i) =>
      i === 3 ? { ...app, environments: app.environments!.map((e) => ({ ...e, secrets: { DATABASE_URL: 'postgres://app:s3cr3t-Passw0rd@db.internal/restaurant' } })) } : app,
    );
    const sources = accountSources.map((s) => (s.folder === 'production' ? { ...s, overrides: layer(s.overrides, { apps }) } : s));
    const { code, error } = run(sources);
    expect(code).toBe(1);
    expect(error).toContain('accounts/production: apps[3].environments[0].secrets.DATABASE_URL: got <redacted>');
    expect(error).not.toContain('s3cr3t-Passw0rd');
  });

  it('reports violations of every account in one run', () => {
    const sources = withProductionAurora({ storageEncrypted: false }).map((s) =>
      s.folder === 'staging' ? { ...s, overrides: layer(s.overrides, { databases: { aurora: [{ name: 'restaurant', engine: 'aurora-postgresql', engineVersion: '16.6', storageEncrypted: false }] } }) } : s,
    );
    const { error } = run(sources);
    expect(error).toContain('in account production');
    expect(error).toContain('in account staging');
  });
});
