/**
 * The small diagrams in the construct READMEs, generated like the account diagrams: each
 * is the diagram of a small account (staging's settings with only what the construct needs
 * to show its connections), synthesized by AccountStack.
 */
import { Testing } from 'cdktf';
import { sharedDefaults } from '../../accounts/defaults';
import { staging } from '../../accounts/staging';
import { AccountOverrides, layer, resolveAccounts } from '../../accounts/schema';
import { AccountStack } from '../../stacks/account-stack';
import { StackJson, accountDiagram } from './account';

type Changes = Partial<Record<keyof AccountOverrides, unknown>>;

const appNamed = (name: string) => staging.apps!.find((a) => a.name === name)!;
const restaurant = appNamed('restaurant');
const hotelCustomer = { ...appNamed('hotel-customer'), caches: [] };
const sqlServer = staging.databases!.sqlServer![0];
/** Nothing but a network: each example adds what it shows. */
const bare: Changes = { apps: [], cdn: [], mail: [], caches: [], databases: { sqlServer: [], aurora: [] }, monitoring: { slos: [] } };

/** Construct folder -> the account it is shown in (changes layered over staging). */
export const EXAMPLES: Readonly<Record<string, Changes>> = {
  beanstalk: { ...bare, apps: [restaurant], databases: { sqlServer: [], aurora: staging.databases!.aurora }, mail: [{ ...staging.mail![0], senders: ['restaurant'] }] },
  aurora: { ...bare, apps: [restaurant], databases: { sqlServer: [], aurora: staging.databases!.aurora } },
  sqlserver: { ...bare, apps: [hotelCustomer], databases: { sqlServer: [{ ...staging.databases!.sqlServer![0], clients: ['hotel-customer'] }], aurora: [] } },
  directory: {
    ...bare,
    apps: [hotelCustomer],
    directory: { domainName: 'corp.example-hotel.jp', shortName: 'HOTELCORP' },
    databases: { sqlServer: [{ ...sqlServer, clients: ['hotel-customer'], rds: { ...sqlServer.rds!, joinDirectory: true } }], aurora: [] },
  },
  cache: { ...bare, apps: [{ ...hotelCustomer, caches: ['hotel-session'] }], caches: staging.caches },
  fastly: { ...bare, apps: [hotelCustomer, { ...appNamed('hotel-partner'), caches: [] }], cdn: staging.cdn },
  mail: { ...bare, apps: [restaurant], mail: [{ ...staging.mail![0], senders: ['restaurant'] }] },
  monitoring: { ...bare, apps: [restaurant], monitoring: { slos: [{ name: 'restaurant-availability', service: 'restaurant-stg', source: 'load-balancer', kind: 'availability', target: 99.5, timeframe: '30d' }] } },
};

/** The Mermaid text of a construct's example. */
export function exampleDiagram(construct: string): string {
  const overrides = layer(staging, EXAMPLES[construct]) as { name: string };
  const [account] = resolveAccounts([{ folder: overrides.name, overrides }], sharedDefaults);
  return accountDiagram(new AccountStack(Testing.app(), { account }).toTerraform() as StackJson);
}
