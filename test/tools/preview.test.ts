import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { ACCOUNT_TIERS } from '../../accounts/registry';
import { preview as settings } from '../../accounts/sandbox/preview';
import { AccountConfig } from '../../accounts/schema';
import { PREVIEW_PROFILE, PREVIEW_TAGS, previewAccount, previewBoundaryArn, previewStack } from '../../stacks/preview-stack';
import { PullRequestEvent, commentBody, decide, expiryOf, main, partsOf, prOfStack, requestOf, sweep, synthPreview } from '../../tools/preview';
import { TerraformJson, errorOf, onlyResource, resourcesOf, synthAccount } from '../helpers';

const accounts = loadAccounts();
const byName = (name: string) => accounts.find((a) => a.name === name)!;
const source = byName(settings.source);
const target = byName(settings.account);
const now = new Date('2026-12-06T03:00:00Z');

/** The preview of `pr` with `labels` and `files`, synthesized. */
function synthPreviewJson(pr: number, labels: string[], files: string[] = []): { account: AccountConfig; json: TerraformJson } {
  const account = previewAccount(target, source, settings, pr, partsOf(source, labels, files));
  const stack = previewStack(Testing.app(), account, pr, expiryOf(now, settings.ttlDays));
  return { account, json: stack.toTerraform() as TerraformJson };
}

describe('preview selection', () => {
  it('reads the preview labels: `preview`, and `preview:<app>` naming apps', () => {
    expect(requestOf(['bug', 'preview'])).toEqual({ wanted: true, apps: [] });
    expect(requestOf(['preview:hotel-customer'])).toEqual({ wanted: true, apps: ['hotel-customer'] });
    expect(requestOf(['previewing', 'plan:changes'])).toEqual({ wanted: false, apps: [] });
  });

  it('previews a named app with the databases it connects to, and nothing else', () => {
    const app = source.apps[0];
    const parts = partsOf(source, ['preview', `preview:${app.name}`], ['README.md']);
    expect(parts.apps).toEqual([app.name]);
    const clientOf = (d: { clients?: readonly string[] }) => (d.clients ?? []).includes(app.name);
    expect(parts.aurora).toEqual(source.databases.aurora.filter(clientOf).map((d) => d.name));
    expect(parts.sqlServer).toEqual(source.databases.sqlServer.filter(clientOf).map((d) => d.name));
    expect(parts.apps.length + parts.aurora.length + parts.sqlServer.length).toBeGreaterThan(1);
  });

  it('previews every part of a kind whose construct the PR changes', () => {
    expect(partsOf(source, ['preview'], ['constructs/aurora/aurora-cluster.ts']).aurora).toEqual(source.databases.aurora.map((d) => d.name));
    expect(partsOf(source, ['preview'], ['constructs/beanstalk/beanstalk-app.ts']).apps).toEqual(source.apps.map((a) => a.name));
    expect(partsOf(source, ['preview'], ['constructs/database/database-base.ts']).sqlServer).toEqual(source.databases.sqlServer.map((d) => d.name));
    expect(partsOf(source, ['preview'], ['README.md', 'policies/rules/iam.ts'])).toEqual({ apps: [], aurora: [], sqlServer: [] });
  });

  it('refuses a label naming an app the source does not have, listing those it has', () => {
    expect(errorOf(() => partsOf(source, ['preview:hotel-custmer'], []))).toBe(`preview: label "preview:hotel-custmer": expected preview:<app> with an app of ${source.name}: ${source.apps.map((a) => a.name).join(', ')}`);
  });

  it('expires ttlDays after the push, to the second', () => {
    expect(expiryOf(now, 7)).toBe('2026-12-13T03:00:00Z');
    expect(errorOf(() => expiryOf(now, 0))).toContain('ttlDays: got 0');
  });

  it('knows preview stack names and nothing else', () => {
    expect(prOfStack('preview-42')).toBe(42);
    for (const name of ['preview-0', 'preview-', 'preview-42x', 'sandbox', 'production', 'preview-42/../production']) expect(prOfStack(name)).toBeUndefined();
  });
});

