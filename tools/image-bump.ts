/**
 * The monthly bump: finds the newest successful image of each Image Builder pipeline and the
 * newest Elastic Beanstalk platform version of each platform branch the repository uses (and,
 * with a platform, the platform's base AMI the image pipelines build on), rewrites the lines of accounts/catalogue.ts that changed (nothing else of the file), and
 * writes the pull request body listing what changed.
 *
 *   node dist/tools/image-bump.js builder                       (GITHUB_OUTPUT: account, region, role-arn)
 *   node dist/tools/image-bump.js bump --body image-bump.md      (GITHUB_OUTPUT: changed=true|false)
 *
 * AWS is read with the AWS CLI (read-only calls): imagebuilder list-image-pipeline-images,
 * get-image, list-image-packages; elasticbeanstalk list-available-solution-stacks,
 * describe-platform-version. The decisions are pure functions over those responses, tested
 * on fixtures.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAccounts } from '../accounts';
import { images, platformBaseAmis, platforms } from '../accounts/catalogue';
import type { AccountConfig } from '../accounts/schema';

/** An entry of ListImagePipelineImages' imageSummaryList (the fields used). */
export interface ImageSummary {
  readonly arn: string;
  readonly name?: string;
  readonly version?: string;
  readonly dateCreated?: string;
  readonly state?: { readonly status?: string; readonly reason?: string };
  readonly outputResources?: { readonly amis?: ReadonlyArray<{ readonly region?: string; readonly image?: string; readonly name?: string; readonly accountId?: string }> };
}

/** An entry of ListImagePackages' imagePackageList. */
export interface ImagePackage {
  readonly packageName: string;
  readonly packageVersion: string;
}

/**
 * DescribePlatformVersion's PlatformDescription (the fields used).
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_PlatformDescription.html
 */
export interface PlatformDescription {
  readonly PlatformArn?: string;
  readonly SolutionStackName?: string;
  /** The platform version's own AMIs in the region asked: the base of a custom AMI. */
  readonly CustomAmiList?: ReadonlyArray<{ readonly VirtualizationType?: string; readonly ImageId?: string }>;
}

/** What the bump needs from AWS; the CLI reads it live, tests pass fixtures. */
export interface AwsReader {
  /** ListImagePipelineImages (all pages). */
  pipelineImages(pipelineArn: string): readonly ImageSummary[];
  /** ListImagePackages of an image build version; undefined when not available. */
  imagePackages(imageArn: string): readonly ImagePackage[] | undefined;
  /** The image build version that produced an AMI id, or undefined (older AMIs, other sources). */
  imageOfAmi(amiId: string, images: readonly ImageSummary[]): ImageSummary | undefined;
  /** ListAvailableSolutionStacks' SolutionStacks. */
  solutionStacks(): readonly string[];
  /** DescribePlatformVersion's PlatformDescription, asked in `region`. */
  platformVersion(platformArn: string, region: string): PlatformDescription;
}

/** A pipeline whose newest AMI goes to one `images` entry of the catalogue. */
export interface PipelineTarget {
  readonly account: string;
  readonly pipelineArn: string;
  readonly region: string;
  readonly image: string;
  /** The key of accounts/catalogue.ts `platforms` (and `platformBaseAmis`) it builds on. */
  readonly platform: string;
}

export interface Change {
  readonly section: 'images' | 'platforms' | 'platformBaseAmis';
  readonly key: string;
  readonly from: string;
  readonly to: string;
  /** Markdown lines describing the change (image name, date, packages). */
  readonly details: readonly string[];
}

/** The pipelines of every account, by catalogue entry. */
export function pipelineTargets(accounts: readonly AccountConfig[]): PipelineTarget[] {
  return accounts.flatMap((a) =>
    (a.imagePipelines ?? []).map((p) => ({ account: a.name, region: a.region, image: p.image, platform: p.platform, pipelineArn: `arn:aws:imagebuilder:${a.region}:${a.accountId}:image-pipeline/${p.name}` })),
  );
}

/**
 * The newest image that completed (AVAILABLE) and has an AMI in `region`: a failed or
 * cancelled newest build is skipped, and the previous good one stays the candidate.
 */
export function newestSuccessfulImage(images: readonly ImageSummary[], region: string): { image: ImageSummary; amiId: string } | undefined {
  const good = images
    .filter((i) => i.state?.status === 'AVAILABLE')
    .map((i) => ({ image: i, amiId: i.outputResources?.amis?.find((a) => a.region === region)?.image }))
    .filter((c): c is { image: ImageSummary; amiId: string } => c.amiId !== undefined)
    .sort((a, b) => Date.parse(b.image.dateCreated ?? '') - Date.parse(a.image.dateCreated ?? ''));
  return good[0];
}

