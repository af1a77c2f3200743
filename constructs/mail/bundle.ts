import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';

/** The Lambda functions built from runtime/: entry file and exported handler. */
export const HANDLERS = {
  worker: { file: 'worker', handler: 'worker.handler' },
  sendgridWebhook: { file: 'events', handler: 'events.sendGridWebhookHandler' },
  sesEvents: { file: 'events', handler: 'events.sesEventsHandler' },
} as const;

const bundled = new Map<string, string>();

/**
 * Bundles one runtime file with esbuild (once per synth process) and returns the
 * directory. The AWS SDK v3 is left out: the Lambda Node.js runtime provides it.
 */
function bundle(file: string): string {
  const cached = bundled.get(file);
  if (cached) return cached;
  // From source (tests) the runtime is TypeScript; from dist/ (npm start) it is compiled JS.
  const ts = join(__dirname, 'runtime', `${file}.ts`);
  const entry = existsSync(ts) ? ts : join(__dirname, 'runtime', `${file}.js`);
  const outdir = mkdtempSync(join(tmpdir(), `mail-${file}-`));
  mkdirSync(outdir, { recursive: true });
  buildSync({
    entryPoints: [entry],
    outfile: join(outdir, `${file}.js`),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    legalComments: 'none',
    logLevel: 'error',
  });
  bundled.set(file, outdir);
  return outdir;
}

/** The zip of a runtime handler as a Terraform asset, and what the function needs to run it. */
export function handlerAsset(scope: Construct, id: string, which: keyof typeof HANDLERS): { filename: string; sourceCodeHash: string; handler: string } {
  const h = HANDLERS[which];
  const asset = new TerraformAsset(scope, id, { path: bundle(h.file), type: AssetType.ARCHIVE });
  // The content hash, not filebase64sha256 of the zip: zip timestamps change on every synth.
  return { filename: asset.path, sourceCodeHash: asset.assetHash, handler: h.handler };
}
