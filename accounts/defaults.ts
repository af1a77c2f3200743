import { AccountConfig, DeepPartial } from './schema';

/**
 * Shared defaults under every account. An account file lists only what differs.
 * Objects merge key by key; arrays replace the default.
 */
export const sharedDefaults: DeepPartial<AccountConfig> = {
  region: 'ap-northeast-1',
  ci: { planRole: 'infra-ci-plan', applyRole: 'infra-ci-apply' },
  tags: { team: 'platform', costCenter: 'CC-1000', repository: 'example-co/infrastructure' },
  datadog: { site: 'ap1.datadoghq.com' },
  // ap-northeast-1b does not exist for new accounts: a, c and d are the three zones.
  network: { availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'], natGateways: 'per-az', flowLogRetentionDays: 365 },
  apps: [],
  databases: { aurora: [], sqlServer: [] },
  cdn: [],
  mail: [],
  // One Fastly account serves every AWS account.
  fastly: { customerId: '4hJ7kL2mN9pQ3rS6tV' },
  monitoring: { enabled: true, slack: { workspace: 'example-co' }, runbookUrl: 'https://runbooks.example-co.jp/infrastructure' },
  // Cost alerts reach this mailbox even when Slack delivery is broken.
  cost: { emails: ['cloud-cost@example-co.jp'] },
};
