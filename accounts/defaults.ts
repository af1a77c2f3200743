import { AccountConfig, DeepPartial } from './schema';

/**
 * Platforms and images shared by the accounts. The monthly patched Windows AMI is a
 * one-line change here (or in one account file, to try it in staging first).
 */
export const platforms = {
  /** Windows / IIS / .NET apps (the former monolith). */
  windowsIis: '64bit Windows Server 2022 v2.18.0 running IIS 10.0',
  /** Python apps on Linux. */
  python: '64bit Amazon Linux 2023 v4.6.0 running Python 3.12',
} as const;

export const images = {
  /** Monthly patched Windows Server 2022 image, built by the image pipeline. */
  windowsMonthly: 'ami-0a1b2c3d4e5f60718',
  /** Windows Server 2022 + SQL Server 2022 Enterprise image for Always On nodes. */
  sqlServerNode: 'ami-0f9e8d7c6b5a49382',
} as const;

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