describe('what CI does on a pull request event', () => {
  const event = (action: string, labels: string[], sameRepository = true, label?: string): PullRequestEvent => ({ action, number: 7, labels, sameRepository, label });
  it.each<[string, PullRequestEvent, string]>([
    ['a push to a labelled PR', event('synchronize', ['preview']), 'apply'],
    ['the label being added', event('labeled', ['preview:hotel-customer']), 'apply'],
    ['a push to an unlabelled PR', event('synchronize', ['bug']), 'none'],
    ['the label being removed', event('unlabeled', []), 'destroy'],
    ['one of two preview labels being removed', event('unlabeled', ['preview']), 'apply'],
    ['the PR closing (merged or not)', event('closed', ['preview']), 'destroy'],
    ['a fork PR', event('synchronize', ['preview'], false), 'none'],
    ['a fork PR closing (it never had a preview)', event('closed', ['preview'], false), 'none'],
    ['another label added to a labelled PR', event('labeled', ['preview', 'allow-destroy'], true, 'allow-destroy'), 'none'],
    ['another label removed from a labelled PR', event('unlabeled', ['preview'], true, 'plan:changes'), 'none'],
    ['preview:<app> added to a labelled PR', event('labeled', ['preview', 'preview:restaurant'], true, 'preview:restaurant'), 'apply'],
  ])('%s', (_, e, action) => {
    const d = decide(e);
    expect(d.action).toBe(action);
    expect(d.stack).toBe('preview-7');
  });
});

describe('the sweep', () => {
  const open = { state: 'open' as const, labels: ['preview'] };
  it('destroys previews whose PR is closed, gone or unlabelled, or whose expiry passed, and keeps the rest', () => {
    const result = sweep(
      [
        { stack: 'preview-1', expires: '2026-12-07T00:00:00Z', pr: open },
        { stack: 'preview-2', expires: '2026-12-05T00:00:00Z', pr: open },
        { stack: 'preview-3', expires: '2026-12-07T00:00:00Z', pr: { state: 'closed', labels: ['preview'] } },
        { stack: 'preview-4', expires: '2026-12-07T00:00:00Z' },
        { stack: 'preview-5', expires: '2026-12-07T00:00:00Z', pr: { state: 'open', labels: [] } },
        { stack: 'preview-6', pr: open },
      ],
      now,
    );
    expect(result).toEqual([
      { stack: 'preview-2', reason: 'it expired at 2026-12-05T00:00:00Z' },
      { stack: 'preview-3', reason: 'its pull request is closed' },
      { stack: 'preview-4', reason: 'its pull request does not exist' },
      { stack: 'preview-5', reason: 'its pull request has no preview label' },
      { stack: 'preview-6', reason: 'its expiry is unknown' },
    ]);
  });

  it('never returns a stack that is not preview-<number>, whatever it is given', () => {
    expect(sweep([{ stack: 'sandbox' }, { stack: 'production' }, { stack: 'preview-x' }], now)).toEqual([]);
  });

  it('leaves a state with no resource alone (Terraform keeps the state object after a destroy)', () => {
    const closed = { state: 'closed' as const, labels: [] };
    expect(sweep([{ stack: 'preview-8', pr: closed, resources: 0 }, { stack: 'preview-9', pr: closed, resources: 3 }, { stack: 'preview-10', pr: closed }], now).map((s) => s.stack)).toEqual(['preview-9', 'preview-10']);
  });
});