// `64bit <os> v<major>.<minor>.<patch> running <runtime>`: the branch is everything but the version.
const STACK = /^(64bit .+) v(\d+)\.(\d+)\.(\d+) running (.+)$/;

/** The newest solution stack of the same platform branch as `current` (itself when none is newer). */
export function newestSolutionStack(current: string, available: readonly string[]): string {
  const m = STACK.exec(current);
  if (!m) throw new Error(`image-bump: platform "${current}" is not "64bit <os> v<x.y.z> running <runtime>"; cannot find its branch`);
  const version = (x: RegExpExecArray) => [Number(x[2]), Number(x[3]), Number(x[4])];
  const newer = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  let best = { name: current, v: version(m) };
  for (const name of available) {
    const o = STACK.exec(name);
    if (o && o[1] === m[1] && o[5] === m[5] && newer(version(o), best.v) > 0) best = { name, v: version(o) };
  }
  return best.name;
}

/**
 * The ARN of an AWS platform version from its solution stack name: `64bit <os> v<x.y.z>
 * running <runtime>` is `arn:aws:elasticbeanstalk:<region>::platform/<runtime> running on
 * 64bit <os>/<x.y.z>`. baseAmiOf checks the answer names the same solution stack, so a
 * wrong ARN fails the bump instead of bumping to another platform's AMI.
 */
export function platformArn(solutionStack: string, region: string): string {
  const m = STACK.exec(solutionStack);
  if (!m) throw new Error(`image-bump: platform "${solutionStack}" is not "64bit <os> v<x.y.z> running <runtime>"; cannot name its ARN`);
  return `arn:aws:elasticbeanstalk:${region}::platform/${m[5]} running on ${m[1]}/${m[2]}.${m[3]}.${m[4]}`;
}

/**
 * The platform version's base AMI for a custom image: the one hvm entry of CustomAmiList
 * (the region's AMI; current instance types are all hvm). Throws when the answer is for
 * another solution stack or has no single hvm AMI id.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html
 */
export function baseAmiOf(description: PlatformDescription, solutionStack: string, arn: string): string {
  if (description.SolutionStackName !== solutionStack) {
    throw new Error(`image-bump: DescribePlatformVersion ${arn} answered solution stack ${JSON.stringify(description.SolutionStackName)}, expected "${solutionStack}"`);
  }
  const hvm = (description.CustomAmiList ?? []).filter((a) => a.VirtualizationType === 'hvm').map((a) => a.ImageId ?? '');
  if (hvm.length !== 1 || !/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(hvm[0])) {
    throw new Error(`image-bump: DescribePlatformVersion ${arn}: CustomAmiList ${JSON.stringify(description.CustomAmiList ?? [])} has no single hvm AMI id; expected one entry { VirtualizationType: "hvm", ImageId: "ami-..." }`);
  }
  return hvm[0];
}

/** Packages added, removed or changed between two images, as Markdown list lines. */
export function packageChanges(before: readonly ImagePackage[] | undefined, after: readonly ImagePackage[] | undefined): string[] {
  if (!after) return ['  - packages: not reported (no OS inventory for this image)'];
  const old = new Map((before ?? []).map((p) => [p.packageName, p.packageVersion]));
  const now = new Map(after.map((p) => [p.packageName, p.packageVersion]));
  const lines = [
    ...[...now].filter(([n, v]) => old.get(n) !== v).map(([n, v]) => (old.has(n) ? `  - ${n}: ${old.get(n)} -> ${v}` : `  - ${n}: ${v} (new)`)),
    ...[...old].filter(([n]) => !now.has(n)).map(([n, v]) => `  - ${n}: ${v} (removed)`),
  ].sort();
  if (!before) return [`  - packages: ${after.length} in the image (the previous image has no inventory to compare with)`];
  return lines.length === 0 ? ['  - packages: no change in the OS inventory'] : lines;
}

