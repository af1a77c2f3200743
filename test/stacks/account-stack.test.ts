import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { production } from '../../accounts/production';
import { errorOf, synthAccount, testAccount } from '../helpers';
import { DATADOG_FASTLY_API_KEY_VARIABLE } from '../../stacks/account-stack';
import { loadVclFolder } from '../../stacks/vcl-files';
import { AccountOverrides, DATADOG_SITES } from '../../accounts/schema';
import { accountSources } from '../../accounts';

describe('AccountStack', () => {
  const account = testAccount({ name: 'staging' });
  const json = synthAccount(account);
  const aws = json.provider.aws[0];

  it('pins the AWS provider to the account and its region', () => {
    expect(aws.allowed_account_ids).toEqual(['222222222222']);
    expect(aws.region).toBe('ap-northeast-1');
  });

  it('assumes the plan role unless ci_role says apply', () => {
    expect(json.variable.ci_role.default).toBe('plan');
    expect(json.variable.ci_role.validation[0].condition).toBe('${contains(["plan", "apply"], var.ci_role)}');
    const roleArn: string = aws.assume_role[0].role_arn;
    expect(roleArn).toContain('"plan" = "arn:aws:iam::222222222222:role/infra-ci-plan"');
    expect(roleArn).toContain('"apply" = "arn:aws:iam::222222222222:role/infra-ci-apply"');
    expect(roleArn).toMatch(/\[var\.ci_role\]\}$/);
    expect(aws.assume_role[0].session_name).toBe('cdktf-staging');
  });

  it('tags every resource through default_tags', () => {
    expect(aws.default_tags[0].tags).toEqual({
      Environment: 'staging',
      Account: 'staging',
      ManagedBy: 'cdktf',
      Repository: 'example-co/infrastructure',
      Team: 'platform',
      CostCenter: 'CC-2200',
    });
  });

  it('keeps state in the account bucket, encrypted, with S3-native locking', () => {
    expect(json.terraform.backend.s3).toEqual({
      bucket: 'example-co-tfstate-222222222222',
      key: 'staging/terraform.tfstate',
      region: 'ap-northeast-1',
      encrypt: true,
      use_lockfile: true,
      allowed_account_ids: ['222222222222'],
    });
    expect(json.terraform.backend.s3.dynamodb_table).toBeUndefined();
  });

  it('derives the state key from the stack name', () => {
    const other = synthAccount(testAccount({ name: 'qa', cdn: [], monitoring: { slos: [] } }));
    expect(other.terraform.backend.s3.key).toBe('qa/terraform.tfstate');
  });

  it('configures Datadog from the environment only: no key in the JSON', () => {
    expect(json.provider.datadog).toEqual([{ api_url: 'https://api.ap1.datadoghq.com/' }]);
    expect(JSON.stringify(json)).not.toMatch(/app_key/);
    // The only api_key is the Fastly token Datadog reads stats with: a sensitive variable.
    const keys = [...JSON.stringify(json).matchAll(/"api_key":"([^"]*)"/g)].map((m) => m[1]);
    expect(keys).toEqual([`\${var.${DATADOG_FASTLY_API_KEY_VARIABLE}}`]);
    expect(json.variable[DATADOG_FASTLY_API_KEY_VARIABLE].sensitive).toBe(true);
  });

  it('declares the Datadog provider only where the account has Datadog resources', () => {
    const quiet = synthAccount(testAccount({ name: 'qa', cdn: [], monitoring: { enabled: false, slos: [] } }));
    expect(quiet.provider.datadog).toBeUndefined();
    expect(quiet.resource.datadog_monitor).toBeUndefined();
  });

  it('pins provider versions', () => {
    expect(json.terraform.required_providers.aws.version).toMatch(/^6\./);
    expect(json.terraform.required_providers.datadog.version).toMatch(/^3\./);
  });
});

