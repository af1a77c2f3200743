import { TerraformVariable } from 'cdktf';
import { FASTLY_PROVIDER_VERSION, FastlyProvider, ServiceVcl, TlsSubscription, TlsSubscriptionValidation } from '../../constructs/fastly/bindings';
import { FASTLY_AWS_ACCOUNT_ID, FastlyVclService, FastlyVclServiceProps, LOG_FORMAT } from '../../constructs/fastly/fastly-vcl-service';
import { checkSnippets } from '../../constructs/fastly/vcl-check';
import { suppressionsUnder } from '../../constructs/core/suppressions';
import { TerraformJson, errorOf, onlyResource, synthConstructs } from '../helpers';

const main = { name: 'main', path: 'vcl/main.vcl', content: 'sub vcl_recv {\n#FASTLY recv\n  return(lookup);\n}\n' };
function props(changes: Partial<FastlyVclServiceProps> = {}): FastlyVclServiceProps {
  return {
    name: 'production-hotel',
    domains: ['www.example-hotel.jp'],
    backends: [
      { name: 'customer', address: 'hotel-customer-prod.ap-northeast-1.elasticbeanstalk.com', originHost: 'origin-www.example-hotel.jp', shield: 'tyo-tokyo-jp' },
      { name: 'canary', address: 'canary.example.com', originHost: 'origin-canary.example-hotel.jp' },
    ],
    featureRoutes: [{ name: 'new-search', queryParam: 'beta_search', cookie: 'beta', backend: 'canary' }],
    vclFiles: [main],
    ...changes,
  };
}
const synth = (p: FastlyVclServiceProps) =>
  synthConstructs((stack) => {
    new FastlyProvider(stack, 'fastly');
    new FastlyVclService(stack, 'cdn', p);
  });
const serviceOf = (p: FastlyVclServiceProps) => onlyResource(synth(p), 'fastly_service_vcl');

describe('Fastly bindings', () => {
  const json = synth(props());

  it('declares the fastly/fastly provider and pins its version', () => {
    expect(json.terraform.required_providers.fastly).toEqual({ source: 'fastly/fastly', version: FASTLY_PROVIDER_VERSION });
    expect(FASTLY_PROVIDER_VERSION).toMatch(/^\d+\.\d+\.\d+$/); // an exact version: the lock files and the bindings' review follow it
    expect(json.provider.fastly).toEqual([{}]); // the key comes from FASTLY_API_KEY
    expect(FastlyProvider.tfResourceType).toBe('fastly');
    expect(ServiceVcl.tfResourceType).toBe('fastly_service_vcl');
    expect(TlsSubscription.tfResourceType).toBe('fastly_tls_subscription');
    expect(TlsSubscriptionValidation.tfResourceType).toBe('fastly_tls_subscription_validation');
  });

  it('writes the provider documentation names, snake_case, for blocks and attributes', () => {
    const service = onlyResource(json, 'fastly_service_vcl');
    expect(Object.keys(service)).toEqual(expect.arrayContaining(['force_destroy', 'default_ttl', 'stale_if_error', 'stale_if_error_ttl', 'request_setting', 'backend', 'healthcheck', 'condition', 'snippet', 'vcl']));
    expect(Object.keys(service.backend[0])).toEqual(expect.arrayContaining(['use_ssl', 'ssl_cert_hostname', 'ssl_sni_hostname', 'ssl_check_cert', 'override_host', 'first_byte_timeout']));
  });
});

