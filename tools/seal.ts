/**
 * Seal: encrypts CI's plan artifacts so the files GitHub stores (readable by anyone with
 * read access to the repository, for the artifact's retention) never hold a plan in clear.
 *
 *   node dist/tools/seal.js seal --out plan.sealed FILE...   (key in $PLAN_ARTIFACT_KEY)
 *   node dist/tools/seal.js open --in plan.sealed --out DIR
 *
 * `terraform show -json` prints sensitive values in clear and a saved plan holds them too,
 * so both are sealed with AES-256-GCM under a key derived (scrypt, random salt) from the
 * `PLAN_ARTIFACT_KEY` GitHub secret, which only the workflow steps that seal or open a plan
 * receive. GCM authenticates the file: a modified or truncated artifact fails to open
 * instead of being applied.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { optionOf } from './cli';

export const KEY_VARIABLE = 'PLAN_ARTIFACT_KEY';
const MAGIC = Buffer.from('infra-seal-v1\n');
const SALT = 16;
const IV = 12;
const TAG = 16;
/** A secret shorter than this is a mistake (an empty or placeholder secret), not a key. */
const MIN_SECRET_LENGTH = 32;

function keyFrom(secret: string | undefined, salt: Buffer): Buffer {
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`${KEY_VARIABLE}: expected a secret of at least ${MIN_SECRET_LENGTH} characters (got ${secret ? secret.length : 'none'}); generate one with "openssl rand -base64 48"`);
  }
  return scryptSync(secret, salt, 32);
}

/** Seals named files into one authenticated, encrypted buffer. */
export function seal(files: Record<string, Buffer>, secret: string | undefined): Buffer {
  const salt = randomBytes(SALT);
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret, salt), iv);
  const plain = Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, data.toString('base64')]))));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), body]);
}

/** Opens a sealed buffer; throws when it is not one, or when the key or the content is wrong. */
export function open(sealed: Buffer, secret: string | undefined, source = 'sealed file'): Record<string, Buffer> {
  if (sealed.length < MAGIC.length + SALT + IV + TAG || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(`${source}: not a sealed plan artifact (made by "seal.js seal")`);
  }
  let at = MAGIC.length;
  const take = (n: number) => sealed.subarray(at, (at += n));
  const salt = take(SALT);
  const iv = take(IV);
  const tag = take(TAG);
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret, salt), iv);
  decipher.setAuthTag(tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(sealed.subarray(at)), decipher.final()]);
  } catch {
    throw new Error(`${source}: cannot be opened: the ${KEY_VARIABLE} differs from the one that sealed it, or the file was modified`);
  }
  const files = JSON.parse(plain.toString('utf8')) as Record<string, string>;
  return Object.fromEntries(Object.entries(files).map(([name, data]) => [name, Buffer.from(data, 'base64')]));
}

/** The CLI; returns the exit code. */
export function main(args: string[], env: NodeJS.ProcessEnv = process.env, error: (s: string) => void = console.error): number {
  const at = (name: string) => optionOf(args, name);
  const [command] = args;
  const out = at('--out');
  try {
    if (command === 'seal' && out) {
      const inputs = args.slice(1).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out');
      if (inputs.length === 0) throw new Error('seal: no file to seal');
      const names = inputs.map((f) => basename(f));
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice) throw new Error(`seal: two files are named ${twice}; sealed files are stored by name`);
      writeFileSync(out, seal(Object.fromEntries(inputs.map((f) => [basename(f), readFileSync(f)])), env[KEY_VARIABLE]));
      return 0;
    }
    const input = at('--in');
    if (command === 'open' && input && out) {
      mkdirSync(out, { recursive: true });
      for (const [name, data] of Object.entries(open(readFileSync(input), env[KEY_VARIABLE], input))) writeFileSync(join(out, basename(name)), data);
      return 0;
    }
    error('usage: seal seal --out FILE.sealed FILE... | seal open --in FILE.sealed --out DIR (key in $PLAN_ARTIFACT_KEY)');
    return 1;
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
