/**
 * The account config: what one AWS account is and what runs in it, and its runtime
 * validation. Every account is validated before any stack is built; all problems of all
 * accounts are reported in one run.
 */
import type { AuroraClusterProps, ReaderAutoScaling, ServerlessV2Capacity } from '../constructs/aurora/aurora-cluster';
import { DEPLOYMENT_POLICIES } from '../constructs/beanstalk/beanstalk-app';
import type { BeanstalkAppProps, BeanstalkEnvironmentSettings } from '../constructs/beanstalk/beanstalk-app';
import type { SlackChannels, SloSpec } from '../constructs/monitoring/monitoring';
import type { BurnRateAlert } from '../constructs/monitoring/slo';
import { MAIL_DEAD_LETTER_RETENTION_SECONDS } from '../constructs/monitoring/spec';
import type { ThresholdOverrides } from '../constructs/monitoring/spec';
import { TLS_CERTIFICATE_AUTHORITIES } from '../constructs/fastly/bindings';
import type { FastlyBackend, FastlyHealthCheck, FastlyTls, FeatureRoute, HostRoute, PathRoute } from '../constructs/fastly/fastly-vcl-service';
import type { ExistingNetwork, NetworkProps, SubnetRef } from '../constructs/network/network';
import type { DnsRecord, MailPathProps, SendGridSettings, SesSettings } from '../constructs/mail/mail-path';
import type { AlwaysOnNode, AlwaysOnSettings, RdsSqlServerSettings, SqlServerClusterProps, VolumeRole, VolumeSpec } from '../constructs/sqlserver/sqlserver-cluster';
import type { Suppression } from '../constructs/core/suppressions';
import type { ManagedDirectoryProps } from '../constructs/directory/managed-directory';
import type { CacheAuth, CacheClusterProps } from '../constructs/cache/cache-cluster';
import type { CostChatbotSettings } from '../constructs/cost/cost-guardrails';
import { UserError } from '../constructs/core/validation';
import { images, platformBaseAmis, platforms } from './catalogue';
import { accountProblems, crossAccountProblems } from './rules';
import { ObjectRule, Problem, Schema, arrayOf, boolean, number, object, oneOf, optional, recordOf, string } from './schema-kit';

/** Commercial AWS regions an account may be placed in. */
export const AWS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ca-central-1', 'sa-east-1',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
  'ap-south-1', 'ap-east-1',
] as const;
export type AwsRegion = (typeof AWS_REGIONS)[number];

/**
 * What kind of environment an account is. `production` turns on the strict defaults
 * (deletion protection, immutable deploys, the production policy pack).
 */