describe('AccountStack: what runs in the account', () => {
  const json = synthAccount(testAccount({ name: 'production', accountId: '111111111111', environment: 'production', ...productionWorkloads() }));
  const resources = (type: string) => Object.entries(json.resource?.[type] ?? {}) as Array<[string, Record<string, any>]>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('turns on EBS encryption by default for the account', () => {
    expect(resources('aws_ebs_encryption_by_default').map(([, r]) => r.enabled)).toEqual([true]);
  });

  it('builds the network, apps and databases the config lists', () => {
    expect(resources('aws_vpc').map(([, r]) => r.cidr_block)).toEqual(['10.10.0.0/16']);
    expect(resources('aws_elastic_beanstalk_environment').map(([, r]) => r.name).sort()).toEqual(['hotel-customer-canary', 'hotel-customer-prod', 'hotel-operator-prod', 'hotel-partner-prod', 'restaurant-prod']);
    expect(resources('aws_rds_cluster').map(([, r]) => r.cluster_identifier).sort()).toEqual(['booking-events', 'restaurant']);
    expect(resources('aws_instance')).toHaveLength(2);
  });

  it('uses production defaults in a production account', () => {
    for (const [, cluster] of resources('aws_rds_cluster')) expect(cluster.deletion_protection).toBe(true);
  });

  it('admits exactly the client apps to each database', () => {
    const rules = resources('aws_vpc_security_group_ingress_rule').filter(([id]) => id.startsWith('aurora-restaurant'));
    expect(rules).toHaveLength(1);
    expect(rules[0][1].referenced_security_group_id).toMatch(/aws_security_group\.app-restaurant_restaurant-prod-instance-sg/);
  });

  it('places databases in isolated subnets and Always On nodes in private ones', () => {
    const [[, group]] = resources('aws_db_subnet_group').filter(([id]) => id.startsWith('aurora-restaurant'));
    for (const id of group.subnet_ids) expect(id).toMatch(/aws_subnet\.network_isolated-/);
    for (const [, eni] of resources('aws_network_interface')) expect(eni.subnet_id).toMatch(/aws_subnet\.network_private-/);
  });
});

function productionWorkloads() {
  const { network, apps, databases, cdn } = production;
  return { network, apps, databases, cdn };
}

