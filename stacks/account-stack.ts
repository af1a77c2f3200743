import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DatadogProvider } from '@cdktf/provider-datadog/lib/provider';
import { Fn, S3Backend, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { AccountConfig } from '../accounts/schema';
import { AuroraCluster } from '../constructs/aurora/aurora-cluster';
import { BeanstalkApp } from '../constructs/beanstalk/beanstalk-app';
import { policyDocument } from '../constructs/core/iam';
import { Suppression, suppress } from '../constructs/core/suppressions';
import { packsFor } from '../policies/packs';
import { PolicyValidation, enforcePolicies } from '../policies/validation';
import { FastlyProvider } from '../constructs/fastly/bindings';
import { FastlyVclService } from '../constructs/fastly/fastly-vcl-service';
import { MailPath } from '../constructs/mail/mail-path';
import { DatadogAwsIntegration } from '../constructs/monitoring/aws-integration';
import { DatadogFastlyIntegration } from '../constructs/monitoring/fastly-integration';
import { Monitoring } from '../constructs/monitoring/monitoring';
import { Monitored, resolveThresholds } from '../constructs/monitoring/spec';
import { Network } from '../constructs/network/network';
import { SqlServerCluster } from '../constructs/sqlserver/sqlserver-cluster';
import { loadVclFolder } from './vcl-files';

export interface AccountStackProps {
  /** The account's validated config (see `accounts/schema.ts`). */
  readonly account: AccountConfig;
  /** The commit being deployed, recorded on Fastly service versions. @default - none */
  readonly commitId?: string;
}

/** The Terraform variable that picks which CI role the AWS provider assumes. */
export const CI_ROLE_VARIABLE = 'ci_role';

/** The sensitive Terraform variable holding the Fastly API token Datadog's Fastly integration reads stats with. */
export const DATADOG_FASTLY_API_KEY_VARIABLE = 'datadog_fastly_api_key';

/**
 * One AWS account as one Terraform stack, named after the account.
 *
 * The AWS provider is pinned to the account (`allowed_account_ids`) and assumes the
 * account's CI role: `plan` (read-only) unless the apply job sets `-var ci_role=apply`,
 * so anyone with base credentials in the account plans with exactly CI's permissions.
 * State lives in the account's own bucket with S3-native locking. The Datadog and Fastly
 * providers (declared only where the account has their resources) read their keys from
 * the environment: no secret is in code or in the JSON.
 */
export class AccountStack extends TerraformStack {
  public readonly account: AccountConfig;
  public readonly awsProvider: AwsProvider;
  /** KMS key for every log group the stack creates. */
  public readonly logsKmsKeyArn: string;
  public readonly network: Network;
  public readonly apps: readonly BeanstalkApp[];
  public readonly auroraClusters: readonly AuroraCluster[];
  public readonly sqlServerClusters: readonly SqlServerCluster[];
  public readonly cdnServices: readonly FastlyVclService[];
  public readonly mailPaths: readonly MailPath[];
  /** Datadog monitors, SLOs and dashboard; undefined where monitoring is off. */
  public readonly monitoring?: Monitoring;
  /** The policy packs this account runs, and their report after synth. */
  public readonly policy: PolicyValidation;

  constructor(scope: Construct, props: AccountStackProps) {
    const { account } = props;
    super(scope, account.name);
    this.account = account;

    new S3Backend(this, {
      bucket: account.state.bucket,
      key: `${account.name}/terraform.tfstate`,
      region: account.region,
      encrypt: true,
      allowedAccountIds: [account.accountId],
    }).addOverride('use_lockfile', true); // cdktf 0.21 has no prop for S3-native locking

    const ciRole = new TerraformVariable(this, CI_ROLE_VARIABLE, {
      type: 'string',
      default: 'plan',
      description: 'Which CI role the AWS provider assumes: "plan" (read-only) or "apply".',
      validation: [
        {
          condition: `\${contains(["plan", "apply"], var.${CI_ROLE_VARIABLE})}`,
          errorMessage: 'ci_role must be "plan" or "apply".',
        },
      ],
    });
    const roleArns = {
      plan: `arn:aws:iam::${account.accountId}:role/${account.ci.planRole}`,
      apply: `arn:aws:iam::${account.accountId}:role/${account.ci.applyRole}`,
    };

    this.awsProvider = new AwsProvider(this, 'aws', {
      region: account.region,
      allowedAccountIds: [account.accountId],
      assumeRole: [{ roleArn: Fn.lookup(roleArns, ciRole.stringValue), sessionName: `cdktf-${account.name}` }],
      defaultTags: [{ tags: accountTags(account) }],
    });


    // Every EBS volume in the account and region is encrypted, including the root volumes
    // of Beanstalk instances, whose launch templates have no encryption setting.
    new EbsEncryptionByDefault(this, 'ebs-encryption-by-default', { enabled: true });

    // One key for every log group in the account: CloudWatch Logs may use it only for
    // log groups of this account and region.
    const logsKey = new KmsKey(this, 'logs-key', {
      description: `Encrypts CloudWatch Logs log groups of ${account.name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(
        { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account.accountId}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'CloudWatchLogsUses',
          Effect: 'Allow',
          Principal: { Service: `logs.${account.region}.amazonaws.com` },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${account.region}:${account.accountId}:log-group:*` } },
        },
      ),
    });
    new KmsAlias(this, 'logs-key-alias', { name: 'alias/cloudwatch-logs', targetKeyId: logsKey.keyId });
    this.logsKmsKeyArn = logsKey.arn;

    const production = account.environment === 'production';
    const { suppressions: networkSuppressions, ...network } = account.network;
    this.network = withSuppressions(new Network(this, 'network', { ...network, logsKmsKeyArn: logsKey.arn }), networkSuppressions);

    // Mail paths first: the apps that send get their queue URL as an environment variable.
    this.mailPaths = account.mail.map(({ senders: _senders, suppressions, ...mail }) =>
      withSuppressions(
        new MailPath(this, `mail-${mail.name}`, { ...mail, production, region: account.region, accountId: account.accountId, logsKmsKeyArn: logsKey.arn }),
        suppressions,
      ),
    );
    const mailVariables = (app: string) =>
      Object.fromEntries(
        account.mail.flatMap((m, i) => (m.senders.includes(app) ? [[`MAIL_QUEUE_URL_${m.name.toUpperCase().replace(/-/g, '_')}`, this.mailPaths[i].queueUrl]] : [])),
      );

    this.apps = account.apps.map(({ suppressions, ...app }) =>
      withSuppressions(
        new BeanstalkApp(this, `app-${app.name}`, {
          ...app,
          environments: app.environments.map((e) => ({ ...e, environmentVariables: { ...e.environmentVariables, ...mailVariables(app.name) } })),
          production,
          vpcId: this.network.vpcId,
          privateSubnets: this.network.privateSubnets,
          publicSubnets: this.network.publicSubnets,
        }),
        suppressions,
      ),
    );
    // Senders may put messages on their mail queues, and nothing else of the path.
    account.mail.forEach((m, i) =>
      m.senders.forEach((sender) => {
        const app = this.apps.find((a) => a.appName === sender)!;
        new IamRolePolicyAttachment(this, `mail-${m.name}-sender-${sender}`, { role: app.instanceRoleName, policyArn: this.mailPaths[i].producerPolicyArn });
      }),
    );
    const clientGroups = (names: readonly string[] = []) =>
      names.flatMap((name) => this.apps.find((a) => a.appName === name)!.environments.map((e) => e.instanceSecurityGroupId));

    // Databases live in the isolated subnets: no route out of the VPC at all.
    this.auroraClusters = account.databases.aurora.map(({ clients, suppressions, ...db }) =>
      withSuppressions(
        new AuroraCluster(this, `aurora-${db.name}`, {
          ...db,
          production,
          vpcId: this.network.vpcId,
          subnets: this.network.isolatedSubnets,
          allowedSecurityGroupIds: clientGroups(clients),
          logsKmsKeyArn: logsKey.arn,
        }),
        suppressions,
      ),
    );
    // Always On nodes are Windows servers that need Session Manager, updates and domain
    // controllers: they go in the private subnets. RDS goes in the isolated ones.
    this.sqlServerClusters = account.databases.sqlServer.map(({ clients, suppressions, ...db }) =>
      withSuppressions(
        new SqlServerCluster(this, `sqlserver-${db.name}`, {
          ...db,
          production,
          vpcId: this.network.vpcId,
          subnets: db.mode === 'rds' ? this.network.isolatedSubnets : this.network.privateSubnets,
          allowedSecurityGroupIds: clientGroups(clients),
        }),
        suppressions,
      ),
    );

    this.cdnServices = this.buildCdn(account, props.commitId);
    this.monitoring = account.monitoring.enabled ? this.buildMonitoring(account) : undefined;
    this.policy = enforcePolicies(this, packsFor(account.environment));
  }

  /** The stack's Terraform JSON, resolved once per synth (see {@link toTerraform}). */
  private resolvedForSynth?: Record<string, unknown>;

  /** A new synth starts: the tree may have changed since the last one. */
  public override prepareStack(): void {
    this.resolvedForSynth = undefined;
    super.prepareStack();
  }

  /**
   * cdktf resolves every token of a stack twice in one synth: for the validations (the
   * policy packs read the resolved JSON) and again to write `cdk.tf.json`, right after them
   * (cdktf/lib/synthesize/synthesizer.js). Aspects run before the validations, so the tree
   * is final here: the write, and the inventory's policy report, reuse this one resolution.
   */
  public override runAllValidations(): void {
    this.resolvedForSynth = super.toTerraform();
    super.runAllValidations();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own return type
  public override toTerraform(): any {
    return this.resolvedForSynth ?? super.toTerraform();
  }

  /**
   * The account decides what is watched: every construct that can say how it should be
   * monitored contributes its catalogue monitors, with the account's thresholds.
   */
  private buildMonitoring(account: AccountConfig): Monitoring {
    // Only accounts with Datadog resources declare the provider: no keys needed elsewhere.
    new DatadogProvider(this, 'datadog', { apiUrl: `https://api.${account.datadog.site}/` });
    new DatadogAwsIntegration(this, 'datadog-aws', {
      accountId: account.accountId,
      region: account.region,
      site: account.datadog.site,
      accountTags: [`account:${account.name}`, `env:${account.environment}`],
    });
    // Datadog collects fastly.* only for services its Fastly integration lists; the ids
    // come from this stack's fastly_service_vcl resources, known after apply.
    if (this.cdnServices.length > 0) {
      const apiKey = new TerraformVariable(this, DATADOG_FASTLY_API_KEY_VARIABLE, {
        type: 'string',
        sensitive: true,
        description: `Fastly API token (read-only is enough) Datadog reads Fastly stats with; CI sets TF_VAR_${DATADOG_FASTLY_API_KEY_VARIABLE} from its secrets.`,
      });
      new DatadogFastlyIntegration(this, 'datadog-fastly', {
        accountName: `${account.name}-fastly`,
        apiKey: apiKey.stringValue,
        services: this.cdnServices.map((c) => ({ name: c.serviceName, id: c.serviceId })),
        tags: [`account:${account.name}`, `env:${account.environment}`],
      });
    }
    const thresholds = resolveThresholds(account.monitoring.thresholds);
    const monitored: Monitored[] = [...this.apps, ...this.auroraClusters, ...this.sqlServerClusters, ...this.cdnServices, ...this.mailPaths];
    return new Monitoring(this, 'monitoring', {
      account: account.name,
      environment: account.environment,
      team: account.tags.team,
      slack: account.monitoring.slack,
      monitors: monitored.flatMap((m) => m.monitors(thresholds)),
      // A Fastly SLO names its cdn entry; the Fastly service carries the account prefix.
      slos: account.monitoring.slos?.map((s) => (s.source === 'fastly' ? { ...s, service: `${account.name}-${s.service}` } : s)),
      runbookUrl: account.monitoring.runbookUrl,
    });
  }

  private buildCdn(account: AccountConfig, commitId: string | undefined): FastlyVclService[] {
    if (account.cdn.length === 0) return [];
    // Keys come from FASTLY_API_KEY in the environment, as for the other providers.
    new FastlyProvider(this, 'fastly');
    const datadogToken = account.cdn.some((c) => c.logging?.datadog)
      ? new TerraformVariable(this, 'fastly_datadog_logs_token', {
          type: 'string',
          sensitive: true,
          description: 'Datadog API key Fastly sends logs with; CI sets TF_VAR_fastly_datadog_logs_token from its secrets.',
        }).stringValue
      : undefined;
    return account.cdn.map((service, i) => {
      const backends = service.backends.map(({ app, environment, s3Bucket, address, originHost, ...rest }) => {
        if (s3Bucket !== undefined) {
          const host = `${s3Bucket}.s3.${account.region}.amazonaws.com`;
          return { ...rest, address: host, originHost: originHost ?? host };
        }
        if (app !== undefined) {
          const envs = this.apps.find((a) => a.appName === app)!.environments;
          const env = environment === undefined ? envs[0] : envs.find((e) => e.settings.name === environment)!;
          return { ...rest, address: env.environmentUrl, originHost: originHost! };
        }
        return { ...rest, address: address!, originHost: originHost! };
      });
      return withSuppressions(new FastlyVclService(this, `cdn-${service.name}`, {
        name: `${account.name}-${service.name}`,
        domains: service.domains,
        backends,
        vclFiles: service.vclFolder ? loadVclFolder(account.name, i, service.vclFolder) : [],
        featureRoutes: service.featureRoutes,
        pathRoutes: service.pathRoutes,
        requestId: service.requestId,
        httpsOnly: service.httpsOnly,
        defaultTtlSeconds: service.defaultTtlSeconds,
        staleIfErrorSeconds: service.staleIfErrorSeconds,
        production: account.environment === 'production',
        versionComment: commitId ? `commit ${commitId}` : undefined,
        s3Logging: service.logging?.s3
          ? { fastlyCustomerId: account.fastly!.customerId, bucketName: `${account.name}-fastly-logs-${service.name}`, region: account.region }
          : undefined,
        datadogLogging: service.logging?.datadog ? { token: datadogToken! } : undefined,
      }), service.suppressions);
    });
  }
}

/** Records the config's suppressions on the construct built from that config item. */
function withSuppressions<T extends Construct>(construct: T, suppressions: readonly Suppression[] = []): T {
  for (const s of suppressions) suppress(construct, s.rule, s.reason);
  return construct;
}

/** The tags every taggable AWS resource in the account carries. */
export function accountTags(account: AccountConfig): Record<string, string> {
  return {
    Environment: account.environment,
    Account: account.name,
    ManagedBy: 'cdktf',
    Repository: account.tags.repository,
    Team: account.tags.team,
    CostCenter: account.tags.costCenter,
  };
}
