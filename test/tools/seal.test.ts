import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, open, seal } from '../../tools/seal';

const key = 'k'.repeat(48);
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'seal-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('sealed plan artifacts', () => {
  const secretPlan = Buffer.from(JSON.stringify({ resource_changes: [{ change: { after: { master_password: 'hunter2-in-clear' } } }] }));

  it('round-trips the files, and the sealed bytes do not contain the plan in clear', () => {
    const sealed = seal({ 'plan.json': secretPlan, tfplan: Buffer.from([0, 1, 2, 255]) }, key);
    expect(sealed.includes(Buffer.from('hunter2-in-clear'))).toBe(false);
    expect(sealed.includes(Buffer.from('master_password'))).toBe(false);
    const opened = open(sealed, key);
    expect(opened['plan.json'].equals(secretPlan)).toBe(true);
    expect([...opened.tfplan]).toEqual([0, 1, 2, 255]);
  });

  it('uses a fresh salt and IV: sealing twice gives different bytes', () => {
    expect(seal({ a: secretPlan }, key).equals(seal({ a: secretPlan }, key))).toBe(false);
  });

  it('refuses a wrong key and a modified file (GCM authentication), naming the file', () => {
    const sealed = seal({ a: secretPlan }, key);
    expect(() => open(sealed, 'x'.repeat(48), 'plan.sealed')).toThrow('plan.sealed: cannot be opened: the PLAN_ARTIFACT_KEY differs from the one that sealed it, or the file was modified');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => open(tampered, key)).toThrow('cannot be opened');
    expect(() => open(Buffer.from('plain text'), key, 'x.sealed')).toThrow('x.sealed: not a sealed plan artifact');
  });

  it('refuses a missing or short key instead of sealing with it', () => {
    expect(() => seal({ a: secretPlan }, undefined)).toThrow('PLAN_ARTIFACT_KEY: expected a secret of at least 32 characters (got none)');
    expect(() => seal({ a: secretPlan }, 'short')).toThrow('(got 5)');
  });

  it('seals and opens files from the command line', () => {
    writeFileSync(join(dir, 'plan.json'), secretPlan);
    writeFileSync(join(dir, 'tfplan'), 'binary');
    const env = { PLAN_ARTIFACT_KEY: key };
    expect(main(['seal', '--out', join(dir, 'plan.sealed'), join(dir, 'plan.json'), join(dir, 'tfplan')], env)).toBe(0);
    expect(readFileSync(join(dir, 'plan.sealed')).includes(Buffer.from('hunter2'))).toBe(false);
    expect(main(['open', '--in', join(dir, 'plan.sealed'), '--out', join(dir, 'out')], env)).toBe(0);
    expect(readFileSync(join(dir, 'out', 'plan.json')).equals(secretPlan)).toBe(true);
    expect(readFileSync(join(dir, 'out', 'tfplan'), 'utf8')).toBe('binary');
    const err: string[] = [];
    expect(main(['open', '--in', join(dir, 'plan.sealed'), '--out', join(dir, 'o2')], {}, (s) => err.push(s))).toBe(1);
    expect(err[0]).toContain('PLAN_ARTIFACT_KEY');
    expect(main(['seal', '--out', join(dir, 'x')], env, (s) => err.push(s))).toBe(1);
    expect(err[1]).toBe('seal: no file to seal');
  });
});
