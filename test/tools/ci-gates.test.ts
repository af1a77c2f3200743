import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMatrix, main, requiredFailures } from '../../tools/ci-gates';

describe('the aggregate required check', () => {
  it('passes when every job succeeded or was skipped (no stack affected, or a fork)', () => {
    expect(requiredFailures({ check: { result: 'success' }, validate: { result: 'success' }, plan: { result: 'skipped' } })).toEqual([]);
  });

  it('fails on any failed or cancelled job, and when check itself did not succeed', () => {
    expect(requiredFailures({ check: { result: 'success' }, plan: { result: 'failure' }, validate: { result: 'cancelled' } })).toEqual(['plan: failure', 'validate: cancelled']);
    expect(requiredFailures({ check: { result: 'skipped' }, plan: { result: 'skipped' } })).toEqual(['check: skipped (it must succeed)']);
    expect(requiredFailures({ plan: { result: 'success' } })).toEqual(['check: not among the needs of the required job']);
  });

  it('exits 1 with the failures from the command line', () => {
    const err: string[] = [];
    expect(main(['required', '--needs', JSON.stringify({ check: { result: 'success' }, plan: { result: 'failure' } })], () => undefined, (s) => err.push(s))).toBe(1);
    expect(err[0]).toBe('Required checks failed:\nplan: failure');
    expect(main(['required', '--needs', JSON.stringify({ check: { result: 'success' } })], () => undefined)).toBe(0);
  });
});

describe('the apply matrix: stacks whose approval plan has changes', () => {
  it('keeps planned stacks with changes, drops no-change and failed plans', () => {
    const dir = mkdtempSync(join(tmpdir(), 'approved-'));
    try {
      mkdirSync(join(dir, 'approved-production'));
      writeFileSync(join(dir, 'approved-production', 'summary.txt'), 'update aws_sqs_queue.q\n');
      mkdirSync(join(dir, 'approved-staging'));
      writeFileSync(join(dir, 'approved-staging', 'summary.txt'), '');
      const matrix = { include: [{ stack: 'production', account: '1' }, { stack: 'staging' }, { stack: 'sandbox' }] };
      expect(applyMatrix(matrix, dir)).toEqual({ include: [{ stack: 'production', account: '1' }] });
      const out: string[] = [];
      expect(main(['apply-matrix', '--matrix', JSON.stringify(matrix), '--approved', dir], (s) => out.push(s))).toBe(0);
      expect(JSON.parse(out[0]).include).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
