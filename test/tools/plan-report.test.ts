import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GITHUB_COMMENT_LIMIT, MAX_COMMENTS, NOT_STATEFUL, PlanErroredError, STATEFUL_TYPES, diagnosticsFromLog, main, marker, parsePlan, readPlan, renderPlan, renderReport,
} from '../../tools/plan-report';
import { readStatefulTypes } from '../../tools/plan-report/stateful';
import { errorOf } from '../helpers';

const fixtures = join(__dirname, 'fixtures');
const load = (name: string) => parsePlan(readFileSync(join(fixtures, name), 'utf8'), name);
const mixed = load('plan-mixed.json');

type Extra = Record<string, unknown>;
/** A plan with the given [type, actions, change fields, resource fields] changes, shaped as `terraform show -json` writes them. */
function plan(changes: Array<[string, string[], Extra?, Extra?]>, top: Extra = {}) {
  return {
    format_version: '1.2',
    planned_values: {},
    resource_changes: changes.map(([type, actions, extra, resource], i) => ({
      address: `${type}.r${i}`, mode: 'managed', type, name: `r${i}`,
      change: { actions, before: { n: 1 }, after: { n: 2 }, after_unknown: {}, before_sensitive: {}, after_sensitive: {}, ...(extra ?? {}) },
      ...(resource ?? {}),
    })),
    ...top,
  };
}
const body = (p: Record<string, unknown>, options: Partial<Parameters<typeof renderPlan>[1]> = {}) => renderPlan(p, { stack: 's', allowDestroy: true, ...options }).comments.join('\n');

describe('plan report: counts and actions', () => {
  it('counts create, update, replace, destroy, imports and moves of the mixed fixture, ignoring no-ops', () => {
    const report = renderPlan(mixed, { stack: 'production' });
    expect(report.counts).toEqual({ create: 1, update: 3, replace: 1, delete: 1, forget: 0, move: 1, import: 1 });
    expect(report.destructive.map((d) => d.address)).toEqual(['aws_rds_cluster.aurora-restaurant_cluster_7F2B7C1A']);
    expect(report.blocked).toBe(true);
    expect(renderPlan(mixed, { stack: 'production', allowDestroy: true }).blocked).toBe(false);
  });

  // ["create","forget"] is a replace that keeps the old object (jsonplan Change.Actions, internal/command/jsonplan/plan.go).
  it('accepts ["create","forget"] as a replace that keeps the old object, counted as Terraform counts it', () => {
    const report = renderPlan(plan([['aws_db_instance', ['create', 'forget']], ['aws_sqs_queue', ['forget']]]), { stack: 's' });
    expect(report.counts).toMatchObject({ create: 1, forget: 2, replace: 0, delete: 0 });
    expect(report.blocked).toBe(true);
    const text = report.comments[0];
    expect(text).toContain('! aws_db_instance.r0 (replace, keeping the old object running but no longer managed)');
    expect(text).toContain('. aws_sqs_queue.r1 (forget: removed from the state, the object keeps running)');
  });

  it('shows moves, imports, deposed objects and action reasons', () => {
    const text = body(plan([
      ['aws_s3_bucket', ['no-op'], {}, { previous_address: 'aws_s3_bucket.old' }],
      ['aws_iam_role', ['no-op'], { importing: { id: 'ci-plan' } }],
      ['aws_instance', ['delete', 'create'], {}, { action_reason: 'replace_because_tainted' }],
      ['aws_lambda_function', ['delete', 'create'], {}, { action_reason: 'replace_by_triggers' }],
      ['aws_sqs_queue', ['delete'], {}, { action_reason: 'delete_because_each_key', deposed: '00000001' }],
    ]));
    expect(text).toContain('→ aws_s3_bucket.r0 (no change; moved from aws_s3_bucket.old)');
    expect(text).toContain('→ aws_iam_role.r1 (no change; imported from ID "ci-plan")');
    expect(text).toContain('! aws_instance.r2 (replace; because it is tainted (a create or apply failed midway))');
    expect(text).toContain('! aws_lambda_function.r3 (replace; because replace_triggered_by fired)');
    expect(text).toContain('- aws_sqs_queue.r4 (delete; deposed object 00000001; because its for_each key is gone)');
  });

  it('refuses unknown actions, naming the resource and what is allowed', () => {
    expect(errorOf(() => renderPlan(plan([['a_b', ['explode']]]), { stack: 's' }))).toMatch(/^resource a_b\.r0: unknown actions \["explode"\]; expected one of \["create"\], .*\["create","forget"\]/);
  });
});

