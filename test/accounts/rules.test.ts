import { images, platforms } from '../../accounts/catalogue';
import { sharedDefaults } from '../../accounts/defaults';
import { accountSources, loadAccounts } from '../../accounts';
import { imageConsumerProblems, imagePlatformProblems } from '../../accounts/rules';
import { AVAILABILITY_ZONES } from '../../accounts/availability-zones';
import { ACCOUNT_TIERS } from '../../accounts/registry';
import { AccountConfigError, AccountSource, formatProblem, layer, resolveAccounts } from '../../accounts/schema';

const real = (folder: string): AccountSource => {
  const source = accountSources.find((s) => s.folder === folder);
  if (!source) throw new Error(`no account ${folder} in accounts/index.ts`);
  return source;
};

/** The real account in `folder` with `changes` layered in. */
const edited = (folder: string, changes: Record<string, unknown>): AccountSource => ({ folder, overrides: layer(real(folder).overrides, changes) });

/** The formatted problems of all real accounts, with `replacements` in place of some of them. */
function problemsOf(...replacements: AccountSource[]): string[] {
  const sources = accountSources.map((s) => replacements.find((r) => r.folder === s.folder) ?? s);
  sources.push(...replacements.filter((r) => !accountSources.some((s) => s.folder === r.folder)));
  try {
    resolveAccounts(sources, sharedDefaults);
  } catch (error) {
    if (error instanceof AccountConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

const tierOf = (folder: string) => ACCOUNT_TIERS[(real(folder).overrides as { accountId: string }).accountId];

describe('environment tied to the account id (accounts/registry.ts)', () => {
  it('registers every account of accounts/index.ts with the tier its file declares', () => {
    for (const s of accountSources) expect(tierOf(s.folder)).toBe((s.overrides as { environment: string }).environment);
  });

  it('refuses a production account downgraded to sandbox, naming account and field', () => {
    expect(problemsOf(edited('production', { environment: 'sandbox' }))).toEqual([
      'accounts/production: environment: got "sandbox", expected "production": account 111111111111 is registered as production in accounts/registry.ts (a lower tier drops that tier\'s protections; it needs environmentOverride: { from: "production", reason })',
    ]);
  });

  it('accepts the downgrade with an explicit override and its reason', () => {
    const override = { environment: 'sandbox', environmentOverride: { from: 'production', reason: 'Account being emptied before closure (CHG-1234)' } };
    expect(problemsOf(edited('production', override))).toEqual([]);
  });

  it('refuses an override that names the wrong tier, one without a reason, and one that overrides nothing', () => {
    expect(problemsOf(edited('production', { environment: 'sandbox', environmentOverride: { from: 'staging', reason: 'Account being emptied' } }))).toEqual([
      'accounts/production: environmentOverride.from: got "staging", expected "production", the tier account 111111111111 is registered with',
    ]);
    expect(problemsOf(edited('production', { environment: 'sandbox', environmentOverride: { from: 'production', reason: 'why' } }))).toEqual([
      'accounts/production: environmentOverride.reason: got "why", expected a reason of 10 characters or more',
    ]);
    expect(problemsOf(edited('staging', { environmentOverride: { from: 'staging', reason: 'Left over from a test' } }))).toEqual([
      'accounts/staging: environmentOverride: got "staging", expected no override: environment "staging" is not below the registered tier "staging"',
    ]);
  });

  it('refuses an account id that is not registered', () => {
    expect(problemsOf(edited('sandbox', { accountId: '999999999999' }))).toContainEqual(
      expect.stringMatching(/^accounts\/sandbox: accountId: got "999999999999", expected an account id registered with its tier in accounts\/registry.ts/),
    );
  });
});

describe('a copy of staging with only its name and id changed', () => {
  it('is refused, naming each value it shares with staging', () => {
    // Exactly what a new user does: copy the folder, change name and accountId.
    const staging = real('staging').overrides as Record<string, unknown>;
    const copy: AccountSource = { folder: 'qa', overrides: { ...staging, name: 'qa', accountId: '444444444444' } };
    const problems = problemsOf(copy).filter((p) => p.startsWith('accounts/qa: '));
    const paths = problems.map((p) => p.split(': ')[1]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'accountId', // not registered
        'state.bucket',
        'network.cidrBlock',
        'apps[0].environments[0].cnamePrefix',
        'apps[0].environments[1].cnamePrefix',
        'apps[1].environments[0].cnamePrefix',
        'apps[2].environments[0].cnamePrefix',
        'cdn[0].domains[0]',
        'apps[0].environments[0].certificateArn',
        'apps[0].environments[0].secrets.ConnectionStrings__Core',
        'apps[2].environments[0].secrets.DATABASE_URL',
      ]),
    );
    expect(problems).toContain('accounts/qa: state.bucket: got "example-co-tfstate-222222222222", expected a value no other account or environment has (accounts/staging has it at state.bucket)');
    expect(problems).toContain('accounts/qa: network.cidrBlock: got "10.20.0.0/16", expected a range that overlaps no other account\'s VPC (accounts/staging has 10.20.0.0/16)');
    expect(problems).toContain('accounts/qa: cdn[0].domains[0]: got "www.stg.example-hotel.jp", expected a value no other account or environment has (accounts/staging has it at cdn[0].domains[0])');
    expect(problems).toContain('accounts/qa: apps[0].environments[0].certificateArn: got an ARN of acm in account 222222222222, expected an ARN in this account (444444444444) and region (ap-northeast-1)');
  });
});

describe('values unique across accounts', () => {
  it('refuses a VPC range that overlaps another account\'s, even partly', () => {
    expect(problemsOf(edited('sandbox', { network: { cidrBlock: '10.20.128.0/17' } }))).toEqual([
      'accounts/sandbox: network.cidrBlock: got "10.20.128.0/17", expected a range that overlaps no other account\'s VPC (accounts/staging has 10.20.0.0/16)',
    ]);
  });

  it('refuses a Fastly domain another account serves, whatever its case', () => {
    const cdn = (real('staging').overrides as { cdn: Array<Record<string, unknown>> }).cdn.map((c) => ({ ...c, domains: ['WWW.example-hotel.jp'] }));
    expect(problemsOf(edited('staging', { cdn }))).toEqual([
      'accounts/staging: cdn[0].domains[0]: got "www.example-hotel.jp", expected a value no other account or environment has (accounts/production has it at cdn[0].domains[0])',
    ]);
  });

  it('refuses a Beanstalk CNAME prefix another account uses (Beanstalk CNAMEs are global per region)', () => {
    const apps = (real('staging').overrides as { apps: Array<{ environments: Array<Record<string, unknown>> }> }).apps.map((a, i) =>
      i === 0 ? { ...a, environments: a.environments.map((e, j) => (j === 0 ? { ...e, cnamePrefix: 'hotel-customer-prod' } : e)) } : a,
    );
    expect(problemsOf(edited('staging', { apps }))).toEqual([
      'accounts/staging: apps[0].environments[0].cnamePrefix: got "hotel-customer-prod", expected a value no other account or environment has (accounts/production has it at apps[0].environments[0].cnamePrefix)',
    ]);
  });

  it('refuses a state bucket another account uses', () => {
    expect(problemsOf(edited('sandbox', { state: { bucket: 'example-co-tfstate-111111111111' } }))).toEqual([
      'accounts/sandbox: state.bucket: got "example-co-tfstate-111111111111", expected a value no other account or environment has (accounts/production has it at state.bucket)',
    ]);
  });
});

describe('values AWS will refuse', () => {
  it('refuses an availability zone the region does not offer our accounts (accounts/availability-zones.ts)', () => {
    const offered = AVAILABILITY_ZONES['ap-northeast-1'];
    expect(problemsOf(edited('sandbox', { network: { availabilityZones: [offered[0], 'ap-northeast-1b'] } }))).toEqual([
      `accounts/sandbox: network.availabilityZones[1]: got "ap-northeast-1b", expected a zone ap-northeast-1 offers our accounts: ${offered.join(', ')} (accounts/availability-zones.ts)`,
    ]);
  });

  it('refuses a region with no catalogued zones rather than guessing', () => {
    expect(problemsOf(edited('sandbox', { region: 'eu-west-1' }))).toContainEqual(
      expect.stringMatching(/^accounts\/sandbox: region: got "eu-west-1", expected a region whose zones are catalogued in accounts\/availability-zones.ts/),
    );
  });

  // The AWS provider validates cidr_ipv4 and the VPC cidr_block as network addresses:
  // internal/service/ec2/vpc_security_group_ingress_rule.go (IPv4CIDRNetworkAddress).
  it('refuses CIDR blocks with host bits set or an invalid prefix', () => {
    const apps = [{ name: 'ops', solutionStackName: platforms.python, environments: [{ name: 'ops-sbx', certificateArn: 'arn:aws:acm:ap-northeast-1:333333333333:certificate/x', allowedCidrs: ['10.0.0.1/8', '192.168.0.0/33', '172.16.0.0/12'] }] }];
    expect(problemsOf(edited('sandbox', { network: { cidrBlock: '10.30.0.1/16' }, apps }))).toEqual([
      'accounts/sandbox: network.cidrBlock: got "10.30.0.1/16", expected an IPv4 CIDR block "a.b.c.d/n" with n from 0 to 32 and the host bits zero (e.g. "10.0.0.0/8", not "10.0.0.1/8")',
      'accounts/sandbox: apps[0].environments[0].allowedCidrs[0]: got "10.0.0.1/8", expected an IPv4 CIDR block "a.b.c.d/n" with n from 0 to 32 and the host bits zero (e.g. "10.0.0.0/8", not "10.0.0.1/8")',
      'accounts/sandbox: apps[0].environments[0].allowedCidrs[1]: got "192.168.0.0/33", expected an IPv4 CIDR block "a.b.c.d/n" with n from 0 to 32 and the host bits zero (e.g. "10.0.0.0/8", not "10.0.0.1/8")',
    ]);
  });

  it('refuses fixed IPs outside the VPC, in another zone\'s subnet, or reserved by AWS', () => {
    const production = real('production').overrides as { databases: { sqlServer: Array<{ alwaysOn: { nodes: Array<Record<string, string>> } }> } };
    const [db] = production.databases.sqlServer;
    const nodes = db.alwaysOn.nodes.map((n, i) => (i === 0 ? { ...n, primaryIp: '10.99.64.10', clusterIp: '10.10.80.20', listenerIp: '10.10.64.1' } : n));
    const problems = problemsOf(edited('production', { databases: { ...production.databases, sqlServer: [{ ...db, alwaysOn: { ...db.alwaysOn, nodes } }] } }));
    const expected = 'an address of the private subnet of ap-northeast-1a (10.10.64.0/20, inside the VPC 10.10.0.0/16), not its first four or its last (AWS reserves them)';
    expect(problems).toEqual([
      `accounts/production: databases.sqlServer[0].alwaysOn.nodes[0].primaryIp: got "10.99.64.10", expected ${expected}`,
      `accounts/production: databases.sqlServer[0].alwaysOn.nodes[0].clusterIp: got "10.10.80.20", expected ${expected}`,
      `accounts/production: databases.sqlServer[0].alwaysOn.nodes[0].listenerIp: got "10.10.64.1", expected ${expected}`,
    ]);
  });

  it('refuses an ARN of another region, without echoing the ARN', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:333333333333:certificate/secret-looking-name';
    const apps = [{ name: 'ops', solutionStackName: platforms.python, environments: [{ name: 'ops-sbx', certificateArn }] }];
    const problems = problemsOf(edited('sandbox', { apps }));
    expect(problems).toEqual([
      'accounts/sandbox: apps[0].environments[0].certificateArn: got an ARN of acm in region us-east-1, expected an ARN in this account (333333333333) and region (ap-northeast-1)',
    ]);
  });
});

