/**
 * Typed bindings for the Fastly Terraform provider, shaped like cdktf-generated ones.
 *
 * There is no prebuilt `@cdktf/provider-fastly` and `cdktf get` needs the network, so the
 * project keeps these by hand, for the resources it uses. Attribute and block names come
 * from the provider's source and documentation (`fastly/resource_fastly_*.go`,
 * `docs/resources/*.md`) at {@link FASTLY_PROVIDER_VERSION}, the one version every stack pins.
 */
import { TerraformMetaArguments, TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/**
 * The fastly/fastly provider version: the only place it is stated. Stacks pin exactly this
 * (required_providers), the lock files (`npm run providers:lock`) follow the stacks, and
 * the bindings below were checked against the provider source at this tag.
 */
export const FASTLY_PROVIDER_VERSION = '9.5.1';

const GENERATOR_METADATA = { providerName: 'fastly', providerVersion: FASTLY_PROVIDER_VERSION, providerVersionConstraint: FASTLY_PROVIDER_VERSION };

/** camelCase -> snake_case, recursively over plain objects and arrays (block contents). */
function toTerraform(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toTerraform);
  if (value === null || typeof value !== 'object' || value.constructor !== Object) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = toTerraform(v);
  }
  return out;
}

export interface FastlyProviderConfig {
  /** @default - from FASTLY_API_KEY in the environment (the only way this project uses) */
  readonly apiKey?: string;
  /** @default 'https://api.fastly.com' */
  readonly baseUrl?: string;
  readonly alias?: string;
}

/** The `fastly/fastly` provider. */
export class FastlyProvider extends TerraformProvider {
  public static readonly tfResourceType = 'fastly';
  private readonly config: FastlyProviderConfig;

  constructor(scope: Construct, id: string, config: FastlyProviderConfig = {}) {
    super(scope, id, { terraformResourceType: 'fastly', terraformGeneratorMetadata: GENERATOR_METADATA, terraformProviderSource: 'fastly/fastly' });
    this.config = config;
    this.alias = config.alias;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { api_key: this.config.apiKey, base_url: this.config.baseUrl, alias: this.alias };
  }
}

export interface ServiceVclDomain {
  readonly name: string;
  readonly comment?: string;
}

export interface ServiceVclBackend {
  readonly name: string;
  readonly address: string;
  readonly port?: number;
  readonly useSsl?: boolean;
  readonly sslCertHostname?: string;
  readonly sslSniHostname?: string;
  readonly sslCheckCert?: boolean;
  readonly minTlsVersion?: string;
  readonly overrideHost?: string;
  readonly shield?: string;
  readonly healthcheck?: string;
  readonly connectTimeout?: number;
  readonly firstByteTimeout?: number;
  readonly betweenBytesTimeout?: number;
  readonly maxConn?: number;
  readonly autoLoadbalance?: boolean;
  readonly requestCondition?: string;
  readonly weight?: number;
}

export interface ServiceVclHealthcheck {
  readonly name: string;
  readonly host: string;
  readonly path: string;
  readonly method?: string;
  readonly expectedResponse?: number;
  readonly checkInterval?: number;
  readonly timeout?: number;
  readonly threshold?: number;
  readonly window?: number;
  readonly initial?: number;
}

export interface ServiceVclCondition {
  readonly name: string;
  readonly statement: string;
  /** `REQUEST`, `RESPONSE` or `CACHE`. */
  readonly type: 'REQUEST' | 'RESPONSE' | 'CACHE';
  readonly priority?: number;
}

export interface ServiceVclRequestSetting {
  readonly name: string;
  readonly forceSsl?: boolean;
  readonly maxStaleAge?: number;
  readonly xff?: 'clear' | 'leave' | 'append' | 'append_all' | 'overwrite';
  readonly requestCondition?: string;
}

export interface ServiceVclSnippet {
  readonly name: string;
  /** `init`, `recv`, `hash`, `hit`, `miss`, `pass`, `fetch`, `error`, `deliver`, `log` or `none`. */
  readonly type: 'init' | 'recv' | 'hash' | 'hit' | 'miss' | 'pass' | 'fetch' | 'error' | 'deliver' | 'log' | 'none';
  readonly content: string;
  readonly priority?: number;
}

export interface ServiceVclVcl {
  readonly name: string;
  readonly content: string;
  readonly main?: boolean;
}

export interface ServiceVclLoggingS3 {
  readonly name: string;
  readonly bucketName: string;
  readonly s3IamRole?: string;
  readonly domain?: string;
  readonly path?: string;
  readonly period?: number;
  readonly format?: string;
  readonly formatVersion?: number;
  readonly messageType?: string;
  readonly compressionCodec?: string;
  readonly serverSideEncryption?: 'AES256' | 'aws:kms';
  readonly serverSideEncryptionKmsKeyId?: string;
  readonly redundancy?: string;
}

export interface ServiceVclLoggingDatadog {
  readonly name: string;
  /** The Datadog API key (sensitive): always a Terraform variable here, never a literal. */
  readonly token: string;
  readonly region?: string;
  readonly format?: string;
  readonly formatVersion?: number;
}

