import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { SecureBucket } from '../core/bucket';
import { policyDocument } from '../core/iam';
import { suppress } from '../core/suppressions';
import { Rule, checkProps } from '../core/validation';
import { ServiceVcl, ServiceVclBackend, ServiceVclCondition, ServiceVclSnippet, TLS_CERTIFICATE_AUTHORITIES, TlsSubscription, TlsSubscriptionValidation } from './bindings';
import { fastlyMonitors } from '../monitoring/catalogue';
import { MonitorSpec, MonitorThresholds, Monitored } from '../monitoring/spec';
import { VclFile, checkSnippets, checkVcl } from './vcl-check';

/** Fastly's AWS account, which assumes the log-delivery role. */
export const FASTLY_AWS_ACCOUNT_ID = '717331877981';

export interface FastlyHealthCheck {
  /** Path requested on the origin. */
  readonly path: string;
  /** @default 200 */
  readonly expectedStatus?: number;
  /** @default 15000 */
  readonly intervalMs?: number;
}

export interface FastlyBackend {
  /** Backend name, unique in the service (letters, digits, `_`, `-`). */
  readonly name: string;
  /** Where to connect: a Beanstalk environment CNAME, an S3 bucket host, any host name. */
  readonly address: string;
  /**
   * The host name the origin's certificate covers: sent as Host (`override_host`) and SNI,
   * and checked against the certificate.
   */
  readonly originHost: string;
  /** Talk TLS to the origin, checking its certificate. @default true */
  readonly useTls?: boolean;
  /**
   * Why this origin cannot do TLS. Required, in production, to turn `useTls` off; it is
   * recorded as a suppression of the FASTLY-BACKEND-TLS policy rule and listed by `npm start`.
   * @default - none: plaintext is refused in production
   */
  readonly allowPlaintext?: string;
  /** @default 443 with TLS, else 80 */
  readonly port?: number;
  /**
   * Shield POP: one POP fetches from the origin for all others, so a spike hits the origin once.
   * @default - no shielding
   */
  readonly shield?: string;
  /** Health check; `false` for none (e.g. S3). @default { path: '/health' } */
  readonly healthCheck?: FastlyHealthCheck | false;
  /** @default 1000 */
  readonly connectTimeoutMs?: number;
  /** @default 15000 */
  readonly firstByteTimeoutMs?: number;
  /** @default 10000 */
  readonly betweenBytesTimeoutMs?: number;
  /** @default 200 */
  readonly maxConnections?: number;
}

/**
 * A partial release. Each visitor is in the variant or not: `?<queryParam>=1` opts in and
 * `?<queryParam>=0` opts out, a visitor with neither and no cookie is put in the variant
 * with probability `percent`, and the choice is kept in a cookie (Secure, HttpOnly,
 * SameSite=Lax) whose value, `1` or `0`, decides later requests. Variant requests go to
 * `backend` and are cached apart (the choice is part of the cache key).
 */
export interface FeatureRoute {
  /** Names the route in conditions and cache keys. */
  readonly name: string;
  /** Query parameter that opts in (`=1`) or out (`=0`), e.g. `beta_search`. @default - none */
  readonly queryParam?: string;
  /** Cookie that keeps the choice. @default `feature_<name>` (dashes as underscores) */
  readonly cookie?: string;
  /** Percent (0-100) of visitors without a choice put in the variant. @default 0 */
  readonly percent?: number;
  /** How long the choice sticks. @default 2592000 (30 days) */
  readonly cookieMaxAgeSeconds?: number;
  /** The backend variant requests go to. */
  readonly backend: string;
}

/** Requests for the host (e.g. `partner.example-hotel.jp`) go to another backend. */
export interface HostRoute {
  /** One of the service's domains. */
  readonly host: string;
  readonly backend: string;
}

/** Requests whose path starts with the prefix go to another backend (e.g. `/images/` to S3). */
export interface PathRoute {
  readonly pathPrefix: string;
  readonly backend: string;
}

export interface FastlyS3Logging {
  /** Fastly customer id: the external id Fastly passes when it assumes the log role. */
  readonly fastlyCustomerId: string;
  /** Bucket name for the logs. */
  readonly bucketName: string;
  /** The bucket's region (for the S3 endpoint). */
  readonly region: string;
  /** Days log files are kept. @default 365 */
  readonly retentionDays?: number;
}

