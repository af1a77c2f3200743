import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { images, platformBaseAmis, platforms } from '../accounts/catalogue';
import { AccountConfig } from '../accounts/schema';
import { ResolveOnceStack } from './resolve-once-stack';
import { AuroraCluster } from '../constructs/aurora/aurora-cluster';
import { LoadBalancerLogBucket } from '../constructs/beanstalk/access-log-bucket';
import { BeanstalkApp } from '../constructs/beanstalk/beanstalk-app';
import { ManagedDirectory } from '../constructs/directory/managed-directory';
import { CacheCluster } from '../constructs/cache/cache-cluster';
import { CostGuardrails } from '../constructs/cost/cost-guardrails';
import { ImagePipeline } from '../constructs/image-pipeline/image-pipeline';
import { accountKmsKey } from '../constructs/core/kms';
import { Suppression, suppress } from '../constructs/core/suppressions';
import { packsFor } from '../policies/packs';
import { PolicyValidation, enforcePolicies } from '../policies/validation';
import { FastlyProvider } from '../constructs/fastly/bindings';
import { DATADOG_LOG_REGIONS, FastlyVclService } from '../constructs/fastly/fastly-vcl-service';
import { MailPath } from '../constructs/mail/mail-path';
import { DatadogAwsIntegration } from '../constructs/monitoring/aws-integration';
import { DatadogFastlyIntegration } from '../constructs/monitoring/fastly-integration';
import { Monitoring } from '../constructs/monitoring/monitoring';
import { Monitored, resolveThresholds } from '../constructs/monitoring/spec';
import { Network } from '../constructs/network/network';
import { SqlServerCluster } from '../constructs/sqlserver/sqlserver-cluster';
import { accountFoundation, costGuardrailsProps, datadogProvider } from './account-foundation';
import { loadVclFolder } from './vcl-files';

export interface AccountStackProps {
  /** The account's validated config (see `accounts/schema.ts`). */
  readonly account: AccountConfig;
  /** The commit being deployed, recorded on Fastly service versions. @default - none */
  readonly commitId?: string;
  /**
   * The stack shares its AWS account with the account's own stack (a preview): it leaves
   * the account-wide settings to that stack (EBS encryption by default, the AWS-services
   * anomaly monitor, of which one per account is enough) and names its log key alias apart.
   * @default false
   */
  readonly sharesAccount?: boolean;
  /** Tags added to the provider's default_tags (a preview's PR number and expiry). @default {} */
  readonly extraTags?: Readonly<Record<string, string>>;
}

/** The sensitive Terraform variable holding the Admin password of the account's managed directory, set once at its creation. */
export const DIRECTORY_ADMIN_PASSWORD_VARIABLE = 'directory_admin_password';

/**
 * The value every plan outside an environment (pull request, merge queue, approval, drift)
 * passes for `directory_admin_password` instead of the secret, which only the apply job reads: the directory ignores later password changes (`ignore_changes`, constructs/directory),
 * and the password is write-only input to CreateMicrosoftAD, so the plan's actions and addresses
 * are the same as with the real value; the apply re-plans with the secret and refuses any
 * difference (tools/plan-summary.ts). Not a secret: it passes the variable's validation only.
 */
export const DIRECTORY_ADMIN_PASSWORD_PLAN_PLACEHOLDER = 'Plan-only-placeholder-1';

/** The sensitive Terraform variable holding the Fastly API token Datadog's Fastly integration reads stats with. */
export const DATADOG_FASTLY_API_KEY_VARIABLE = 'datadog_fastly_api_key';

/**
 * One AWS account as one Terraform stack, named after the account.
 *
 * The AWS provider is pinned to the account (`allowed_account_ids`). CI signs in as the
 * plan or apply role through GitHub OIDC and passes `-var ci_role=current`: the provider
 * then uses that session and assumes nothing. A person (an administrator named in the
 * plan role's trust) leaves the default and plans as the plan role, with CI's permissions.
 * State lives in the account's own bucket, encrypted with the bootstrap's state key
 * (state and lock file), with S3-native locking. The Datadog and Fastly
 * providers (declared only where the account has their resources) read their keys from
 * the environment: no secret is in code or in the JSON.
 */
