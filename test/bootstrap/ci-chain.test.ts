import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { load } from 'js-yaml';
import { loadAccounts } from '../../accounts';
import { APPLY_SESSION_SECONDS, BootstrapStack, PLAN_DENIED_DATA_ACTIONS, PLAN_SESSION_SECONDS } from '../../bootstrap/bootstrap-stack';
import { actionMatches } from '../../policies/policy-document';
import { management } from '../../accounts/management';
import { preview } from '../../accounts/sandbox/preview';
import { plannerPrincipalArns } from '../../bootstrap/bootstrap-app';
import { FoundationAccount } from '../../stacks/account-foundation';
import { synthesizeAccounts } from '../../stacks/synthesize';
import { builderAccount } from '../../tools/image-bump';
import { TerraformJson, resourcesOf } from '../helpers';

/**
 * The whole CI chain, link by link, for every stack `npm start` writes (the account stacks
 * and the management stack: CI plans and applies each the same way) and every job that
 * reaches AWS:
 * 1. GitHub OIDC: the role's trust accepts the exact `sub` and `aud` the job's token carries
 *    (docs.github.com/actions/reference/security/oidc, "Example subject claims": pull_request,
 *    ref:refs/heads/<branch> for push/schedule/workflow_dispatch/merge_group, environment:<name>
 *    for a job with an environment; aws-actions/configure-aws-credentials asks for the
 *    audience sts.amazonaws.com).
 * 2. The provider: with the `-var ci_role=current` the job passes, no assume_role block is
 *    rendered, so no sts:AssumeRole is needed (a role assuming itself needs its trust and its
 *    own policy to allow it: docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html).
 * 3. State: the role's policies allow reading `<key>`, listing the bucket, writing and
 *    deleting `<key>.tflock` (S3 native lock, developer.hashicorp.com/terraform/language/backend/s3,
 *    use_lockfile) and the KMS calls on the state key the backend names (kms_key_id: "Terraform
 *    will need kms:Encrypt, kms:Decrypt and kms:GenerateDataKey permissions on this KMS key").
 */