export const ENVIRONMENTS = ['production', 'staging', 'sandbox'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Datadog sites: the provider's API URL is derived from it. */
export const DATADOG_SITES = ['datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com'] as const;
export type DatadogSite = (typeof DATADOG_SITES)[number];

/** The IAM roles CI uses in the account (names, not ARNs: the ARN comes from the account id). */
export interface CiRoles {
  /** Read-only role for `terraform plan` on pull requests. */
  readonly planRole: string;
  /** Role for `terraform apply` after merge. */
  readonly applyRole: string;
}

/** Where Terraform keeps this account's state. */
export interface StateConfig {
  /** S3 bucket in this account, made by the one-time bootstrap. */
  readonly bucket: string;
}

/** Tags put on every taggable resource through the provider's `default_tags`. */
export interface AccountTags {
  /** Team that owns the account's resources. */
  readonly team: string;
  /** Cost centre billed for the account. */
  readonly costCenter: string;
  /** Repository that manages the resources (`owner/name`). */
  readonly repository: string;
}

export interface DatadogConfig {
  /** Datadog site the organisation lives on. */
  readonly site: DatadogSite;
}

/**
 * Policy rules turned off for this item (and everything it creates), each with the
 * reason. Reviewed in the PR and listed by `npm start`.
 */
export interface Suppressible {
  /** @default [] */
  readonly suppressions?: readonly Suppression[];
}

/** The account's VPC: the Network construct's props. */
export type NetworkConfig = Omit<NetworkProps, 'logsKmsKeyArn' | 'flowLogName'> & Suppressible;

/** An Elastic Beanstalk application: BeanstalkApp's props less what the stack wires in. */
export type AppConfig = Omit<BeanstalkAppProps, 'vpcId' | 'privateSubnets' | 'publicSubnets' | 'production' | 'logsKmsKeyArn' | 'accessLogs'> &
  Suppressible & {
    /** Caches (names in `caches`) the app uses: it is admitted and gets their endpoint and credentials. @default [] */
    readonly caches?: readonly string[];
  };

/** An ElastiCache replication group: CacheCluster's props less what the stack wires in (clients come from the apps' `caches`). */
export type CacheConfig = Omit<CacheClusterProps, 'vpcId' | 'subnets' | 'allowedSecurityGroupIds' | 'clients' | 'production' | 'logsKmsKeyArn'> & Suppressible;

/** Who may connect to a database: names of apps in this account (their instances). */
interface DatabaseClients {
  /** @default [] */
  readonly clients?: readonly string[];
}

export type AuroraConfig = Omit<AuroraClusterProps, 'vpcId' | 'subnets' | 'allowedSecurityGroupIds' | 'production' | 'logsKmsKeyArn'> & DatabaseClients & Suppressible;
export type SqlServerConfig = Omit<SqlServerClusterProps, 'vpcId' | 'subnets' | 'allowedSecurityGroupIds' | 'production' | 'directoryId' | 'directoryName' | 'logsKmsKeyArn'> & DatabaseClients & Suppressible;

export interface DatabasesConfig {
  readonly aurora: readonly AuroraConfig[];
  readonly sqlServer: readonly SqlServerConfig[];
}

/**
 * A Fastly backend in account config: the origin is an app of the account (its first
 * environment, or the one named), an S3 bucket, or any address.
 */
export type CdnBackendConfig = Omit<FastlyBackend, 'address' | 'originHost'> & {
  /** Name of an app in this account. @default - none */
  readonly app?: string;
  /** Which of the app's environments. @default - its first */
  readonly environment?: string;
  /** An S3 bucket (in the account's region) serving e.g. images. @default - none */
  readonly s3Bucket?: string;
  /** Any host name. @default - none */
  readonly address?: string;
  /** Host name on the origin certificate. @default - the bucket's S3 host for s3Bucket; required otherwise */
  readonly originHost?: string;
};

/** A Fastly VCL service fronting this account's apps. */
export interface CdnServiceConfig extends Suppressible {
  readonly name: string;
  readonly domains: readonly string[];
  readonly backends: readonly CdnBackendConfig[];
  /** Folder under `vcl/` holding main.vcl and its includes (an account may override files in `accounts/<account>/vcl/<folder>/`). @default - Fastly's generated VCL */
  readonly vclFolder?: string;
  readonly featureRoutes?: readonly FeatureRoute[];
  readonly pathRoutes?: readonly PathRoute[];
  /** e.g. the partner domain to the partner app. @default [] */
  readonly hostRoutes?: readonly HostRoute[];
  readonly requestId?: boolean;
  readonly httpsOnly?: boolean;
  readonly defaultTtlSeconds?: number;
  readonly staleIfErrorSeconds?: number;
  readonly staleWhileRevalidateSeconds?: number;
  /** Fastly-managed certificates for the domains (see FastlyVclServiceProps.tls). @default {} */
  readonly tls?: FastlyTls | false;
  /** Where logs go. @default - nowhere */
  readonly logging?: { readonly s3?: boolean; readonly datadog?: boolean };
}

/** Datadog monitors, SLOs, dashboard and AWS integration for the account. */
export interface MonitoringConfig {
  /** Create monitors, SLOs, the dashboard and the AWS integration. */
  readonly enabled: boolean;
  /** Slack routing: P1-P2 to `immediate`, P3-P5 to `watch`. */
  readonly slack: SlackChannels;
  /** Thresholds that differ from the catalogue's defaults. @default {} */
  readonly thresholds?: ThresholdOverrides;
  /** SLOs on the account's public services. @default [] */
  readonly slos?: readonly SloSpec[];
  /** Runbook index linked from every alert. @default - none */
  readonly runbookUrl?: string;
}

/** A mail path: apps put JSON messages on its queue; it sends through SendGrid or SES. */
export type MailConfig = Pick<MailPathProps, 'name' | 'provider' | 'sendgrid' | 'ses' | 'hostedZoneId' | 'historyRetentionDays' | 'maxConcurrency' | 'maxReceives'> &
  Suppressible & {
    /** Apps of this account that send through the path (they get the queue URL and the producer policy). */
    readonly senders: readonly string[];
  };

/**
 * AWS Managed Microsoft AD in the account's VPC (ManagedDirectory's props less what the
 * stack wires in; the Admin password comes from the sensitive Terraform variable
 * `directory_admin_password`, never from config).
 */
export type DirectoryConfig = Omit<ManagedDirectoryProps, 'vpcId' | 'subnets' | 'adminPassword'>;

/** Fastly account settings. */
export interface FastlyAccountConfig {
  /** Fastly customer id: the external id of the S3 log role. */
  readonly customerId: string;
}

/**
 * Cost guardrails (constructs/cost): a monthly budget with actual and forecast alerts,
 * anomaly alerts, Slack through AWS Chatbot and e-mail as the fallback.
 */
export interface CostConfig {
  /** Monthly cost budget, USD. Required in production and staging. @default - none: refused in production and staging; elsewhere no budget (and the COST-BUDGET rule fails) */
  readonly monthlyBudgetUsd?: number;
  /** Actual-cost alerts, percent of the budget. @default [80, 100] */
  readonly actualThresholdsPercent?: readonly number[];
  /** Forecast alert, percent of the budget; immediate in production. @default 100 */
  readonly forecastThresholdPercent?: number;
  /** E-mail fallback for every budget alert and a daily anomaly digest (at most 10). @default [] */
  readonly emails?: readonly string[];
  /** Anomalies with a total impact of at least this, USD, are alerted. @default 100 */
  readonly anomalyThresholdUsd?: number;
  /** Slack channel ids for AWS Chatbot. @default - e-mail only */
  readonly chatbot?: CostChatbotSettings;
  /** Activate the Team and CostCenter tags as cost allocation tags: the management (payer) account only. @default false */
  readonly activateCostAllocationTags?: boolean;
  /** A Datadog monitor on aws.billing.estimated_charges above this, USD (needs monitoring on). @default - none */
  readonly estimatedChargesAlertUsd?: number;
}

/** Why an account runs below its registered tier. */
export interface EnvironmentOverride {
  /** The registered tier being overridden, spelled out so the override says what it does. */
  readonly from: Environment;
  /** Why, for the reviewer: 10 characters or more. */
  readonly reason: string;
}

/** One AWS account, fully resolved (shared defaults applied). */
export interface AccountConfig {
  /** Account name: lower-case kebab-case, the same as its folder and its stack. */
  readonly name: string;
  /** The 12-digit AWS account id; the AWS provider refuses any other account. */
  readonly accountId: string;
  readonly region: AwsRegion;
  readonly environment: Environment;
  /**
   * Runs the account below the tier its id is registered with in `accounts/registry.ts`
   * (e.g. a production account as `sandbox` while it is being emptied). Reviewed like a
   * production change. @default - none: the environment may not be below the registered tier
   */
  readonly environmentOverride?: EnvironmentOverride;
  readonly ci: CiRoles;
  readonly state: StateConfig;
  readonly tags: AccountTags;
  readonly datadog: DatadogConfig;
  /** The VPC everything runs in. */
  readonly network: NetworkConfig;
  /** Elastic Beanstalk applications. */
  readonly apps: readonly AppConfig[];
  readonly databases: DatabasesConfig;
  /** Fastly services. */
  readonly cdn: readonly CdnServiceConfig[];
  /** Needed when a Fastly service logs to S3. @default - none */
  readonly fastly?: FastlyAccountConfig;
  readonly monitoring: MonitoringConfig;
  /** Mail paths. */
  readonly mail: readonly MailConfig[];
  /** The directory SQL Server (FSx witness, RDS Windows authentication) joins. @default - none */
  readonly directory?: DirectoryConfig;
  /** ElastiCache replication groups. @default [] */
  readonly caches?: readonly CacheConfig[];
  /** Budget, anomaly alerts and cost allocation tags. */
  readonly cost: CostConfig;
  /** Image Builder pipelines this account runs for the estate (see constructs/image-pipeline). @default - none */
  readonly imagePipelines?: readonly ImagePipelineConfig[];
}

/**
 * An image pipeline: ImagePipeline's props the account decides. The AMIs it builds go to the
 * `images` entry of accounts/catalogue.ts it names (the monthly bump writes them there).
 */
export interface ImagePipelineConfig {
  readonly name: string;
  /** The key of accounts/catalogue.ts `images` this pipeline produces. */
  readonly image: keyof typeof images;
  /**
   * The key of accounts/catalogue.ts `platforms` the apps launching this image run: the
   * recipe starts from that platform's base AMI (`platformBaseAmis`), as Beanstalk requires.
   */
  readonly platform: keyof typeof platformBaseAmis;
  /** Ids of the other accounts that launch its AMIs (accounts/registry.ts). @default [] */
  readonly shareWith?: readonly string[];
  /** Newest images the lifecycle keeps. @default 3 */
  readonly keepImages?: number;
}

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
// S3 bucket naming rules, less the dotted forms (dots break virtual-host TLS).
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

const name = (): Schema<string> =>
  string({ pattern: NAME, description: 'a kebab-case name of 2 to 32 characters (a-z, 0-9, -)' });

const suppressions = () =>
  optional(arrayOf(object<Suppression>({ rule: string({ pattern: /^[A-Z0-9-]+$/, description: 'a policy rule id such as RDS-ENCRYPTED' }), reason: string({ pattern: /.{10,}/, description: 'a reason of 10 characters or more' }) })));

const subnetRef = object<SubnetRef>({ id: string({ pattern: /^subnet-[0-9a-f]+$/, description: 'a subnet id' }), availabilityZone: string() });
const text = () => string();
const optionalText = () => optional(string());
const optionalCount = (min: number, max: number) => optional(number({ min, max }));
const arn = (service: string) => string({ pattern: new RegExp(`^arn:aws:${service}:`), description: `an ARN of ${service}` });

const networkSchema = object<NetworkConfig>({
  cidrBlock: optionalText(),
  availabilityZones: optional(arrayOf(text(), { minLength: 2 })),
  natGateways: optional(oneOf(['per-az', 'single', 'none'] as const)),
  flowLogRetentionDays: optionalCount(1, 3653),
  suppressions: suppressions(),
  existing: optional(
    object<ExistingNetwork>({
      vpcId: string({ pattern: /^vpc-[0-9a-f]+$/, description: 'a VPC id' }),
      publicSubnets: arrayOf(subnetRef),
      privateSubnets: arrayOf(subnetRef),
      isolatedSubnets: arrayOf(subnetRef),
    }),
  ),
});

const environmentSchema = object<BeanstalkEnvironmentSettings>({
  name: text(),
  cnamePrefix: optionalText(),
  instanceTypes: optional(arrayOf(text(), { minLength: 1 })),
  minInstances: optionalCount(1, 100),
  maxInstances: optionalCount(1, 100),
  deploymentPolicy: optional(oneOf(DEPLOYMENT_POLICIES)),
  batchSizePercent: optionalCount(1, 100),
  certificateArn: arn('acm'),
  sslPolicy: optionalText(),
  healthCheckPath: optionalText(),
  scaleOutCpuPercent: optionalCount(1, 100),
  scaleInCpuPercent: optionalCount(1, 100),
  rootVolumeGb: optionalCount(8, 16384),
  environmentVariables: optional(recordOf(string({ allowEmpty: true }))),
  secrets: optional(recordOf(string({ pattern: /^arn:aws:(secretsmanager|ssm):/, description: 'a Secrets Manager secret or SSM parameter ARN (never the secret itself)' }))),
  logRetentionDays: optionalCount(1, 3653),
  internal: optional(boolean()),
  allowedCidrs: optional(arrayOf(text(), { minLength: 1 })),
});

const appSchema = object<AppConfig>({
  name: text(),
  description: optionalText(),
  solutionStackName: text(),
  imageId: optionalText(),
  environments: arrayOf(environmentSchema, { minLength: 1, uniqueBy: (e: BeanstalkEnvironmentSettings) => e.name }),
  maxVersions: optionalCount(1, 1000),
  suppressions: suppressions(),
  caches: optional(arrayOf(text(), { uniqueBy: (c: string) => c })),
});

interface CacheAuthFields {
  readonly mode: CacheAuth['mode'];
  readonly passwordSecretArn?: string;
  readonly tokenSecretArn?: string;
}
const secretArn = () => string({ pattern: /^arn:aws:secretsmanager:/, description: 'a Secrets Manager secret ARN (never the secret itself)' });
const cacheSchema = object<CacheConfig>({
  name: text(),
  engine: optional(oneOf(['valkey', 'redis'] as const)),
  engineVersion: optionalText(),
  nodeType: optionalText(),
  nodes: optionalCount(1, 6),
  multiAz: optional(boolean()),
  auth: optional(
    object<CacheAuthFields>(
      { mode: oneOf(['iam', 'password', 'auth-token'] as const), passwordSecretArn: optional(secretArn()), tokenSecretArn: optional(secretArn()) },
      [(a) => ((a.mode === 'password') !== (a.passwordSecretArn !== undefined) || (a.mode === 'auth-token') !== (a.tokenSecretArn !== undefined) ? [{ path: 'mode', got: a.mode, expected: 'passwordSecretArn with "password" only, tokenSecretArn with "auth-token" only, neither with "iam"' }] : [])],
    ) as Schema<CacheAuth>,
  ),
  kmsKeyArn: optional(arn('kms')),
  snapshotRetentionDays: optionalCount(0, 35),
  snapshotWindow: optionalText(),
  maintenanceWindow: optionalText(),
  finalSnapshot: optional(boolean()),
  logRetentionDays: optionalCount(1, 3653),
  parameters: optional(recordOf(string())),
  suppressions: suppressions(),
});

const clients = () => optional(arrayOf(text(), { uniqueBy: (c: string) => c }));

const auroraSchema = object<AuroraConfig>({
  name: text(),
  engine: oneOf(['aurora-mysql', 'aurora-postgresql'] as const),
  engineVersion: text(),
  serverlessV2: optional(object<ServerlessV2Capacity>({ minCapacity: number({ min: 0, max: 256, integer: false }), maxCapacity: number({ min: 0, max: 256, integer: false }) })),
  instanceClass: optionalText(),
  readers: optionalCount(0, 15),
  readerAutoScaling: optional(object<ReaderAutoScaling>({ maxReaders: number({ min: 1, max: 15 }), targetCpuPercent: optionalCount(10, 90) })),
  kmsKeyArn: optional(arn('kms')),
  storageEncrypted: optional(boolean()),
  databaseName: optionalText(),
  masterUsername: optionalText(),
  deletionProtection: optional(boolean()),
  finalSnapshot: optional(boolean()),
  backupRetentionDays: optionalCount(1, 35),
  backupWindow: optionalText(),
  maintenanceWindow: optionalText(),
  iamAuthentication: optional(boolean()),
  logExports: optional(arrayOf(text())),
  logRetentionDays: optionalCount(1, 3653),
  monitoringIntervalSeconds: optionalCount(0, 60),
  performanceInsightsRetentionDays: optionalCount(7, 731),
  clients: clients(),
  suppressions: suppressions(),
});

const volumeSchema = optional(object<VolumeSpec>({ sizeGb: number({ min: 1, max: 16384 }), type: optional(oneOf(['gp3', 'io2'] as const)), iops: optionalCount(100, 256000), throughput: optionalCount(125, 1000) }));

interface WitnessFields {
  readonly fsx?: { readonly storageGb?: number; readonly throughputMbps?: number };
  readonly sharePath?: string;
}
const witnessSchema = object<WitnessFields>(
  {
    fsx: optional(object<NonNullable<WitnessFields['fsx']>>({ storageGb: optionalCount(32, 65536), throughputMbps: optionalCount(32, 12288) })),
    sharePath: optionalText(),
  },
  [(w) => (!w.fsx === !w.sharePath ? [{ path: '', got: Object.keys(w).join(' and ') || 'neither', expected: 'exactly one of fsx or sharePath' }] : [])],
) as Schema<AlwaysOnSettings['witness']>;

const sqlServerSchema = object<SqlServerConfig>({
  name: text(),
  mode: oneOf(['rds', 'ec2-always-on'] as const),
  kmsKeyArn: optional(arn('kms')),
  deletionProtection: optional(boolean()),
  finalSnapshot: optional(boolean()),
  backupRetentionDays: optionalCount(1, 35),
  backupWindow: optionalText(),
  logRetentionDays: optionalCount(1, 3653),
  rds: optional(
    object<RdsSqlServerSettings>({
      edition: oneOf(['ex', 'web', 'se', 'ee'] as const),
      engineVersion: text(),
      instanceClass: optionalText(),
      storageType: optional(oneOf(['gp3', 'io2'] as const)),
      allocatedStorageGb: optionalCount(20, 16384),
      maxAllocatedStorageGb: optionalCount(20, 65536),
      iops: optionalCount(1000, 256000),
      storageThroughput: optionalCount(125, 4000),
      timezone: optionalText(),
      collation: optionalText(),
      multiAz: optional(boolean()),
      backupBucketName: optionalText(),
      joinDirectory: optional(boolean()),
      maintenanceWindow: optionalText(),
    }),
  ),
  alwaysOn: optional(
    object<AlwaysOnSettings>({
      imageId: text(),
      instanceType: optionalText(),
      nodes: arrayOf(object<AlwaysOnNode>({ availabilityZone: text(), primaryIp: text(), clusterIp: text(), listenerIp: text() })),
      volumes: optional(object<Partial<Record<VolumeRole, VolumeSpec>>>({ data: volumeSchema, log: volumeSchema, tempdb: volumeSchema, backup: volumeSchema })),
      witness: witnessSchema,
      snapshotTime: optionalText(),
    }),
  ),
  clients: clients(),
  suppressions: suppressions(),
});

const cdnBackendSchema = object<CdnBackendConfig>(
  {
    name: text(),
    app: optionalText(),
    environment: optionalText(),
    s3Bucket: optionalText(),
    address: optionalText(),
    originHost: optionalText(),
    useTls: optional(boolean()),
    allowPlaintext: optionalText(),
    port: optionalCount(1, 65535),
    shield: optionalText(),
    healthCheck: optional({
      expected: 'false or { path, expectedStatus?, intervalMs? }',
      check(value, path, problems) {
        if (value === false) return false;
        return object<FastlyHealthCheck>({ path: text(), expectedStatus: optionalCount(100, 599), intervalMs: optionalCount(1000, 3600000) }).check(value, path, problems);
      },
    } as Schema<FastlyHealthCheck | false>),
    connectTimeoutMs: optionalCount(100, 60000),
    firstByteTimeoutMs: optionalCount(100, 600000),
    betweenBytesTimeoutMs: optionalCount(100, 600000),
    maxConnections: optionalCount(1, 1000),
  },
  [
    (b) => {
      const origins = (['app', 's3Bucket', 'address'] as const).filter((k) => b[k] !== undefined);
      return origins.length === 1 ? [] : [{ path: '', got: origins.join(' and ') || 'none', expected: 'exactly one origin: app, s3Bucket or address' }];
    },
    (b) => (b.s3Bucket === undefined && b.originHost === undefined ? [{ path: 'originHost', got: undefined, expected: 'the host name on the origin certificate (required unless s3Bucket)' }] : []),
  ],
);

const optionalHostedZoneId = () => optional(string({ pattern: /^Z[A-Z0-9]{8,31}$/, description: 'a Route 53 hosted zone id' }));

const tlsSchema = {
  expected: 'false or { certificateAuthority?, hostedZoneId? }',
  check(value, path, problems) {
    if (value === false) return false;
    return object<FastlyTls>({
      certificateAuthority: optional(oneOf(TLS_CERTIFICATE_AUTHORITIES)),
      hostedZoneId: optionalHostedZoneId(),
    }).check(value, path, problems);
  },
} as Schema<FastlyTls | false>;

const cdnSchema = object<CdnServiceConfig>({
  name: text(),
  domains: arrayOf(text(), { minLength: 1 }),
  backends: arrayOf(cdnBackendSchema, { minLength: 1, uniqueBy: (b: CdnBackendConfig) => b.name }),
  vclFolder: optional(string({ pattern: /^[a-z0-9][a-z0-9-]*$/, description: 'a folder name under vcl/' })),
  featureRoutes: optional(arrayOf(object<FeatureRoute>({ name: text(), queryParam: optionalText(), cookie: optionalText(), percent: optionalCount(0, 100), cookieMaxAgeSeconds: optionalCount(1, 63072000), backend: text() }))),
  hostRoutes: optional(arrayOf(object<HostRoute>({ host: text(), backend: text() }))),
  pathRoutes: optional(arrayOf(object<PathRoute>({ pathPrefix: text(), backend: text() }))),
  requestId: optional(boolean()),
  httpsOnly: optional(boolean()),
  defaultTtlSeconds: optionalCount(0, 31536000),
  staleIfErrorSeconds: optionalCount(0, 31536000),
  staleWhileRevalidateSeconds: optionalCount(0, 31536000),
  tls: optional(tlsSchema),
  logging: optional(object<{ s3?: boolean; datadog?: boolean }>({ s3: optional(boolean()), datadog: optional(boolean()) })),
  suppressions: suppressions(),
});

// Thresholds that can never be crossed would silently turn an alert off: a percentage is
// strictly between 0 and 100 (5xx above 100 % never happens; a hit ratio below 0 % never
// happens), a rate strictly between 0 and 1, and a duration or size above 0.
const n = () => optional(number({ min: 0, integer: false }));
const percent = () => optional(number({ above: 0, below: 100, integer: false }));
const fraction = () => optional(number({ above: 0, below: 1, integer: false }));
const positive = () => optional(number({ above: 0, integer: false }));
const monitoringSchema = object<MonitoringConfig>({
  enabled: boolean(),
  slack: object<SlackChannels>({ workspace: text(), immediate: text(), watch: text() }),
  thresholds: optional(
    object<ThresholdOverrides>({
      beanstalk: optional(object({ http5xxPercent: percent(), p95LatencySeconds: positive() })),
      aurora: optional(object({ cpuPercent: percent(), freeableMemoryMb: positive(), replicaLagMs: positive(), connections: n(), deadlocks: n() })),
      sqlServer: optional(object({ cpuPercent: percent(), freeStoragePercent: percent(), secondaryLagSeconds: positive() })),
      fastly: optional(object({ http5xxPercent: percent(), minimumRequests: n(), hitRatioPercent: percent(), originLatencySeconds: positive() })),
      mail: optional(
        object({
          oldestMessageSeconds: positive(),
          bounceRate: fraction(),
          complaintRate: fraction(),
          // An age the dead letters never reach (SQS deletes them first) would never alert.
          deadLetterAgeSeconds: optional(number({ above: 0, below: MAIL_DEAD_LETTER_RETENTION_SECONDS, integer: false })),
          functionErrors: n(),
          historyThrottledRequests: n(),
          historySystemErrors: n(),
        }),
      ),
      cache: optional(object({ cpuPercent: percent(), engineCpuPercent: percent(), memoryPercent: percent(), evictions: n(), replicationLagSeconds: positive(), connections: n() })),
    }),
  ),
  slos: optional(
    arrayOf(
      object<SloSpec>({
        name: string({ pattern: /^[a-z0-9][a-z0-9-]{1,62}$/, description: 'a kebab-case SLO name' }),
        description: optionalText(),
        service: text(),
        source: oneOf(['fastly', 'load-balancer'] as const),
        kind: oneOf(['availability', 'latency'] as const),
        target: number({ min: 0, max: 100, integer: false }),
        timeframe: optional(oneOf(['7d', '30d', '90d'] as const)),
        latencySeconds: positive(),
        sliceErrorPercent: percent(),
        burnRateAlerts: optional(arrayOf(object<BurnRateAlert>({ burnRate: number({ min: 0, integer: false }), longWindow: text(), shortWindow: text(), priority: number({ min: 1, max: 5 }) as Schema<BurnRateAlert['priority']> }))),
      }),
      { uniqueBy: (s: SloSpec) => s.name },
    ),
  ),
  runbookUrl: optional(string({ pattern: /^https:\/\//, description: 'an https URL' })),
});

const mailSchema = object<MailConfig>(
  {
    name: string({ pattern: /^[a-z][a-z0-9-]{1,30}$/, description: 'a kebab-case name' }),
    provider: oneOf(['sendgrid', 'ses'] as const),
    sendgrid: optional(
      object<SendGridSettings>({
        eventWebhookPublicKey: text(),
        dnsRecords: optional(arrayOf(object<DnsRecord>({ name: text(), value: text() }))),
      }),
    ),
    ses: optional(object<SesSettings>({ domain: text(), mailFromSubdomain: optionalText() })),
    hostedZoneId: optionalHostedZoneId(),
    historyRetentionDays: optionalCount(1, 3650),
    maxConcurrency: optionalCount(2, 1000),
    maxReceives: optionalCount(3, 1000),
    senders: arrayOf(text(), { uniqueBy: (s: string) => s }),
    suppressions: suppressions(),
  },
  [(m) => ((m.provider === 'sendgrid') !== !!m.sendgrid || (m.provider === 'ses') !== !!m.ses ? [{ path: m.provider, got: undefined, expected: `the ${m.provider} settings, and no settings for the other provider` }] : [])],
);

/** Mail senders are apps of this account. */
const mailSendersAreApps: ObjectRule<AccountConfig> = (account) => {
  const apps = account.apps.map((a) => a.name);
  return account.mail.flatMap((m, i) => m.senders.flatMap((s, j) => (apps.includes(s) ? [] : [{ path: `mail[${i}].senders[${j}]`, got: s, expected: `the name of an app in this account: ${apps.join(', ') || 'none'}` }])));
};

/** SLOs measure a Fastly service (its `cdn` name) or a Beanstalk environment of this account. */
const sloServicesExist: ObjectRule<AccountConfig> = (account) => {
  const fastly = account.cdn.map((c) => c.name);
  const environments = account.apps.flatMap((a) => a.environments.map((e) => e.name));
  return (account.monitoring.slos ?? []).flatMap((s, i) => {
    const known = s.source === 'fastly' ? fastly : environments;
    return known.includes(s.service) ? [] : [{ path: `monitoring.slos[${i}].service`, got: s.service, expected: `${s.source === 'fastly' ? 'a cdn service of this account' : 'a Beanstalk environment of this account'}: ${known.join(', ') || 'none'}` }];
  });
};

/** Apps may only use caches of the same account. */
const appCachesExist: ObjectRule<AccountConfig> = (account) => {
  const caches = (account.caches ?? []).map((c) => c.name);
  return account.apps.flatMap((a, i) => (a.caches ?? []).flatMap((c, j) => (caches.includes(c) ? [] : [{ path: `apps[${i}].caches[${j}]`, got: c, expected: `the name of a cache in this account: ${caches.join(', ') || 'none'}` }])));
};

/** Fastly backends may only name apps (and their environments) of the same account. */
const cdnOriginsExist: ObjectRule<AccountConfig> = (account) =>
  account.cdn.flatMap((service, i) =>
    service.backends.flatMap((b, j) => {
      if (b.app === undefined) return [];
      const app = account.apps.find((a) => a.name === b.app);
      if (!app) return [{ path: `cdn[${i}].backends[${j}].app`, got: b.app, expected: `the name of an app in this account: ${account.apps.map((a) => a.name).join(', ') || 'none'}` }];
      if (b.environment !== undefined && !app.environments.some((e) => e.name === b.environment)) {
        return [{ path: `cdn[${i}].backends[${j}].environment`, got: b.environment, expected: `an environment of ${b.app}: ${app.environments.map((e) => e.name).join(', ')}` }];
      }
      return [];
    }),
  );

const fastlyCustomerForS3Logs: ObjectRule<AccountConfig> = (account) =>
  account.cdn.some((c) => c.logging?.s3) && !account.fastly
    ? [{ path: 'fastly', got: undefined, expected: '{ customerId } when a Fastly service logs to S3' }]
    : [];

/** Production and staging must say what a month may cost: a budget without an amount alerts nobody. */
const budgetRequired: ObjectRule<AccountConfig> = (account) =>
  (account.environment === 'production' || account.environment === 'staging') && account.cost.monthlyBudgetUsd === undefined
    ? [{ path: 'cost.monthlyBudgetUsd', got: undefined, expected: `a monthly budget in USD: required for a ${account.environment} account` }]
    : [];

export const costSchema = object<CostConfig>({
  monthlyBudgetUsd: optional(number({ above: 0, integer: false })),
  actualThresholdsPercent: optional(arrayOf(number({ above: 0, max: 1000, integer: false }), { minLength: 1, uniqueBy: (t: number) => String(t) })),
  forecastThresholdPercent: optional(number({ above: 0, max: 1000, integer: false })),
  emails: optional(arrayOf(string({ pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, description: 'an e-mail address' }), { maxLength: 10, uniqueBy: (e: string) => e })),
  anomalyThresholdUsd: optional(number({ above: 0, integer: false })),
  chatbot: optional(
    object<CostChatbotSettings>({
      workspaceId: string({ pattern: /^T[A-Z0-9]{6,}$/, description: 'a Slack workspace id (T...), shown in the AWS Chatbot console' }),
      watchChannelId: string({ pattern: /^[CG][A-Z0-9]{6,}$/, description: 'a Slack channel id (C...), not its name' }),
      immediateChannelId: string({ pattern: /^[CG][A-Z0-9]{6,}$/, description: 'a Slack channel id (C...), not its name' }),
    }),
  ),
  activateCostAllocationTags: optional(boolean()),
  estimatedChargesAlertUsd: optional(number({ above: 0, integer: false })),
});

/** Databases may only name apps of the same account as clients. */
const clientsAreApps: ObjectRule<AccountConfig> = (account) => {
  const apps = account.apps.map((a) => a.name);
  const expected = apps.length ? `the name of an app in this account: ${apps.join(', ')}` : 'an app name, but this account has no apps';
  const check = (kind: 'aurora' | 'sqlServer') =>
    account.databases[kind].flatMap((db, i) =>
      (db.clients ?? []).flatMap((c, j) => (apps.includes(c) ? [] : [{ path: `databases.${kind}[${i}].clients[${j}]`, got: c, expected }])),
    );
  return [...check('aurora'), ...check('sqlServer')];
};

/**
 * Platforms and AMIs come from accounts/catalogue.ts only, so one file (which the monthly
 * bump edits) owns every version an account runs.
 */
const catalogued: ObjectRule<AccountConfig> = (account) => {
  const platformNames: readonly string[] = Object.values(platforms);
  const imageIds: readonly string[] = Object.values(images);
  const image = (path: string, id: string | undefined) => (id === undefined || imageIds.includes(id) ? [] : [{ path, got: id, expected: `an AMI id from accounts/catalogue.ts images: ${imageIds.join(', ')}` }]);
  return [
    ...account.apps.flatMap((a, i) => [
      ...(platformNames.includes(a.solutionStackName) ? [] : [{ path: `apps[${i}].solutionStackName`, got: a.solutionStackName, expected: `a platform from accounts/catalogue.ts platforms: ${platformNames.join(', ')}` }]),
      ...image(`apps[${i}].imageId`, a.imageId),
    ]),
    ...account.databases.sqlServer.flatMap((db, i) => image(`databases.sqlServer[${i}].alwaysOn.imageId`, db.alwaysOn?.imageId)),
  ];
};

/** An FSx witness or RDS Windows authentication joins the account's own directory. */
const directoryForSqlServer: ObjectRule<AccountConfig> = (account) =>
  account.directory
    ? []
    : account.databases.sqlServer.flatMap((db, i) => [
        ...(db.alwaysOn && 'fsx' in db.alwaysOn.witness ? [{ path: `databases.sqlServer[${i}].alwaysOn.witness.fsx`, got: 'an FSx witness', expected: 'a `directory` in this account for the witness to join (or witness.sharePath)' }] : []),
        ...(db.rds?.joinDirectory ? [{ path: `databases.sqlServer[${i}].rds.joinDirectory`, got: true, expected: 'a `directory` in this account to join' }] : []),
      ]);

export const accountSchema: Schema<AccountConfig> = object<AccountConfig>({
  name: name(),
  accountId: string({ pattern: /^\d{12}$/, description: 'a 12-digit AWS account id as a string' }),
  region: oneOf(AWS_REGIONS),
  environment: oneOf(ENVIRONMENTS),
  environmentOverride: optional(object<EnvironmentOverride>({ from: oneOf(ENVIRONMENTS), reason: string({ pattern: /.{10,}/, description: 'a reason of 10 characters or more' }) })),
  ci: object<CiRoles>({
    planRole: string({ pattern: ROLE_NAME, description: 'an IAM role name' }),
    applyRole: string({ pattern: ROLE_NAME, description: 'an IAM role name' }),
  }),
  state: object<StateConfig>({
    bucket: string({ pattern: BUCKET, description: 'an S3 bucket name (3-63 of a-z, 0-9, -)' }),
  }),
  tags: object<AccountTags>({
    team: string(),
    costCenter: string(),
    repository: string({ pattern: /^[\w.-]+\/[\w.-]+$/, description: 'a repository as owner/name' }),
  }),
  datadog: object<DatadogConfig>({ site: oneOf(DATADOG_SITES) }),
  network: networkSchema,
  apps: arrayOf(appSchema, { uniqueBy: (a: AppConfig) => a.name }),
  databases: object<DatabasesConfig>({
    aurora: arrayOf(auroraSchema, { uniqueBy: (d: AuroraConfig) => d.name }),
    sqlServer: arrayOf(sqlServerSchema, { uniqueBy: (d: SqlServerConfig) => d.name }),
  }),
  cdn: arrayOf(cdnSchema, { uniqueBy: (c: CdnServiceConfig) => c.name }),
  fastly: optional(object<FastlyAccountConfig>({ customerId: string({ pattern: /^[A-Za-z0-9]{10,32}$/, description: 'a Fastly customer id' }) })),
  monitoring: monitoringSchema,
  mail: arrayOf(mailSchema, { uniqueBy: (m: MailConfig) => m.name }),
  directory: optional(object<DirectoryConfig>({ domainName: text(), shortName: optionalText(), edition: optional(oneOf(['Standard', 'Enterprise'] as const)), vpcDns: optional(boolean()) })),
  caches: optional(arrayOf(cacheSchema, { uniqueBy: (c: CacheConfig) => c.name })),
  cost: costSchema,
  imagePipelines: optional(arrayOf(object<ImagePipelineConfig>({
    name: string({ pattern: /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, description: 'lower-case kebab-case, 2-40 characters' }),
    image: oneOf(Object.keys(images) as Array<keyof typeof images>),
    platform: oneOf(Object.keys(platformBaseAmis) as Array<keyof typeof platformBaseAmis>),
    shareWith: optional(arrayOf(string({ pattern: /^\d{12}$/, description: 'a 12-digit AWS account id as a string' }), { uniqueBy: (a: string) => a })),
    keepImages: optionalCount(1, 1000),
  }), { uniqueBy: (p: ImagePipelineConfig) => p.name })),
}, [clientsAreApps, cdnOriginsExist, fastlyCustomerForS3Logs, sloServicesExist, mailSendersAreApps, directoryForSqlServer, catalogued, appCachesExist, budgetRequired]);

/** What an account file exports: only what differs from the shared defaults. */
export type AccountOverrides = DeepPartial<AccountConfig> & { readonly name: string; readonly accountId: string };

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly U[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** One account as loaded from its folder, before validation. */
export interface AccountSource {
  /** The folder name under `accounts/`. */
  readonly folder: string;
  /** The account file's export (typed loosely: it is checked at run time). */
  readonly overrides: unknown;
}

/**
 * Applies layers: objects merge key by key, anything else (arrays included) is replaced
 * by the later layer. Arrays are replaced so an account lists its apps explicitly.
 */
export function layer(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? layer(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A problem with one account, printable as `accounts/<name>: <path>: got <v>, expected <e>`. */
export interface AccountProblem extends Problem {
  readonly account: string;
}

export function formatProblem(p: AccountProblem): string {
  return `accounts/${p.account}: ${p.path}: got ${p.got}, expected ${p.expected}`;
}

export class AccountConfigError extends UserError {
  constructor(
    public readonly problems: readonly AccountProblem[],
    /** The accounts with no problem, so their stacks can still be checked in the same run. @default [] */
    public readonly validAccounts: readonly AccountConfig[] = [],
  ) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in account config:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'AccountConfigError';
  }
}

/**
 * Layers each account over `defaults`, validates every one of them (fields, then the rules
 * of `rules.ts`: registered tier, zones, CIDRs, fixed IPs, ARNs) and the rules across
 * accounts (unique names and ids), and either returns all configs or throws one
 * {@link AccountConfigError} listing every problem.
 */
export function resolveAccounts(sources: readonly AccountSource[], defaults: unknown, tiers?: Readonly<Record<string, Environment>>): AccountConfig[] {
  const problems: AccountProblem[] = [];
  const resolved: AccountConfig[] = [];
  for (const source of sources) {
    const own: Problem[] = [];
    const config = accountSchema.check(layer(defaults, source.overrides), '', own);
    if (config) own.push(...accountProblems(config, tiers));
    if (config && config.name !== source.folder) {
      own.push({
        path: 'name',
        got: JSON.stringify(config.name),
        expected: `the folder name ${JSON.stringify(source.folder)}`,
      });
    }
    problems.push(...own.map((p) => ({ ...p, account: source.folder })));
    // Every account whose fields are valid takes part in the rules across accounts, even
    // when its own rules failed: one run reports both.
    if (config) resolved.push(config);
  }
  problems.push(...duplicates(resolved, 'name'), ...duplicates(resolved, 'accountId'), ...crossAccountProblems(resolved));
  if (problems.length > 0) throw new AccountConfigError(problems, resolved.filter((a) => !problems.some((p) => p.account === a.name)));
  return resolved;
}

function duplicates(accounts: readonly AccountConfig[], field: 'name' | 'accountId'): AccountProblem[] {
  const firstBy = new Map<string, string>();
  const out: AccountProblem[] = [];
  for (const a of accounts) {
    const first = firstBy.get(a[field]);
    if (first !== undefined) {
      out.push({ account: a.name, path: field, got: JSON.stringify(a[field]), expected: `a value no other account has (accounts/${first} has it)` });
    } else {
      firstBy.set(a[field], a.name);
    }
  }
  return out;
}