export class AccountStack extends ResolveOnceStack {
  public readonly account: AccountConfig;
  public readonly awsProvider: AwsProvider;
  /** KMS key for every log group the stack creates. */
  public readonly logsKmsKeyArn: string;
  public readonly network: Network;
  public readonly apps: readonly BeanstalkApp[];
  public readonly auroraClusters: readonly AuroraCluster[];
  public readonly sqlServerClusters: readonly SqlServerCluster[];
  /** The account's AWS Managed Microsoft AD; undefined where the account has none. */
  public readonly directory?: ManagedDirectory;
  public readonly cdnServices: readonly FastlyVclService[];
  public readonly mailPaths: readonly MailPath[];
  public readonly caches: readonly CacheCluster[];
  /** Image Builder pipelines the account runs for the estate. */
  public readonly imagePipelines: readonly ImagePipeline[];
  /** Datadog monitors, SLOs and dashboard; undefined where monitoring is off. */
  public readonly monitoring?: Monitoring;
  /** The policy packs this account runs, and their report after synth. */
  public readonly policy: PolicyValidation;
  /** Budget and anomaly alerts; undefined where the config has no budget (COST-BUDGET then fails). */
  public readonly cost?: CostGuardrails;

  constructor(scope: Construct, props: AccountStackProps) {
    const { account } = props;
    super(scope, account.name);
    this.account = account;

    // Backend, ci_role and the AWS provider: the same in every stack CI runs (account-foundation.ts).
    this.awsProvider = accountFoundation(this, account, { extraTags: props.extraTags });

    // Every EBS volume in the account and region is encrypted, including the root volumes
    // of Beanstalk instances, whose launch templates have no encryption setting.
    if (!props.sharesAccount) new EbsEncryptionByDefault(this, 'ebs-encryption-by-default', { enabled: true });

    // One key for every log group in the account: CloudWatch Logs may use it only for
    // log groups of this account and region.
    const logsKey = accountKmsKey(this, 'logs-key', `Encrypts CloudWatch Logs log groups of ${account.name}`, account.accountId,
      {
        Sid: 'CloudWatchLogsUses',
        Effect: 'Allow',
        Principal: { Service: `logs.${account.region}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${account.region}:${account.accountId}:log-group:*` } },
      },
    );
    // Alias names are unique per account and region.
    new KmsAlias(this, 'logs-key-alias', { name: props.sharesAccount ? `alias/cloudwatch-logs-${account.name}` : 'alias/cloudwatch-logs', targetKeyId: logsKey.keyId });
    this.logsKmsKeyArn = logsKey.arn;

    const production = account.environment === 'production';
    const { suppressions: networkSuppressions, ...network } = account.network;
    this.network = withSuppressions(new Network(this, 'network', { ...network, logsKmsKeyArn: logsKey.arn, flowLogName: props.sharesAccount ? account.name : undefined }), networkSuppressions);

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

    // Caches before the apps, which get their endpoints; each app that declares a cache is
    // one of its clients (an IAM user of its own), admitted once the app exists.
    const cacheConfigs = account.caches ?? [];
    const cacheClients = (cache: string) => account.apps.filter((a) => a.caches?.includes(cache)).map((a) => a.name);
    this.caches = cacheConfigs.map(({ suppressions, ...cache }) =>
      withSuppressions(
        new CacheCluster(this, `cache-${cache.name}`, {
          ...cache,
          production,
          vpcId: this.network.vpcId,
          subnets: this.network.isolatedSubnets,
          clients: cacheClients(cache.name),
          logsKmsKeyArn: logsKey.arn,
        }),
        suppressions,
      ),
    );
    const cacheSettings = (app: string, declared: readonly string[] = []) => {
      const variables: Record<string, string> = {};
      const secrets: Record<string, string> = {};
      for (const cache of this.caches.filter((c) => declared.includes(c.cacheName))) {
        const suffix = cache.cacheName.toUpperCase().replace(/-/g, '_');
        variables[`CACHE_ENDPOINT_${suffix}`] = cache.primaryEndpoint;
        variables[`CACHE_PORT_${suffix}`] = String(cache.port);
        const user = cache.userNameFor(app);
        if (user) variables[`CACHE_USER_${suffix}`] = user;
        if (cache.authSecretArn) secrets[`CACHE_AUTH_${suffix}`] = cache.authSecretArn;
      }
      return { variables, secrets };
    };