describe('the PR comment', () => {
  it('lists the endpoints and the expiry', () => {
    const body = commentBody(12, { url_p12_hotel_customer_stg: { value: 'https://p12-hotel-customer-stg.example.elasticbeanstalk.com' }, db_p12_hotel_core: { value: 'p12-hotel-core.abc.rds.amazonaws.com' }, preview_expires: { value: '2026-12-13T03:00:00Z' } });
    expect(body).toContain('<!-- preview:preview-12 -->');
    expect(body).toContain('| `p12_hotel_customer_stg` | app | `https://p12-hotel-customer-stg.example.elasticbeanstalk.com` |');
    expect(body).toContain('| `p12_hotel_core` | database (from the VPC only) |');
    expect(body).toContain('Expires 2026-12-13T03:00:00Z');
  });
});

describe('preview stacks synthesized from config', () => {
  const app = source.apps[0];
  const { account, json } = synthPreviewJson(12, ['preview', `preview:${app.name}`]);

  it('is named preview-<pr>, keeps its state under its own key in the preview account bucket, and is pinned to that account', () => {
    expect(account.name).toBe('preview-12');
    expect(json.terraform.backend.s3).toMatchObject({ bucket: target.state.bucket, key: 'preview-12/terraform.tfstate' });
    expect(json.provider.aws[0].allowed_account_ids).toEqual([target.accountId]);
    // The provider assumes the preview role only when a role is named (the workflow passes -var ci_role=current).
    expect(json.provider.aws[0].dynamic.assume_role.content.role_arn).toContain(`arn:aws:iam::${target.accountId}:role/${settings.role}`);
  });

  it('runs only in an account registered as a sandbox, never in production or staging', () => {
    expect(ACCOUNT_TIERS[target.accountId]).toBe('sandbox');
    for (const other of accounts.filter((a) => ACCOUNT_TIERS[a.accountId] !== 'sandbox')) {
      expect(errorOf(() => previewAccount(other, source, settings, 12, partsOf(source, ['preview'], [])))).toContain(`preview: account: got "${other.name}" (${other.accountId}, registered as ${ACCOUNT_TIERS[other.accountId]})`);
    }
    expect(errorOf(() => previewAccount(target, source, settings, 0, partsOf(source, [], [])))).toContain('preview: pr: got 0');
  });

  it('tags every resource with the PR number and expiry (default_tags)', () => {
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({ [PREVIEW_TAGS.pr]: '12', [PREVIEW_TAGS.expires]: '2026-12-13T03:00:00Z', Account: 'preview-12' });
    expect(json.output.preview_expires.value).toBe('2026-12-13T03:00:00Z');
  });

  it('builds the app at the preview size: one smallest instance, one environment, short logs', () => {
    const env = onlyResource(json, 'aws_elastic_beanstalk_environment');
    const setting = (ns: string, name: string) => (env.setting as TerraformJson[]).find((s) => s.namespace === ns && s.name === name)?.value;
    const windows = /windows/i.test(app.solutionStackName);
    expect(setting('aws:ec2:instances', 'InstanceTypes')).toBe(windows ? PREVIEW_PROFILE.instanceType.windows : PREVIEW_PROFILE.instanceType.linux);
    expect(setting('aws:autoscaling:asg', 'MinSize')).toBe('1');
    expect(setting('aws:autoscaling:asg', 'MaxSize')).toBe('1');
    expect(setting('aws:elasticbeanstalk:cloudwatch:logs', 'RetentionInDays')).toBe(String(PREVIEW_PROFILE.logRetentionDays));
    expect(env.name).toBe(`p12-${app.environments[0].name}`);
    expect(JSON.stringify(env)).not.toContain(`:${source.accountId}:`); // no ARN of the source account
  });

  // An app refers to its caches by name and an account refuses an app whose cache it does
  // not have: a preview of an app that declares a cache carries that cache, at the preview size.
  it('carries the caches its app declares, renamed into the PR, on one small node without snapshots', () => {
    expect(app.caches?.length).toBeGreaterThan(0);
    expect(account.apps[0].caches).toEqual(app.caches!.map((c) => `p12-${c}`));
    const groups = Object.values(resourcesOf(json, 'aws_elasticache_replication_group'));
    expect(groups.map((g) => g.replication_group_id).sort()).toEqual(app.caches!.map((c) => `p12-${c}`).sort());
    for (const g of groups) {
      expect(g).toMatchObject({ node_type: PREVIEW_PROFILE.cache.nodeType, num_cache_clusters: 1, multi_az_enabled: false, snapshot_retention_limit: PREVIEW_PROFILE.cache.snapshotRetentionDays });
      expect(g.final_snapshot_identifier).toBeUndefined();
    }
  });

  it('builds the databases without deletion protection or final snapshot, single-AZ, at minimum size', () => {
    const dbs = [...Object.values(resourcesOf(json, 'aws_db_instance')), ...Object.values(resourcesOf(json, 'aws_rds_cluster'))];
    expect(dbs.length).toBeGreaterThan(0);
    for (const db of dbs) {
      expect(db.deletion_protection).toBe(false);
      expect(db.backup_retention_period).toBe(PREVIEW_PROFILE.backupRetentionDays);
      // A destroy with a final snapshot leaves it behind (storage billed, nothing sweeps it),
      // encrypted with the preview's key, which the same destroy schedules for deletion.
      expect([db.skip_final_snapshot, db.final_snapshot_identifier]).toEqual([true, undefined]);
    }
    expect(resourcesOf(json, 'terraform_data')).toEqual({});
    for (const db of Object.values(resourcesOf(json, 'aws_db_instance'))) expect([db.instance_class, db.multi_az]).toEqual([PREVIEW_PROFILE.sqlServer.instanceClass, false]);
  });

  it('gives every IAM role the preview boundary, the only way the preview role may make one (bootstrap)', () => {
    const roles = Object.values(resourcesOf(json, 'aws_iam_role'));
    expect(roles.length).toBeGreaterThan(1);
    for (const r of roles) expect([r.name ?? r.name_prefix, r.permissions_boundary]).toEqual([r.name ?? r.name_prefix, previewBoundaryArn(target.accountId, settings.role)]);
  });

  it('puts Aurora on Serverless v2 at its minimum when a PR changes the Aurora construct', () => {
    const { json: aurora } = synthPreviewJson(13, ['preview'], ['constructs/aurora/aurora-cluster.ts']);
    const clusters = Object.values(resourcesOf(aurora, 'aws_rds_cluster'));
    expect(clusters).toHaveLength(source.databases.aurora.length);
    for (const c of clusters) expect(c.serverlessv2_scaling_configuration).toEqual({ min_capacity: PREVIEW_PROFILE.serverlessV2.minCapacity, max_capacity: PREVIEW_PROFILE.serverlessV2.maxCapacity });
    expect(Object.values(resourcesOf(aurora, 'aws_rds_cluster_instance'))).toHaveLength(clusters.length); // the writer, no reader
  });

  it('has no NAT gateway, no Fastly, mail or Datadog resources, and no account-wide setting', () => {
    for (const type of ['aws_nat_gateway', 'aws_ebs_encryption_by_default', 'aws_ce_anomaly_monitor', 'aws_sqs_queue', 'fastly_service_vcl', 'datadog_monitor']) expect([type, resourcesOf(json, type)]).toEqual([type, {}]);
  });

  it('has a budget of its own, alerting the preview account\'s e-mail fallback', () => {
    const budget = onlyResource(json, 'aws_budgets_budget');
    expect([budget.name, Number(budget.limit_amount)]).toEqual(['preview-12-monthly', settings.monthlyBudgetUsd]);
    expect(budget.notification[0].subscriber_email_addresses).toEqual(target.cost.emails);
  });

  it('passes the policy packs, with the three reasoned preview exceptions only', () => {
    const account13 = previewAccount(target, source, settings, 13, partsOf(source, ['preview'], ['constructs/beanstalk/x.ts', 'constructs/aurora/x.ts', 'constructs/sqlserver/x.ts']));
    const stack = previewStack(Testing.app(), account13, 13, expiryOf(now, settings.ttlDays));
    const report = stack.policy.run();
    expect(report.violations.map((v) => `${v.rule.id} ${v.resource.path}`)).toEqual([]);
    expect([...new Set(report.suppressed.map((f) => f.rule.id))].sort()).toEqual(['EBS-DEFAULT-ENCRYPTION', 'LOGS-RETENTION', 'RDS-FINAL-SNAPSHOT']);
  });

  it('declares no Terraform variable without a default (the preview jobs pass no secret)', () => {
    expect(Object.entries(json.variable ?? {}).filter(([, v]) => (v as TerraformJson).default === undefined)).toEqual([]);
  });

  it('shares no account-unique name with the preview account\'s own stack or another preview', () => {
    // Names AWS keeps unique per account (and region): IAM roles and profiles, aliases, log
    // groups, topics, budgets, Beanstalk apps, environments and CNAMEs, database identifiers, buckets.
    const NAME_FIELDS = ['name', 'identifier', 'cluster_identifier', 'cname_prefix', 'bucket', 'configuration_name'];
    const names = (stack: TerraformJson) =>
      Object.entries(stack.resource as Record<string, Record<string, TerraformJson>>).flatMap(([type, byName]) =>
        Object.values(byName).flatMap((r) => NAME_FIELDS.filter((f) => typeof r[f] === 'string' && !r[f].includes('${')).map((f) => `${type}.${f}=${r[f]}`)),
      );
    const own = new Set(names(synthAccount(target)));
    const other = new Set(names(synthPreviewJson(13, ['preview', `preview:${app.name}`]).json));
    const mine = names(json);
    expect(mine.length).toBeGreaterThan(5);
    expect(mine.filter((n) => own.has(n) || other.has(n))).toEqual([]);
  });
});

