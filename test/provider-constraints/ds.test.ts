/**
 * What the AWS provider (internal/service/ds/directory.go, internal/service/ds/validate.go) and
 * the Directory Service API refuse, for the managed directory the SQL Server witness joins;
 * and that its Admin password never reaches the JSON.
 */
import { DIRECTORY_ADMIN_PASSWORD_VARIABLE } from '../../stacks/account-stack';
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, block, copyOf, problemsIn, resources } from './aws';

/**
 * internal/service/ds/directory.go: name Required with domainValidator (validate.go:
 * ^([a-zA-Z0-9]+[\\.-])+([a-zA-Z0-9])+$, no trailing dot); password Required, Sensitive and
 * ForceNew; type in SimpleAD / ADConnector / MicrosoftAD / SharedMicrosoftAD; edition an
 * awstypes.DirectoryEdition (Enterprise / Standard); size for SimpleAD and AD Connector only;
 * vpc_settings (MaxItems 1) needs vpc_id and subnet_ids; connect_settings belongs to
 * ADConnector; desired_number_of_domain_controllers at least 2.
 * CreateMicrosoftAD (DirectoryVpcSettings): exactly two subnets, in different zones.
 * https://docs.aws.amazon.com/directoryservice/latest/devguide/API_DirectoryVpcSettings.html
 */
function directoryProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!/^([a-zA-Z0-9]+[\\.-])+([a-zA-Z0-9])+$/.test(String(r.name))) out.push(`name ${r.name} fails domainValidator`);
  const type = r.type ?? 'SimpleAD';
  if (!['SimpleAD', 'ADConnector', 'MicrosoftAD', 'SharedMicrosoftAD'].includes(type)) out.push(`type ${type}`);
  if (r.edition !== undefined && !['Enterprise', 'Standard'].includes(r.edition)) out.push(`edition ${r.edition}`);
  if (type === 'MicrosoftAD' && r.size !== undefined) out.push('size is for SimpleAD and ADConnector');
  if (type !== 'ADConnector' && r.connect_settings !== undefined) out.push('connect_settings is for ADConnector');
  const vpc = block(r.vpc_settings);
  if (type !== 'ADConnector' && (!vpc?.vpc_id || !vpc.subnet_ids)) out.push('vpc_settings needs vpc_id and subnet_ids');
  if (type === 'MicrosoftAD' && (vpc?.subnet_ids ?? []).length !== 2) out.push(`MicrosoftAD takes exactly two subnets, got ${(vpc?.subnet_ids ?? []).length}`);
  if (r.desired_number_of_domain_controllers !== undefined && r.desired_number_of_domain_controllers < 2) out.push('desired_number_of_domain_controllers below 2');
  return out;
}

/**
 * The password is Required and ForceNew: it must come from the sensitive variable (never a
 * literal in the JSON), and changes to it must be ignored, or rotating the CI secret would
 * replace the directory.
 */
function passwordProblems(r: TerraformJson, json: TerraformJson): string[] {
  const out: string[] = [];
  if (r.password !== `\${var.${DIRECTORY_ADMIN_PASSWORD_VARIABLE}}`) out.push('password is not the directory_admin_password variable');
  if (json.variable?.[DIRECTORY_ADMIN_PASSWORD_VARIABLE]?.sensitive !== true) out.push('directory_admin_password is not sensitive');
  if (!(r.lifecycle?.ignore_changes ?? []).includes('password')) out.push('a new password would replace the directory (ForceNew) unless ignore_changes has it');
  return out;
}

const checks = { aws_directory_service_directory: (r: TerraformJson, json: TerraformJson) => [...directoryProblems(r), ...passwordProblems(r, json)] };

describe(`Directory Service: what ${AWS_PROVIDER_SOURCE} (internal/service/ds/directory.go) and the API require`, () => {
  const stacks = accountStacks();
  const withDirectory = stacks.filter(([, json]) => resources(json, 'aws_directory_service_directory').length > 0);
  const directory = (json: TerraformJson) => resources(json, 'aws_directory_service_directory')[0][1];

  it('has a directory to check in the repository', () => {
    expect(withDirectory.length).toBeGreaterThan(0);
  });

  it.each(stacks)('%s: every directory meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, (d: TerraformJson) => void, RegExp]> = [
    ['a domain name with a trailing dot', (d) => (d.name = 'corp.example-hotel.jp.'), /fails domainValidator/],
    ['a type the API does not know', (d) => (d.type = 'MicrosoftAd'), /type MicrosoftAd/],
    ['three subnets', (d) => d.vpc_settings.subnet_ids.push('subnet-3'), /exactly two subnets, got 3/],
    ['a literal password', (d) => (d.password = 'Hunter2Hunter2!'), /not the directory_admin_password variable/],
    ['a password change that replaces the directory', (d) => (d.lifecycle = {}), /ForceNew/],
  ];
  it.each(broken)('catches %s', (_what, breakIt, expected) => {
    const json = copyOf(withDirectory[0][1]);
    breakIt(directory(json));
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });
});
