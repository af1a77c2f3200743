import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAccounts } from '../../accounts';
import { images, platformBaseAmis, platforms } from '../../accounts/catalogue';
import type { AccountConfig } from '../../accounts/schema';
import {
  AwsReader, ImagePackage, ImageSummary, PipelineTarget, PlatformDescription, baseAmiOf, builderAccount, editCatalogue, newestSolutionStack, newestSuccessfulImage, packageChanges, pipelineTargets, planBump, platformArn, pullRequestBody, runBump,
} from '../../tools/image-bump';

/**
 * Fixtures are AWS API responses in the shapes the AWS CLI prints them:
 * imagebuilder ListImagePipelineImages (imageSummaryList), ListImagePackages
 * (imagePackageList), elasticbeanstalk ListAvailableSolutionStacks (SolutionStacks),
 * DescribePlatformVersion (PlatformDescription, with CustomAmiList).
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ListImagePipelineImages.html
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ListImagePackages.html
 * https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_ListAvailableSolutionStacks.html
 * https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_DescribePlatformVersion.html
 */
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures/image-bump', name), 'utf8'));
const allImages: ImageSummary[] = fixture('pipeline-images.json').imageSummaryList;
const [failed, november, october] = allImages;
const packages: Record<string, ImagePackage[]> = { [october.arn]: fixture('packages-1.json').imagePackageList, [november.arn]: fixture('packages-2.json').imagePackageList };
const stacks: string[] = fixture('solution-stacks.json').SolutionStacks;
const windows2191: PlatformDescription = fixture('platform-version-windows-2.19.1.json').PlatformDescription;
const descriptions: Record<string, PlatformDescription> = { [windows2191.PlatformArn!]: windows2191 };
const catalogue = { images, platforms, platformBaseAmis };
const catalogueFile = readFileSync(join(__dirname, '../../accounts/catalogue.ts'), 'utf8');
const accounts = loadAccounts();

/** An AwsReader over fixtures: pipeline ARN -> images. */
function fakeAws(byPipeline: Record<string, readonly ImageSummary[]>, solutionStacks: readonly string[] = []): AwsReader {
  return {
    pipelineImages: (arn) => byPipeline[arn] ?? [],
    imagePackages: (arn) => packages[arn],
    imageOfAmi: (ami, list) => list.find((i) => i.outputResources?.amis?.some((a) => a.image === ami)),
    solutionStacks: () => solutionStacks,
    // Unknown ARN: DescribePlatformVersion answers nothing useful (the bump must refuse it).
    platformVersion: (arn, region) => (arn.startsWith(`arn:aws:elasticbeanstalk:${region}::`) ? descriptions[arn] ?? {} : {}),
  };
}

const targets = pipelineTargets(accounts);
const windows = targets.find((t) => t.image === 'windowsMonthly')!;

describe('tools/image-bump: picking', () => {
  it('finds the pipelines in the account config (the builder account, ARN from its id and region)', () => {
    const builder = builderAccount(accounts);
    expect(windows).toEqual({ account: builder.name, region: builder.region, image: 'windowsMonthly', platform: builder.imagePipelines![0].platform, pipelineArn: `arn:aws:imagebuilder:${builder.region}:${builder.accountId}:image-pipeline/${builder.imagePipelines![0].name}` });
  });

  it('names the one account whose read-only role the workflow assumes, and refuses none or several', () => {
    expect(builderAccount(accounts).imagePipelines!.length).toBeGreaterThan(0);
    const builder = builderAccount(accounts);
    expect(() => builderAccount(accounts.filter((a) => a !== builder))).toThrow('expected exactly one account with imagePipelines, got none');
    expect(() => builderAccount([builder, { ...builder, name: 'tooling' }])).toThrow(`got ${builder.name}, tooling`);
  });

  it('says when Image Builder has no inventory to compare', () => {
    expect(packageChanges(undefined, undefined)).toEqual(['  - packages: not reported (no OS inventory for this image)']);
    expect(packageChanges(undefined, packages[november.arn])).toEqual(['  - packages: 4 in the image (the previous image has no inventory to compare with)']);
    expect(packageChanges(packages[november.arn], packages[november.arn])).toEqual(['  - packages: no change in the OS inventory']);
  });

  it('takes the newest AVAILABLE image with an AMI in the region', () => {
    expect(newestSuccessfulImage([october, november], 'ap-northeast-1')).toEqual({ image: november, amiId: 'ami-0c4d5e6f7a8b9c0d1' });
    expect(newestSuccessfulImage([october, november], 'us-east-1')).toBeUndefined();
  });

  it('skips a failed newest build: the older successful image stays the candidate', () => {
    expect(newestSuccessfulImage(allImages, 'ap-northeast-1')?.image).toBe(november);
    expect(newestSuccessfulImage([failed], 'ap-northeast-1')).toBeUndefined();
  });

  it('keeps Beanstalk platforms on their branch (same OS and runtime), newest version', () => {
    expect(newestSolutionStack('64bit Windows Server 2022 v2.18.0 running IIS 10.0', stacks)).toBe('64bit Windows Server 2022 v2.19.1 running IIS 10.0');
    // v4.7.0 runs Python 3.11: another branch.
    expect(newestSolutionStack('64bit Amazon Linux 2023 v4.6.0 running Python 3.12', stacks)).toBe('64bit Amazon Linux 2023 v4.6.0 running Python 3.12');
    expect(() => newestSolutionStack('Windows latest', stacks)).toThrow('platform "Windows latest" is not "64bit <os> v<x.y.z> running <runtime>"');
  });
});

