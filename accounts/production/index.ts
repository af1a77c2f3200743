import { AccountOverrides } from '../schema';

/** Production: the hotel and restaurant booking sites customers use. */
export const production: AccountOverrides = {
  name: 'production',
  accountId: '111111111111',
  environment: 'production',
  state: { bucket: 'example-co-tfstate-111111111111' },
  tags: { costCenter: 'CC-2100' },
};
