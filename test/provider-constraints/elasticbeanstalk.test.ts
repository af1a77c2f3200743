/**
 * What the AWS provider (internal/service/elasticbeanstalk/environment.go) and Elastic
 * Beanstalk refuse or fight, for the environments BeanstalkApp emits.
 */
import { platforms } from '../../accounts/catalogue';
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, copyOf, problemsIn, referenced, resources } from './aws';

/**
 * environment.go: name 4-40 letters, digits and hyphens; solution_stack_name ConflictsWith
 * platform_arn and template_name (one of them is needed); tier "Worker" or "WebServer";
 * each setting has namespace, name and value (strings: the provider compares them as text).
 */
function environmentProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$/.test(String(r.name))) out.push(`name ${r.name}`);
  const sources = ['solution_stack_name', 'platform_arn', 'template_name'].filter((k) => r[k] !== undefined);
  if (sources.length !== 1) out.push(`exactly one of solution_stack_name / platform_arn / template_name, got ${sources.join(', ') || 'none'}`);
  if (!['Worker', 'WebServer'].includes(r.tier ?? 'WebServer')) out.push(`tier ${r.tier}`);
  for (const s of (r.setting ?? []) as Array<Record<string, unknown>>) {
    if (typeof s.namespace !== 'string' || typeof s.name !== 'string' || typeof s.value !== 'string') out.push(`setting ${JSON.stringify(s)} is not three strings`);
  }
  return out;
}

/**
 * One owner for the platform version: the catalogue's full version, with managed platform
 * updates off (a managed update moves the environment past solution_stack_name and the next
 * plan tries to move it back).
 * https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environment-platform-update-managed.html
 */
function platformProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!(Object.values(platforms) as string[]).includes(r.solution_stack_name)) out.push(`solution_stack_name ${r.solution_stack_name} is not in accounts/catalogue.ts`);
  const managed = (r.setting ?? []).find((s: { namespace: string; name: string }) => s.namespace === 'aws:elasticbeanstalk:managedactions' && s.name === 'ManagedActionsEnabled');
  if (managed?.value !== 'false') out.push('managed platform updates are on');
  return out;
}

/**
 * The log groups Beanstalk streams to exist before the environment, with a key and the
 * retention: https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.cloudwatchlogs.envhealth.html
 * (/aws/elasticbeanstalk/<environment>/environment-health.log).
 */
function logGroupProblems(r: TerraformJson, json: TerraformJson): string[] {
  const groups = ((r.depends_on ?? []) as string[]).map((d) => referenced(json, `\${${d}.id}`)).filter((g) => g?.type === 'aws_cloudwatch_log_group');
  const names = groups.map((g) => g!.resource.name);
  const out: string[] = [];
  if (!names.includes(`/aws/elasticbeanstalk/${r.name}/environment-health.log`)) out.push('the health log group is not created before the environment');
  if (groups.some((g) => !g!.resource.kms_key_id)) out.push('a streamed log group has no KMS key');
  return out;
}

/**
 * RetentionInDays of aws:elasticbeanstalk:cloudwatch:logs and :logs:health takes 1, 3, 5, 7,
 * 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827 or 3653: fewer periods than
 * CloudWatch Logs (no 1096, 2192, 2557, 2922, 3288), and the environment update fails on
 * another (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html).
 */
const BEANSTALK_RETENTION_DAYS = ['1', '3', '5', '7', '14', '30', '60', '90', '120', '150', '180', '365', '400', '545', '731', '1827', '3653'];
function retentionProblems(r: TerraformJson): string[] {
  return ((r.setting ?? []) as Array<Record<string, unknown>>)
    .filter((s) => String(s.namespace).startsWith('aws:elasticbeanstalk:cloudwatch:logs') && s.name === 'RetentionInDays' && !BEANSTALK_RETENTION_DAYS.includes(String(s.value)))
    .map((s) => `${s.namespace} RetentionInDays ${s.value} is not a period Beanstalk takes`);
}

const checks = { aws_elastic_beanstalk_environment: (r: TerraformJson, json: TerraformJson) => [...environmentProblems(r), ...platformProblems(r), ...logGroupProblems(r, json), ...retentionProblems(r)] };

describe(`Elastic Beanstalk: what ${AWS_PROVIDER_SOURCE} (internal/service/elasticbeanstalk/environment.go) and the service require`, () => {
  const stacks = accountStacks();
  const withApps = stacks.filter(([, json]) => resources(json, 'aws_elastic_beanstalk_environment').length > 0);
  const env = (json: TerraformJson) => resources(json, 'aws_elastic_beanstalk_environment')[0][1];

  it('has environments to check in the repository', () => {
    expect(withApps.length).toBeGreaterThan(0);
  });

  it.each(stacks)('%s: every environment meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, (e: TerraformJson) => void, RegExp]> = [
    ['managed platform updates on', (e) => (e.setting.find((s: { name: string }) => s.name === 'ManagedActionsEnabled').value = 'true'), /managed platform updates are on/],
    ['a platform typed in place of the catalogue\'s', (e) => (e.solution_stack_name = '64bit Amazon Linux 2023 v4.1.0 running Python 3.11'), /is not in accounts\/catalogue.ts/],
    ['a platform ARN beside the solution stack', (e) => (e.platform_arn = 'arn:aws:elasticbeanstalk:ap-northeast-1::platform/x'), /exactly one of solution_stack_name/],
    ['a setting value that is a number', (e) => (e.setting[0].value = 2), /is not three strings/],
    ['an environment created before its log groups', (e) => (e.depends_on = []), /health log group is not created before/],
    ['a log retention CloudWatch takes and Beanstalk does not (1096 days)', (e) => (e.setting.find((s: { name: string }) => s.name === 'RetentionInDays').value = '1096'), /RetentionInDays 1096 is not a period Beanstalk takes/],
  ];
  it.each(broken)('catches %s', (_what, breakIt, expected) => {
    const json = copyOf(withApps[0][1]);
    breakIt(env(json));
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });
});
