import { platforms } from '../../accounts/catalogue';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDefaults } from '../../accounts/defaults';
import { accountSources, loadAccounts } from '../../accounts';
import { AccountConfigError, AccountSource, formatProblem, layer, resolveAccounts } from '../../accounts/schema';
import { staging } from '../../accounts/staging';

/** staging's overrides with `changes` layered in, as the folder `folder`. */
function source(folder: string, changes: Record<string, unknown> = {}): AccountSource {
  return { folder, overrides: layer({ ...staging, name: folder }, changes) };
}

/** The formatted problems `resolveAccounts` reports for `sources`. */
function problemsOf(...sources: AccountSource[]): string[] {
  try {
    resolveAccounts(sources, sharedDefaults);
  } catch (error) {
    if (error instanceof AccountConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('account config validation', () => {
  it('accepts the real accounts', () => {
    const names = loadAccounts().map((a) => a.name);
    expect(names).toEqual(accountSources.map((s) => s.folder));
    // Every folder under accounts/ is an account listed in accounts/index.ts, and the other way round.
    const folders = readdirSync(join(__dirname, '../../accounts'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect([...names].sort()).toEqual(folders.sort());
  });

  it('layers an account over the shared defaults', () => {
    const [prod] = loadAccounts(accountSources.filter((s) => s.folder === 'production'));
    expect(prod.region).toBe('ap-northeast-1'); // from the defaults
    expect(prod.tags.team).toBe('platform'); // from the defaults
    expect(prod.tags.costCenter).toBe('CC-2100'); // the account's own
  });

  it('refuses an account id that is not 12 digits', () => {
    expect(problemsOf(source('staging', { accountId: '12345' }))).toEqual([
      'accounts/staging: accountId: got "12345", expected a 12-digit AWS account id as a string',
    ]);
  });

  it('refuses an unknown region', () => {
    expect(problemsOf(source('staging', { region: 'ap-northeast-9' }))).toEqual([
      expect.stringMatching(/^accounts\/staging: region: got "ap-northeast-9", expected one of "us-east-1", .*"ap-northeast-1"/),
    ]);
  });

  it('refuses two accounts with the same name', () => {
    expect(problemsOf(source('staging'), source('staging', { accountId: '444444444444' }))).toContain(
      'accounts/staging: name: got "staging", expected a value no other account has (accounts/staging has it)',
    );
  });

  it('refuses two accounts with the same id', () => {
    expect(problemsOf(source('staging'), source('qa'))).toContain(
      'accounts/qa: accountId: got "222222222222", expected a value no other account has (accounts/staging has it)',
    );
  });

  it('refuses a missing required field', () => {
    const { state: _state, ...withoutState } = staging;
    expect(problemsOf({ folder: 'staging', overrides: withoutState })).toEqual([
      'accounts/staging: state: got nothing, expected an object (required)',
    ]);
  });

  it('refuses an unknown key and suggests the one meant', () => {
    expect(problemsOf(source('staging', { regoin: 'ap-northeast-1' }))).toEqual([
      expect.stringMatching(/^accounts\/staging: regoin: got "ap-northeast-1", expected no such key \(did you mean "region"\?\); allowed keys: name, accountId, region, /),
    ]);
  });

  it('refuses a wrong type', () => {
    expect(problemsOf(source('staging', { accountId: 222222222222 }))).toEqual([
      'accounts/staging: accountId: got 222222222222, expected a 12-digit AWS account id as a string',
    ]);
  });

  it('refuses an empty string where a name is needed', () => {
    expect(problemsOf(source('staging', { tags: { team: '' } }))).toEqual([
      'accounts/staging: tags.team: got "", expected a non-empty string',
    ]);
  });

  it('refuses a name that differs from the folder', () => {
    expect(problemsOf({ folder: 'staging', overrides: { ...staging, name: 'stage' } })).toEqual([
      'accounts/staging: name: got "stage", expected the folder name "staging"',
    ]);
  });

  it('lists every problem of every account in one run', () => {
    const problems = problemsOf(
      source('staging', { accountId: 'x', environment: 'prod' }),
      source('sandbox', { state: { bucket: 'Bad_Bucket' }, accountId: '444444444444' }),
    );
    expect(problems).toEqual([
      'accounts/staging: accountId: got "x", expected a 12-digit AWS account id as a string',
      'accounts/staging: environment: got "prod", expected one of "production", "staging", "sandbox"',
      'accounts/sandbox: state.bucket: got "Bad_Bucket", expected an S3 bucket name (3-63 of a-z, 0-9, -)',
    ]);
  });

  it('takes the Fastly 5xx traffic floor from monitoring thresholds, and refuses a misspelt one', () => {
    const [account] = resolveAccounts([source('staging', { monitoring: { thresholds: { fastly: { minimumRequests: 1200 } } } })], sharedDefaults);
    expect(account.monitoring.thresholds?.fastly?.minimumRequests).toBe(1200);
    expect(problemsOf(source('staging', { monitoring: { thresholds: { fastly: { minRequests: 5 } } } }))).toEqual([
      'accounts/staging: monitoring.thresholds.fastly.minRequests: got 5, expected no such key; allowed keys: http5xxPercent, minimumRequests, hitRatioPercent, originLatencySeconds',
    ]);
  });

  it('reads a service\'s host routes, feature split and certificates, and refuses what Fastly would not take', () => {
    const cdn = (changes: Record<string, unknown>) => [{ ...staging.cdn![0], ...changes }];
    const [account] = resolveAccounts([source('staging', { cdn: cdn({ tls: false }) })], sharedDefaults);
    expect(account.cdn[0].tls).toBe(false);
    expect(problemsOf(source('staging', { cdn: cdn({ tls: { certificateAuthority: 'digicert', hostedZoneId: 'zone' } }) }))).toEqual([
      expect.stringMatching(/^accounts\/staging: cdn\[0\]\.tls\.certificateAuthority: got "digicert", expected one of .*lets-encrypt/),
      'accounts/staging: cdn[0].tls.hostedZoneId: got "zone", expected a Route 53 hosted zone id',
    ]);
    expect(problemsOf(source('staging', { cdn: cdn({ featureRoutes: [{ name: 'x', queryParam: 'x', backend: 'customer_canary', percent: 101 }], hostRoutes: [{ hots: 'a', backend: 'partner' }] }) }))).toEqual([
      expect.stringMatching(/^accounts\/staging: cdn\[0\]\.featureRoutes\[0\]\.percent: got 101, expected /),
      expect.stringMatching(/^accounts\/staging: cdn\[0\]\.hostRoutes\[0\]\.hots: got "a", expected no such key \(did you mean "host"\?\)/),
      expect.stringMatching(/^accounts\/staging: cdn\[0\]\.hostRoutes\[0\]\.host: got nothing/),
    ]);
  });

  it('refuses a typo deep inside an app, with its path', () => {
    const apps = [{ name: 'web', solutionStackName: platforms.python, environments: [{ name: 'web-stg', certificateArn: 'arn:aws:acm:x', instanceType: 't3.small' }] }];
    expect(problemsOf(source('staging', { apps }))).toEqual([
      expect.stringMatching(/^accounts\/staging: apps\[0\]\.environments\[0\]\.instanceType: got "t3.small", expected no such key \(did you mean "instanceTypes"\?\)/),
    ]);
  });

  it('refuses a database client that is not an app of the account', () => {
    const apps = [{ name: 'restaurant', solutionStackName: platforms.python, environments: [{ name: 'restaurant-stg', certificateArn: 'arn:aws:acm:x' }] }];
    const aurora = [{ name: 'db', engine: 'aurora-mysql', engineVersion: '8.0.mysql_aurora.3.08.0', clients: ['restaurnt'] }];
    expect(problemsOf(source('staging', { apps, cdn: [], mail: [], monitoring: { slos: [] }, databases: { aurora, sqlServer: [] } }))).toEqual([
      'accounts/staging: databases.aurora[0].clients[0]: got "restaurnt", expected the name of an app in this account: restaurant',
    ]);
  });

  it('refuses an FSx witness or an RDS directory join in an account without a directory', () => {
    const alwaysOn = {
      imageId: 'ami-0f9e8d7c6b5a49382',
      nodes: [
        { availabilityZone: 'ap-northeast-1a', primaryIp: '10.20.64.10', clusterIp: '10.20.64.11', listenerIp: '10.20.64.12' },
        { availabilityZone: 'ap-northeast-1c', primaryIp: '10.20.80.10', clusterIp: '10.20.80.11', listenerIp: '10.20.80.12' },
      ],
      witness: { fsx: {} },
    };
    const sqlServer = [
      { name: 'core', mode: 'ec2-always-on', alwaysOn },
      { name: 'other', mode: 'rds', rds: { edition: 'se', engineVersion: '16.00.4165.4.v1', joinDirectory: true } },
    ];
    expect(problemsOf(source('staging', { databases: { aurora: [], sqlServer } }))).toEqual([
      'accounts/staging: databases.sqlServer[0].alwaysOn.witness.fsx: got "an FSx witness", expected a `directory` in this account for the witness to join (or witness.sharePath)',
      'accounts/staging: databases.sqlServer[1].rds.joinDirectory: got true, expected a `directory` in this account to join',
    ]);
  });

  it('refuses two apps with the same name', () => {
    const app = { name: 'web', solutionStackName: platforms.python, environments: [{ name: 'web-stg', certificateArn: 'arn:aws:acm:x' }] };
    expect(problemsOf(source('staging', { apps: [app, app], cdn: [], mail: [], databases: { aurora: [], sqlServer: [] } }))).toEqual([
      'accounts/staging: apps[1]: got "web", expected a unique value (apps[0] has it already)',
    ]);
  });

  it('refuses a mail sender that is not an app, and a path without its provider settings', () => {
    const mail = [{ name: 'customer', provider: 'ses', senders: ['hotel-customr'] }];
    expect(problemsOf(source('staging', { mail }))).toEqual([
      'accounts/staging: mail[0].ses: got nothing, expected the ses settings, and no settings for the other provider',
    ]);
    const withSettings = [{ ...mail[0], ses: { domain: 'x.example.jp' } }];
    expect(problemsOf(source('staging', { mail: withSettings }))).toEqual([
      'accounts/staging: mail[0].senders[0]: got "hotel-customr", expected the name of an app in this account: hotel-customer, hotel-partner, restaurant',
    ]);
  });

  it('never echoes the value of a secret-looking field', () => {
    const [message] = problemsOf(source('staging', { datadog: { apiKey: 'abcd1234secretvalue' } }));
    expect(message).toContain('datadog.apiKey: got <redacted>');
    expect(message).not.toContain('abcd1234secretvalue');
  });
});
