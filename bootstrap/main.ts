import { App } from 'cdktf';
import { loadAccounts } from '../accounts';
import { management } from '../accounts/management';
import { preview } from '../accounts/sandbox/preview';
import { BootstrapStack, PLANNER_PERMISSION_SET, ssoRoleArnPattern } from './bootstrap-stack';

// `npm run bootstrap`: one stack per account in bootstrap.out/stacks/bootstrap-<account>,
// applied once by an administrator (see bootstrap/README.md).
const app = new App({ outdir: 'bootstrap.out' });
if (!management.permissionSets.some((p) => p.name === PLANNER_PERMISSION_SET)) {
  throw new Error(`bootstrap/bootstrap-stack.ts: PLANNER_PERMISSION_SET: got "${PLANNER_PERMISSION_SET}", expected one of the permission sets of accounts/management.ts: ${management.permissionSets.map((p) => p.name).join(', ')}`);
}
// The management account (accounts/management.ts) runs the management stack: same bootstrap.
for (const account of [...loadAccounts(), management]) {
  new BootstrapStack(app, {
    account,
    plannerPrincipalArns: [ssoRoleArnPattern(account.accountId, PLANNER_PERMISSION_SET)],
    previewRole: account.name === preview.account ? preview.role : undefined,
  });
}
app.synth();
console.log('Bootstrap stacks written to bootstrap.out/stacks/bootstrap-<account>. See bootstrap/README.md.');