describe('plan report: refusing what is not a finished plan', () => {
  it('refuses malformed input with a clear message', () => {
    expect(errorOf(() => parsePlan('{not json', 'plan.json'))).toMatch(/^plan\.json: not JSON \(.*\); expected the output of "terraform show -json <planfile>"$/);
    expect(errorOf(() => parsePlan('[]', 'plan.json'))).toBe('plan.json: expected a JSON object, got an array');
    expect(errorOf(() => parsePlan('{"resource_changes": []}', 'plan.json'))).toBe('plan.json: no "format_version": this is not "terraform show -json" output');
    expect(errorOf(() => parsePlan('{"format_version": "2.0"}', 'plan.json'))).toBe('plan.json: "format_version" "2.0" is not supported; this report reads formats 0.x and 1.x');
  });

  it('refuses a state, whether raw or shown as JSON, instead of reporting "no changes"', () => {
    expect(errorOf(() => load('state-raw.json'))).toMatch(/^state-raw\.json: this is a Terraform state file/);
    expect(errorOf(() => load('state-shown.json'))).toMatch(/^state-shown\.json: this is a state \("terraform show -json" without a plan file/);
  });

  // "errored": true (jsonplan plan.Errored) marks a plan Terraform could not finish.
  it('refuses an errored plan, even one that lists changes', () => {
    const error = (() => {
      try {
        readPlan(load('plan-errored.json'), STATEFUL_TYPES);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PlanErroredError);
    expect((error as Error).message).toMatch(/^Terraform reported errors while planning \("errored": true\)/);
  });

  it('refuses a plan with error diagnostics, and shows warnings from the terraform plan -json log', () => {
    const log = readFileSync(join(fixtures, 'plan-log.jsonl'), 'utf8');
    const diagnostics = diagnosticsFromLog(log, 'plan-log.jsonl');
    expect(diagnostics.map((d) => d.severity)).toEqual(['warning', 'error']);
    expect(errorOf(() => readPlan(mixed, STATEFUL_TYPES, diagnostics))).toBe('Terraform reported 1 error: this plan must not be applied.');
    const warnings = diagnostics.filter((d) => d.severity === 'warning');
    const text = renderReport(readPlan(mixed, STATEFUL_TYPES, warnings), { stack: 's', allowDestroy: true }).comments[0];
    expect(text).toContain('> [!WARNING]\n> **1 warning from Terraform:**');
    expect(text).toContain('> - **Warning** (<code>main.tf:12</code>): <code>Deprecated attribute</code>');
    expect(errorOf(() => diagnosticsFromLog('{"type":"diagnostic","diagnostic":{"severity":"fatal","summary":"x"}}', 'log'))).toBe('log:1: "severity" must be "error" or "warning", got "fatal"');
  });
});

describe('plan report: stateful types', () => {
  it('lists the types the review found missing, ElastiCache included', () => {
    for (const type of [
      'aws_efs_file_system', 'aws_elasticache_cluster', 'aws_elasticache_replication_group', 'aws_opensearch_domain', 'aws_route53_zone', 'aws_ecr_repository',
      'aws_backup_vault', 'aws_neptune_cluster', 'aws_docdb_cluster', 'aws_redshift_cluster', 'aws_dynamodb_global_table', 'aws_lb', 'aws_cloudfront_distribution',
      'aws_eip', 'aws_ses_domain_identity', 'aws_sesv2_email_identity',
    ]) expect(STATEFUL_TYPES).toHaveProperty(type);
  });

  it('lists the managed directory: replacing it makes a new domain, and what joined the old one (FSx witness, SQL Server nodes, RDS) is cut off', () => {
    expect(STATEFUL_TYPES.aws_directory_service_directory).toMatch(/new domain/);
  });

  // The names must be real: each AWS type has its module in @cdktf/provider-aws 21.22.1 (generated from provider 6.25.0's schema).
  it('names only resource types that exist in the pinned AWS provider, with a reason, and none also listed as out', () => {
    const lib = join(require.resolve('@cdktf/provider-aws/package.json'), '../lib');
    for (const [type, why] of Object.entries({ ...STATEFUL_TYPES, ...NOT_STATEFUL })) {
      expect(why.length).toBeGreaterThan(10);
      if (!type.startsWith('aws_')) continue;
      const module = join(lib, type.slice(4).replace(/_/g, '-'), 'index.js');
      expect([type, existsSync(module) && readFileSync(module, 'utf8').includes(`"${type}"`)]).toEqual([type, true]);
    }
    expect(Object.keys(NOT_STATEFUL).filter((t) => t in STATEFUL_TYPES)).toEqual([]);
  });

  it('lets an account add types with a reason, and refuses a malformed extension file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stateful-'));
    try {
      const file = join(dir, 'extra.json');
      writeFileSync(file, JSON.stringify({ aws_mq_broker: 'holds the messages' }));
      const out = join(dir, 'out');
      const args = ['--plan', join(dir, 'p.json'), '--stack', 's', '--out', out];
      writeFileSync(join(dir, 'p.json'), JSON.stringify(plan([['aws_mq_broker', ['delete']]])));
      expect(main(args, () => undefined, () => undefined)).toBe(0);
      const err: string[] = [];
      expect(main([...args, '--stateful-types', file], () => undefined, (s) => err.push(s))).toBe(2);
      expect(readFileSync(join(out, 'comment-1.md'), 'utf8')).toContain('<code>holds the messages</code>');
      writeFileSync(file, JSON.stringify({ 'AWS MQ': 'x' }));
      expect(main([...args, '--stateful-types', file], () => undefined, (s) => err.push(s))).toBe(1);
      expect(err.at(-1)).toBe(`${file}: "AWS MQ" is not a Terraform resource type (lower case, provider prefix, e.g. "aws_mq_broker")`);
      writeFileSync(file, JSON.stringify({ aws_mq_broker: '' }));
      expect(main([...args, '--stateful-types', file], () => undefined, (s) => err.push(s))).toBe(1);
      expect(err.at(-1)).toBe(`${file}: "aws_mq_broker" must say why it is stateful (a non-empty string), got ""`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the account\'s own accounts/<stack>/stateful-types.json from the repository root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'repo-'));
    const cwd = process.cwd();
    try {
      mkdirSync(join(dir, 'accounts/production'), { recursive: true });
      writeFileSync(join(dir, 'accounts/production/stateful-types.json'), JSON.stringify({ aws_mq_broker: 'holds the messages' }));
      writeFileSync(join(dir, 'p.json'), JSON.stringify(plan([['aws_mq_broker', ['delete']]])));
      process.chdir(dir);
      const run = (stack: string) => main(['--plan', 'p.json', '--stack', stack, '--out', stack], () => undefined, () => undefined);
      expect([run('production'), run('staging')]).toEqual([2, 0]);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every account extension file in the repository is valid', () => {
    const accounts = join(__dirname, '../../accounts');
    for (const name of readdirSync(accounts, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      const file = join(accounts, name, 'stateful-types.json');
      if (existsSync(file)) expect(() => readStatefulTypes(file)).not.toThrow();
    }
  });
});

describe('plan report: values', () => {
  it('shows the changed attributes of updates and replaces, and what created and deleted resources hold', () => {
    const text = renderPlan(mixed, { stack: 'production', allowDestroy: true }).comments[0];
    expect(text).toContain('    solution_stack_name: "64bit Windows Server 2022 v2.17.0 running IIS 10.0" -> "64bit Windows Server 2022 v2.18.0 running IIS 10.0"');
    expect(text).toContain('    cluster_identifier: "restaurant" -> "restaurant-v2"  # forces replacement');
    expect(text).toContain('    endpoint: null -> (known after apply)');
    expect(text).toContain('+     name = "customer-mail"\n+     sqs_managed_sse_enabled = true');
    expect(text).toContain('-     from_port = 8080');
    expect(text).not.toContain('tags_all');
  });

  it('masks sensitive values, nested ones and whole sensitive objects', () => {
    const text = renderPlan(mixed, { stack: 'production', allowDestroy: true }).comments[0];
    expect(text).toContain('    master_password: (sensitive) -> (sensitive)');
    expect(text).not.toMatch(/old-secret-value|new-secret-value/);
    const whole = body(plan([
      ['aws_db_instance', ['update'], { before: { password: 'hunter1', user: 'a' }, after: { password: 'hunter2', user: 'b' }, before_sensitive: true, after_sensitive: true }],
      ['aws_ssm_parameter', ['create'], { before: null, after: { value: 'created-secret' }, after_sensitive: true }],
      ['aws_ssm_parameter', ['delete'], { before: { value: 'deleted-secret' }, after: null, before_sensitive: true }],
      ['aws_db_instance', ['update'], { before: { options: { key: 'nested-old' } }, after: { options: { key: 'nested-new' } }, after_sensitive: { options: { key: true } } }],
    ]));
    expect(whole).not.toMatch(/hunter|created-secret|deleted-secret|nested-old|nested-new/);
    expect(whole).toContain('    (all attributes): (sensitive) -> (sensitive)');
    expect(whole).toContain('+     (all attributes) = (sensitive)');
    expect(whole).toContain('    options.key: (sensitive) -> (sensitive)');
  });

  it('diffs nested blocks with readable paths and marks a nested forcing path', () => {
    const text = body(plan([['aws_instance', ['delete', 'create'], {
      before: { ebs_block_device: [{ device_name: '/dev/sdb', volume_size: 10 }], tags: { 'cost center': 'a' } },
      after: { ebs_block_device: [{ device_name: '/dev/sdb', volume_size: 20 }], tags: { 'cost center': 'b' } },
      replace_paths: [['ebs_block_device', 0, 'volume_size']],
    }]]));
    expect(text).toContain('    ebs_block_device[0].volume_size: 10 -> 20  # forces replacement');
    expect(text).toContain('    tags["cost center"]: "a" -> "b"\n');
  });

  it('shows the part of a long value that changed, and a line diff of multi-line text', () => {
    const policy = (effect: string) => `{"Version":"2012-10-17","Statement":[{"Sid":"${'a'.repeat(150)}","Effect":"${effect}","Action":"s3:GetObject"}]}`;
    const text = body(plan([['aws_iam_policy', ['update'], { before: { policy: policy('Allow') }, after: { policy: policy('Deny') } }]]));
    expect(text).toMatch(/^- {7}….*"Effect\\":\\"Allow\\".*$/m);
    expect(text).toMatch(/^\+ {7}….*"Effect\\":\\"Deny\\".*$/m);
    const lines = (n: number) => Array.from({ length: 40 }, (_, i) => (i === n ? 'changed line' : `line ${i} ${'x'.repeat(10)}`)).join('\n');
    const multi = body(plan([['fastly_service_vcl', ['update'], { before: { vcl: lines(-1) }, after: { vcl: lines(30) } }]]));
    expect(multi).toContain('    vcl: (multi-line text)\n        @@ line 31 @@\n-       line 30 xxxxxxxxxx\n+       changed line');
  });

  it('shows output changes, masking sensitive outputs', () => {
    const text = body(plan([], {
      output_changes: {
        url: { actions: ['update'], before: 'a', after: 'b', after_unknown: false, before_sensitive: false, after_sensitive: false },
        token: { actions: ['create'], before: null, after: 'token-value', after_unknown: false, before_sensitive: true, after_sensitive: true },
      },
    }));
    expect(text).toContain('<details><summary>Outputs (2)</summary>');
    expect(text).toContain('+     token = (sensitive)');
    expect(text).toContain('    url: "a" -> "b"');
    expect(text).not.toContain('token-value');
  });

  // Format 0.1 (Terraform 0.12-0.14) has no before_sensitive / after_sensitive nor output
  // sensitivity (jsonplan added them in format 0.2): what cannot be known safe is masked.
  it('masks everything in a plan without sensitivity markers, and keeps Terraform 0.12\'s unchanged outputs out', () => {
    const report = renderPlan(load('plan-format-0.1.json'), { stack: 's' });
    const text = report.comments[0];
    expect(text).not.toMatch(/plain-old-password|plain-new-password|plain-output-password/);
    expect(text).toContain('    (all attributes): (sensitive) -> (sensitive)');
    expect(text).toContain('+     db_password = (sensitive)');
    expect(text).toContain('+     queue = "https://sqs.eu-west-1.amazonaws.com/111111111111/mail"');
    expect(text).toContain('<details><summary>Outputs (2)</summary>');
  });

  it('lists the actions the apply will invoke (Terraform 1.14 action_invocations)', () => {
    const text = body(plan([], {
      action_invocations: [
        { address: 'action.aws_lambda_invoke.warm', type: 'aws_lambda_invoke', name: 'warm', lifecycle_action_trigger: { triggering_resource_address: 'aws_lambda_function.api', action_trigger_event: 'AfterCreate' } },
        { address: 'action.aws_lambda_invoke.now', type: 'aws_lambda_invoke', name: 'now', invoke_action_trigger: {} },
      ],
    }));
    expect(text).toContain('2 actions to invoke.');
    expect(text).toContain('» action.aws_lambda_invoke.warm (after create of aws_lambda_function.api)\n» action.aws_lambda_invoke.now\n');
  });

  it('says a plan is incomplete when Terraform did not plan everything, even with nothing deferred', () => {
    expect(body(plan([['aws_vpc', ['update']]], { complete: false }))).toContain('**This plan is incomplete**: Terraform did not plan every resource (for example with -target).');
  });

  it('shows drift, deferred changes and failed checks, and says when the plan is incomplete', () => {
    const text = renderPlan(load('plan-deferred.json'), { stack: 's' }).comments[0];
    expect(text).toContain('**This plan is incomplete**: 1 change deferred.');
    expect(text).toContain('<details><summary>Deferred to a later plan (1)</summary>');
    expect(text).toContain('      # deferred: its count or for_each is known only after apply');
    expect(text).toContain('1 resource changed outside Terraform since the last apply');
    expect(text).toContain('<details><summary>Changed outside Terraform (1)</summary>');
    expect(text).toContain('    retention_in_days: 90 -> 30');
    expect(text).toContain('> - **Warning** (<code>check.health</code>): <code>health endpoint returned 503</code>');
  });
});

describe('plan report: escaping', () => {
  const evil = 'aws_sqs_queue.q["`</code><img src=x onerror=alert(1)> @octocat #1 **bold**\n```\n[x](http://e)\u202egnp.exe"]';
  const text = body({
    format_version: '1.2',
    planned_values: {},
    resource_changes: [{ address: evil, mode: 'managed', type: 'aws_sqs_queue', name: 'q', change: { actions: ['delete'], before: { name: 'x\u202ey' }, after: null, after_unknown: {}, before_sensitive: {}, after_sensitive: false } }],
  });

  it('keeps plan text literal in inline code: no HTML, mentions, issue links or emphasis render', () => {
    const caution = text.split('\n').find((l) => l.startsWith('> - '))!;
    expect(caution).toMatch(/^> - <code>[^<]*<\/code> \(delete\): <code>/);
    expect(caution).not.toMatch(/<img|@octocat|#1|\*\*bold|`/);
    expect(caution).toContain('&lt;img src=x onerror=alert(1)&gt; &#64;octocat &#35;1 &#42;&#42;bold&#42;&#42;&#92;n&#96;&#96;&#96;&#92;n&#91;x&#93;(http');
  });

  it('keeps every fenced block closed: plan text never starts a line or closes the fence', () => {
    const fence = text.split('\n').filter((l) => /^\s{0,3}```/.test(l));
    // The diagram of the change (its labels escaped) and the diff: no other fence.
    expect(fence).toEqual(['```mermaid', '```', '```diff', '```']);
    expect(text).toContain('- aws_sqs_queue.q["`</code><img src=x onerror=alert(1)> @octocat #1 **bold**\\n```\\n[x](http://e)\\u202egnp.exe"] (delete)');
  });

  it('never lets a bare fence in an address, a moved address or a reason close the block', () => {
    const fence = body({
      format_version: '1.2',
      planned_values: {},
      resource_changes: [
        { address: '```', previous_address: '```', mode: 'managed', type: 'aws_s3_bucket', name: 'b', change: { actions: ['no-op'], before: {}, after: {}, after_unknown: {}, before_sensitive: {}, after_sensitive: {} } },
        { address: 'aws_s3_bucket.c', action_reason: '```\n<img src=x> @octocat', mode: 'managed', type: 'aws_s3_bucket', name: 'c', change: { actions: ['delete'], before: {}, after: null, after_unknown: {}, before_sensitive: {}, after_sensitive: false } },
      ],
    });
    expect(fence.split('\n').filter((l) => /^\s{0,3}```/.test(l))).toEqual(['```mermaid', '```', '```diff', '```']);
    expect(fence).toContain('(delete, because &#96;&#96;&#96;&#92;n&lt;img src=x&gt; &#64;octocat): <code>');
  });

  it('neutralises right-to-left override characters everywhere', () => {
    expect(text).not.toContain('\u202e');
    expect(text).toContain('"x\\u202ey"');
  });

  it('checks the stack, commit and plan URL it puts in the marker, title and link', () => {
    expect(errorOf(() => renderPlan(mixed, { stack: 'x --> <b>' }))).toMatch(/^--stack "x --> <b>": expected 1-100 letters/);
    expect(errorOf(() => renderPlan(mixed, { stack: 's', commit: 'HEAD; rm' }))).toBe('--commit "HEAD; rm": expected a hexadecimal commit SHA');
    expect(errorOf(() => renderPlan(mixed, { stack: 's', planUrl: 'javascript:alert(1)' }))).toBe('--plan-url: expected an https:// link, got the scheme "javascript:"');
    expect(body(mixed, { planUrl: 'https://e.com/a (b)' })).toContain('[workflow run](https://e.com/a%20%28b%29)');
  });
});

describe('plan report: size limits', () => {
  const each = (comments: string[]) => {
    for (const c of comments) {
      expect(c.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
      // Every block is closed in the comment that opened it.
      expect((c.match(/^```/gm) ?? []).length % 2).toBe(0);
      expect((c.match(/<details>/g) ?? []).length).toBe((c.match(/<\/details>/g) ?? []).length);
      // No lone surrogate: every character is whole.
      expect(c).toBe(Buffer.from(c, 'utf8').toString('utf8'));
    }
  };

  it('splits a plan of 5,000 changes into comments within GitHub\'s limit, never more than the maximum', () => {
    const big = plan(Array.from({ length: 5000 }, (_, i): [string, string[], Extra] => [`aws_type_${i % 40}`, ['update'], { before: { value: 'x'.repeat(60), i }, after: { value: 'y'.repeat(60), i: i + 1 } }]));
    const report = renderPlan(big, { stack: 'production', planUrl: 'https://github.com/o/r/actions/runs/1' });
    expect(report.counts.update).toBe(5000);
    expect(report.comments).toHaveLength(MAX_COMMENTS);
    each(report.comments);
    expect(report.comments.at(-1)).toContain('shortened to fit in GitHub comments. Full plan: [workflow run](https://github.com/o/r/actions/runs/1)');
    expect(report.comments[1]).toContain('### Plan for <code>production</code>, part 2 of 5');
  });

  it('splits a CAUTION list of 1,500 stateful deletes across comments, each quote and list complete', () => {
    const report = renderPlan(plan(Array.from({ length: 1500 }, (): [string, string[]] => ['aws_dynamodb_table', ['delete']])), { stack: 'production' });
    expect(report.destructive).toHaveLength(1500);
    each(report.comments);
    const listed = report.comments.flatMap((c) => c.split('\n').filter((l) => l.startsWith('> - <code>aws')));
    expect(listed).toHaveLength(1500);
    expect(report.comments[1]).toContain('> [!CAUTION]\n> **Stateful resources destroyed or replaced (continued):**');
    for (const c of report.comments.filter((x) => x.includes('[!CAUTION]'))) expect(c).toContain('> This check fails until a reviewer adds the `allow-destroy` label to the PR.');
  });

  it('fits one resource type larger than a comment, a long plan URL and emoji at every cut', () => {
    const emoji = '👩🏽‍💻🇫🇷'.repeat(400);
    const big = plan(Array.from({ length: 300 }, (_, i): [string, string[], Extra] => ['aws_s3_bucket', ['update'], { before: { v: `${emoji}${i}` }, after: { v: `${i}${emoji}` } }]));
    const report = renderPlan(big, { stack: 's', allowDestroy: true, planUrl: `https://github.com/o/r/actions/runs/1?${'q'.repeat(70000)}` });
    expect(report.notices[0]).toMatch(/^--plan-url is \d+ characters \(more than 2000\): left out of the comment$/);
    each(report.comments);
    for (let limit = 4000; limit < 4100; limit += 7) each(renderPlan(big, { stack: 's', allowDestroy: true, limit }).comments);
    const address = `aws_s3_bucket.b["${emoji.repeat(50)}"]`;
    const huge = { format_version: '1.2', planned_values: {}, resource_changes: [{ address, mode: 'managed', type: 'aws_s3_bucket', name: 'b', change: { actions: ['delete'], before: {}, after: null } }] };
    const cut = renderPlan(huge, { stack: 's' });
    each(cut.comments);
    expect(cut.comments.join('')).toContain('…');
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
  const labels = () => readFileSync(join(dir, 'labels'), 'utf8');

  it('writes the comments and labels, and exits 2 on a blocked destroy, 0 with --allow-destroy', () => {
    const planFile = join(fixtures, 'plan-mixed.json');
    const blocked = run(['--plan', planFile, '--stack', 'production', '--out', join(dir, 'a'), '--labels-out', join(dir, 'labels')]);
    expect(blocked.code).toBe(2);
    expect(blocked.err).toContain('production: 1 stateful resource(s) would be destroyed or replaced: aws_rds_cluster.aurora-restaurant_cluster_7F2B7C1A');
    expect(readdirSync(join(dir, 'a'))).toEqual(['comment-1.md']);
    expect(labels()).toBe('plan:changes\nplan:destroy\n');
    const allowed = run(['--plan', planFile, '--stack', 'production', '--out', join(dir, 'b'), '--allow-destroy']);
    expect(allowed.code).toBe(0);
    expect(allowed.out).toBe(`production: 1 to create, 3 to update, 1 to replace, 1 to destroy; 1 comment(s) in ${join(dir, 'b')}; labels plan:changes, plan:destroy`);
  });

  it('labels a plan without changes plan:no-changes, and one without destroys only plan:changes', () => {
    writeFileSync(join(dir, 'none.json'), JSON.stringify(plan([['aws_vpc', ['no-op']], ['aws_subnet', ['read']]])));
    expect(run(['--plan', join(dir, 'none.json'), '--stack', 's', '--out', join(dir, 'out'), '--labels-out', join(dir, 'labels')]).code).toBe(0);
    expect(labels()).toBe('plan:no-changes\n');
    expect(readFileSync(join(dir, 'out', 'comment-1.md'), 'utf8')).toContain('**No changes.**');
    writeFileSync(join(dir, 'up.json'), JSON.stringify(plan([['aws_vpc', ['update']]])));
    expect(run(['--plan', join(dir, 'up.json'), '--stack', 's', '--out', join(dir, 'out'), '--labels-out', join(dir, 'labels')]).code).toBe(0);
    expect(labels()).toBe('plan:changes\n');
  });

  it('on an errored plan, a state or bad JSON: exits 1, labels plan:error and still writes a comment saying why', () => {
    for (const file of ['plan-errored.json', 'state-shown.json']) {
      const r = run(['--plan', join(fixtures, file), '--stack', 's', '--out', join(dir, file), '--labels-out', join(dir, 'labels')]);
      expect([file, r.code]).toEqual([file, 1]);
      expect(labels()).toBe('plan:error\n');
      expect(readFileSync(join(dir, file, 'comment-1.md'), 'utf8')).toMatch(/^<!-- cdktf-plan stack=s part=1 -->\n### ❌ Plan for <code>s<\/code> failed/);
    }
    writeFileSync(join(dir, 'bad.json'), '{"format_version": 1');
    const bad = run(['--plan', join(dir, 'bad.json'), '--stack', 's', '--out', join(dir, 'out'), '--labels-out', join(dir, 'labels')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('bad.json: not JSON');
    expect(run(['--plan', 'x']).code).toBe(1);
    expect(run(['--plan', 'x', '--stack', 's', '--out', dir, '--bogus']).err).toMatch(/^unknown argument "--bogus"/);
  });

  it('refuses a labels file inside --out, since every file there is posted as a comment', () => {
    const r = run(['--plan', join(fixtures, 'plan-mixed.json'), '--stack', 's', '--out', dir, '--labels-out', join(dir, 'labels.txt')]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`--labels-out ${join(dir, 'labels.txt')}: must not be in --out ${dir}, whose every file is posted as a comment`);
  });

  it('puts Terraform\'s errors from --diagnostics in the refusal comment', () => {
    const r = run(['--plan', join(fixtures, 'plan-mixed.json'), '--stack', 's', '--out', dir, '--diagnostics', join(fixtures, 'plan-log.jsonl')]);
    expect(r.code).toBe(1);
    const comment = readFileSync(join(dir, 'comment-1.md'), 'utf8');
    expect(comment).toContain('> - **Error** (<code>aws&#95;db&#95;instance.main</code>): <code>creating RDS DB Instance: InvalidParameterCombination</code>');
  });
});

describe('README example', () => {
  it('shows the comment the fixture really renders, with moves, imports and reasons', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const report = renderPlan(mixed, { stack: 'production', commit: '4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d', planUrl: 'https://github.com/example-co/infrastructure/actions/runs/123456789' });
    const shown = report.comments[0].split('\n').slice(1).join('\n');
    expect(shown).toMatch(/moved from .*imported from ID|imported from ID[\s\S]*moved from|moved from[\s\S]*imported from ID/);
    expect(shown).toContain('because it is no longer in the configuration');
    expect(readme).toContain(shown);
  });
});

it('marker is what tools/github.ts finds comments by', () => {
  expect(marker('production', 2)).toBe('<!-- cdktf-plan stack=production part=2 -->');
});