    // One access-log bucket for every load balancer of the account's apps (ALB access logs:
    // SSE-S3 only, written by the Region's ELB account).
    const albLogs =
      account.apps.length > 0
        ? new LoadBalancerLogBucket(this, 'alb-logs', { bucketName: `${account.name}-alb-logs`, accountId: account.accountId, region: account.region, expireAfterDays: production ? 365 : 90 })
        : undefined;
    this.apps = account.apps.map(({ suppressions, caches, ...app }) =>
      withSuppressions(
        new BeanstalkApp(this, `app-${app.name}`, {
          ...app,
          environments: app.environments.map((e) => {
            const cache = cacheSettings(app.name, caches);
            return { ...e, environmentVariables: { ...e.environmentVariables, ...mailVariables(app.name), ...cache.variables }, secrets: { ...e.secrets, ...cache.secrets } };
          }),
          production,
          vpcId: this.network.vpcId,
          privateSubnets: this.network.privateSubnets,
          publicSubnets: this.network.publicSubnets,
          logsKmsKeyArn: logsKey.arn,
          accessLogs: albLogs && { bucketName: albLogs.bucketName, dependsOn: [albLogs.policy] },
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
    account.apps.forEach((a, i) =>
      (a.caches ?? []).forEach((name) =>
        this.caches.find((c) => c.cacheName === name)!.admit(a.name, { securityGroupIds: this.apps[i].environments.map((e) => e.instanceSecurityGroupId), roleName: this.apps[i].instanceRoleName }),
      ),
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
    this.directory = account.directory ? this.buildDirectory(account) : undefined;
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
          directoryId: this.directory?.directoryId,
          directoryName: this.directory?.domainName,
          logsKmsKeyArn: logsKey.arn,
        }),
        suppressions,
      ),
    );

    // Build instances go in a private subnet (Windows Update and downloads through NAT). The
    // AMI the catalogue names is tagged in use, so the lifecycle never deletes it.
    this.imagePipelines = (account.imagePipelines ?? []).map((p) =>
      new ImagePipeline(this, `image-pipeline-${p.name}`, {
        name: p.name,
        accountId: account.accountId,
        region: account.region,
        vpcId: this.network.vpcId,
        subnetId: this.network.privateSubnets[0].id,
        shareWithAccountIds: p.shareWith,
        keepImages: p.keepImages,
        inUseImageIds: [images[p.image]],
        platform: platforms[p.platform],
        parentImage: platformBaseAmis[p.platform],
      }),
    );

    this.cdnServices = this.buildCdn(account, props.commitId);
    this.monitoring = account.monitoring.enabled ? this.buildMonitoring(account) : undefined;
    this.cost = this.buildCost(account, !props.sharesAccount);
    this.policy = enforcePolicies(this, packsFor(account.environment));
  }

