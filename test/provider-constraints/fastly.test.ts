/**
 * What the Fastly provider (fastly/terraform-provider-fastly at FASTLY_PROVIDER_VERSION) and
 * Fastly's API refuse, or do, that the typed bindings do not show: each rule names its source.
 * The rules run over every account of the repository that has a Fastly service.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadAccounts } from '../../accounts';
import { FASTLY_PROVIDER_VERSION, TLS_CERTIFICATE_AUTHORITIES } from '../../constructs/fastly/bindings';
import { DATADOG_LOG_REGIONS } from '../../constructs/fastly/fastly-vcl-service';
import { STATEFUL_TYPES } from '../../tools/plan-report/stateful';
import { TerraformJson, resourcesOf, synthAccount } from '../helpers';

const SOURCE = `fastly/terraform-provider-fastly v${FASTLY_PROVIDER_VERSION}`;
const withCdn = loadAccounts().filter((a) => a.cdn.length > 0);

describe(`Fastly provider constraints (${SOURCE})`, () => {
  it('the provider version is written once, in constructs/fastly/bindings.ts (stacks, lock files and these rules follow it)', () => {
    const root = join(__dirname, '../..');
    const skip = new Set(['node_modules', '.git', 'dist', '__snapshots__', 'package-lock.json']);
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (skip.has(e.name) || e.name.startsWith('cdktf.out') ? [] : e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const literal = new RegExp(`(?<![\\d.])${FASTLY_PROVIDER_VERSION.replace(/\./g, '\\.')}(?![\\d])`);
    const stating = files(root).filter((f) => /\.(ts|md|ya?ml|json|hcl|mjs)$/.test(f) && literal.test(readFileSync(f, 'utf8')));
    expect(stating.map((f) => relative(root, f))).toEqual(['constructs/fastly/bindings.ts']);
  });

  // fastly/resource_fastly_tls_subscription.go: certificate_authority is
  // validation.StringInSlice([lets-encrypt, globalsign, certainly]); domains is a set, MinItems 1.
  it('fastly/resource_fastly_tls_subscription.go: certificate_authority values', () => {
    expect([...TLS_CERTIFICATE_AUTHORITIES]).toEqual(['lets-encrypt', 'globalsign', 'certainly']);
  });

  // Fastly API LoggingDatadog region enum: US, US3, US5, EU1 (and "EU", legacy), AP1
  // (https://www.fastly.com/documentation/reference/api/logging/datadog/;
  // fastly/fastly-rust src/models/logging_datadog_additional.rs). The provider passes any string.
  it('Fastly API logging/datadog: every region the construct sends is one the API accepts', () => {
    for (const region of Object.values(DATADOG_LOG_REGIONS)) expect(['US', 'US3', 'US5', 'EU1', 'AP1']).toContain(region);
  });

  it('plan report: a TLS subscription is stateful (its replacement takes HTTPS down until a new certificate is issued)', () => {
    expect(STATEFUL_TYPES.fastly_tls_subscription).toMatch(/certificate/);
  });

  describe.each(withCdn.map((a) => [a.name, a] as const))('%s', (_name, account) => {
    const json = synthAccount(account);
    const services = Object.values(resourcesOf(json, 'fastly_service_vcl'));
    const subscriptions = Object.entries(resourcesOf(json, 'fastly_tls_subscription'));

    // The API refuses a subscription for a domain that no service has
    // (docs/resources/tls_subscription.md: the domains come from fastly_service_vcl.domain).
    it('every service domain has a subscription, created after the service that holds it', () => {
      const domains = services.flatMap((s) => (s.domain as { name: string }[]).map((d) => d.name)).sort();
      expect(subscriptions.flatMap(([, s]) => s.domains as string[]).sort()).toEqual(domains);
      for (const [, s] of subscriptions) expect(s.depends_on).toEqual([expect.stringMatching(/^fastly_service_vcl\./)]);
    });

    // docs/resources/tls_subscription.md: a validation waits (45 min) for `issued`, so it only
    // exists where this stack creates the challenge records it waits for.
    it('validation only where the challenge records are created, one per domain, named _acme-challenge.<domain>', () => {
      const validations = Object.values(resourcesOf(json, 'fastly_tls_subscription_validation'));
      const challenges = Object.values(resourcesOf(json, 'aws_route53_record')).filter((r: TerraformJson) => String(r.name).startsWith('_acme-challenge.'));
      for (const v of validations) expect((v.depends_on as string[]).length).toBeGreaterThan(0);
      if (validations.length > 0) {
        const domains = subscriptions.flatMap(([, s]) => s.domains as string[]);
        expect(challenges.map((r: TerraformJson) => r.name).sort()).toEqual(domains.map((d) => `_acme-challenge.${d}`).sort());
      } else {
        expect(Object.keys(json.output ?? {}).some((k) => k.includes('tls-dns-challenges'))).toBe(true);
      }
    });

    // The API refuses to edit the domains of a subscription with active domains unless forced
    // (https://www.fastly.com/documentation/reference/api/tls/subs/, "force"; force_update in
    // docs/resources/tls_subscription.md): one domain per subscription, never force_update, and
    // each validation waits on the challenge record of its own subscription's domain.
    it('one domain per subscription, no force_update, each validation after its own domain\'s challenge record', () => {
      const records = resourcesOf(json, 'aws_route53_record');
      const validations = Object.values(resourcesOf(json, 'fastly_tls_subscription_validation'));
      for (const [key, s] of subscriptions) {
        expect(s.domains as string[]).toHaveLength(1);
        expect(s.force_update).toBeUndefined();
        for (const v of validations.filter((x) => x.subscription_id === `\${fastly_tls_subscription.${key}.id}`)) {
          expect((v.depends_on as string[]).map((d) => records[d.replace(/^aws_route53_record\./, '')]?.name)).toEqual([`_acme-challenge.${(s.domains as string[])[0]}`]);
        }
      }
    });

    it('logging_datadog region is the one of the account\'s Datadog site', () => {
      for (const s of services) {
        for (const l of (s.logging_datadog as { region: string }[] | undefined) ?? []) expect(l.region).toBe(DATADOG_LOG_REGIONS[account.datadog.site]);
      }
    });
  });
});