describe('FastlyVclService', () => {
  const service = serviceOf(props({ production: true, versionComment: 'commit abc123' }));
  const backend = (name: string) => service.backend.find((b: { name: string }) => b.name === name);

  it('talks TLS 1.2+ to origins on 443, checking the certificate for the origin host', () => {
    expect(backend('customer')).toMatchObject({
      address: 'hotel-customer-prod.ap-northeast-1.elasticbeanstalk.com',
      port: 443, use_ssl: true, ssl_check_cert: true, min_tls_version: '1.2',
      ssl_cert_hostname: 'origin-www.example-hotel.jp', ssl_sni_hostname: 'origin-www.example-hotel.jp', override_host: 'origin-www.example-hotel.jp',
    });
  });

  it('shields, health-checks and times out each backend', () => {
    expect(backend('customer')).toMatchObject({ shield: 'tyo-tokyo-jp', healthcheck: 'customer-health', connect_timeout: 1000, first_byte_timeout: 15000, between_bytes_timeout: 10000 });
    expect(service.healthcheck[0]).toMatchObject({ name: 'customer-health', host: 'origin-www.example-hotel.jp', path: '/health', expected_response: 200 });
  });

  it('uploads the repository VCL with main marked', () => {
    expect(service.vcl).toEqual([{ name: 'main', content: main.content, main: true }]);
  });

  it('sets a request id at the edge, keeps a sane client one, and returns it', () => {
    const recv = service.snippet.find((s: { name: string }) => s.name === 'request-id');
    expect(recv).toMatchObject({ type: 'recv', priority: 1 });
    expect(recv.content).toContain('set req.http.X-Request-ID = uuid.version4();');
    expect(recv.content).toContain('!req.http.X-Request-ID');
    expect(service.snippet.find((s: { name: string }) => s.name === 'request-id-response').content).toBe('set resp.http.X-Request-ID = req.http.X-Request-ID;\n');
  });

  const snippet = (s: TerraformJson, name: string) => (s.snippet as { name: string; type: string; content: string; priority: number }[]).find((x) => x.name === name)!;

  it('routes variant requests to the canary backend and caches them apart', () => {
    expect(service.condition).toEqual([{ name: 'route-canary', type: 'REQUEST', priority: 5, statement: '(req.http.X-Feature-new-search == "1")' }]);
    expect(backend('canary').request_condition).toBe('route-canary');
    expect(backend('customer').request_condition).toBeUndefined();
    expect(snippet(service, 'feature-new-search-cache-key')).toMatchObject({ type: 'hash', content: 'set req.hash += "feature:new-search=" req.http.X-Feature-new-search;\n' });
  });

  it('decides the variant from the query parameter, else from the cookie\'s value (1 or 0 only), once per request at the edge', () => {
    const recv = snippet(service, 'feature-new-search');
    expect(recv.type).toBe('recv');
    expect(recv.content).toContain('if (fastly.ff.visits_this_service == 0 && req.restarts == 0) {');
    expect(recv.content).toContain('if (req.url.qs ~ "(^|&)beta_search=1(&|$)") {');
    expect(recv.content).toContain('} elseif (req.url.qs ~ "(^|&)beta_search=0(&|$)") {');
    expect(recv.content).toContain('} elseif (req.http.Cookie:beta ~ "^[01]$") {\n    set req.http.X-Feature-new-search = req.http.Cookie:beta;');
    expect(recv.content).not.toContain('randombool'); // percent 0: nobody is drawn into the variant
  });

  it('makes the choice stick: a Secure, HttpOnly, SameSite=Lax cookie with a Max-Age', () => {
    expect(snippet(service, 'feature-new-search-cookie')).toMatchObject({
      type: 'deliver',
      content:
        'if (fastly.ff.visits_this_service == 0 && req.http.X-Feature-new-search-Set) {\n' +
        '  add resp.http.Set-Cookie = "beta=" req.http.X-Feature-new-search "; Max-Age=2592000; Path=/; Secure; HttpOnly; SameSite=Lax";\n}\n',
    });
  });

  it('splits by percentage with randombool(percent, 100) and a default cookie name', () => {
    const split = serviceOf(props({ featureRoutes: [{ name: 'new-search', percent: 10, cookieMaxAgeSeconds: 3600, backend: 'canary' }] }));
    const recv = snippet(split, 'feature-new-search').content;
    expect(recv).toContain('if (req.http.Cookie:feature_new_search ~ "^[01]$") {');
    expect(recv).toContain('} elseif (randombool(10, 100)) {\n    set req.http.X-Feature-new-search = "1";\n    set req.http.X-Feature-new-search-Set = "1";');
    expect(snippet(split, 'feature-new-search-cookie').content).toContain('"feature_new_search=" req.http.X-Feature-new-search "; Max-Age=3600;');
    expect(() => checkSnippets(split.snippet)).not.toThrow();
  });

  it('routes a host to its backend, below path routes', () => {
    const routed = serviceOf(props({ featureRoutes: [], domains: ['www.example-hotel.jp', 'partner.example-hotel.jp'], hostRoutes: [{ host: 'partner.example-hotel.jp', backend: 'canary' }] }));
    expect(routed.condition).toEqual([{ name: 'route-canary', type: 'REQUEST', priority: 8, statement: '(req.http.host == "partner.example-hotel.jp")' }]);
  });

  it('routes by path prefix', () => {
    const routed = serviceOf(props({ featureRoutes: [], pathRoutes: [{ pathPrefix: '/images/', backend: 'canary' }] }));
    expect(routed.condition).toEqual([{ name: 'route-canary', type: 'REQUEST', priority: 10, statement: '(req.url.path ~ "^/images/")' }]);
  });

  // A backend has one request_condition (docs/resources/service_vcl.md, backend.request_condition),
  // shared by its routes, and "if multiple conditions match the request with the same (highest)
  // priority, one is chosen arbitrarily" (https://www.fastly.com/documentation/reference/api/services/backend/):
  // with a host route and a path route on one backend, the host clause used to get the path
  // priority and tie with another backend's path route.
  it('a path route wins over a host route and a feature route whatever order Fastly runs equal priorities in', () => {
    const routed = serviceOf(
      props({
        domains: ['www.example-hotel.jp', 'partner.example-hotel.jp'],
        backends: [...props().backends, { name: 'partner', address: 'partner.example.com', originHost: 'origin-partner.example-hotel.jp' }, { name: 'images', address: 'images.example.com', originHost: 'images.example.com' }],
        hostRoutes: [{ host: 'partner.example-hotel.jp', backend: 'partner' }],
        pathRoutes: [
          { pathPrefix: '/partner/', backend: 'partner' },
          { pathPrefix: '/images/', backend: 'images' },
          { pathPrefix: '/images/partner/', backend: 'partner' },
        ],
      }),
    );
    const statement = (name: string) => (routed.condition as { name: string; statement: string }[]).find((c) => c.name === `route-${name}`)!.statement;
    expect(statement('canary')).toBe(
      '(req.http.X-Feature-new-search == "1" && !(req.http.host == "partner.example-hotel.jp") && !(req.url.path ~ "^/partner/") && !(req.url.path ~ "^/images/") && !(req.url.path ~ "^/images/partner/"))',
    );
    expect(statement('partner')).toBe(
      '(req.http.host == "partner.example-hotel.jp" && !(req.url.path ~ "^/images/")) || (req.url.path ~ "^/partner/") || (req.url.path ~ "^/images/partner/")',
    );
    expect(statement('images')).toBe('(req.url.path ~ "^/images/" && !(req.url.path ~ "^/images/partner/"))');
    expect(() => checkSnippets((routed.condition as { name: string; statement: string }[]).map((c) => ({ name: c.name, type: 'recv', content: `if (${c.statement}) {\n}\n` })))).not.toThrow();
  });

  it('redirects to HTTPS and sends HSTS', () => {
    expect(service.request_setting[0]).toMatchObject({ force_ssl: true });
    expect(service.snippet.find((s: { name: string }) => s.name === 'hsts').content).toContain('max-age=31536000; includeSubDomains');
  });

  it('serves stale content through origin errors', () => {
    expect(service).toMatchObject({ stale_if_error: true, stale_if_error_ttl: 86400, default_ttl: 3600 });
    expect(service.request_setting[0].max_stale_age).toBe(86400);
  });

  // https://www.fastly.com/documentation/solutions/tutorials/stale/
  it('delivers the stale copy from vcl_fetch on an origin 5xx and from vcl_error on a 5xx error, when one exists', () => {
    const deliverStale = 'if (obj.status >= 500 && obj.status < 600 && stale.exists) {\n  return(deliver_stale);\n}\n';
    expect(snippet(service, 'stale-error')).toMatchObject({ type: 'error', content: deliverStale });
    expect(snippet(service, 'stale-fetch').content).toContain(deliverStale.replace(/obj\./g, 'beresp.'));
  });

  // https://www.fastly.com/documentation/reference/vcl/subroutines/fetch/: TTL parsing ignores
  // private and no-store, and starts at 2 minutes without caching headers; the service's
  // default_ttl is rendered in the boilerplate after #FASTLY fetch, which custom VCL replaces.
  it('applies the default TTL and passes private or no-store responses whatever the service VCL', () => {
    const fetch = snippet(serviceOf(props({ defaultTtlSeconds: 600 })), 'cache-defaults');
    expect(fetch).toMatchObject({ type: 'fetch', priority: 10 });
    expect(fetch.content).toContain('if (beresp.http.Cache-Control ~ "(?:private|no-store)") {\n  return(pass);\n}');
    expect(fetch.content).toContain('if (!(beresp.http.Expires || beresp.http.Surrogate-Control ~ "max-age" || beresp.http.Cache-Control ~ "(?:s-maxage|max-age)")) {\n  set beresp.ttl = 600s;\n}');
    expect(snippet(service, 'stale-fetch').priority).toBeLessThan(fetch.priority); // a stale copy on an origin 5xx comes first
    expect(() => checkSnippets([fetch])).not.toThrow();
  });

  it('takes stale-if-error and stale-while-revalidate from the props', () => {
    expect(snippet(service, 'stale-fetch').content).toContain('set beresp.stale_if_error = 86400s;\nset beresp.stale_while_revalidate = 60s;\n');
    const custom = serviceOf(props({ staleIfErrorSeconds: 3600, staleWhileRevalidateSeconds: 30 }));
    expect(snippet(custom, 'stale-fetch').content).toContain('set beresp.stale_if_error = 3600s;\nset beresp.stale_while_revalidate = 30s;\n');
    expect(custom).toMatchObject({ stale_if_error_ttl: 3600 });
  });

  // The API refuses to edit the domains of a subscription with active domains unless forced
  // ("force: a flag that allows you to edit and delete a subscription with active domains",
  // https://www.fastly.com/documentation/reference/api/tls/subs/; force_update in
  // docs/resources/tls_subscription.md): one subscription per domain, so adding a domain
  // creates a subscription instead of editing a live one.
  it('manages a certificate per domain: a subscription after the service, named after its domain, the DNS records to create as an output', () => {
    const json = synth(props({ domains: ['www.example-hotel.jp', 'partner.example-hotel.jp'] }));
    const subscriptions = json.resource.fastly_tls_subscription as Record<string, TerraformJson>;
    expect(Object.values(subscriptions).map((s) => s.domains)).toEqual([['www.example-hotel.jp'], ['partner.example-hotel.jp']]);
    for (const s of Object.values(subscriptions)) {
      expect(s).toMatchObject({ certificate_authority: 'certainly', depends_on: [expect.stringMatching(/^fastly_service_vcl\./)] });
      expect(s.force_update).toBeUndefined();
    }
    // Named after the domain, not its position: a domain added first leaves the others alone.
    const reordered = synth(props({ domains: ['api.example-hotel.jp', 'www.example-hotel.jp', 'partner.example-hotel.jp'] })).resource.fastly_tls_subscription as Record<string, TerraformJson>;
    for (const [key, s] of Object.entries(subscriptions)) expect(reordered[key]).toEqual(s);
    expect(json.resource.fastly_tls_subscription_validation).toBeUndefined(); // it would wait 45 minutes for records nobody made
    const output = Object.values(json.output as Record<string, { value: string }>)[0];
    const list = (key: string) => `\\[for c in fastly_tls_subscription\\.${key}\\.managed_dns_challenges : "\\$\\{c\\.record_name\\} \\$\\{c\\.record_type\\} \\$\\{c\\.record_value\\}"\\]`;
    expect(output.value).toMatch(new RegExp(`^\\$\\{concat\\(${Object.keys(subscriptions).map(list).join(', ')}\\)\\}$`));
  });

  it('creates the challenge records in the zone and waits for the certificate', () => {
    const json = synth(props({ tls: { hostedZoneId: 'Z04512341ABCDEFGHIJK', certificateAuthority: 'lets-encrypt' } }));
    const subscription = Object.keys(json.resource.fastly_tls_subscription)[0];
    expect(subscription).toMatch(/tls-www-example-hotel-jp/);
    expect(onlyResource(json, 'aws_route53_record')).toMatchObject({
      zone_id: 'Z04512341ABCDEFGHIJK',
      name: '_acme-challenge.www.example-hotel.jp',
      type: 'CNAME',
      records: [`\${element([for c in fastly_tls_subscription.${subscription}.managed_dns_challenges : c.record_value if c.record_name == "_acme-challenge.www.example-hotel.jp"], 0)}`],
    });
    expect(onlyResource(json, 'fastly_tls_subscription_validation')).toMatchObject({
      subscription_id: `\${fastly_tls_subscription.${subscription}.id}`,
      depends_on: [`aws_route53_record.${Object.keys(json.resource.aws_route53_record)[0]}`],
    });
    expect(json.output).toBeUndefined();
  });

  it('leaves certificates alone with tls: false', () => {
    expect(synth(props({ tls: false })).resource.fastly_tls_subscription).toBeUndefined();
  });

  it('activates new versions, keeps force_destroy off, and records the commit', () => {
    expect(service).toMatchObject({ activate: true, force_destroy: false, version_comment: 'commit abc123' });
  });

  it('logs to S3 through a role only Fastly may assume, into a private bucket', () => {
    const json = synth(props({ s3Logging: { fastlyCustomerId: 'cust12345678', bucketName: 'hotel-logs', region: 'ap-northeast-1' } }));
    const s3 = onlyResource(json, 'fastly_service_vcl').logging_s3[0];
    expect(s3).toMatchObject({ domain: 's3.ap-northeast-1.amazonaws.com', path: '/production-hotel/', format: LOG_FORMAT, format_version: 2 });
    expect(s3.s3_iam_role).toMatch(/aws_iam_role\..*\.arn/);
    expect(s3.s3_access_key).toBeUndefined();
    const trust = JSON.parse(onlyResource(json, 'aws_iam_role').assume_role_policy).Statement[0];
    expect(trust).toMatchObject({ Principal: { AWS: `arn:aws:iam::${FASTLY_AWS_ACCOUNT_ID}:root` }, Condition: { StringEquals: { 'sts:ExternalId': 'cust12345678' } } });
    expect(onlyResource(json, 'aws_s3_bucket_public_access_block').block_public_policy).toBe(true);
    expect(onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule[0].expiration).toEqual([{ days: 365 }]);
  });

  it('logs to Datadog with the key from a Terraform variable', () => {
    const json = synthConstructs((stack) => {
      const token = new TerraformVariable(stack, 'dd_token', { type: 'string', sensitive: true });
      new FastlyVclService(stack, 'cdn', props({ datadogLogging: { token: token.stringValue, region: 'AP1' } }));
    });
    expect(onlyResource(json, 'fastly_service_vcl').logging_datadog[0]).toMatchObject({ name: 'datadog', token: '${var.dd_token}', region: 'AP1', format: LOG_FORMAT });
  });

  // https://www.fastly.com/documentation/reference/vcl/variables/backend-connection/req-backend/:
  // req.backend is always null in vcl_log, where format_version 2 endpoints log.
  it('logs the backend from a header set in vcl_miss and vcl_pass, since req.backend is null in vcl_log', () => {
    expect(LOG_FORMAT).toContain('"backend":"%{json.escape(req.http.X-Log-Backend)}V"');
    expect(LOG_FORMAT).not.toContain('req.backend');
    for (const type of ['miss', 'pass']) {
      expect(snippet(service, `log-backend-${type}`)).toMatchObject({ type, content: 'set req.http.X-Log-Backend = req.backend.name;\nunset bereq.http.X-Log-Backend;\n' });
    }
  });

  it('puts the request id in every log line', () => {
    expect(LOG_FORMAT).toContain('"request_id":"%{json.escape(req.http.X-Request-ID)}V"');
    expect(LOG_FORMAT).toContain('%{strftime(\\{"%Y-%m-%dT%H:%M:%S%z"\\}, time.start)}V');
  });
});