describe('tools/image-bump: the bump', () => {
  it('new image: bumps the catalogue entry, lists the image, the failed build skipped and the package changes', () => {
    const changes = planBump(catalogue, [windows], fakeAws({ [windows.pipelineArn]: allImages }));
    expect(changes.map(({ section, key, from, to }) => ({ section, key, from, to }))).toEqual([{ section: 'images', key: 'windowsMonthly', from: images.windowsMonthly, to: 'ami-0c4d5e6f7a8b9c0d1' }]);
    expect(changes[0].details).toEqual([
      `- image \`windows-iis\` 1.0.251792074/2, built 2026-11-18T02:05:11.000Z by ${windows.pipelineArn} (${windows.account})`,
      '- skipped: 1.0.251792074/3, FAILED (Test phase failed: IisAnswersOnLocalhost), built 2026-12-16T03:12:40.000Z',
      '- what changed (Image Builder\'s OS inventory, against 1.0.251792074/1):',
      '  - Datadog Agent: 7.58.2 -> 7.59.0',
      '  - KB5046616: 1 (new)',
      '  - Microsoft Windows Server 2022 Datacenter: 10.0.20348.2762 -> 10.0.20348.2849',
    ]);
  });

  it('no new image and no newer platform: no change, so no file is edited and no PR is opened', () => {
    const current = { ...catalogue, images: { ...images, windowsMonthly: 'ami-0c4d5e6f7a8b9c0d1' } };
    expect(planBump(current, [windows], fakeAws({ [windows.pipelineArn]: allImages }, [...Object.values(platforms)]))).toEqual([]);
  });

  it('only failed builds since the current image: no change', () => {
    const current = { images: { ...images, windowsMonthly: november.outputResources!.amis![0].image! }, platforms: {}, platformBaseAmis };
    expect(planBump(current, [windows], fakeAws({ [windows.pipelineArn]: [failed, november] }))).toEqual([]);
  });

  it('several accounts: each pipeline bumps its own entry, and the body lists every environment that rolls', () => {
    const other: PipelineTarget = { account: 'tooling', region: 'ap-northeast-1', image: 'sqlServerNode', platform: 'windowsIis', pipelineArn: 'arn:aws:imagebuilder:ap-northeast-1:444444444444:image-pipeline/sql-node' };
    const sqlImage: ImageSummary = { ...november, arn: 'arn:aws:imagebuilder:ap-northeast-1:444444444444:image/sql-node/1.0.0/4', name: 'sql-node', outputResources: { amis: [{ region: 'ap-northeast-1', image: 'ami-0d9e8f7a6b5c4d3e2' }] } };
    const changes = planBump(catalogue, [windows, other], fakeAws({ [windows.pipelineArn]: allImages, [other.pipelineArn]: [sqlImage] }, stacks));
    expect(changes.map((c) => `${c.section}.${c.key}: ${c.to}`)).toEqual([
      'images.windowsMonthly: ami-0c4d5e6f7a8b9c0d1',
      'images.sqlServerNode: ami-0d9e8f7a6b5c4d3e2',
      'platforms.windowsIis: 64bit Windows Server 2022 v2.19.1 running IIS 10.0',
      'platformBaseAmis.windowsIis: ami-07b8c9d0e1f2a3b4c',
    ]);
    const body = pullRequestBody(changes, accounts);
    // Every environment of every account that runs the old AMI, derived from the config.
    const rolling = (a: AccountConfig) => a.apps.filter((app) => app.imageId === images.windowsMonthly).flatMap((app) => app.environments.map((e) => `${a.name}/${e.name}`));
    const expected = accounts.flatMap(rolling);
    expect(new Set(accounts.filter((a) => rolling(a).length > 0).map((a) => a.name)).size).toBeGreaterThan(1);
    expect(body).toContain(`- rolls: ${expected.join(', ')}`);
    expect(body).toContain('`ami-0a1b2c3d4e5f60718` -> `ami-0c4d5e6f7a8b9c0d1`');
    expect(body).toContain('### `platforms.windowsIis`');
  });
});

