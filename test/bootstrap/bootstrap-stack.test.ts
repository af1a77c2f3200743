import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { preview } from '../../accounts/sandbox/preview';
import { management } from '../../accounts/management';
import { plannerPrincipalArns } from '../../bootstrap/bootstrap-app';
import { BootstrapStack, PREVIEW_ENVIRONMENT } from '../../bootstrap/bootstrap-stack';
import { accountTags } from '../../stacks/account-foundation';
import { previewBoundaryArn } from '../../stacks/preview-stack';
import { suppressionsUnder } from '../../constructs/core/suppressions';
import { evaluate } from '../../policies/engine';
import { rulesIn } from '../../policies/packs';
import { stackOf } from '../../policies/rule';
import { TerraformJson, onlyResource, resourcesOf } from '../helpers';

const [production] = loadAccounts();
const stack = new BootstrapStack(Testing.app(), { account: production, plannerPrincipalArns: plannerPrincipalArns(production, management) });
const json = stack.toTerraform() as TerraformJson;
const roles = resourcesOf(json, 'aws_iam_role');
const trustOf = (name: string) => JSON.parse(Object.values(roles).find((r) => r.name === name)!.assume_role_policy).Statement;

describe('bootstrap', () => {
  it('keeps its own state locally (it makes the bucket the others use)', () => {
    expect(json.terraform.backend).toEqual({ local: { path: 'bootstrap-production.tfstate' } });
    expect(json.provider.aws[0].allowed_account_ids).toEqual(['111111111111']);
  });

  it('creates the state bucket: versioned, KMS-encrypted, private, TLS-only', () => {
    expect(onlyResource(json, 'aws_s3_bucket').bucket).toBe('example-co-tfstate-111111111111');
    expect(onlyResource(json, 'aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    expect(onlyResource(json, 'aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default).toMatchObject({ sse_algorithm: 'aws:kms' });
    expect(onlyResource(json, 'aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(JSON.parse(onlyResource(json, 'aws_s3_bucket_policy').policy).Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } });
    expect(onlyResource(json, 'aws_kms_key').enable_key_rotation).toBe(true);
  });

  it('trusts GitHub OIDC', () => {
    expect(onlyResource(json, 'aws_iam_openid_connect_provider')).toMatchObject({ url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] });
  });

  it('lets pull requests, the merge queue and main plan, and the named admins (not the role itself) assume it', () => {
    const [github, named] = trustOf('infra-ci-plan');
    expect(github.Condition.StringLike['token.actions.githubusercontent.com:sub']).toEqual([
      'repo:example-co/infrastructure:pull_request',
      'repo:example-co/infrastructure:ref:refs/heads/main',
      'repo:example-co/infrastructure:ref:refs/heads/gh-readonly-queue/main/*',
    ]);
    expect(github.Condition.StringEquals['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    expect(named.Condition.ArnLike['aws:PrincipalArn']).toEqual(['arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SREAdmin_*']);
  });

  it('trusts no AWS principal at all when no planner is named', () => {
    const bare = new BootstrapStack(Testing.app(), { account: production }).toTerraform() as TerraformJson;
    const trusts = Object.values(resourcesOf(bare, 'aws_iam_role')).map((r) => JSON.parse(r.assume_role_policy).Statement);
    expect(trusts.map((t) => t.map((s: { Sid: string }) => s.Sid))).toEqual([['GitHubActions'], ['GitHubActions']]);
  });

  it('attaches managed policies with aws_iam_role_policy_attachment, not the deprecated managed_policy_arns', () => {
    expect(Object.values(roles).map((r) => r.managed_policy_arns)).toEqual([undefined, undefined]);
    expect(Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).map((a) => a.policy_arn).sort()).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
  });

  it('gives the plan role read-only access, state read and lock, and no data or secrets', () => {
    const policies = Object.values(resourcesOf(json, 'aws_iam_role_policy')).map((p) => JSON.parse(p.policy).Statement).flat();
    expect(policies.find((s) => s.Sid === 'Lock')).toMatchObject({ Action: ['s3:PutObject', 's3:DeleteObject'] });
    expect(policies.find((s) => s.Sid === 'Lock').Resource).toMatch(/\/\*\.tflock$/);
    expect(policies.find((s) => s.Sid === 'NoObjectsButState')).toMatchObject({ Effect: 'Deny' });
    expect(policies.find((s) => s.Sid === 'NoSecrets').Action).toContain('secretsmanager:GetSecretValue');
  });

  it('lets only the account environment apply, for up to 3 h', () => {
    const statements = trustOf('infra-ci-apply');
    expect(statements).toHaveLength(1);
    expect(statements[0].Condition.StringLike['token.actions.githubusercontent.com:sub']).toEqual(['repo:example-co/infrastructure:environment:production']);
    expect(Object.values(roles).find((r) => r.name === 'infra-ci-apply')!.max_session_duration).toBe(10800);
  });

  it('passes the baseline policy pack, with the apply role\'s administrator access as the one reasoned exception', () => {
    const report = evaluate(stackOf(stack.node.id, json), rulesIn(['baseline']), suppressionsUnder(stack));
    expect(report.violations.map((v) => `${v.rule.id} ${v.resource.path}`)).toEqual([]);
    expect(report.suppressed.map((s) => `${s.rule.id} ${s.resource.path}`)).toEqual([`IAM-NO-ADMIN ${stack.node.id}/apply-administrator`, `COST-BUDGET ${stack.node.id}/state-key`]);
  });
});

describe('bootstrap of the preview account: the infra-ci-preview role', () => {
  const previewAccount = loadAccounts().find((a) => a.name === preview.account)!;
  const pstack = new BootstrapStack(Testing.app(), { account: previewAccount, previewRole: preview.role });
  const pjson = pstack.toTerraform() as TerraformJson;
  const role = Object.values(resourcesOf(pjson, 'aws_iam_role')).find((r) => r.name === preview.role)!;
  const policy = (id: string) => JSON.parse(Object.entries(resourcesOf(pjson, 'aws_iam_role_policy')).find(([n]) => n === id || n.startsWith(`${id}_`))![1].policy).Statement as TerraformJson[];
  const sid = (id: string, s: string) => policy(id).find((x) => x.Sid === s)!;

  it('exists only where previews run', () => {
    expect(Object.values(roles).some((r) => r.name === preview.role)).toBe(false);
    expect(role).toBeDefined();
  });

  it('is trusted by the preview GitHub environment only (not by itself: the workflow passes -var ci_role=current)', () => {
    const statements = JSON.parse(role.assume_role_policy).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Condition.StringLike['token.actions.githubusercontent.com:sub']).toEqual([`repo:${previewAccount.tags.repository}:environment:${PREVIEW_ENVIRONMENT}`]);
  });

  it('reaches state only under preview-* keys', () => {
    expect(sid('preview-state', 'ListPreviewState').Condition).toEqual({ StringLike: { 's3:prefix': ['preview-*'] } });
    expect(sid('preview-state', 'PreviewState').Resource).toMatch(/\/preview-\*$/);
    const objects = sid('preview-guardrails', 'NoObjectsButPreviewState');
    expect(objects.Effect).toBe('Deny');
    // The state bucket's preview-* objects, and Beanstalk's own storage bucket (application versions): nothing else.
    expect(objects.NotResource).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.[^}]+\}\/preview-\*$/), 'arn:aws:s3:::elasticbeanstalk-*/*']);
  });

  it('may not touch resources tagged as another stack\'s, nor tag anything as one', () => {
    expect(sid('preview-guardrails', 'NotOtherStacksResources')).toMatchObject({ Effect: 'Deny', Action: '*', Condition: { StringNotLike: { 'aws:ResourceTag/Account': 'preview-*' }, Null: { 'aws:ResourceTag/Account': 'false' } } });
    expect(sid('preview-guardrails', 'NotTaggedAsOtherStacks')).toMatchObject({ Effect: 'Deny', Condition: { StringNotLike: { 'aws:RequestTag/Account': 'preview-*' } } });
    // Every taggable resource of the account's own stack carries its Account tag, which the deny matches.
    expect(accountTags(previewAccount).Account).toBe(previewAccount.name);
    expect(previewAccount.name.startsWith('preview-')).toBe(false);
  });

  it('may not change the CI roles, account-wide settings, or attach administrator policies', () => {
    expect(sid('preview-guardrails', 'NotTheCiRoles').Resource[0]).toBe(`arn:aws:iam::${previewAccount.accountId}:role/infra-ci-*`);
    expect(sid('preview-guardrails', 'NotAccountWide').Action).toEqual(expect.arrayContaining(['ec2:DisableEbsEncryptionByDefault', 'iam:CreateUser', 'organizations:*']));
    expect(sid('preview-guardrails', 'NoAdministratorPolicies').Condition.ArnLike['iam:PolicyARN']).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
  });

  // A role the preview role makes is not subject to the preview role's denies: without a
  // boundary, a preview could create one with an inline "*" policy and act through it.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
  it('creates and changes roles only with the preview boundary, which carries the same limits', () => {
    const boundaryArn = previewBoundaryArn(previewAccount.accountId, preview.role);
    expect(sid('preview-guardrails', 'RolesOnlyWithTheBoundary')).toMatchObject({
      Effect: 'Deny',
      Action: expect.arrayContaining(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary']),
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    });
    expect(sid('preview-guardrails', 'KeepTheBoundary')).toMatchObject({ Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary' });
    expect(sid('preview-guardrails', 'NotTheBoundaryPolicy')).toMatchObject({ Effect: 'Deny', Resource: boundaryArn });
    const boundary = onlyResource(pjson, 'aws_iam_policy');
    expect(`arn:aws:iam::${previewAccount.accountId}:policy/${boundary.name}`).toBe(boundaryArn);
    const statements = JSON.parse(boundary.policy).Statement as TerraformJson[];
    expect(statements).toEqual([policy('preview-resources')[0], ...policy('preview-guardrails')]);
  });

  it('passes the baseline pack with its broad allow as a reasoned exception', () => {
    const report = evaluate(stackOf(pstack.node.id, pjson), rulesIn(['baseline']), suppressionsUnder(pstack));
    expect(report.violations.map((v) => `${v.rule.id} ${v.resource.path}`)).toEqual([]);
  });
});
