import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMatrix } from '../../tools/ci-gates';
import { compareSummaries, driftOf, main, summarize } from '../../tools/plan-summary';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'plan-mixed.json'), 'utf8'));
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'summary-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const change = (address: string, type: string, actions: string[], before: object | null, after: object | null) => ({
  address, mode: 'managed', type, name: 'x', change: { actions, before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
});
const plan = (...changes: object[]) => ({ format_version: '1.2', resource_changes: changes });

describe('plan summary: what a reviewer approves', () => {
  it('lists action and address of every change, sorted, without any attribute value', () => {
    const lines = summarize(fixture);
    expect(lines).toContain('replace aws_rds_cluster.aurora-restaurant_cluster_7F2B7C1A');
    expect(lines).toContain('delete aws_security_group_rule.legacy_12345678');
    expect(lines).toEqual([...lines].sort());
    expect(lines.join('\n')).not.toContain('secret-value');
  });

  // Terraform writes outputs to the state on apply only
  // (developer.hashicorp.com/terraform/language/values/outputs), and the apply workflow
  // applies a stack only when its summary is not empty (tools/ci-gates.ts apply-matrix).
  it('an output-only plan has a summary, so the apply workflow applies it', () => {
    const outputsOnly = {
      format_version: '1.2',
      resource_changes: [],
      output_changes: { 'tls-dns-challenges': { actions: ['update'], before: ['a'], after: ['b'], after_unknown: false, before_sensitive: false, after_sensitive: false } },
    };
    expect(summarize(outputsOnly)).toEqual(['update output.tls-dns-challenges']);
    expect(summarize(outputsOnly).join('\n')).not.toMatch(/\["?[ab]"?\]/);
    const approved = join(dir, 'approved-production');
    mkdirSync(approved);
    writeFileSync(join(approved, 'summary.txt'), summarize(outputsOnly).map((l) => `${l}\n`).join(''));
    expect(applyMatrix({ include: [{ stack: 'production' }] }, dir).include.map((m) => m.stack)).toEqual(['production']);
  });

  it('finds every added, removed or re-actioned change, and nothing when equal', () => {
    expect(compareSummaries(['create a.x', 'update b.y'], ['create a.x', 'update b.y'])).toEqual([]);
    expect(compareSummaries(['create a.x', 'update b.y'], ['create a.x', 'replace b.y', 'delete c.z'])).toEqual([
      'reviewed but not in this plan: update b.y',
      'in this plan but not reviewed: replace b.y',
      'in this plan but not reviewed: delete c.z',
    ]);
  });

  it('compare exits 3 and lists the differences when the new plan is not the reviewed one', () => {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(fixture));
    expect(main(['summary', '--plan', join(dir, 'plan.json'), '--out', join(dir, 'reviewed.txt')])).toBe(0);
    const log: string[] = [];
    expect(main(['compare', '--reviewed', join(dir, 'reviewed.txt'), '--plan', join(dir, 'plan.json')], (s) => log.push(s))).toBe(0);
    expect(log[0]).toMatch(/exactly the reviewed changes \(\d+\)/);
    const moved = plan(change('aws_sqs_queue.q', 'aws_sqs_queue', ['delete'], {}, null));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(moved));
    const err: string[] = [];
    expect(main(['compare', '--reviewed', join(dir, 'reviewed.txt'), '--plan', join(dir, 'new.json')], () => undefined, (s) => err.push(s))).toBe(3);
    expect(err[0]).toContain('in this plan but not reviewed: delete aws_sqs_queue.q');
    expect(err[0]).toContain('nothing was applied');
  });

  it('compare exits 3 when there is no reviewed summary at all', () => {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(fixture));
    const err: string[] = [];
    expect(main(['compare', '--reviewed', join(dir, 'none.txt'), '--plan', join(dir, 'plan.json')], () => undefined, (s) => err.push(s))).toBe(3);
    expect(err[0]).toContain('none.txt is missing');
  });

  it('a move or an import is part of what is reviewed', () => {
    const moved = { ...change('aws_sqs_queue.new', 'aws_sqs_queue', ['no-op'], { name: 'q' }, { name: 'q' }), previous_address: 'aws_sqs_queue.old' };
    const imported = change('aws_s3_bucket.b', 'aws_s3_bucket', ['no-op'], { bucket: 'b' }, { bucket: 'b' });
    (imported.change as Record<string, unknown>).importing = { id: 'b' };
    expect(summarize(plan(moved, imported))).toEqual(['no-op aws_s3_bucket.b (import)', 'no-op aws_sqs_queue.new (moved from aws_sqs_queue.old)']);
  });

  it('refuses an errored plan: it must not be compared, let alone applied', () => {
    writeFileSync(join(dir, 'errored.json'), JSON.stringify({ ...plan(), errored: true }));
    const err: string[] = [];
    expect(main(['summary', '--plan', join(dir, 'errored.json'), '--out', join(dir, 's.txt')], () => undefined, (s) => err.push(s))).toBe(1);
    expect(err[0]).toContain('must not be applied');
  });

  it('refuses a file that is not a plan, naming it', () => {
    writeFileSync(join(dir, 'bad.json'), '{"x":1}');
    const err: string[] = [];
    expect(main(['drift', '--plan', join(dir, 'bad.json')], () => undefined, (s) => err.push(s))).toBe(1);
    expect(err[0]).toContain('bad.json: no "format_version"');
  });
});

describe('drift ignores the Fastly version comment (fastly/base_fastly_service.go: CustomizeDiff updates version_comment without cloning a version)', () => {
  const comment = (c: string) => ({ name: 'hotel', version_comment: `commit ${c}`, default_ttl: 3600 });

  it('a fastly_service_vcl update of only version_comment is not drift', () => {
    expect(driftOf(plan(change('fastly_service_vcl.hotel', 'fastly_service_vcl', ['update'], comment('aaa'), comment('bbb'))))).toEqual([]);
    const log: string[] = [];
    writeFileSync(join(dir, 'p.json'), JSON.stringify(plan(change('fastly_service_vcl.hotel', 'fastly_service_vcl', ['update'], comment('aaa'), comment('bbb')))));
    expect(main(['drift', '--plan', join(dir, 'p.json')], (s) => log.push(s))).toBe(0);
    expect(log).toEqual(['false']);
  });

  it('any other change to the service, or to another resource, is drift', () => {
    const ttl = change('fastly_service_vcl.hotel', 'fastly_service_vcl', ['update'], comment('aaa'), { ...comment('bbb'), default_ttl: 60 });
    expect(driftOf(plan(ttl))).toEqual(['update fastly_service_vcl.hotel']);
    // Every resource change of the fixture is drift; its output changes are not (nothing outside Terraform changes an output).
    expect(driftOf(fixture).length).toBe(summarize(fixture).filter((l) => !/^\S+ output\./.test(l)).length);
  });
});