describe('AccountStack: Fastly', () => {
  const json = synthAccount(testAccount({ name: 'production', accountId: '111111111111', environment: 'production', ...productionWorkloads() }));
  const service = Object.values(json.resource.fastly_service_vcl)[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('fronts the apps: Beanstalk environments and the images bucket are the backends', () => {
    const addresses = service.backend.map((b: { name: string; address: string }) => [b.name, b.address]);
    expect(addresses).toEqual(
      expect.arrayContaining([
        ['customer', expect.stringMatching(/aws_elastic_beanstalk_environment\.app-hotel-customer_hotel-customer-prod_.*\.cname/)],
        ['customer_canary', expect.stringMatching(/hotel-customer-canary_.*\.cname/)],
        ['images', 'example-hotel-images-production.s3.ap-northeast-1.amazonaws.com'],
      ]),
    );
  });

  it('loads every VCL file of the service\'s one source folder, vcl/<service>/', () => {
    const folder = join(__dirname, '../../vcl', production.cdn![0].vclFolder!);
    const files = readdirSync(folder).filter((f) => f.endsWith('.vcl')).map((f) => f.slice(0, -'.vcl'.length)).sort();
    expect(files).toContain('main');
    expect(service.vcl.map((v: { name: string }) => v.name)).toEqual(files);
  });

  it('sends Fastly\'s logs to the Datadog region of the account\'s site', () => {
    for (const site of DATADOG_SITES) {
      const logs = Object.values(synthAccount(testAccount({ name: 'production', accountId: '111111111111', environment: 'production', datadog: { site }, ...productionWorkloads() })).resource.fastly_service_vcl)[0] as { logging_datadog: { region: string }[] };
      expect([site, logs.logging_datadog[0].region]).toEqual([site, { 'datadoghq.com': 'US', 'us3.datadoghq.com': 'US3', 'us5.datadoghq.com': 'US5', 'datadoghq.eu': 'EU1', 'ap1.datadoghq.com': 'AP1' }[site]]);
    }
  });

  it('takes the Datadog log key from a sensitive variable', () => {
    expect(json.variable.fastly_datadog_logs_token).toMatchObject({ sensitive: true, type: 'string' });
    expect(service.logging_datadog[0].token).toBe('${var.fastly_datadog_logs_token}');
  });
});

describe('AccountStack: VCL folder', () => {
  it('refuses a folder with no main.vcl, naming the account and field', () => {
    const cdn = [{ ...production.cdn![0], vclFolder: 'missing' }];
    expect(errorOf(() => synthAccount(testAccount({ name: 'production', accountId: '111111111111', environment: 'production', ...productionWorkloads(), cdn })))).toContain(
      'accounts/production: cdn[0].vclFolder: got "missing", expected a folder vcl/missing/ holding main.vcl (found no VCL files)',
    );
  });

  it('takes an account\'s override of a file (tried there before it replaces the shared one), and keeps the others', () => {
    const root = mkdtempSync(join(tmpdir(), 'vcl-'));
    mkdirSync(join(root, 'vcl', 'hotel'), { recursive: true });
    mkdirSync(join(root, 'accounts', 'staging', 'vcl', 'hotel'), { recursive: true });
    writeFileSync(join(root, 'vcl', 'hotel', 'main.vcl'), 'shared main');
    writeFileSync(join(root, 'vcl', 'hotel', 'errors.vcl'), 'shared errors');
    writeFileSync(join(root, 'accounts', 'staging', 'vcl', 'hotel', 'errors.vcl'), 'staging errors');
    expect(loadVclFolder('staging', 0, 'hotel', root)).toEqual([
      { name: 'errors', path: join('accounts', 'staging', 'vcl', 'hotel', 'errors.vcl'), content: 'staging errors' },
      { name: 'main', path: join('vcl', 'hotel', 'main.vcl'), content: 'shared main' },
    ]);
    expect(loadVclFolder('production', 0, 'hotel', root).map((f) => f.content)).toEqual(['shared errors', 'shared main']);
  });
});

describe('Accounts: one VCL source per service', () => {
  // Derived from the folders: no account keeps a whole copy of a service's VCL.
  const accountsDir = join(__dirname, '../../accounts');
  const overrides = readdirSync(accountsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const vcl = join(accountsDir, d.name, 'vcl');
      try {
        return readdirSync(vcl).map((service) => [d.name, service, readdirSync(join(vcl, service))] as const);
      } catch {
        return [];
      }
    });
  it('an account folder holds overrides only, never its own main.vcl copy of a service', () => {
    expect(overrides.filter(([, , files]) => files.includes('main.vcl')).map(([a, s]) => `${a}/${s}`)).toEqual([]);
  });

  const vclRoot = join(__dirname, '../../vcl');
  const serviceVcl = readdirSync(vclRoot).map((service) => [service, readdirSync(join(vclRoot, service)).filter((f) => f.endsWith('.vcl')).map((f) => readFileSync(join(vclRoot, service, f), 'utf8')).join('\n')] as const);

  it.each(serviceVcl)('%s: every request header the VCL sets for the origin is in the cache key', (_service, vcl) => {
    const set = [...vcl.matchAll(/^\s*set (req\.http\.[\w-]+)\s*=/gm)].map((m) => m[1]);
    const hashed = [...vcl.matchAll(/^\s*set req\.hash \+= (req\.http\.[\w-]+);/gm)].map((m) => m[1]);
    expect(set.filter((h) => !hashed.includes(h))).toEqual([]);
  });

  it.each(serviceVcl)('%s: stale-if-error and stale-while-revalidate come from the props, not the VCL', (_service, vcl) => {
    expect(vcl).not.toMatch(/beresp\.stale_(if_error|while_revalidate)\s*=/);
  });

  it('the partner domain goes to the partner backend wherever an account serves it', () => {
    for (const { overrides } of accountSources) {
      for (const cdn of (overrides as AccountOverrides).cdn ?? []) {
        for (const domain of cdn.domains.filter((d) => d.startsWith('partner.'))) {
          expect(cdn.hostRoutes).toContainEqual({ host: domain, backend: 'partner' });
        }
      }
    }
  });
});