// A Beanstalk custom AMI starts from the base AMI of the platform version the environments
// run (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html):
// DescribePlatformVersion's CustomAmiList in the region, hvm
// (https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_PlatformDescription.html).
describe('tools/image-bump: the platform base AMI moves with its platform', () => {
  const newWindows = '64bit Windows Server 2022 v2.19.1 running IIS 10.0';

  it('names the platform version\'s ARN from its solution stack, as DescribePlatformVersion answers it', () => {
    expect(platformArn(newWindows, windows.region)).toBe(windows2191.PlatformArn);
    expect(() => platformArn('Windows latest', windows.region)).toThrow('platform "Windows latest" is not "64bit <os> v<x.y.z> running <runtime>"');
  });

  it('takes the hvm AMI of CustomAmiList, and refuses an answer for another platform or without one hvm AMI', () => {
    const arn = windows2191.PlatformArn!;
    expect(baseAmiOf(windows2191, newWindows, arn)).toBe('ami-07b8c9d0e1f2a3b4c');
    expect(() => baseAmiOf(windows2191, platforms.windowsIis, arn)).toThrow(`DescribePlatformVersion ${arn} answered solution stack "${newWindows}", expected "${platforms.windowsIis}"`);
    const pvOnly = { ...windows2191, CustomAmiList: windows2191.CustomAmiList!.filter((a) => a.VirtualizationType !== 'hvm') };
    expect(() => baseAmiOf(pvOnly, newWindows, arn)).toThrow(/CustomAmiList \[\{"VirtualizationType":"pv","ImageId":"ami-0e1f2a3b4c5d6e7f8"\}\] has no single hvm AMI id/);
  });

  it('new platform version: bumps the platform and its base AMI, and names the pipelines that rebuild', () => {
    const changes = planBump(catalogue, [windows], fakeAws({}, stacks));
    expect(changes.map(({ section, key, from, to }) => ({ section, key, from, to }))).toEqual([
      { section: 'platforms', key: 'windowsIis', from: platforms.windowsIis, to: newWindows },
      { section: 'platformBaseAmis', key: 'windowsIis', from: platformBaseAmis.windowsIis, to: 'ami-07b8c9d0e1f2a3b4c' },
    ]);
    expect(changes[1].details[0]).toBe(`- base AMI of \`${newWindows}\` in ${windows.region} (DescribePlatformVersion ${windows2191.PlatformArn}, CustomAmiList, hvm)`);
    const body = pullRequestBody(changes, accounts);
    const builder = builderAccount(accounts);
    expect(body).toContain(`### \`platformBaseAmis.windowsIis\`\n\n\`${platformBaseAmis.windowsIis}\` -> \`ami-07b8c9d0e1f2a3b4c\``);
    expect(body).toContain(`- rolls: ${builder.name}/${builder.imagePipelines![0].name} (image pipeline: new recipe, next build)`);
  });

  it('unchanged platform: the base AMI stays, and DescribePlatformVersion is not asked', () => {
    const asked: string[] = [];
    const aws = { ...fakeAws({}, [...Object.values(platforms)]), platformVersion: (arn: string) => (asked.push(arn), windows2191) };
    expect(planBump(catalogue, [windows], aws)).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('a platform whose DescribePlatformVersion answer has no base AMI: the bump stops, nothing is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-bump-'));
    writeFileSync(join(dir, 'catalogue.ts'), catalogueFile);
    const aws = { ...fakeAws({}, stacks), platformVersion: () => ({ ...windows2191, CustomAmiList: [] }) };
    expect(() => runBump(join(dir, 'catalogue.ts'), join(dir, 'body.md'), accounts, aws)).toThrow('has no single hvm AMI id');
    expect(readFileSync(join(dir, 'catalogue.ts'), 'utf8')).toBe(catalogueFile);
    expect(existsSync(join(dir, 'body.md'))).toBe(false);
  });

  it('refuses a base AMI for a platform no pipeline builds on (no region to ask)', () => {
    expect(() => planBump(catalogue, [], fakeAws({}, stacks))).toThrow('platformBaseAmis.windowsIis holds one region\'s AMI, but the image pipelines building on platforms.windowsIis are in no region');
  });
});

