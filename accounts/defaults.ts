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
};
