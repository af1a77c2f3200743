import { TerraformVariable } from 'cdktf';
import { FastlyProvider, ServiceVcl } from '../../constructs/fastly/bindings';
import { FASTLY_AWS_ACCOUNT_ID, FastlyVclService, FastlyVclServiceProps, LOG_FORMAT } from '../../constructs/fastly/fastly-vcl-service';
import { suppressionsUnder } from '../../constructs/core/suppressions';
import { errorOf, onlyResource, synthConstructs } from '../helpers';

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
    expect(json.terraform.required_providers.fastly).toEqual({ source: 'fastly/fastly', version: '9.5.1' });
    expect(json.provider.fastly).toEqual([{}]); // the key comes from FASTLY_API_KEY
    expect(FastlyProvider.tfResourceType).toBe('fastly');
    expect(ServiceVcl.tfResourceType).toBe('fastly_service_vcl');
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

  it('routes opted-in requests to the canary backend and caches them apart', () => {
    expect(service.condition).toEqual([{ name: 'route-canary', type: 'REQUEST', priority: 5, statement: '(req.url.qs ~ "(^|&)beta_search(=|&|$)" || req.http.Cookie:beta)' }]);
    expect(backend('canary').request_condition).toBe('route-canary');
    expect(backend('customer').request_condition).toBeUndefined();
    const hash = service.snippet.find((s: { name: string }) => s.name === 'feature-new-search-cache-key');
    expect(hash.type).toBe('hash');
    expect(hash.content).toContain('set req.hash += "feature:new-search";');
  });

  it('routes by path prefix', () => {
    const routed = serviceOf(props({ featureRoutes: [], pathRoutes: [{ pathPrefix: '/images/', backend: 'canary' }] }));
    expect(routed.condition).toEqual([{ name: 'route-canary', type: 'REQUEST', priority: 10, statement: '(req.url.path ~ "^/images/")' }]);
  });

  it('redirects to HTTPS and sends HSTS', () => {
    expect(service.request_setting[0]).toMatchObject({ force_ssl: true });
    expect(service.snippet.find((s: { name: string }) => s.name === 'hsts').content).toContain('max-age=31536000; includeSubDomains');
  });

  it('serves stale content through origin errors', () => {
    expect(service).toMatchObject({ stale_if_error: true, stale_if_error_ttl: 86400, default_ttl: 3600 });
    expect(service.request_setting[0].max_stale_age).toBe(86400);
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
      new FastlyVclService(stack, 'cdn', props({ datadogLogging: { token: token.stringValue } }));
    });
    expect(onlyResource(json, 'fastly_service_vcl').logging_datadog[0]).toMatchObject({ name: 'datadog', token: '${var.dd_token}', format: LOG_FORMAT });
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
    const message = refused({ datadogLogging: { token: 'abcdef0123456789secret' } });
    expect(message).toContain('datadogLogging.token: got "<redacted>", expected a Terraform variable');
    expect(message).not.toContain('abcdef0123456789secret');
  });

  it('refuses a route to an unknown backend, and routing every backend away', () => {
    expect(refused({ featureRoutes: [{ name: 'x', queryParam: 'x', backend: 'nope' }] })).toContain('featureRoutes[0].backend: got "nope", expected one of the backends: customer, canary');
    expect(refused({ pathRoutes: [{ pathPrefix: '/a/', backend: 'customer' }] })).toContain('expected one backend without a route');
  });

  it('refuses a feature route with nothing to opt in with', () => {
    expect(refused({ featureRoutes: [{ name: 'x', backend: 'canary' }] })).toContain('featureRoutes[0]: got "x", expected a queryParam or a cookie that opts in');
  });

  it('refuses bad domains and VCL without a main file', () => {
    const message = refused({ domains: ['WWW.Example.JP'], vclFiles: [{ ...main, name: 'lib' }] });
    expect(message).toContain('domains: got ["WWW.Example.JP"], expected lower-case host names');
    expect(message).toContain('vclFiles: got ["lib"], expected a file named main among them');
  });

  it('fails synth on broken VCL, naming the file and line', () => {
    expect(refused({ vclFiles: [{ ...main, content: 'sub vcl_recv {\n  return(lookup);\n}\n' }] })).toContain('vcl/main.vcl:1: sub vcl_recv is missing its "#FASTLY recv" macro');
  });
});