describe('tools/image-bump: editing accounts/catalogue.ts', () => {
  it('rewrites only the changed line; every other byte of the file stays', () => {
    const edited = editCatalogue(catalogueFile, { section: 'images', key: 'windowsMonthly', from: images.windowsMonthly, to: 'ami-0c4d5e6f7a8b9c0d1' });
    const before = catalogueFile.split('\n');
    const after = edited.split('\n');
    expect(after.length).toBe(before.length);
    const differing = before.map((l, i) => [l, after[i]]).filter(([a, b]) => a !== b);
    expect(differing).toEqual([[`  windowsMonthly: '${images.windowsMonthly}',`, "  windowsMonthly: 'ami-0c4d5e6f7a8b9c0d1',"]]);
  });

  it('edits the named section only, and refuses a line that is not there', () => {
    const edited = editCatalogue(catalogueFile, { section: 'platforms', key: 'windowsIis', from: platforms.windowsIis, to: '64bit Windows Server 2022 v2.19.1 running IIS 10.0' });
    expect(edited).toContain("  windowsIis: '64bit Windows Server 2022 v2.19.1 running IIS 10.0',");
    expect(() => editCatalogue(catalogueFile, { section: 'images', key: 'windowsIis', from: platforms.windowsIis, to: 'x' })).toThrow(`accounts/catalogue.ts images has no line "  windowsIis: '${platforms.windowsIis}',"`);
  });
});

describe('tools/image-bump: the run', () => {
  const workspace = () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-bump-'));
    writeFileSync(join(dir, 'catalogue.ts'), catalogueFile);
    return { catalogue: join(dir, 'catalogue.ts'), body: join(dir, 'body.md') };
  };

  it('new image: edits the catalogue and writes the PR body', () => {
    const w = workspace();
    expect(runBump(w.catalogue, w.body, accounts, fakeAws({ [windows.pipelineArn]: allImages }, [...Object.values(platforms)]))).toBe(true);
    expect(readFileSync(w.catalogue, 'utf8')).toBe(catalogueFile.replace(`'${images.windowsMonthly}'`, "'ami-0c4d5e6f7a8b9c0d1'"));
    expect(readFileSync(w.body, 'utf8')).toContain('### `images.windowsMonthly`');
  });

  it('new platform version: edits exactly the platform line and its base AMI line', () => {
    const w = workspace();
    expect(runBump(w.catalogue, w.body, accounts, fakeAws({}, stacks))).toBe(true);
    const before = catalogueFile.split('\n');
    const after = readFileSync(w.catalogue, 'utf8').split('\n');
    expect(after.length).toBe(before.length);
    expect(before.map((l, i) => [l, after[i]]).filter(([a, b]) => a !== b)).toEqual([
      [`  windowsIis: '${platforms.windowsIis}',`, "  windowsIis: '64bit Windows Server 2022 v2.19.1 running IIS 10.0',"],
      [`  windowsIis: '${platformBaseAmis.windowsIis}',`, "  windowsIis: 'ami-07b8c9d0e1f2a3b4c',"],
    ]);
  });

  it('nothing new: touches neither file, so the workflow opens no PR', () => {
    const w = workspace();
    expect(runBump(w.catalogue, w.body, accounts, fakeAws({ [windows.pipelineArn]: [failed, october] }, [...Object.values(platforms)]))).toBe(false);
    expect(readFileSync(w.catalogue, 'utf8')).toBe(catalogueFile);
    expect(existsSync(w.body)).toBe(false);
  });
});
