/**
 * The organization's region-deny SCP (constructs/identity/service-control-policies.ts) against
 * what the account stacks create: an apply that calls a service outside the allowed regions is
 * refused by the SCP, whatever the apply role allows. Accounts, regions and resources are read
 * from the repository.
 */
import { loadAccounts } from '../../accounts';
import { management } from '../../accounts/management';
import { GLOBAL_SERVICE_ACTIONS } from '../../constructs/identity/service-control-policies';
import { synthAccount } from '../helpers';

const allowed: readonly string[] = management.organization.allowedRegions;

/**
 * The IAM service prefix of the resource types the stacks create in another region (through
 * their `region` argument). Chatbot (Amazon Q Developer in chat applications) answers in
 * us-east-2 only (constructs/cost, CHATBOT_REGION).
 */
const SERVICE_OF_TYPE: Record<string, string> = { aws_chatbot_: 'chatbot' };

const elsewhere = loadAccounts().flatMap((account) =>
  Object.entries(synthAccount(account).resource ?? {}).flatMap(([type, resources]) =>
    Object.entries(resources as Record<string, { region?: string }>)
      .filter(([, r]) => r.region !== undefined && !allowed.includes(r.region))
      .map(([id, r]) => [`${account.name} ${type}.${id} in ${r.region}`, type] as const),
  ),
);

describe('the region-deny SCP and the account stacks', () => {
  it.each(loadAccounts().map((a) => [a.name, a.region] as const))('%s runs in an allowed region (%s)', (_name, region) => {
    expect(allowed).toContain(region);
  });

  it('finds the resources made outside the allowed regions (the Chatbot channels)', () => {
    expect(elsewhere.length).toBeGreaterThan(0);
  });

  // The AWS Control Tower region-deny SCP exempts chatbot:* as a global service
  // (docs.aws.amazon.com/controltower/latest/userguide/primary-region-deny-policy.html).
  it.each(elsewhere)('%s: its service is exempt from the region deny', (_what, type) => {
    const prefix = Object.entries(SERVICE_OF_TYPE).find(([p]) => type.startsWith(p))?.[1];
    expect([type, prefix]).toEqual([type, expect.any(String)]);
    expect(GLOBAL_SERVICE_ACTIONS).toContain(`${prefix}:*`);
  });
});