export interface ServiceVclConfig extends TerraformMetaArguments {
  readonly name: string;
  readonly comment?: string;
  /** Activate new versions. @default true (provider default) */
  readonly activate?: boolean;
  /** Allow destroying an active service. @default false (provider default) */
  readonly forceDestroy?: boolean;
  readonly defaultTtl?: number;
  readonly defaultHost?: string;
  readonly staleIfError?: boolean;
  readonly staleIfErrorTtl?: number;
  readonly http3?: boolean;
  readonly versionComment?: string;
  readonly domain?: ServiceVclDomain[];
  readonly backend?: ServiceVclBackend[];
  readonly healthcheck?: ServiceVclHealthcheck[];
  readonly condition?: ServiceVclCondition[];
  readonly requestSetting?: ServiceVclRequestSetting[];
  readonly snippet?: ServiceVclSnippet[];
  readonly vcl?: ServiceVclVcl[];
  readonly loggingS3?: ServiceVclLoggingS3[];
  readonly loggingDatadog?: ServiceVclLoggingDatadog[];
}

/** `fastly_service_vcl`: a Fastly VCL (Deliver) service. */
export class ServiceVcl extends TerraformResource {
  public static readonly tfResourceType = 'fastly_service_vcl';
  /** The resolved config, for tests and escape hatches. */
  public readonly config: ServiceVclConfig;

  constructor(scope: Construct, id: string, config: ServiceVclConfig) {
    super(scope, id, { terraformResourceType: ServiceVcl.tfResourceType, terraformGeneratorMetadata: GENERATOR_METADATA, ...metaOf(config) });
    this.config = config;
  }

  public get id(): string {
    return this.getStringAttribute('id');
  }

  public get activeVersion(): number {
    return this.getNumberAttribute('active_version');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { provider: _p, dependsOn: _d, count: _c, lifecycle: _l, provisioners: _pr, connection: _co, forEach: _f, ...attributes } = this.config;
    return toTerraform(attributes) as Record<string, unknown>;
  }
}

/** The meta-arguments every resource binding passes through to TerraformResource. */
function metaOf(config: TerraformMetaArguments): TerraformMetaArguments {
  const { provider, dependsOn, count, lifecycle, provisioners, connection, forEach } = config;
  return { provider, dependsOn, count, lifecycle, provisioners, connection, forEach };
}

/** The `certificate_authority` values the provider accepts (validation.StringInSlice in resource_fastly_tls_subscription.go). */
export const TLS_CERTIFICATE_AUTHORITIES = ['lets-encrypt', 'globalsign', 'certainly'] as const;

export interface TlsSubscriptionConfig extends TerraformMetaArguments {
  /** Required, forces a new subscription. */
  readonly certificateAuthority: (typeof TLS_CERTIFICATE_AUTHORITIES)[number];
  /** Required, at least one; each must be a domain of a service (the API refuses others). */
  readonly domains: string[];
  /** @default - the first domain */
  readonly commonName?: string;
  /** @default - the account's default TLS configuration */
  readonly configurationId?: string;
  /** Delete even with active domains. @default false (provider default) */
  readonly forceDestroy?: boolean;
  /** Update even with active domains. @default false (provider default) */
  readonly forceUpdate?: boolean;
}

/**
 * `fastly_tls_subscription`: a certificate Fastly obtains and renews for the domains.
 * Computed: `managed_dns_challenges` (record_name, record_type, record_value),
 * `managed_http_challenges` (record_name, record_type, record_values), `certificate_id`, `state`.
 */
export class TlsSubscription extends TerraformResource {
  public static readonly tfResourceType = 'fastly_tls_subscription';
  public readonly config: TlsSubscriptionConfig;

  constructor(scope: Construct, id: string, config: TlsSubscriptionConfig) {
    super(scope, id, { terraformResourceType: TlsSubscription.tfResourceType, terraformGeneratorMetadata: GENERATOR_METADATA, ...metaOf(config) });
    this.config = config;
  }

  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The Terraform address of an attribute, for expressions over computed sets. */
  public attributeExpression(attribute: 'managed_dns_challenges' | 'managed_http_challenges' | 'domains'): string {
    return `${this.terraformResourceType}.${this.friendlyUniqueId}.${attribute}`;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { provider: _p, dependsOn: _d, count: _c, lifecycle: _l, provisioners: _pr, connection: _co, forEach: _f, ...attributes } = this.config;
    return toTerraform(attributes) as Record<string, unknown>;
  }
}

export interface TlsSubscriptionValidationConfig extends TerraformMetaArguments {
  /** Required, forces a new resource. */
  readonly subscriptionId: string;
}

/**
 * `fastly_tls_subscription_validation`: creation waits (up to 45 minutes) until the
 * subscription is `issued`. Computed: `certificate_id`.
 */
export class TlsSubscriptionValidation extends TerraformResource {
  public static readonly tfResourceType = 'fastly_tls_subscription_validation';
  public readonly config: TlsSubscriptionValidationConfig;

  constructor(scope: Construct, id: string, config: TlsSubscriptionValidationConfig) {
    super(scope, id, { terraformResourceType: TlsSubscriptionValidation.tfResourceType, terraformGeneratorMetadata: GENERATOR_METADATA, ...metaOf(config) });
    this.config = config;
  }

  public get certificateId(): string {
    return this.getStringAttribute('certificate_id');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { subscription_id: this.config.subscriptionId };
  }
}