/** Every change the bump would make. */
export function planBump(
  catalogue: { readonly images: Readonly<Record<string, string>>; readonly platforms: Readonly<Record<string, string>>; readonly platformBaseAmis: Readonly<Record<string, string>> },
  targets: readonly PipelineTarget[],
  aws: AwsReader,
): Change[] {
  const changes: Change[] = [];
  for (const t of targets) {
    const images = aws.pipelineImages(t.pipelineArn);
    const newest = newestSuccessfulImage(images, t.region);
    const current = catalogue.images[t.image];
    if (!newest || newest.amiId === current) continue;
    const previous = aws.imageOfAmi(current, images);
    const skipped = images.filter((i) => i.state?.status !== 'AVAILABLE' && Date.parse(i.dateCreated ?? '') > Date.parse(newest.image.dateCreated ?? ''));
    changes.push({
      section: 'images',
      key: t.image,
      from: current,
      to: newest.amiId,
      details: [
        `- image \`${newest.image.name ?? '?'}\` ${newest.image.version ?? ''}, built ${newest.image.dateCreated ?? '?'} by ${t.pipelineArn} (${t.account})`,
        ...skipped.map((i) => `- skipped: ${i.version ?? i.arn}, ${i.state?.status}${i.state?.reason ? ` (${i.state.reason})` : ''}, built ${i.dateCreated ?? '?'}`),
        `- what changed (Image Builder's OS inventory${previous ? `, against ${previous.version ?? previous.arn}` : ''}):`,
        ...packageChanges(previous ? aws.imagePackages(previous.arn) : undefined, aws.imagePackages(newest.image.arn)),
      ],
    });
  }
  const stacks = Object.keys(catalogue.platforms).length > 0 ? aws.solutionStacks() : [];
  for (const [key, current] of Object.entries(catalogue.platforms)) {
    const next = newestSolutionStack(current, stacks);
    if (next === current) continue;
    changes.push({ section: 'platforms', key, from: current, to: next, details: ['- same platform branch, newest version Elastic Beanstalk lists'] });
    // A custom AMI starts from the base AMI of the platform version the environments run:
    // the new version's base moves with it, in the region the pipelines build in.
    const base = catalogue.platformBaseAmis[key];
    if (base === undefined) continue;
    const regions = [...new Set(targets.filter((t) => t.platform === key).map((t) => t.region))];
    if (regions.length !== 1) {
      throw new Error(`image-bump: platformBaseAmis.${key} holds one region's AMI, but the image pipelines building on platforms.${key} are in ${regions.join(', ') || 'no region (none builds on it: remove the entry)'}`);
    }
    const arn = platformArn(next, regions[0]);
    const ami = baseAmiOf(aws.platformVersion(arn, regions[0]), next, arn);
    if (ami !== base) {
      const users = targets.filter((t) => t.platform === key);
      changes.push({
        section: 'platformBaseAmis',
        key,
        from: base,
        to: ami,
        details: [
          `- base AMI of \`${next}\` in ${regions[0]} (DescribePlatformVersion ${arn}, CustomAmiList, hvm)`,
          `- the pipelines building on it (${users.map((t) => t.pipelineArn).join(', ')}) take it at their next build; until a build from it is bumped into \`images\`, the apps run the new platform on an image built from the previous base: start the pipeline after this merges (\`aws imagebuilder start-image-pipeline-execution --image-pipeline-arn <arn>\`) and merge the next bump`,
        ],
      });
    }
  }
  return changes;
}

/**
 * Rewrites one `  <key>: '<value>',` line inside `export const <section> = { ... } as const;`
 * (the format test/accounts/catalogue.test.ts keeps): every other byte stays as it was.
 */
export function editCatalogue(text: string, change: Pick<Change, 'section' | 'key' | 'from' | 'to'>): string {
  const block = new RegExp(`^export const ${change.section} = \\{\\n[\\s\\S]*?^\\} as const;$`, 'm').exec(text);
  if (!block) throw new Error(`image-bump: accounts/catalogue.ts has no "export const ${change.section} = { ... } as const;" block`);
  const line = `  ${change.key}: '${change.from}',`;
  const lines = block[0].split('\n');
  const at = lines.indexOf(line);
  if (at < 0) throw new Error(`image-bump: accounts/catalogue.ts ${change.section} has no line "${line}"`);
  lines[at] = `  ${change.key}: '${change.to}',`;
  return text.slice(0, block.index) + lines.join('\n') + text.slice(block.index + block[0].length);
}

