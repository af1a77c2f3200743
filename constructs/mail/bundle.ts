import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { zip } from './zip';

/** The Lambda functions built from runtime/: entry file and exported handler. */
export const HANDLERS = {
  worker: { file: 'worker', handler: 'worker.handler' },
  sendgridWebhook: { file: 'events', handler: 'events.sendGridWebhookHandler' },
  sesEvents: { file: 'events', handler: 'events.sesEventsHandler' },
} as const;

/**
 * The Lambda runtime of every mail function, and the esbuild target of its bundle: the same
 * Node.js major. nodejs24.x is in the pinned provider's runtime enum (the AWS SDK for Go v2
 * lambda types since release 2025-10-23; provider 6.19.0 and later accept it:
 * hashicorp/terraform-provider-aws#45024, internal/service/lambda/function.go validates
 * `runtime` with enum.Validate[awstypes.Runtime]).
 */
export const LAMBDA_RUNTIME = 'nodejs24.x';
export const BUNDLE_TARGET = 'node24';

const bundled = new Map<string, { zipPath: string; sha256: string }>();

/**
 * Bundles one runtime file with esbuild and zips it, once per synth process (every stack
 * and mail path shares the zip). The AWS SDK v3 is left out: the Lambda Node.js runtime
 * provides it. The zip is written here, deterministically, rather than by cdktf's ARCHIVE
 * assets, which spawn a child process per asset (about 0.4 s each).
 */
function bundle(file: string): { zipPath: string; sha256: string } {
  const cached = bundled.get(file);
  if (cached) return cached;
  // From source (tests) the runtime is TypeScript; from dist/ (npm start) it is compiled JS.
  const ts = join(__dirname, 'runtime', `${file}.ts`);
  const entry = existsSync(ts) ? ts : join(__dirname, 'runtime', `${file}.js`);
  const result = buildSync({
    entryPoints: [entry],
    outfile: `${file}.js`,
    write: false,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    external: ['@aws-sdk/*'],
    legalComments: 'none',
    logLevel: 'error',
  });
  const archive = zip([{ name: `${file}.js`, data: Buffer.from(result.outputFiles[0].contents) }]);
  const zipPath = join(mkdtempSync(join(tmpdir(), `mail-${file}-`)), `${file}.zip`);
  writeFileSync(zipPath, archive);
  const out = { zipPath, sha256: createHash('sha256').update(archive).digest('base64') };
  bundled.set(file, out);
  return out;
}

/** The zip of a runtime handler as a Terraform asset, and what the function needs to run it. */
export function handlerAsset(scope: Construct, id: string, which: keyof typeof HANDLERS): { filename: string; sourceCodeHash: string; handler: string } {
  const h = HANDLERS[which];
  const built = bundle(h.file);
  const asset = new TerraformAsset(scope, id, { path: built.zipPath, type: AssetType.FILE });
  // The zip is deterministic, so its base64 SHA-256 (what Lambda reports) changes only with the code.
  return { filename: asset.path, sourceCodeHash: built.sha256, handler: h.handler };
}
