import { sharedDefaults } from '../../accounts/defaults';
import { production } from '../../accounts/production';
import { staging } from '../../accounts/staging';
import { AccountConfigError, formatProblem, layer, resolveAccounts } from '../../accounts/schema';
import { Testing } from 'cdktf';
import { evaluate } from '../../policies/engine';
import { rulesIn } from '../../policies/packs';
import { stackOf } from '../../policies/rule';
import { AccountStack } from '../../stacks/account-stack';
import { TerraformJson, resourcesOf, testAccount } from '../helpers';

/** The environment settings of one Beanstalk environment, as `namespace/name -> value`. */
function settingsOf(json: TerraformJson, environment: string): Record<string, string> {
  const env = Object.values(resourcesOf(json, 'aws_elastic_beanstalk_environment')).find((e) => e.name === environment)!;
  return Object.fromEntries((env.setting as Array<{ namespace: string; name: string; value: string }>).map((s) => [`${s.namespace}/${s.name}`, s.value]));
}
const APP_ENV = 'aws:elasticbeanstalk:application:environment';
const APP_SECRETS = 'aws:elasticbeanstalk:application:environmentsecrets';

describe('caches in the account stack', () => {
  const stack = new AccountStack(Testing.app(), { account: testAccount({ ...production }) });
  const json = stack.toTerraform() as TerraformJson;
  const declaring = production.apps!.filter((a) => a!.caches?.includes('hotel-session')).map((a) => a!.name!);

  it('production declares the cache for the hotel apps only', () => {
    expect(declaring.sort()).toEqual(['hotel-customer', 'hotel-operator', 'hotel-partner']);
  });

  it('gives every environment of a declaring app the endpoint, the port and its own user', () => {
    for (const app of production.apps!) {
      for (const env of app!.environments!) {
        const s = settingsOf(json, env!.name!);
        if (declaring.includes(app!.name!)) {
          expect(s[`${APP_ENV}/CACHE_ENDPOINT_HOTEL_SESSION`]).toMatch(/aws_elasticache_replication_group\..*\.primary_endpoint_address/);
          expect(s[`${APP_ENV}/CACHE_PORT_HOTEL_SESSION`]).toBe('6379');
          expect(s[`${APP_ENV}/CACHE_USER_HOTEL_SESSION`]).toBe(`hotel-session-${app!.name}`);
        } else {
          expect(Object.keys(s).filter((k) => k.includes('CACHE_'))).toEqual([]);
        }
      }
    }
  });

  it('admits exactly the declaring apps\' instance security groups, in the isolated subnets', () => {
    const rules = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).filter((r) => r.from_port === 6379);
    const environments = production.apps!.filter((a) => declaring.includes(a!.name!)).flatMap((a) => a!.environments!);
    expect(rules).toHaveLength(environments.length);
    const subnetGroup = Object.values(resourcesOf(json, 'aws_elasticache_subnet_group'))[0];
    expect(subnetGroup.subnet_ids.every((s: string) => /aws_subnet\.network_isolated/.test(s))).toBe(true);
  });

  it('lets each declaring app connect with IAM, and no other app', () => {
    const policies = Object.entries(resourcesOf(json, 'aws_iam_role_policy')).filter(([, p]) => String(p.policy).includes('elasticache:Connect'));
    expect(policies.map(([name]) => name.replace(/^cache-hotel-session_connect-(.*)_[0-9A-F]{8}$/, '$1')).sort()).toEqual(declaring.sort());
  });

  it('monitors the cache in the catalogue', () => {
    const monitors = Object.values(resourcesOf(json, 'datadog_monitor')).filter((m) => (m.tags as string[]).includes('target:hotel-session'));
    expect(monitors.length).toBe(7);
  });

  it('takes the monitors\' thresholds from account config', () => {
    const account = testAccount({ monitoring: { thresholds: { cache: { memoryPercent: 70, replicationLagSeconds: 5 } } } });
    const j = new AccountStack(Testing.app(), { account }).toTerraform() as TerraformJson;
    const queries = Object.values(resourcesOf(j, 'datadog_monitor')).map((m) => String(m.query)).filter((q) => q.includes('aws.elasticache.'));
    expect(queries.find((q) => q.includes('database_memory_usage_percentage'))).toMatch(/ > 70$/);
  });

  it('passes a password secret by ARN, never its value', () => {
    const arn = 'arn:aws:secretsmanager:ap-northeast-1:222222222222:secret:hotel/cache-password-AbCdEf';
    const account = testAccount({ caches: [{ name: 'hotel-session', auth: { mode: 'password', passwordSecretArn: arn } }] });
    const j = new AccountStack(Testing.app(), { account }).toTerraform() as TerraformJson;
    const s = settingsOf(j, 'hotel-customer-stg');
    expect(s[`${APP_SECRETS}/CACHE_AUTH_HOTEL_SESSION`]).toBe(arn);
    expect(s[`${APP_ENV}/CACHE_USER_HOTEL_SESSION`]).toBe('hotel-session-app');
  });

  it.each([
    ['password', { mode: 'password', passwordSecretArn: 'arn:aws:secretsmanager:ap-northeast-1:222222222222:secret:hotel/cache-password-AbCdEf' }],
    ['auth-token', { mode: 'auth-token', tokenSecretArn: 'arn:aws:secretsmanager:ap-northeast-1:222222222222:secret:hotel/cache-token-GhIjKl' }],
  ] as const)('the policy packs refuse auth mode %s: its secret is read at plan time, which the CI plan role may not (bootstrap NoSecrets)', (_mode, auth) => {
    const j = new AccountStack(Testing.app(), { account: testAccount({ caches: [{ name: 'hotel-session', auth }] }) }).toTerraform() as TerraformJson;
    const violations = evaluate(stackOf('staging', j), rulesIn(['baseline']), []).violations.filter((v) => v.rule.id === 'CACHE-AUTH-PLANNABLE');
    expect(violations.map((v) => v.resource.path)).toEqual([expect.stringMatching(/hotel-session\/(app-user|replication-group)$/)]);
  });

  it('the policy packs pass the default IAM auth (nothing read at plan time)', () => {
    const j = new AccountStack(Testing.app(), { account: testAccount({}) }).toTerraform() as TerraformJson;
    expect(evaluate(stackOf('staging', j), rulesIn(['baseline']), []).violations.filter((v) => v.rule.id === 'CACHE-AUTH-PLANNABLE')).toEqual([]);
  });
});