const root = join(__dirname, '../..');
/** Every stack CI plans, as `npm start` writes it, with the config it was built from. */
const stacks = (() => {
  const out = mkdtempSync(join(tmpdir(), 'ci-chain-'));
  try {
    const result = synthesizeAccounts({ outdir: join(out, 'cdktf.out') });
    return result.stacks.map((s) => {
      const account = s.account as FoundationAccount;
      return [account.name, account, JSON.parse(readFileSync(join(result.outdir, 'stacks', account.name, 'cdk.tf.json'), 'utf8')) as TerraformJson] as const;
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
})();
const accounts = loadAccounts();

type Step = { uses?: string; run?: string; with?: Record<string, string> };
type Job = { environment?: string; steps?: Step[] };
type Workflow = { on: Record<string, { branches?: string[] } | null>; jobs: Record<string, Job> };
const actionSteps = (load(readFileSync(join(root, '.github/actions/terraform-plan/action.yml'), 'utf8')) as { runs: { steps: Step[] } }).runs.steps;

/** Every step that signs in to AWS: the terraform-plan action or configure-aws-credentials itself. */
const allSignIns = readdirSync(join(root, '.github/workflows')).flatMap((file) => {
  const w = load(readFileSync(join(root, '.github/workflows', file), 'utf8')) as Workflow;
  return Object.entries(w.jobs).flatMap(([id, job]) =>
    (job.steps ?? [])
      .filter((s) => s.uses === './.github/actions/terraform-plan' || s.uses?.startsWith('aws-actions/configure-aws-credentials@'))
      .map((step) => ({ name: `${file} job ${id}`, workflow: w, job, step })),
  );
});
const roleInput = (step: Step) => step.with?.['role-arn'] ?? step.with?.['role-to-assume'];

/** The `sub` claims the job's OIDC token can carry, for one repository and stack. */
function subjectsOf(w: Workflow, job: Job, repo: string, stack: string): string[] {
  if (job.environment !== undefined) return [`repo:${repo}:environment:${job.environment.replace('${{ matrix.stack }}', stack)}`];
  return Object.keys(w.on).map((event) => {
    if (event === 'pull_request') return `repo:${repo}:pull_request`;
    // GitHub names a merge queue branch gh-readonly-queue/<base>/pr-<number>-<head sha>.
    if (event === 'merge_group') return `repo:${repo}:ref:refs/heads/gh-readonly-queue/main/pr-42-${'a'.repeat(40)}`;
    if (['push', 'schedule', 'workflow_dispatch'].includes(event)) return `repo:${repo}:ref:refs/heads/main`;
    throw new Error(`no subject known for the ${event} event`);
  });
}

const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);
type Stmt = { Effect: string; Action: string | string[]; Resource?: string | string[]; NotResource?: string | string[]; Principal?: Record<string, string>; Condition?: Record<string, Record<string, string | string[]>> };
const list = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());

/** IAM's identity-policy decision for one call: an explicit deny wins, else some allow is needed. */
function decide(statements: Stmt[], action: string, resource: string): 'allowed' | 'denied' | 'implicit deny' {
  const applies = (s: Stmt) =>
    list(s.Action).some((a) => actionMatches(a, action)) &&
    (s.NotResource !== undefined ? !list(s.NotResource).some((r) => glob(r, resource)) : list(s.Resource).some((r) => glob(r, resource)));
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return 'denied';
  return statements.some((s) => s.Effect === 'Allow' && applies(s)) ? 'allowed' : 'implicit deny';
}

function bootstrap(account: FoundationAccount) {
  // As bootstrap/bootstrap-app.ts: the preview role exists only in the account previews run in.
  const previewRole = account.name === preview.account ? preview.role : undefined;
  const json = new BootstrapStack(Testing.app(), { account, plannerPrincipalArns: plannerPrincipalArns(account, management), previewRole }).toTerraform() as TerraformJson;
  // The bucket's and the key's ARNs are known after apply: put in what they will be.
  const keyArn = `arn:aws:kms:${account.region}:${account.accountId}:key/00000000-0000-4000-8000-000000000000`;
  const bucketName = Object.values(resourcesOf(json, 'aws_s3_bucket'))[0].bucket as string;
  const resolve = (text: string) =>
    text.replace(/\$\{aws_s3_bucket\.[\w-]+\.arn\}/g, `arn:aws:s3:::${bucketName}`).replace(/\$\{aws_kms_key\.[\w-]+\.arn\}/g, keyArn);
  const roles = Object.entries(resourcesOf(json, 'aws_iam_role'));
  const roleOf = (name: string) => {
    const [id, role] = roles.find(([, r]) => r.name === name)!;
    const ref = new RegExp(`^\\$\\{aws_iam_role\\.${id}\\.(id|name)\\}$`);
    const inline = Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter((p) => ref.test(p.role)).flatMap((p) => JSON.parse(resolve(p.policy)).Statement as Stmt[]);
    const managed = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).filter((a) => ref.test(a.role)).map((a) => a.policy_arn as string);
    // AdministratorAccess is Allow * on *; ReadOnlyAccess grants reads, not s3:PutObject or kms:*.
    const fromManaged: Stmt[] = managed.includes('arn:aws:iam::aws:policy/AdministratorAccess') ? [{ Effect: 'Allow', Action: '*', Resource: '*' }] : [];
    return { role, trust: JSON.parse(role.assume_role_policy).Statement as Stmt[], policy: [...inline, ...fromManaged], managed };
  };
  const alias = Object.values(resourcesOf(json, 'aws_kms_alias'))[0];
  const key = Object.entries(resourcesOf(json, 'aws_kms_key'))[0];
  return { json, roleOf, keyArn, alias, key, bucketName };
}

/**
 * Calls the provider's refresh makes, for the resource types whose reads meet a service the
 * plan role's denies name (S3 objects, SQS, DynamoDB, CloudWatch Logs, Lambda, Secrets
 * Manager, EC2). ReadOnlyAccess allows each of them; the test checks that no deny takes one away.
 */