  /**
   * The directory's domain controllers go in the first two private subnets (two zones); its
   * Admin password comes from a sensitive variable CI fills from its secrets, so it is in
   * neither the config nor the JSON (it is in the encrypted state, as every password the
   * CreateMicrosoftAD API takes is).
   */
  private buildDirectory(account: AccountConfig): ManagedDirectory {
    const password = new TerraformVariable(this, DIRECTORY_ADMIN_PASSWORD_VARIABLE, {
      type: 'string',
      sensitive: true,
      description: `Admin password of the managed directory, used when it is created; CI sets TF_VAR_${DIRECTORY_ADMIN_PASSWORD_VARIABLE} from its secrets.`,
      // CreateMicrosoftAD's Password: 8-64 characters, three of lower case, upper case,
      // digits and other characters, and not the word "admin".
      // https://docs.aws.amazon.com/directoryservice/latest/devguide/API_CreateMicrosoftAD.html
      validation: [
        {
          condition: `\${${[
            `length(var.${DIRECTORY_ADMIN_PASSWORD_VARIABLE}) >= 8 && length(var.${DIRECTORY_ADMIN_PASSWORD_VARIABLE}) <= 64`,
            `!strcontains(lower(var.${DIRECTORY_ADMIN_PASSWORD_VARIABLE}), "admin")`,
            `length([for c in ["[a-z]", "[A-Z]", "[0-9]", "[^a-zA-Z0-9]"] : c if can(regex(c, var.${DIRECTORY_ADMIN_PASSWORD_VARIABLE}))]) >= 3`,
          ].map((c) => `(${c})`).join(' && ')}}`,
          errorMessage: 'directory_admin_password must be 8-64 characters, use three of: lower case, upper case, digits, other characters, and not contain "admin".',
        },
      ],
    });
    return new ManagedDirectory(this, 'directory', {
      ...account.directory!,
      vpcId: this.network.vpcId,
      subnets: this.network.privateSubnets.slice(0, 2),
      adminPassword: password.stringValue,
    });
  }

  /**
   * The account decides what is watched: every construct that can say how it should be
   * monitored contributes its catalogue monitors, with the account's thresholds.
   */
  private buildMonitoring(account: AccountConfig): Monitoring {
    // Only accounts with Datadog resources declare the provider: no keys needed elsewhere.
    datadogProvider(this, account.datadog.site);
    new DatadogAwsIntegration(this, 'datadog-aws', {
      accountId: account.accountId,
      region: account.region,
      site: account.datadog.site,
      accountTags: [`account:${account.name}`, `env:${account.environment}`],
      billingMetrics: account.cost.estimatedChargesAlertUsd !== undefined,
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
    const monitored: Monitored[] = [...this.apps, ...this.auroraClusters, ...this.sqlServerClusters, ...this.cdnServices, ...this.mailPaths, ...this.caches, ...this.imagePipelines];
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

  /** The account's budget and anomaly alerts (constructs/cost). */
  private buildCost(account: AccountConfig, anomalyMonitor: boolean): CostGuardrails | undefined {
    const { cost } = account;
    const props = costGuardrailsProps(account, cost);
    if (props === undefined) return undefined;
    const watch = `@slack-${account.monitoring.slack.workspace}-${account.monitoring.slack.watch}`;
    return new CostGuardrails(this, 'cost', {
      ...props,
      estimatedCharges: this.monitoring && cost.estimatedChargesAlertUsd !== undefined ? { thresholdUsd: cost.estimatedChargesAlertUsd, notify: watch } : undefined,
      anomalyMonitor,
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
        hostRoutes: service.hostRoutes,
        requestId: service.requestId,
        httpsOnly: service.httpsOnly,
        defaultTtlSeconds: service.defaultTtlSeconds,
        staleIfErrorSeconds: service.staleIfErrorSeconds,
        staleWhileRevalidateSeconds: service.staleWhileRevalidateSeconds,
        tls: service.tls,
        production: account.environment === 'production',
        versionComment: commitId ? `commit ${commitId}` : undefined,
        s3Logging: service.logging?.s3
          ? { fastlyCustomerId: account.fastly!.customerId, bucketName: `${account.name}-fastly-logs-${service.name}`, region: account.region }
          : undefined,
        // Logs go to the intake of the organisation's Datadog site.
        datadogLogging: service.logging?.datadog ? { token: datadogToken!, region: DATADOG_LOG_REGIONS[account.datadog.site] } : undefined,
      }), service.suppressions);
    });
  }
}

/** Records the config's suppressions on the construct built from that config item. */
function withSuppressions<T extends Construct>(construct: T, suppressions: readonly Suppression[] = []): T {
  for (const s of suppressions) suppress(construct, s.rule, s.reason);
  return construct;
}