/**
 * The regions Fastly's Datadog logging endpoint accepts, for each Datadog site. The provider
 * does not validate `region` (fastly/block_fastly_service_logging_datadog.go at the pinned
 * version: a free string, default "US"); Fastly's API does, with the values of its
 * LoggingDatadog region enum: US, US3, US5, EU1 (EU legacy), AP1
 * (https://www.fastly.com/documentation/reference/api/logging/datadog/, and
 * fastly/fastly-rust src/models/logging_datadog_additional.rs).
 */
export const DATADOG_LOG_REGIONS = {
  'datadoghq.com': 'US',
  'us3.datadoghq.com': 'US3',
  'us5.datadoghq.com': 'US5',
  'datadoghq.eu': 'EU1',
  'ap1.datadoghq.com': 'AP1',
} as const;
export type FastlyDatadogRegion = (typeof DATADOG_LOG_REGIONS)[keyof typeof DATADOG_LOG_REGIONS];

export interface FastlyDatadogLogging {
  /** Datadog API key: must be a Terraform variable's value, fed from the environment. */
  readonly token: string;
  /** Datadog logs region: the organisation's site's, from {@link DATADOG_LOG_REGIONS}. */
  readonly region: FastlyDatadogRegion;
}

/**
 * A certificate Fastly obtains and renews for the service's domains (`fastly_tls_subscription`).
 * Ownership is proven by a DNS challenge: a CNAME `_acme-challenge.<domain>` per domain.
 * @see https://docs.fastly.com/en/guides/serving-https-traffic-using-fastly-managed-certificates
 */
export interface FastlyTls {
  /** @default 'certainly' (Fastly's own CA) */
  readonly certificateAuthority?: (typeof TLS_CERTIFICATE_AUTHORITIES)[number];
  /**
   * Route 53 zone holding the domains: the challenge records are created there and the
   * apply waits until the certificate is issued (`fastly_tls_subscription_validation`).
   * @default - none: the records to create by hand are a Terraform output
   */
  readonly hostedZoneId?: string;
}