function refreshCalls(region: string, accountId: string): Record<string, Array<readonly [string, string]>> {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${accountId}:${resource}`;
  return {
    // DescribeConfigurationSettings reads AWS's platform bucket with the caller's credentials:
    // github.com/hashicorp/terraform-provider-aws/issues/32977 (AccessDenied on
    // elasticbeanstalk-env-resources-<region>/eb_patching_resources/... during terraform plan).
    aws_elastic_beanstalk_environment: [
      ['elasticbeanstalk:DescribeConfigurationSettings', arn('elasticbeanstalk', 'environment/app/env')],
      ['s3:GetObject', `arn:aws:s3:::elasticbeanstalk-env-resources-${region}/eb_patching_resources/instance_patch_extension.linux`],
    ],
    // internal/service/sqs/queue.go: GetQueueAttributes (All) and ListQueueTags.
    aws_sqs_queue: [['sqs:GetQueueAttributes', arn('sqs', 'q')], ['sqs:ListQueueTags', arn('sqs', 'q')]],
    // internal/service/dynamodb/table.go: DescribeTable, DescribeContinuousBackups, DescribeTimeToLive, tags.
    aws_dynamodb_table: ['DescribeTable', 'DescribeContinuousBackups', 'DescribeTimeToLive', 'ListTagsOfResource'].map((a) => [`dynamodb:${a}`, arn('dynamodb', 'table/t')] as const),
    // internal/service/logs/group.go: DescribeLogGroups and ListTagsForResource.
    aws_cloudwatch_log_group: [['logs:DescribeLogGroups', arn('logs', 'log-group:g')], ['logs:ListTagsForResource', arn('logs', 'log-group:g')]],
    // internal/service/lambda/function.go, findFunction: GetFunction.
    aws_lambda_function: [['lambda:GetFunction', arn('lambda', 'function:f')]],
    // internal/service/secretsmanager/secret.go: DescribeSecret and GetResourcePolicy, never the value.
    aws_secretsmanager_secret: [['secretsmanager:DescribeSecret', arn('secretsmanager', 'secret:s')], ['secretsmanager:GetResourcePolicy', arn('secretsmanager', 'secret:s')]],
    // internal/service/sesv2/configuration_set.go, configuration_set_event_destination.go, email_identity.go,
    // email_identity_mail_from_attributes.go: GetConfigurationSet, GetConfigurationSetEventDestinations, GetEmailIdentity.
    aws_sesv2_configuration_set: [['ses:GetConfigurationSet', arn('ses', 'configuration-set/c')], ['ses:ListTagsForResource', arn('ses', 'configuration-set/c')]],
    aws_sesv2_configuration_set_event_destination: [['ses:GetConfigurationSetEventDestinations', arn('ses', 'configuration-set/c')]],
    aws_sesv2_email_identity: [['ses:GetEmailIdentity', arn('ses', 'identity/example.com')], ['ses:ListTagsForResource', arn('ses', 'identity/example.com')]],
    aws_sesv2_email_identity_mail_from_attributes: [['ses:GetEmailIdentity', arn('ses', 'identity/example.com')]],
    // internal/service/ec2/ec2_instance.go: DescribeInstances and DescribeInstanceAttribute (GetPasswordData only with get_password_data).
    aws_instance: [['ec2:DescribeInstances', '*'], ['ec2:DescribeInstanceAttribute', arn('ec2', 'instance/i-1')]],
  };
}

it('the refresh-call table covers Beanstalk environments: at least one account stack has one', () => {
  expect(stacks.some(([, , stack]) => Object.keys(resourcesOf(stack, 'aws_elastic_beanstalk_environment')).length > 0)).toBe(true);
});

it('finds the preview jobs, which sign in as the preview role (tools/preview.ts settings: roleArn)', () => {
  const previewSignIns = allSignIns.filter((s) => s.name.startsWith('preview.yml '));
  expect(previewSignIns.map((s) => s.name)).toEqual(expect.arrayContaining(['preview.yml job apply', 'preview.yml job destroy']));
  for (const s of previewSignIns) expect([s.name, roleInput(s.step)]).toEqual([s.name, expect.stringMatching(/^\$\{\{ steps\.\w+\.outputs\.roleArn \}\}$/)]);
});

it('covers the management stack and every account stack', () => {
  expect(stacks.map(([name]) => name)).toContain('management');
  expect(stacks.length).toBeGreaterThan(1);
});

describe.each(stacks)('the CI chain of %s', (_name, account, stack) => {
  const { roleOf, keyArn, alias, key, bucketName } = bootstrap(account);
  const backend = stack.terraform.backend.s3;
  // Preview jobs sign in only to the account previews run in, as its preview role.
  const signIns = allSignIns.filter((s) => !s.name.startsWith('preview.yml ') || account.name === preview.account)
    // The image bump signs in only to the account that builds images (tools/image-bump.ts builder).
    .filter((s) => !s.name.startsWith('image-bump.yml ') || account.name === builderAccount(accounts).name);
  const roleName = (step: Step) => {
    const arn = roleInput(step);
    if (/^\$\{\{ steps\.\w+\.outputs\.roleArn \}\}$/.test(arn ?? '')) return preview.role;
    if (arn === '${{ matrix.planRole }}') return account.ci.planRole;
    if (arn === '${{ steps.builder.outputs.role-arn }}') return account.ci.planRole; // tools/image-bump.ts builder: its plan role
    if (arn === '${{ matrix.applyRole }}') return account.ci.applyRole;
    throw new Error(`unknown role input ${arn}`);
  };

  it('finds the jobs that sign in: PR and merge-queue plans, approval plan, apply, drift, release-lock', () => {
    expect(signIns.map((s) => s.name).sort()).toEqual(
      expect.arrayContaining(['apply.yml job apply', 'apply.yml job plan', 'apply.yml job release-lock', 'drift.yml job drift', 'pull-request.yml job plan']),
    );
  });

  it.each(signIns.map((s) => [s.name, s] as const))('1. OIDC: %s gets a token the role trusts (sub and aud)', (_job, { workflow, job, step }) => {
    const { trust } = roleOf(roleName(step));
    const web = trust.filter((s) => s.Effect === 'Allow' && s.Action === 'sts:AssumeRoleWithWebIdentity');
    for (const sub of subjectsOf(workflow, job, account.tags.repository, account.name)) {
      const accepted = web.some(
        (s) =>
          list(s.Condition?.StringEquals?.['token.actions.githubusercontent.com:aud']).includes('sts.amazonaws.com') &&
          list(s.Condition?.StringLike?.['token.actions.githubusercontent.com:sub']).some((p) => glob(p, sub)),
      );
      expect([sub, accepted]).toEqual([sub, true]);
    }
  });

  it('1. OIDC: the apply role trusts only this account\'s environment, not a pull request, the merge queue or main', () => {
    const { trust } = roleOf(account.ci.applyRole);
    const subs = trust.flatMap((s) => list(s.Condition?.StringLike?.['token.actions.githubusercontent.com:sub']));
    expect(subs).toEqual([`repo:${account.tags.repository}:environment:${account.name}`]);
    for (const other of ['pull_request', 'ref:refs/heads/main', 'environment:elsewhere']) expect(subs.some((p) => glob(p, `repo:${account.tags.repository}:${other}`))).toBe(false);
  });

  it.each(signIns.map((s) => [s.name, s] as const))('1. session length: %s asks for no more than the role allows', (_job, { step }) => {
    const asked = Number(step.with?.['role-duration-seconds'] ?? 3600); // configure-aws-credentials' default is 1 h
    expect(asked).toBeLessThanOrEqual(roleOf(roleName(step)).role.max_session_duration);
  });

  it('1. session length: the apply role allows the 3 h the apply job asks for, the plan role 1 h', () => {
    expect(roleOf(account.ci.applyRole).role.max_session_duration).toBe(APPLY_SESSION_SECONDS);
    expect(roleOf(account.ci.planRole).role.max_session_duration).toBe(PLAN_SESSION_SECONDS);
    const apply = signIns.find((s) => s.name === 'apply.yml job apply')!.step;
    expect(Number(apply.with?.['role-duration-seconds'])).toBe(APPLY_SESSION_SECONDS);
  });

  it('2. provider: the action passes -var ci_role=current, and with it the provider assumes no role', () => {
    const runs = actionSteps.map((s) => s.run ?? '').join('\n');
    const vars = [...runs.matchAll(/terraform plan [^\n]*?-var (\S+)/g)].map((m) => m[1]);
    expect(vars).toEqual(['ci_role=current']);
    const aws = stack.provider.aws[0];
    expect(aws.assume_role).toBeUndefined();
    // The one shape of for_each this stack renders, evaluated for each value of ci_role.
    const forEach = /^\$\{var\.ci_role == "(\w+)" \? \[\] : \[var\.ci_role\]\}$/.exec(aws.dynamic.assume_role.for_each);
    expect(forEach?.[1]).toBe('current');
    // A person leaving the default assumes the plan role: the trust names them (NamedPrincipals).
    expect(stack.variable.ci_role.default).toBe('plan');
    expect(roleOf(account.ci.planRole).trust.find((s) => s.Action === 'sts:AssumeRole')?.Condition?.ArnLike['aws:PrincipalArn']).toEqual(plannerPrincipalArns(account, management));
  });

  it('2. provider: neither role trusts itself any more (nothing assumes a role from its own session)', () => {
    for (const name of [account.ci.planRole, account.ci.applyRole]) {
      const principals = roleOf(name).trust.flatMap((s) => list(s.Condition?.ArnLike?.['aws:PrincipalArn']));
      expect(principals.some((p) => glob(p, `arn:aws:iam::${account.accountId}:role/${name}`))).toBe(false);
    }
  });

  it('3. state: the backend names the bucket the bootstrap made (the same derived name)', () => {
    expect(backend.bucket).toBe(bucketName);
    expect(backend).toMatchObject({ key: `${account.name}/terraform.tfstate`, region: account.region, encrypt: true, use_lockfile: true, allowed_account_ids: [account.accountId] });
  });

  it('3. state: the backend names the bootstrap\'s state key (its alias), for the state and the lock file', () => {
    expect(backend.kms_key_id).toBe(`arn:aws:kms:${account.region}:${account.accountId}:${alias.name}`);
    expect(alias.target_key_id).toBe(`\${aws_kms_key.${key[0]}.key_id}`);
    // No key policy: the default one lets IAM policies grant use of the key
    // (docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
    expect(key[1].policy).toBeUndefined();
  });

  it.each([account.ci.planRole, account.ci.applyRole])('3. state: %s can read the state, take and release the lock, under the KMS key', (name) => {
    const { policy } = roleOf(name);
    const bucket = `arn:aws:s3:::${backend.bucket}`;
    const calls: Array<[string, string]> = [
      ['s3:ListBucket', bucket],
      ['s3:GetObject', `${bucket}/${backend.key}`],
      ['s3:GetObject', `${bucket}/${backend.key}.tflock`],
      ['s3:PutObject', `${bucket}/${backend.key}.tflock`],
      ['s3:DeleteObject', `${bucket}/${backend.key}.tflock`],
      ['kms:Decrypt', keyArn],
      ['kms:GenerateDataKey', keyArn],
      ['kms:Encrypt', keyArn],
    ];
    expect(calls.map(([a, r]) => [a, r, decide(policy, a, r)])).toEqual(calls.map(([a, r]) => [a, r, 'allowed']));
  });

  it('3. state: the plan role cannot write or delete the state itself, only the lock file', () => {
    const { policy } = roleOf(account.ci.planRole);
    const state = `arn:aws:s3:::${backend.bucket}/${backend.key}`;
    expect(decide(policy, 's3:PutObject', state)).toBe('implicit deny');
    expect(decide(policy, 's3:DeleteObject', state)).toBe('implicit deny');
  });

  it('the plan role\'s denies leave every refresh call of this stack\'s resource types (a plan would fail on one)', () => {
    const { policy } = roleOf(account.ci.planRole);
    const types = Object.keys(stack.resource ?? {});
    const calls = Object.entries(refreshCalls(account.region, account.accountId)).filter(([type]) => types.includes(type));
    const denied = calls.flatMap(([type, c]) => c.filter(([a, r]) => decide(policy, a, r) === 'denied').map(([a, r]) => `${type}: ${a} ${r}`));
    expect(denied).toEqual([]);
  });

  it('the plan role reads no data: objects outside the state bucket, secrets, parameters and the data-plane reads are denied', () => {
    const { policy } = roleOf(account.ci.planRole);
    expect(decide(policy, 's3:GetObject', 'arn:aws:s3:::some-app-bucket/customers.csv')).toBe('denied');
    expect(decide(policy, 'secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${account.region}:${account.accountId}:secret:x`)).toBe('denied');
    expect(decide(policy, 'ssm:GetParameter', `arn:aws:ssm:${account.region}:${account.accountId}:parameter/app/password`)).toBe('denied');
    // AWS public parameters (AMI ids) are not the account's data.
    expect(decide(policy, 'ssm:GetParameter', `arn:aws:ssm:${account.region}::parameter/aws/service/ami-windows-latest/x`)).not.toBe('denied');
    for (const action of ['sqs:ReceiveMessage', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'ses:ListSuppressedDestinations', 'ses:GetSuppressedDestination']) {
      expect([action, decide(policy, action, '*')]).toEqual([action, 'denied']);
    }
    expect(PLAN_DENIED_DATA_ACTIONS.filter((a) => decide(policy, a, 'arn:aws:x') !== 'denied')).toEqual([]);
  });
});
