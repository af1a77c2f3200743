import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { production } from '../../accounts/production';
import { errorOf, resourcesOf, synthAccount, testAccount } from '../helpers';
import { DATADOG_FASTLY_API_KEY_VARIABLE, DIRECTORY_ADMIN_PASSWORD_VARIABLE } from '../../stacks/account-stack';
import { loadVclFolder } from '../../stacks/vcl-files';
import { AccountOverrides, DATADOG_SITES } from '../../accounts/schema';
import { accountSources, loadAccounts } from '../../accounts';
import { platformBaseAmis, platforms } from '../../accounts/catalogue';

describe('AccountStack', () => {
  const account = testAccount({ name: 'staging' });
  const json = synthAccount(account);
  const aws = json.provider.aws[0];

  it('pins the AWS provider to the account and its region', () => {
    expect(aws.allowed_account_ids).toEqual(['222222222222']);
    expect(aws.region).toBe('ap-northeast-1');
  });

  it('assumes the plan role by default, the named role for "plan"/"apply", and nothing for "current" (CI)', () => {
    expect(json.variable.ci_role.default).toBe('plan');
    expect(json.variable.ci_role.validation[0].condition).toBe('${contains(["plan", "apply", "current"], var.ci_role)}');
    expect(aws.assume_role).toBeUndefined();
    const block = aws.dynamic.assume_role;
    expect(block.for_each).toBe('${var.ci_role == "current" ? [] : [var.ci_role]}');
    const roleArn: string = block.content.role_arn;
    expect(roleArn).toContain('"plan" = "arn:aws:iam::222222222222:role/infra-ci-plan"');
    expect(roleArn).toContain('"apply" = "arn:aws:iam::222222222222:role/infra-ci-apply"');
    expect(roleArn).toMatch(/, assume_role\.value\)\}$/);
    expect(block.content.session_name).toBe('cdktf-staging');
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
      kms_key_id: 'arn:aws:kms:ap-northeast-1:222222222222:alias/terraform-state',
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

describe('AccountStack: the directory SQL Server joins', () => {
  const json = synthAccount(testAccount({ name: 'production', accountId: '111111111111', environment: 'production', ...productionWorkloads() }));
  const [[directoryId, directory]] = Object.entries(json.resource.aws_directory_service_directory) as Array<[string, Record<string, any>]>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('creates the directory in two private subnets of the stack\'s own VPC, and the VPC resolves its domain', () => {
    expect(directory.vpc_settings.vpc_id).toMatch(/^\$\{aws_vpc\.network_vpc_\w+\.id\}$/);
    expect(directory.vpc_settings.subnet_ids).toHaveLength(2);
    for (const id of directory.vpc_settings.subnet_ids) expect(id).toMatch(/aws_subnet\.network_private-/);
    const association = Object.values(json.resource.aws_vpc_dhcp_options_association)[0] as { vpc_id: string };
    expect(association.vpc_id).toBe(directory.vpc_settings.vpc_id);
    const options = Object.values(json.resource.aws_vpc_dhcp_options)[0] as { domain_name_servers: string };
    expect(options.domain_name_servers).toContain(`aws_directory_service_directory.${directoryId}.dns_ip_addresses`);
  });

  it('joins the FSx witness to that directory, not to an id from elsewhere', () => {
    const witness = Object.values(json.resource.aws_fsx_windows_file_system)[0] as { active_directory_id: string };
    expect(witness.active_directory_id).toBe(`\${aws_directory_service_directory.${directoryId}.id}`);
  });

  it('takes the Admin password from a sensitive variable with the API\'s password rules; no password in the JSON', () => {
    const variable = json.variable[DIRECTORY_ADMIN_PASSWORD_VARIABLE];
    expect(variable).toMatchObject({ type: 'string', sensitive: true });
    expect(variable.default).toBeUndefined();
    expect(variable.validation[0].condition).toContain('length(var.directory_admin_password) >= 8');
    expect(variable.validation[0].condition).toContain('"admin"');
    expect(directory.password).toBe(`\${var.${DIRECTORY_ADMIN_PASSWORD_VARIABLE}}`);
  });

  it('declares no directory and no password variable where the account has no directory', () => {
    const staging = synthAccount(testAccount());
    expect(staging.resource.aws_directory_service_directory).toBeUndefined();
    expect(staging.variable?.[DIRECTORY_ADMIN_PASSWORD_VARIABLE]).toBeUndefined();
  });
});

describe('AccountStack: every log group, including those AWS services would create themselves', () => {
  const json = synthAccount(testAccount({ name: 'production', accountId: '111111111111', environment: 'production', ...productionWorkloads() }));
  const groups = Object.values(json.resource.aws_cloudwatch_log_group) as Array<{ name: string; kms_key_id?: string; retention_in_days?: number }>;
  const names = groups.map((g) => g.name);

  it('is encrypted with the account logs key and has a retention', () => {
    for (const g of groups) {
      expect([g.name, g.kms_key_id]).toEqual([g.name, expect.stringMatching(/^\$\{aws_kms_key\.logs-key\.arn\}$/)]);
      expect([g.name, g.retention_in_days]).toEqual([g.name, expect.any(Number)]);
    }
  });

  it('covers what Beanstalk and RDS stream to: each environment, each Aurora cluster export and each RDS instance export', () => {
    for (const env of Object.values(json.resource.aws_elastic_beanstalk_environment) as Array<{ name: string }>) {
      expect(names).toContain(`/aws/elasticbeanstalk/${env.name}/environment-health.log`);
    }
    for (const cluster of Object.values(json.resource.aws_rds_cluster) as Array<{ cluster_identifier: string; enabled_cloudwatch_logs_exports: string[] }>) {
      for (const log of cluster.enabled_cloudwatch_logs_exports) expect(names).toContain(`/aws/rds/cluster/${cluster.cluster_identifier}/${log}`);
    }
    for (const db of Object.values(json.resource.aws_db_instance ?? {}) as Array<{ identifier: string; enabled_cloudwatch_logs_exports: string[] }>) {
      for (const log of db.enabled_cloudwatch_logs_exports) expect(names).toContain(`/aws/rds/instance/${db.identifier}/${log}`);
    }
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html: the key
  // policy lets logs.<region>.amazonaws.com use the key, limited by the encryption context.
  it('lets CloudWatch Logs of this account and region, and nothing else, use the logs key', () => {
    const policy = JSON.parse((json.resource.aws_kms_key['logs-key'] as { policy: string }).policy);
    const logs = policy.Statement.find((st: { Principal: { Service?: string } }) => st.Principal.Service === 'logs.ap-northeast-1.amazonaws.com');
    expect(logs.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:ap-northeast-1:111111111111:log-group:*' } });
  });
});

describe('AccountStack: RDS SQL Server log groups', () => {
  it('pre-creates the RDS instance log groups of an RDS SQL Server (staging)', () => {
    const json = synthAccount(testAccount());
    const names = (Object.values(json.resource.aws_cloudwatch_log_group) as Array<{ name: string }>).map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['/aws/rds/instance/hotel-core/agent', '/aws/rds/instance/hotel-core/error']));
  });
});

function productionWorkloads() {
  const { network, apps, databases, cdn, directory } = production;
  return { network, apps, databases, cdn, directory };
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
    const hashed = [...vcl.matchAll(/^\s*set req\.hash \+= (req\.http\.[\w-]+);/gm)].map((m) => m[1]);
    // A header set to a keyed header's value carries nothing the key does not.
    const set = [...vcl.matchAll(/^\s*set (req\.http\.[\w-]+)\s*=\s*([^;]*);/gm)].filter((m) => !hashed.includes(m[2].trim())).map((m) => m[1]);
    expect(set.filter((h) => !hashed.includes(h))).toEqual([]);
  });

  // The origin renders from the header it reads (Accept-Language), not from the one the
  // cache keys on (X-Lang): the header a keyed value is derived from must reach the origin
  // as that keyed value, or a "fr" visitor fills the "en" object with a French page.
  it.each(serviceVcl)('%s: a header the cache key is derived from reaches the origin as the keyed value', (_service, vcl) => {
    const hashed = [...vcl.matchAll(/^\s*set req\.hash \+= (req\.http\.[\w-]+);/gm)].map((m) => m[1]);
    const derived = [...vcl.matchAll(/if \((req\.http\.[\w-]+) ~[^)]*\) \{\s*set (req\.http\.[\w-]+) =/g)].filter((m) => hashed.includes(m[2]) && m[1] !== m[2]);
    for (const [, source, keyed] of derived) expect(vcl).toContain(`set ${source} = ${keyed};`);
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

// Elastic Beanstalk custom AMIs are made from the platform's own AMI for the version the
// environments run, not from a plain Windows Server (AWS's SSM parameter):
// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html
describe('AccountStack: image pipelines start from the Beanstalk platform base AMI (accounts/catalogue.ts)', () => {
  const builders = loadAccounts().filter((a) => (a.imagePipelines ?? []).length > 0);

  it('has a pipeline to check', () => {
    expect(builders.length).toBeGreaterThan(0);
  });

  it.each(builders.map((a) => [a.name, a] as const))('%s: each recipe\'s parent_image is the catalogue\'s base AMI of its platform', (_name, account) => {
    const recipes = Object.values(resourcesOf(synthAccount(account), 'aws_imagebuilder_image_recipe'));
    expect(recipes.map((r) => [r.name, r.parent_image])).toEqual(account.imagePipelines!.map((p) => [p.name, platformBaseAmis[p.platform]]));
    for (const r of recipes) expect(r.parent_image).not.toMatch(/^ssm:/);
    for (const [r, p] of recipes.map((x, i) => [x, account.imagePipelines![i]] as const)) expect(r.description).toContain(platforms[p.platform]);
  });
});
