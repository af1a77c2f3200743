import { AccountSource, Environment, layer } from '../accounts/schema';
import { staging } from '../accounts/staging';

/**
 * `count` accounts shaped like staging, each with what the loader requires to be its own:
 * name, id (registered as staging), state bucket, VPC range, Beanstalk CNAME prefixes,
 * Fastly domains, SQL Server database names (they name a bucket), and ARNs in its own account.
 */
export function generatedAccounts(count: number): { sources: AccountSource[]; tiers: Record<string, Environment> } {
  const stagingId = (staging as { accountId: string }).accountId;
  const sources = Array.from({ length: count }, (_, i): AccountSource => {
    const name = `bench-${String(i + 1).padStart(3, '0')}`;
    const accountId = String(900000000000 + i + 1);
    const own = JSON.parse(JSON.stringify(staging).replaceAll(stagingId, accountId)) as typeof staging;
    // Generated accounts use Fastly's generated VCL, and serve one domain (so no host routes).
    const cdn = (own.cdn ?? []).map(({ vclFolder: _vcl, hostRoutes: _hosts, ...service }) => ({ ...service, domains: [`www.${name}.example-hotel.jp`] }));
    const apps = (own.apps ?? []).map((app) => ({ ...app, environments: (app.environments ?? []).map((e) => ({ ...e, cnamePrefix: `${e.name}-${name}` })) }));
    // 10.64.0.0/16 onwards: clear of the real accounts' ranges.
    const network = { cidrBlock: `10.${64 + i}.0.0/16` };
    // SQL Server's native-backup bucket is named after the database, and bucket names are global.
    const databases = { ...own.databases, sqlServer: (own.databases?.sqlServer ?? []).map((db) => ({ ...db, name: `${db.name}-${name}` })) };
    return { folder: name, overrides: layer(own, { name, accountId, state: { bucket: `bench-tfstate-${accountId}` }, network, cdn, apps, databases }) };
  });
  const tiers = Object.fromEntries(sources.map((s) => [(s.overrides as { accountId: string }).accountId, 'staging' as const]));
  return { sources, tiers };
}