describe('cache config validation', () => {
  const problems = (changes: Record<string, unknown>) => {
    try {
      resolveAccounts([{ folder: 'staging', overrides: layer(staging, changes) }], sharedDefaults);
    } catch (error) {
      if (error instanceof AccountConfigError) return error.problems.map(formatProblem);
      throw error;
    }
    return [];
  };

  it('refuses an app that declares a cache the account does not have', () => {
    expect(problems({ caches: [] })).toContain('accounts/staging: apps[0].caches[0]: got "hotel-session", expected the name of a cache in this account: none');
  });

  it('refuses a cache threshold that could never alert', () => {
    expect(problems({ monitoring: { thresholds: { cache: { memoryPercent: 100 } } } }).join('\n')).toMatch(/monitoring\.thresholds\.cache\.memoryPercent: got 100/);
  });

  it('refuses a secret ARN that does not match the auth mode', () => {
    const p = problems({ caches: [{ name: 'hotel-session', auth: { mode: 'iam', tokenSecretArn: 'arn:aws:secretsmanager:ap-northeast-1:222222222222:secret:t' } }] });
    expect(p.join('\n')).toMatch(/caches\[0\]\.auth\.mode: got "iam", expected passwordSecretArn with "password" only, tokenSecretArn with "auth-token" only/);
  });

  it('refuses a secret ARN of another account (the rule over every ARN in the config)', () => {
    const p = problems({ caches: [{ name: 'hotel-session', auth: { mode: 'auth-token', tokenSecretArn: 'arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:t' } }] });
    expect(p).toContain('accounts/staging: caches[0].auth.tokenSecretArn: got an ARN of secretsmanager in account 111111111111, expected an ARN in this account (222222222222) and region (ap-northeast-1)');
  });

  it('refuses a secret value in place of its ARN, without echoing it', () => {
    const p = problems({ caches: [{ name: 'hotel-session', auth: { mode: 'password', passwordSecretArn: 'hunter2-hunter2-hunter2' } }] }).join('\n');
    expect(p).toMatch(/caches\[0\]\.auth\.passwordSecretArn: got/);
    expect(p).not.toContain('hunter2');
  });
});