/** The pull request body: what changed, and which environments roll. */
export function pullRequestBody(changes: readonly Change[], accounts: readonly AccountConfig[]): string {
  const users = (c: Change) =>
    accounts.flatMap((a) => [
      ...a.apps.filter((app) => (c.section === 'images' ? app.imageId === c.from : app.solutionStackName === c.from)).flatMap((app) => app.environments.map((e) => `${a.name}/${e.name}`)),
      ...(c.section === 'platformBaseAmis' ? (a.imagePipelines ?? []).filter((p) => p.platform === c.key).map((p) => `${a.name}/${p.name} (image pipeline: new recipe, next build)`) : []),
      ...(c.section === 'images' ? a.databases.sqlServer.filter((db) => db.alwaysOn?.imageId === c.from).map((db) => `${a.name}/${db.name} (SQL Server nodes)`) : []),
    ]);
  return [
    '## Monthly image and platform bump',
    '',
    'Generated by `tools/image-bump.ts` (workflow `image-bump.yml`). Each environment below rolls to the new version when this merges (Beanstalk: the deployment policy of the environment); the plan comments show exactly which resources change.',
    '',
    ...changes.flatMap((c) => [
      `### \`${c.section}.${c.key}\``,
      '',
      `\`${c.from}\` -> \`${c.to}\``,
      '',
      ...c.details,
      `- rolls: ${users(c).join(', ') || 'nothing references it'}`,
      '',
    ]),
  ].join('\n');
}

/** Reads AWS with the AWS CLI (credentials from the environment: the workflow's read-only role). */
export class CliAwsReader implements AwsReader {
  constructor(private readonly region: string) {}

  private call(service: string, operation: string, args: string[] = [], region = this.region): Record<string, unknown> {
    return JSON.parse(execFileSync('aws', [service, operation, '--region', region, '--output', 'json', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as Record<string, unknown>;
  }

  pipelineImages(pipelineArn: string): ImageSummary[] {
    // The CLI follows nextToken itself (auto-pagination).
    return (this.call('imagebuilder', 'list-image-pipeline-images', ['--image-pipeline-arn', pipelineArn]).imageSummaryList ?? []) as ImageSummary[];
  }

  imagePackages(imageArn: string): ImagePackage[] | undefined {
    try {
      return (this.call('imagebuilder', 'list-image-packages', ['--image-build-version-arn', imageArn]).imagePackageList ?? []) as ImagePackage[];
    } catch {
      return undefined; // no inventory (e.g. enhanced metadata was off for that build)
    }
  }

  imageOfAmi(amiId: string, images: readonly ImageSummary[]): ImageSummary | undefined {
    return images.find((i) => i.outputResources?.amis?.some((a) => a.image === amiId));
  }

  solutionStacks(): string[] {
    return (this.call('elasticbeanstalk', 'list-available-solution-stacks').SolutionStacks ?? []) as string[];
  }

  platformVersion(platformArn: string, region: string): PlatformDescription {
    return (this.call('elasticbeanstalk', 'describe-platform-version', ['--platform-arn', platformArn], region).PlatformDescription ?? {}) as PlatformDescription;
  }
}

/** The one account that builds images, whose read-only role the workflow assumes. */
export function builderAccount(accounts: readonly AccountConfig[]): AccountConfig {
  const builders = accounts.filter((a) => (a.imagePipelines ?? []).length > 0);
  if (builders.length !== 1) throw new Error(`image-bump: expected exactly one account with imagePipelines, got ${builders.map((a) => a.name).join(', ') || 'none'}`);
  return builders[0];
}

/**
 * Edits the catalogue file and writes the PR body when something changed; leaves both
 * alone otherwise. Returns whether anything changed.
 */
export function runBump(catalogueFile: string, bodyFile: string, accounts: readonly AccountConfig[], aws: AwsReader, catalogue = { images, platforms, platformBaseAmis }): boolean {
  const changes = planBump(catalogue, pipelineTargets(accounts), aws);
  if (changes.length === 0) return false;
  let text = readFileSync(catalogueFile, 'utf8');
  for (const c of changes) text = editCatalogue(text, c);
  writeFileSync(catalogueFile, text);
  writeFileSync(bodyFile, pullRequestBody(changes, accounts));
  return true;
}

function output(name: string, value: string): void {
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${value}\n`);
  process.stdout.write(`${name}=${value}\n`);
}

function main(argv: string[]): void {
  const accounts = loadAccounts();
  const builder = builderAccount(accounts);
  if (argv[0] === 'builder') {
    output('account', builder.accountId);
    output('region', builder.region);
    output('role-arn', `arn:aws:iam::${builder.accountId}:role/${builder.ci.planRole}`);
    return;
  }
  if (argv[0] !== 'bump') throw new Error('usage: image-bump.js builder | bump --body <file>');
  const bodyAt = argv.indexOf('--body');
  const bodyFile = bodyAt >= 0 ? argv[bodyAt + 1] : 'image-bump.md';
  // Run compiled from dist/tools: the text to edit is the source file.
  const changed = runBump(join(__dirname, '../../accounts/catalogue.ts'), bodyFile, accounts, new CliAwsReader(builder.region));
  output('changed', String(changed));
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