describe('FastlyVclService: validation', () => {
  const refused = (changes: Partial<FastlyVclServiceProps>) => errorOf(() => synth(props(changes)));
  const plaintext = { name: 'legacy', address: 'legacy.example.com', originHost: 'legacy.example.com', useTls: false };

  it('refuses a backend without TLS in production unless allowed explicitly', () => {
    expect(refused({ production: true, backends: [plaintext] })).toContain(
      'backends[0].useTls: got false, expected true in production (TLS to origin), or allowPlaintext set to the reason',
    );
    let service!: FastlyVclService;
    const json = synthConstructs((stack) => (service = new FastlyVclService(stack, 'cdn', props({ production: true, featureRoutes: [], backends: [{ ...plaintext, allowPlaintext: 'legacy appliance, replaced in Q3' }] }))));
    const allowed = onlyResource(json, 'fastly_service_vcl');
    expect(allowed.backend[0]).toMatchObject({ use_ssl: false, port: 80 });
    expect(allowed.backend[0].ssl_cert_hostname).toBeUndefined();
    expect(suppressionsUnder(service)).toEqual([{ rule: 'FASTLY-BACKEND-TLS', reason: 'backend legacy: legacy appliance, replaced in Q3', path: 'test/cdn' }]);
  });

  it('allows a plaintext backend outside production', () => {
    expect(serviceOf(props({ featureRoutes: [], backends: [plaintext] })).backend[0].use_ssl).toBe(false);
  });

  it('refuses force_destroy in production', () => {
    expect(refused({ production: true, forceDestroy: true })).toContain('forceDestroy: got true, expected false in production');
  });

  it('refuses a literal Datadog key without printing it', () => {
    const message = refused({ datadogLogging: { token: 'abcdef0123456789secret', region: 'US' } });
    expect(message).toContain('datadogLogging.token: got "<redacted>", expected a Terraform variable');
    expect(message).not.toContain('abcdef0123456789secret');
  });

  // https://www.fastly.com/documentation/reference/api/services/backend/: with no matching
  // condition, a backend without one is used, "if there are multiple such backends, one is
  // chosen arbitrarily".
  it('refuses a route to an unknown backend, routing every backend away, and two backends without a route', () => {
    expect(refused({ featureRoutes: [{ name: 'x', queryParam: 'x', backend: 'nope' }] })).toContain('featureRoutes[0].backend: got "nope", expected one of the backends: customer, canary');
    expect(refused({ pathRoutes: [{ pathPrefix: '/a/', backend: 'customer' }] })).toContain('backends: got [], expected exactly one backend without a route');
    expect(refused({ featureRoutes: [] })).toContain('backends: got ["customer", "canary"], expected exactly one backend without a route, to serve what no route matches');
  });

  it('refuses a feature route with nothing to opt in with, a bad percentage, a shared cookie', () => {
    expect(refused({ featureRoutes: [{ name: 'x', backend: 'canary' }] })).toContain('featureRoutes[0]: got "x", expected a queryParam that opts in, or a percent above 0');
    expect(refused({ featureRoutes: [{ name: 'x', percent: 150, backend: 'canary' }] })).toContain('featureRoutes[0].percent: got 150, expected a whole number from 0 to 100');
    expect(refused({ featureRoutes: [{ name: 'a', queryParam: 'a', cookie: 'c', backend: 'canary' }, { name: 'b', queryParam: 'b', cookie: 'c', backend: 'canary' }] })).toContain(
      'featureRoutes[].cookie: got ["c", "c"], expected one cookie per route',
    );
  });

  it('refuses a host route for a domain the service does not have', () => {
    expect(refused({ hostRoutes: [{ host: 'partner.example.jp', backend: 'canary' }] })).toContain('hostRoutes[0].host: got "partner.example.jp", expected one of the domains: www.example-hotel.jp');
  });

  it('refuses a host or a path prefix routed twice', () => {
    const domains = ['www.example-hotel.jp', 'partner.example-hotel.jp'];
    const host = { host: 'partner.example-hotel.jp', backend: 'canary' };
    expect(refused({ domains, hostRoutes: [host, host] })).toContain('hostRoutes[].host: got ["partner.example-hotel.jp", "partner.example-hotel.jp"], expected each host routed once');
    expect(refused({ pathRoutes: [{ pathPrefix: '/a/', backend: 'canary' }, { pathPrefix: '/a/', backend: 'canary' }] })).toContain('pathRoutes[].pathPrefix: got ["/a/", "/a/"], expected each path prefix routed once');
  });

  it('refuses a certificate authority and a Datadog region Fastly does not have', () => {
    expect(refused({ tls: { certificateAuthority: 'digicert' as never } })).toContain('tls.certificateAuthority: got "digicert", expected one of lets-encrypt, globalsign, certainly');
    expect(refused({ datadogLogging: { token: '${var.x}', region: 'AP2' as never } })).toContain('datadogLogging.region: got "AP2", expected one of US, US3, US5, EU1, AP1');
  });

  it('refuses bad domains and VCL without a main file', () => {
    const message = refused({ domains: ['WWW.Example.JP'], vclFiles: [{ ...main, name: 'lib' }] });
    expect(message).toContain('domains: got ["WWW.Example.JP"], expected lower-case host names');
    expect(message).toContain('vclFiles: got ["lib"], expected a file named main among them');
  });

  it('fails synth on broken VCL, naming the file and line', () => {
    expect(refused({ vclFiles: [{ ...main, content: 'sub vcl_recv {\n  return(lookup);\n}\n' }] })).toContain('vcl/main.vcl:1:5: sub vcl_recv is missing its "#FASTLY recv" macro');
  });
});