describe('thresholds that would disable alerting', () => {
  it.each([
    ['beanstalk', 'http5xxPercent', 101, 'a number above 0 and below 100'],
    ['beanstalk', 'http5xxPercent', 100, 'a number above 0 and below 100'],
    ['fastly', 'hitRatioPercent', 0, 'a number above 0 and below 100'],
    ['beanstalk', 'http5xxPercent', -1, 'a number above 0 and below 100'],
    ['beanstalk', 'p95LatencySeconds', 0, 'a number above 0'],
    ['fastly', 'originLatencySeconds', -2, 'a number above 0'],
    ['mail', 'bounceRate', 1, 'a number above 0 and below 1'],
    // SQS deletes a dead letter after MAIL_DEAD_LETTER_RETENTION_SECONDS (14 days): an older age never comes.
    ['mail', 'deadLetterAgeSeconds', 14 * 86400, `a number above 0 and below ${14 * 86400}`],
    ['mail', 'functionErrors', -1, 'a number of at least 0'],
  ])('refuses %s.%s = %p', (group, field, value, expected) => {
    const problems = problemsOf(edited('staging', { monitoring: { thresholds: { [group]: { [field]: value } } } }));
    expect(problems).toEqual([`accounts/staging: monitoring.thresholds.${group}.${field}: got ${value}, expected ${expected}`]);
  });
});