export interface FastlyVclServiceProps {
  /** Service name. */
  readonly name: string;
  /** Domains the service answers for. */
  readonly domains: readonly string[];
  /** Backends; exactly one has no route: it serves everything not routed elsewhere. */
  readonly backends: readonly FastlyBackend[];
  /**
   * The service's VCL: one file named `main` and the files it includes.
   * @default [] - Fastly's generated VCL
   */
  readonly vclFiles?: readonly VclFile[];
  /** Set X-Request-ID at the edge when the client sent none, pass it to origin, return it. @default true */
  readonly requestId?: boolean;
  /** @default [] */
  readonly featureRoutes?: readonly FeatureRoute[];
  /** @default [] */
  readonly pathRoutes?: readonly PathRoute[];
  /** @default [] */
  readonly hostRoutes?: readonly HostRoute[];
  /** Redirect HTTP to HTTPS and send HSTS. @default true */
  readonly httpsOnly?: boolean;
  /** HSTS max-age. @default 31536000 (one year) */
  readonly hstsMaxAgeSeconds?: number;
  /** TTL when the origin sends no caching headers. @default 3600 */
  readonly defaultTtlSeconds?: number;
  /** How long a stale object may be served while the origin fails (`beresp.stale_if_error`). @default 86400 */
  readonly staleIfErrorSeconds?: number;
  /** How long a stale object is served while it is fetched again in the background (`beresp.stale_while_revalidate`). @default 60 */
  readonly staleWhileRevalidateSeconds?: number;
  /** Fastly-managed certificates for the domains; `false` when they are managed elsewhere. @default {} - a subscription, DNS records by hand */
  readonly tls?: FastlyTls | false;
  /** Deliver logs to S3 through an IAM role (no access keys). @default - none */
  readonly s3Logging?: FastlyS3Logging;
  /** Deliver logs to Datadog. @default - none */
  readonly datadogLogging?: FastlyDatadogLogging;
  /** Use production rules (TLS to origin, no force_destroy). @default false */
  readonly production?: boolean;
  /** Allow destroying the active service. @default false; refused in production */
  readonly forceDestroy?: boolean;
  /** Version comment, e.g. the commit id CI deploys. @default - none */
  readonly versionComment?: string;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const PARAM = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * req.backend "is always null in vcl_log", where logging endpoints of format_version 2 run:
 * "copy the value into a custom HTTP header earlier"
 * (https://www.fastly.com/documentation/reference/vcl/variables/backend-connection/req-backend/).
 * Set in vcl_miss and vcl_pass (a hit uses no backend), after the backend request exists,
 * and kept off it.
 */
const LOG_BACKEND_HEADER = 'req.http.X-Log-Backend';

/**
 * One JSON object per request, including the request id the apps log too. Written by
 * hand, not JSON.stringify: the %{...}V expressions must reach Fastly unescaped.
 */
export const LOG_FORMAT = `{${Object.entries({
  time: '%{strftime(\\{"%Y-%m-%dT%H:%M:%S%z"\\}, time.start)}V',
  request_id: '%{json.escape(req.http.X-Request-ID)}V',
  client_ip: '%{req.http.Fastly-Client-IP}V',
  method: '%{json.escape(req.method)}V',
  host: '%{json.escape(req.http.host)}V',
  url: '%{json.escape(req.url)}V',
  status: '%{resp.status}V',
  bytes: '%{resp.bytes_written}V',
  cache: '%{fastly_info.state}V',
  backend: `%{json.escape(${LOG_BACKEND_HEADER})}V`,
  origin_first_byte_s: '%{time.to_first_byte}V',
  elapsed_us: '%{time.elapsed.usec}V',
  pop: '%{server.datacenter}V',
})
  .map(([key, value]) => `"${key}":"${value}"`)
  .join(',')}}`;

/**
 * A Fastly VCL service in front of the apps: TLS to origin with certificate checks,
 * shielding, health checks, the repository's VCL (checked before it ships), a request
 * id, feature routing for partial releases, HTTPS only with HSTS, stale-if-error, and
 * logs to S3 (IAM role) and/or Datadog (key from a Terraform variable).
 */
export class FastlyVclService extends Construct implements Monitored {
  public readonly service: ServiceVcl;
  public readonly serviceId: string;
  public readonly serviceName: string;
  public readonly domains: readonly string[];
  public readonly backendNames: readonly string[];
  /** The domains' certificate subscriptions, one per domain; none with `tls: false`. */
  public readonly tlsSubscriptions: readonly TlsSubscription[];

  constructor(scope: Construct, id: string, props: FastlyVclServiceProps) {
    super(scope, id);
    const production = props.production ?? false;
    const vclFiles = props.vclFiles ?? [];
    const requestId = props.requestId ?? true;
    const featureRoutes = props.featureRoutes ?? [];
    const pathRoutes = props.pathRoutes ?? [];
    const hostRoutes = props.hostRoutes ?? [];
    const httpsOnly = props.httpsOnly ?? true;
    const hstsMaxAge = props.hstsMaxAgeSeconds ?? 31536000;
    const defaultTtl = props.defaultTtlSeconds ?? 3600;
    const staleIfError = props.staleIfErrorSeconds ?? 86400;
    const staleWhileRevalidate = props.staleWhileRevalidateSeconds ?? 60;
    const tls = props.tls === false ? undefined : { certificateAuthority: props.tls?.certificateAuthority ?? 'certainly', hostedZoneId: props.tls?.hostedZoneId };
    const forceDestroy = props.forceDestroy ?? false;
    const backendNames = props.backends.map((b) => b.name);
    const routedBackends = new Set([...featureRoutes, ...pathRoutes, ...hostRoutes].map((r) => r.backend));

    const rules: Rule[] = [
      [props.domains.length === 0, 'domains', props.domains, 'at least one domain'],
      [props.domains.some((d) => !HOSTNAME.test(d)), 'domains', props.domains.filter((d) => !HOSTNAME.test(d)), 'lower-case host names'],
      [new Set(props.domains).size !== props.domains.length, 'domains', props.domains, 'no domain twice'],
      [props.backends.length === 0, 'backends', backendNames, 'at least one backend'],
      [new Set(backendNames).size !== backendNames.length, 'backends[].name', backendNames, 'unique backend names'],
      // Fastly picks a backend without a condition for what no condition matches, and "if there
      // are multiple such backends, one is chosen arbitrarily"
      // (https://www.fastly.com/documentation/reference/api/services/backend/).
      [props.backends.length > 0 && props.backends.filter((b) => !routedBackends.has(b.name)).length !== 1, 'backends', backendNames.filter((b) => !routedBackends.has(b)), 'exactly one backend without a route, to serve what no route matches'],
      [production && forceDestroy, 'forceDestroy', forceDestroy, 'false in production (an active service must not be destroyable by a plan)'],
      [defaultTtl < 0, 'defaultTtlSeconds', defaultTtl, '0 or more'],
      [staleIfError < 0, 'staleIfErrorSeconds', staleIfError, '0 or more'],
      [staleWhileRevalidate < 0, 'staleWhileRevalidateSeconds', staleWhileRevalidate, '0 or more'],
      [!!tls && !(TLS_CERTIFICATE_AUTHORITIES as readonly string[]).includes(tls.certificateAuthority), 'tls.certificateAuthority', tls?.certificateAuthority, `one of ${TLS_CERTIFICATE_AUTHORITIES.join(', ')} (resource_fastly_tls_subscription.go)`],
      [!!tls?.hostedZoneId && !/^Z[A-Z0-9]{8,31}$/.test(tls.hostedZoneId), 'tls.hostedZoneId', tls?.hostedZoneId, 'a Route 53 hosted zone id'],
      [!!props.datadogLogging && !(Object.values(DATADOG_LOG_REGIONS) as string[]).includes(props.datadogLogging.region), 'datadogLogging.region', props.datadogLogging?.region, `one of ${Object.values(DATADOG_LOG_REGIONS).join(', ')} (Fastly's Datadog regions)`],
      [hstsMaxAge < 300, 'hstsMaxAgeSeconds', hstsMaxAge, 'at least 300'],
      [vclFiles.length > 0 && !vclFiles.some((f) => f.name === 'main'), 'vclFiles', vclFiles.map((f) => f.name), 'a file named main among them'],
      [!!props.datadogLogging && !Token.isUnresolved(props.datadogLogging.token), 'datadogLogging.token', '<redacted>', 'a Terraform variable (never a literal key in code or config)'],
      ...props.backends.flatMap((b, i): Rule[] => {
        const p = `backends[${i}]`;
        const tls = b.useTls ?? true;
        return [
          [!NAME.test(b.name), `${p}.name`, b.name, 'letters, digits, _ and - (1-64)'],
          [b.address === '', `${p}.address`, b.address, 'a host name or address'],
          [!HOSTNAME.test(b.originHost), `${p}.originHost`, b.originHost, 'the host name on the origin certificate'],
          [production && !tls && !b.allowPlaintext, `${p}.useTls`, tls, 'true in production (TLS to origin), or allowPlaintext set to the reason'],
          [b.allowPlaintext !== undefined && b.allowPlaintext.trim().length < 10, `${p}.allowPlaintext`, b.allowPlaintext, 'a reason of 10 characters or more'],
          [b.shield !== undefined && !/^[a-z0-9]+-[a-z0-9-]+$/.test(b.shield), `${p}.shield`, b.shield, 'a Fastly POP code such as "tyo-tokyo-jp"'],
          [(b.firstByteTimeoutMs ?? 15000) < 1000 || (b.firstByteTimeoutMs ?? 15000) > 60000, `${p}.firstByteTimeoutMs`, b.firstByteTimeoutMs, 'from 1000 to 60000'],
        ];
      }),
      ...featureRoutes.flatMap((r, i): Rule[] => [
        [!NAME.test(r.name), `featureRoutes[${i}].name`, r.name, 'letters, digits, _ and -'],
        [!r.queryParam && !(r.percent ?? 0), `featureRoutes[${i}]`, r.name, 'a queryParam that opts in, or a percent above 0'],
        [!!r.queryParam && !PARAM.test(r.queryParam), `featureRoutes[${i}].queryParam`, r.queryParam, 'a parameter name (letters, digits, _ . -)'],
        [!!r.cookie && !PARAM.test(r.cookie), `featureRoutes[${i}].cookie`, r.cookie, 'a cookie name (letters, digits, _ . -)'],
        [r.percent !== undefined && !(Number.isInteger(r.percent) && r.percent >= 0 && r.percent <= 100), `featureRoutes[${i}].percent`, r.percent, 'a whole number from 0 to 100 (randombool(percent, 100))'],
        [r.cookieMaxAgeSeconds !== undefined && !(Number.isInteger(r.cookieMaxAgeSeconds) && r.cookieMaxAgeSeconds > 0), `featureRoutes[${i}].cookieMaxAgeSeconds`, r.cookieMaxAgeSeconds, 'a whole number of seconds above 0'],
        [!backendNames.includes(r.backend), `featureRoutes[${i}].backend`, r.backend, `one of the backends: ${backendNames.join(', ')}`],
      ]),
      [new Set(featureRoutes.map(featureCookie)).size !== featureRoutes.length, 'featureRoutes[].cookie', featureRoutes.map(featureCookie), 'one cookie per route'],
      ...hostRoutes.flatMap((r, i): Rule[] => [
        [!props.domains.includes(r.host), `hostRoutes[${i}].host`, r.host, `one of the domains: ${props.domains.join(', ')}`],
        [!backendNames.includes(r.backend), `hostRoutes[${i}].backend`, r.backend, `one of the backends: ${backendNames.join(', ')}`],
      ]),
      [new Set(hostRoutes.map((r) => r.host)).size !== hostRoutes.length, 'hostRoutes[].host', hostRoutes.map((r) => r.host), 'each host routed once'],
      [new Set(pathRoutes.map((r) => r.pathPrefix)).size !== pathRoutes.length, 'pathRoutes[].pathPrefix', pathRoutes.map((r) => r.pathPrefix), 'each path prefix routed once'],
      ...pathRoutes.flatMap((r, i): Rule[] => [
        [!/^\/[\w\-./]*$/.test(r.pathPrefix), `pathRoutes[${i}].pathPrefix`, r.pathPrefix, 'a path starting with /'],
        [!backendNames.includes(r.backend), `pathRoutes[${i}].backend`, r.backend, `one of the backends: ${backendNames.join(', ')}`],
      ]),
    ];
    checkProps(this, 'FastlyVclService', rules);
    checkVcl(vclFiles, (f) => f.name === 'main');

    // Routing uses Fastly's own backend conditions: a backend is chosen when its
    // condition holds. Fastly runs them in priority order (lower first) and the last match
    // sets req.backend, but a backend has one condition, shared by all its routes, and the
    // order of equal priorities is not documented. So precedence is written into the
    // statements instead: a route's clause excludes every route of another backend that
    // wins over it (a path route over a host route over a feature route, and a longer path
    // prefix over a shorter one), and conditions never overlap whatever their order.
    interface Clause {
      readonly backend: string;
      readonly statement: string;
      readonly rank: number;
      readonly prefix?: string;
    }
    const clauses: Clause[] = [
      ...featureRoutes.map((r) => ({ backend: r.backend, statement: `${featureHeader(r)} == "1"`, rank: 5 })),
      ...hostRoutes.map((r) => ({ backend: r.backend, statement: `req.http.host == "${r.host}"`, rank: 8 })),
      ...pathRoutes.map((r) => ({ backend: r.backend, statement: `req.url.path ~ "^${escapeRegex(r.pathPrefix)}"`, rank: 10, prefix: r.pathPrefix })),
    ];
    const winsOver = (o: Clause, c: Clause) =>
      o.backend !== c.backend && (o.rank > c.rank || (o.prefix !== undefined && c.prefix !== undefined && o.prefix.length > c.prefix.length && o.prefix.startsWith(c.prefix)));
    const conditions: ServiceVclCondition[] = [];
    const conditionOf = new Map<string, string>();
    for (const backend of [...new Set(clauses.map((c) => c.backend))]) {
      const own = clauses.filter((c) => c.backend === backend);
      const statement = own.map((c) => `(${[c.statement, ...clauses.filter((o) => winsOver(o, c)).map((o) => `!(${o.statement})`)].join(' && ')})`).join(' || ');
      const name = `route-${backend}`;
      conditions.push({ name, type: 'REQUEST', statement, priority: Math.max(...own.map((c) => c.rank)) });
      conditionOf.set(backend, name);
    }

    const backends: ServiceVclBackend[] = props.backends.map((b) => {
      const tls = b.useTls ?? true;
      return {
        name: b.name,
        address: b.address,
        port: b.port ?? (tls ? 443 : 80),
        useSsl: tls,
        sslCheckCert: tls ? true : undefined,
        sslCertHostname: tls ? b.originHost : undefined,
        sslSniHostname: tls ? b.originHost : undefined,
        minTlsVersion: tls ? '1.2' : undefined,
        overrideHost: b.originHost,
        shield: b.shield,
        healthcheck: b.healthCheck === false ? undefined : `${b.name}-health`,
        connectTimeout: b.connectTimeoutMs ?? 1000,
        firstByteTimeout: b.firstByteTimeoutMs ?? 15000,
        betweenBytesTimeout: b.betweenBytesTimeoutMs ?? 10000,
        maxConn: b.maxConnections ?? 200,
        autoLoadbalance: false,
        requestCondition: conditionOf.get(b.name),
      };
    });
    const healthchecks = props.backends
      .filter((b) => b.healthCheck !== false)
      .map((b) => {
        const hc = (b.healthCheck || { path: '/health' }) as FastlyHealthCheck;
        return {
          name: `${b.name}-health`,
          host: b.originHost,
          path: hc.path,
          method: 'GET',
          expectedResponse: hc.expectedStatus ?? 200,
          checkInterval: hc.intervalMs ?? 15000,
          timeout: 5000,
          threshold: 3,
          window: 5,
          initial: 3,
        };
      });

    const snippets: ServiceVclSnippet[] = [];
    if (requestId) snippets.push(...requestIdSnippets());
    for (const type of ['miss', 'pass'] as const) {
      snippets.push({ name: `log-backend-${type}`, type, priority: 100, content: `set ${LOG_BACKEND_HEADER} = req.backend.name;\nunset bereq.http.X-Log-Backend;\n` });
    }
    if (httpsOnly) {
      snippets.push({ name: 'hsts', type: 'deliver', priority: 100, content: `set resp.http.Strict-Transport-Security = "max-age=${hstsMaxAge}; includeSubDomains";\n` });
    }
    snippets.push(...staleSnippets(staleIfError, staleWhileRevalidate), cacheDefaultsSnippet(defaultTtl));
    for (const r of featureRoutes) snippets.push(...featureSnippets(r));
    checkSnippets(snippets);

    const loggingS3 = props.s3Logging ? [this.s3Logging(props.name, props.s3Logging)] : undefined;

    this.service = new ServiceVcl(this, 'service', {
      name: props.name,
      comment: `Managed by cdktf: ${props.name}`,
      activate: true,
      forceDestroy,
      versionComment: props.versionComment,
      defaultTtl,
      staleIfError: staleIfError > 0,
      staleIfErrorTtl: staleIfError > 0 ? staleIfError : undefined,
      http3: true,
      domain: props.domains.map((name) => ({ name })),
      backend: backends,
      healthcheck: healthchecks.length > 0 ? healthchecks : undefined,
      condition: conditions.length > 0 ? conditions : undefined,
      requestSetting: [{ name: 'defaults', forceSsl: httpsOnly, maxStaleAge: staleIfError, xff: 'append' }],
      snippet: snippets.length > 0 ? snippets : undefined,
      vcl: vclFiles.length > 0 ? vclFiles.map((f) => ({ name: f.name, content: f.content, main: f.name === 'main' })) : undefined,
      loggingS3,
      loggingDatadog: props.datadogLogging
        ? [{ name: 'datadog', token: props.datadogLogging.token, region: props.datadogLogging.region, format: LOG_FORMAT, formatVersion: 2 }]
        : undefined,
    });
    this.tlsSubscriptions = tls ? this.certificates(props.domains, tls) : [];
    for (const b of props.backends.filter((backend) => backend.useTls === false && backend.allowPlaintext)) {
      suppress(this, 'FASTLY-BACKEND-TLS', `backend ${b.name}: ${b.allowPlaintext}`);
    }
    this.serviceId = this.service.id;
    this.serviceName = props.name;
    this.domains = props.domains;
    this.backendNames = backendNames;
  }

  /** Edge 5xx ratio, cache hit ratio and origin latency. */
  public monitors(thresholds: MonitorThresholds): MonitorSpec[] {
    return fastlyMonitors({ serviceName: this.serviceName }, thresholds.fastly);
  }

  /**
   * A Fastly-managed certificate per domain, so HTTPS works when DNS moves to Fastly
   * (force_ssl redirects there, HSTS pins it, HTTP/3 needs it). One subscription per domain,
   * named after it: the API refuses to edit the domains of a subscription whose domains are
   * active unless forced (`force_update`; "a flag that allows you to edit and delete a
   * subscription with active domains", https://www.fastly.com/documentation/reference/api/tls/subs/),
   * so a shared one would make adding a domain fail at apply; this way adding a domain adds a
   * subscription, and removing one stops at its subscription's destroy (`force_destroy` off)
   * instead of dropping a live certificate. Fastly proves ownership by a CNAME
   * `_acme-challenge.<domain>` (the subscription's `managed_dns_challenges`): created in the
   * zone when there is one, with the apply waiting for the certificate; otherwise a
   * Terraform output lists the records to create by hand.
   */
  private certificates(domains: readonly string[], tls: { certificateAuthority: (typeof TLS_CERTIFICATE_AUTHORITIES)[number]; hostedZoneId?: string }): TlsSubscription[] {
    const subscriptions = domains.map((domain) => {
      const id = domain.replace(/\./g, '-');
      // The API only takes domains that a service already has: hence depends_on the service.
      const subscription = new TlsSubscription(this, `tls-${id}`, { certificateAuthority: tls.certificateAuthority, domains: [domain], dependsOn: [this.service] });
      if (tls.hostedZoneId) {
        const record = new Route53Record(this, `tls-challenge-${id}`, {
          zoneId: tls.hostedZoneId,
          name: `_acme-challenge.${domain}`,
          type: 'CNAME',
          ttl: 60,
          // The record the subscription asks for, picked by name from the computed set.
          records: [`\${element([for c in ${subscription.attributeExpression('managed_dns_challenges')} : c.record_value if c.record_name == "_acme-challenge.${domain}"], 0)}`],
          allowOverwrite: true,
        });
        new TlsSubscriptionValidation(this, `tls-validation-${id}`, { subscriptionId: subscription.id, dependsOn: [record] });
      }
      return subscription;
    });
    if (!tls.hostedZoneId) {
      const lists = subscriptions.map((sub) => `[for c in ${sub.attributeExpression('managed_dns_challenges')} : "\${c.record_name} \${c.record_type} \${c.record_value}"]`);
      new TerraformOutput(this, 'tls-dns-challenges', {
        description: `DNS records to create so Fastly can issue the certificates for ${domains.join(', ')}`,
        value: `\${concat(${lists.join(', ')})}`,
      });
    }
    return subscriptions;
  }

  /** A private, encrypted log bucket and a role only Fastly (with our customer id) may assume. */
  private s3Logging(service: string, s3: FastlyS3Logging) {
    const bucket = new SecureBucket(this, 'logs', { bucketName: s3.bucketName, expireAfterDays: s3.retentionDays ?? 365 });
    const role = new IamRole(this, 'log-role', {
      name: `fastly-logs-${service}`,
      assumeRolePolicy: policyDocument({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${FASTLY_AWS_ACCOUNT_ID}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': s3.fastlyCustomerId } },
      }),
    });
    new IamRolePolicy(this, 'log-write', {
      role: role.id,
      policy: policyDocument({ Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: `${bucket.bucketArn}/${service}/*` }),
    });
    return {
      name: 's3',
      bucketName: bucket.bucketName,
      s3IamRole: role.arn,
      domain: `s3.${s3.region}.amazonaws.com`,
      path: `/${service}/`,
      period: 300,
      format: LOG_FORMAT,
      formatVersion: 2,
      messageType: 'blank',
      compressionCodec: 'gzip',
      serverSideEncryption: 'AES256' as const,
    };
  }
}

const featureCookie = (r: FeatureRoute) => r.cookie ?? `feature_${r.name.replace(/-/g, '_')}`;
/** The request header holding a route's decision for this request: "1" in the variant, "0" not. */
const featureHeader = (r: FeatureRoute) => `req.http.X-Feature-${r.name}`;

/**
 * A feature route's VCL. vcl_recv decides once per request, at the edge (not again at the
 * shield, which gets the decision in the header): the query parameter (=1 / =0), else the
 * cookie's value (only "1" or "0" count), else a draw with `randombool(percent, 100)`.
 * A decision not from the cookie is written back in vcl_deliver as a cookie, so it sticks,
 * and vcl_hash keys on it, so the variants are cached apart.
 */
function featureSnippets(r: FeatureRoute): ServiceVclSnippet[] {
  const header = featureHeader(r);
  const cookie = featureCookie(r);
  const percent = r.percent ?? 0;
  const param = r.queryParam ? escapeRegex(r.queryParam) : undefined;
  const recv = [
    'if (fastly.ff.visits_this_service == 0 && req.restarts == 0) {',
    `  unset ${header}-Set;`,
    ...(param
      ? [
          `  if (req.url.qs ~ "(^|&)${param}=1(&|$)") {`,
          `    set ${header} = "1";`,
          `    set ${header}-Set = "1";`,
          `  } elseif (req.url.qs ~ "(^|&)${param}=0(&|$)") {`,
          `    set ${header} = "0";`,
          `    set ${header}-Set = "1";`,
          `  } elseif (req.http.Cookie:${cookie} ~ "^[01]$") {`,
        ]
      : [`  if (req.http.Cookie:${cookie} ~ "^[01]$") {`]),
    `    set ${header} = req.http.Cookie:${cookie};`,
    ...(percent > 0
      ? ['  } elseif (randombool(' + percent + ', 100)) {', `    set ${header} = "1";`, `    set ${header}-Set = "1";`, '  } else {', `    set ${header} = "0";`, `    set ${header}-Set = "1";`]
      : ['  } else {', `    set ${header} = "0";`]),
    '  }',
    '}',
  ];
  const deliver = [
    `if (fastly.ff.visits_this_service == 0 && ${header}-Set) {`,
    `  add resp.http.Set-Cookie = "${cookie}=" ${header} "; Max-Age=${r.cookieMaxAgeSeconds ?? 2592000}; Path=/; Secure; HttpOnly; SameSite=Lax";`,
    '}',
  ];
  return [
    // After the request id (priority 1), before Fastly's routing conditions read the header.
    { name: `feature-${r.name}`, type: 'recv', priority: 5, content: `${recv.join('\n')}\n` },
    { name: `feature-${r.name}-cache-key`, type: 'hash', priority: 10, content: `set req.hash += "feature:${r.name}=" ${header};\n` },
    { name: `feature-${r.name}-cookie`, type: 'deliver', priority: 10, content: `${deliver.join('\n')}\n` },
  ];
}

/**
 * Stale serving, as Fastly documents it (https://www.fastly.com/documentation/solutions/tutorials/stale/):
 * objects may be served stale for `stale_if_error` while the origin fails and for
 * `stale_while_revalidate` while they are refetched; an origin 5xx, or an error raised
 * because the origin is down, delivers the stale copy when one exists (`stale.exists`).
 * Only 5xx errors: vcl_error also carries Fastly's synthetic responses (force_ssl's redirect).
 */
function staleSnippets(staleIfError: number, staleWhileRevalidate: number): ServiceVclSnippet[] {
  return [
    {
      name: 'stale-fetch',
      type: 'fetch',
      priority: 5,
      content: [
        'if (beresp.status >= 500 && beresp.status < 600 && stale.exists) {',
        '  return(deliver_stale);',
        '}',
        `set beresp.stale_if_error = ${staleIfError}s;`,
        `set beresp.stale_while_revalidate = ${staleWhileRevalidate}s;`,
        '',
      ].join('\n'),
    },
    {
      name: 'stale-error',
      type: 'error',
      priority: 5,
      content: ['if (obj.status >= 500 && obj.status < 600 && stale.exists) {', '  return(deliver_stale);', '}', ''].join('\n'),
    },
  ];
}

/**
 * What Fastly's boilerplate does after `#FASTLY fetch`, which a custom main VCL replaces:
 * the service's `default_ttl` is rendered there (not in the macro), so with custom VCL it
 * applies only if the VCL says so; and Fastly's TTL parsing ignores `Cache-Control: private`
 * and `no-store` ("This TTL parsing does not take into account Cache-Control directives such
 * as private and no-store"; without caching headers the TTL starts at 2 minutes:
 * https://www.fastly.com/documentation/reference/vcl/subroutines/fetch/). As a snippet it
 * holds whatever the service's VCL, after the stale rules (priority 5).
 */
function cacheDefaultsSnippet(defaultTtl: number): ServiceVclSnippet {
  return {
    name: 'cache-defaults',
    type: 'fetch',
    priority: 10,
    content: [
      'if (beresp.http.Cache-Control ~ "(?:private|no-store)") {',
      '  return(pass);',
      '}',
      'if (!(beresp.http.Expires || beresp.http.Surrogate-Control ~ "max-age" || beresp.http.Cache-Control ~ "(?:s-maxage|max-age)")) {',
      `  set beresp.ttl = ${defaultTtl}s;`,
      '}',
      '',
    ].join('\n'),
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * X-Request-ID: kept when the client sent a sane one, made at the edge otherwise; it
 * goes to the origin with the request (apps log it) and back in the response.
 */
function requestIdSnippets(): ServiceVclSnippet[] {
  return [
    {
      name: 'request-id',
      type: 'recv',
      priority: 1,
      content: 'if (!req.http.X-Request-ID || req.http.X-Request-ID !~ "^[A-Za-z0-9-]{8,64}$") {\n  set req.http.X-Request-ID = uuid.version4();\n}\n',
    },
    { name: 'request-id-response', type: 'deliver', priority: 1, content: 'set resp.http.X-Request-ID = req.http.X-Request-ID;\n' },
  ];
}