describe('the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preview-'));
  const file = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  it('decides from the GitHub event payload', () => {
    const event = file('event.json', JSON.stringify({ action: 'labeled', label: { name: 'preview' }, repository: { full_name: 'o/r' }, pull_request: { number: 9, labels: [{ name: 'preview' }], head: { repo: { full_name: 'o/r' } } } }));
    const out: string[] = [];
    expect(main(['decide', '--event', event], (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out[0])).toEqual({ action: 'apply', stack: 'preview-9', reason: 'labeled, labelled preview' });
  });

  it('synthesizes one preview stack into the given directory', () => {
    const outdir = join(dir, 'out');
    const result = synthPreview({ pr: 5, labels: ['preview'], changedFiles: [], now, outdir });
    expect(result.stack).toBe('preview-5');
    expect(JSON.parse(readFileSync(join(outdir, 'stacks', 'preview-5', 'cdk.tf.json'), 'utf8')).terraform.backend.s3.key).toBe('preview-5/terraform.tfstate');
  });

  it('sweeps from a file and prints only preview stacks', () => {
    const found = file('found.json', JSON.stringify([{ stack: 'preview-3', expires: '2026-01-01T00:00:00Z', pr: { state: 'open', labels: ['preview'] } }, { stack: 'sandbox' }]));
    const out: string[] = [];
    expect(main(['sweep', '--previews', found, '--now', now.toISOString()], (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out[0])).toEqual(['preview-3']);
  });

  it('prints the preview account, region, state bucket and role for CI, from the account config', () => {
    const out: string[] = [];
    expect(main(['settings'], (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out[0])).toEqual({ accountId: target.accountId, region: target.region, bucket: target.state.bucket, roleArn: `arn:aws:iam::${target.accountId}:role/${settings.role}` });
  });

  it('exits 1 with the usage on a wrong command', () => {
    const err: string[] = [];
    expect(main(['destroy', 'production'], () => undefined, (s) => err.push(s))).toBe(1);
    expect(err[0]).toContain('usage: preview');
  });
});