describe('secret-safe errors', () => {
  it('never echoes a wrong value in a secrets map, whatever its key', () => {
    const apps = [{ name: 'ops', solutionStackName: platforms.python, environments: [{ name: 'ops-sbx', certificateArn: 'arn:aws:acm:ap-northeast-1:333333333333:certificate/x', secrets: { DATABASE_URL: 'postgres://admin:hunter2hunter2@db/x', EMPTY: '' } }] }];
    const problems = problemsOf(edited('sandbox', { apps }));
    const expected = 'a Secrets Manager secret or SSM parameter ARN (never the secret itself)';
    expect(problems).toEqual([
      `accounts/sandbox: apps[0].environments[0].secrets.DATABASE_URL: got <redacted>, expected ${expected}`,
      `accounts/sandbox: apps[0].environments[0].secrets.EMPTY: got <redacted>, expected ${expected}`,
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('never echoes a credential-looking value in any field', () => {
    const problems = problemsOf(edited('sandbox', { tags: { team: 'AKIAABCDEFGHIJKLMNOP', extra: 'AKIAABCDEFGHIJKLMNOP' } }));
    expect(problems).toEqual([expect.stringMatching(/^accounts\/sandbox: tags.extra: got <redacted: looks like a credential>, expected no such key/)]);
  });
});

describe('image pipelines and the accounts that launch their AMIs', () => {
  const pipelinesOf = (folder: string) => (real(folder).overrides as { imagePipelines?: Array<{ name: string; image: string; shareWith?: string[] }> }).imagePipelines ?? [];
  const builder = accountSources.find((s) => pipelinesOf(s.folder).length > 0)!.folder;

  it('shares every pipeline with every other account that launches its AMI (else launches fail at apply)', () => {
    expect(imageConsumerProblems(loadAccounts())).toEqual([]);
  });

  it('the loader refuses a pipeline that does not share with an account launching its AMI (npm start fails, not the apply)', () => {
    const imagePipelines = pipelinesOf(builder).map((p) => ({ ...p, shareWith: [] }));
    const problems = problemsOf(edited(builder, { imagePipelines }));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^accounts/${builder}: imagePipelines\\[0\\]\\.shareWith: got \\[\\], expected every other account that launches images\\.\\w+ \\(ami-\\w+\\); missing: \\w`))]);
  });

  it('catches a pipeline that does not share with an account launching its AMI', () => {
    const accounts = loadAccounts().map((a) => (a.name === builder ? { ...a, imagePipelines: a.imagePipelines!.map((p) => ({ ...p, shareWith: [] })) } : a));
    const problems = imageConsumerProblems(accounts).map(formatProblem);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^accounts/${builder}: imagePipelines\\[0\\]\\.shareWith: got \\[\\], expected every other account that launches images\\.\\w+ \\(ami-\\w+\\); missing: `));
  });

  it('refuses a pipeline writing to an entry the catalogue does not have, and a bad account id', () => {
    const imagePipelines = pipelinesOf(builder).map((p) => ({ ...p, image: 'windowsNightly', shareWith: ['2222'] }));
    expect(problemsOf(edited(builder, { imagePipelines })).join('\n')).toMatch(/imagePipelines\[0\]\.image: got "windowsNightly", expected one of .*\n.*imagePipelines\[0\]\.shareWith\[0\]: got "2222", expected a 12-digit AWS account id as a string/);
  });

  it('shares each pipeline only with registered accounts', () => {
    for (const p of pipelinesOf(builder)) for (const id of p.shareWith ?? []) expect(Object.keys(ACCOUNT_TIERS)).toContain(id);
  });

  // A Beanstalk custom AMI is built from the base AMI of the platform version its
  // environments run: https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html
  it('builds each pipeline on the platform every app launching its AMI runs, in every account', () => {
    expect(imagePlatformProblems(loadAccounts())).toEqual([]);
    const pipelines = loadAccounts().flatMap((a) => a.imagePipelines ?? []);
    const launching = loadAccounts().flatMap((a) => a.apps).filter((app) => pipelines.some((p) => app.imageId === images[p.image]));
    expect(launching.length).toBeGreaterThan(0);
  });

  it('the loader refuses an app on a pipeline\'s AMI that runs another platform than the pipeline builds on', () => {
    const [p] = pipelinesOf(builder) as Array<{ name: string; image: keyof typeof images; platform: keyof typeof platforms }>;
    const other = Object.entries(platforms).find(([key]) => key !== p.platform)!;
    const consumer = loadAccounts().find((a) => a.name !== builder && a.apps.some((app) => app.imageId === images[p.image]))!;
    const apps = (real(consumer.name).overrides as { apps: Array<{ imageId?: string }> }).apps.map((app) => (app.imageId === images[p.image] ? { ...app, solutionStackName: other[1] } : app));
    const at = apps.findIndex((app) => app.imageId === images[p.image]);
    expect(problemsOf(edited(consumer.name, { apps }))).toContain(
      `accounts/${consumer.name}: apps[${at}].solutionStackName: got "${other[1]}", expected platforms.${p.platform} ("${platforms[p.platform]}"): the platform accounts/${builder} pipeline ${p.name} builds images.${p.image} on`,
    );
  });

  it('refuses a pipeline on a platform the catalogue has no base AMI for', () => {
    const imagePipelines = pipelinesOf(builder).map((p) => ({ ...p, platform: 'windowsCore' }));
    expect(problemsOf(edited(builder, { imagePipelines })).join('\n')).toMatch(/imagePipelines\[0\]\.platform: got "windowsCore", expected one of "windowsIis"/);
  });
});

describe('sizes AWS offers in the region (accounts/instance-types.ts)', () => {
  type Db = { alwaysOn?: object; rds?: object };
  const overridesOf = (folder: string) => real(folder).overrides as {
    apps: Array<{ environments: Array<Record<string, unknown>> }>;
    caches?: Array<Record<string, unknown>>;
    databases: { sqlServer?: Db[]; aurora?: Array<Record<string, unknown>> };
  };
  // The accounts that have each kind of database, found in accounts/index.ts.
  const withDb = (has: (o: ReturnType<typeof overridesOf>) => boolean) => accountSources.find((s) => has(overridesOf(s.folder)))!.folder;
  const alwaysOn = withDb((o) => (o.databases.sqlServer ?? []).some((d) => d.alwaysOn));
  const rds = withDb((o) => (o.databases.sqlServer ?? []).some((d) => d.rds));
  const aurora = withDb((o) => (o.databases.aurora ?? []).length > 0);
  const cached = withDb((o) => (o.caches ?? []).length > 0);
  const refused = (path: string, got: string, list: string, example: string) =>
    expect.stringMatching(new RegExp(`: ${path.replace(/[[\].]/g, '\\$&')}: got "${got.replace(/\./g, '\\.')}", expected one of .*\\b${example.replace(/\./g, '\\.')}\\b.* \\(accounts/instance-types\\.ts ${list}, ap-northeast-1, refreshed \\d{4}-\\d{2}-\\d{2}\\)$`));

  it('refuses an EC2 instance type AWS does not have (Beanstalk instanceTypes, Always On nodes)', () => {
    const o = overridesOf(alwaysOn);
    const apps = o.apps.map((app, i) => (i === 0 ? { ...app, environments: app.environments.map((e, j) => (j === 0 ? { ...e, instanceTypes: ['t3.gigantic'] } : e)) } : app));
    const sqlServer = o.databases.sqlServer!.map((d) => (d.alwaysOn ? { ...d, alwaysOn: { ...d.alwaysOn, instanceType: 'r6i.colossal' } } : d));
    const i = sqlServer.findIndex((d) => d.alwaysOn);
    expect(problemsOf(edited(alwaysOn, { apps, databases: { sqlServer } }))).toEqual([
      refused('apps[0].environments[0].instanceTypes[0]', 't3.gigantic', 'ec2', 't3.large'),
      refused(`databases.sqlServer[${i}].alwaysOn.instanceType`, 'r6i.colossal', 'ec2', 'r6i.2xlarge'),
    ]);
  });

  it('refuses a DB instance class AWS does not have (RDS for SQL Server, Aurora)', () => {
    const sqlServer = overridesOf(rds).databases.sqlServer!.map((d) => (d.rds ? { ...d, rds: { ...d.rds, instanceClass: 'db.m6i.giant' } } : d));
    const auroraDbs = overridesOf(aurora).databases.aurora!.map((d, i) => (i === 0 ? { ...d, serverlessV2: undefined, instanceClass: 'db.r6g.huge' } : d));
    const problems = problemsOf(edited(rds, { databases: { sqlServer } }), edited(aurora, { databases: { aurora: auroraDbs } }));
    expect(problems).toEqual(expect.arrayContaining([
      refused(`databases.sqlServer[${sqlServer.findIndex((d) => d.rds)}].rds.instanceClass`, 'db.m6i.giant', 'rdsSqlServer', 'db.m6i.xlarge'),
      refused('databases.aurora[0].instanceClass', 'db.r6g.huge', 'aurora', 'db.r6g.large'),
    ]));
    expect(problems).toHaveLength(2);
  });

  it('refuses a cache node type AWS does not have', () => {
    const caches = overridesOf(cached).caches!.map((c) => ({ ...c, nodeType: 'cache.t4g.huge' }));
    expect(problemsOf(edited(cached, { caches }))).toEqual(caches.map((_, i) => refused(`caches[${i}].nodeType`, 'cache.t4g.huge', 'elasticache', 'cache.r7g.large')));
  });
});
