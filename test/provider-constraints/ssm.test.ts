/**
 * What the AWS provider (internal/service/ssm/association.go) and the AWS-JoinDirectoryServiceDomain
 * document accept, for the domain join of the SQL Server nodes; and what the join needs
 * around it (the instance role's policies, DNS that finds the domain controllers).
 */
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, copyOf, problemsIn, referenced, resources } from './aws';

/**
 * internal/service/ssm/association.go: name Required; association_name 3-128 of
 * [0-9A-Za-z_.-]; targets at most 5, each key 1-163 characters and at most 50 values;
 * parameters a map of strings (expandDocumentParameters sends each as a one-element list, so
 * a StringList parameter such as dnsIpAddresses cannot hold two addresses).
 * AWS-JoinDirectoryServiceDomain: directoryId and directoryName required, directoryOU and
 * dnsIpAddresses optional, dnsIpAddresses needed only where DHCP does not give the
 * directory's DNS servers (docs.aws.amazon.com/directoryservice/latest/admin-guide/launching_instance.html).
 */
const JOIN_PARAMETERS = ['directoryId', 'directoryName', 'directoryOU', 'dnsIpAddresses'];
function associationProblems(r: TerraformJson, json: TerraformJson): string[] {
  const out: string[] = [];
  if (typeof r.name !== 'string' || r.name === '') out.push('name is required');
  if (r.association_name !== undefined && !/^[0-9A-Za-z_.-]{3,128}$/.test(r.association_name)) out.push(`association_name ${r.association_name}`);
  const targets: TerraformJson[] = r.targets ?? [];
  if (targets.length > 5) out.push(`${targets.length} targets, at most 5`);
  for (const t of targets) {
    if (!(String(t.key).length >= 1 && String(t.key).length <= 163)) out.push(`target key ${t.key}`);
    if (!Array.isArray(t.values) || t.values.length > 50) out.push(`target ${t.key} has more than 50 values`);
  }
  for (const [k, v] of Object.entries(r.parameters ?? {})) if (typeof v !== 'string') out.push(`parameter ${k} is not a string (parameters is a map of strings)`);
  if (r.name === 'AWS-JoinDirectoryServiceDomain') {
    const params = r.parameters ?? {};
    for (const k of ['directoryId', 'directoryName']) if (!params[k]) out.push(`AWS-JoinDirectoryServiceDomain needs ${k}`);
    for (const k of Object.keys(params)) if (!JOIN_PARAMETERS.includes(k)) out.push(`AWS-JoinDirectoryServiceDomain has no parameter ${k}`);
    // Without dnsIpAddresses the instances must get the directory's DNS servers from DHCP.
    if (!params.dnsIpAddresses) {
      const options = resources(json, 'aws_vpc_dhcp_options').map(([, o]) => o);
      const directory = referenced(json, params.directoryId)?.resource;
      const servers = directory ? options.filter((o) => String(o.domain_name_servers).includes('dns_ip_addresses')) : [];
      if (servers.length === 0 || resources(json, 'aws_vpc_dhcp_options_association').length === 0) out.push('no dnsIpAddresses and no DHCP options giving the directory\'s DNS servers to the VPC');
      if (directory && !options.some((o) => o.domain_name === params.directoryName || o.domain_name === directory.name)) out.push('the DHCP options do not name the directory\'s domain');
    }
    // The join runs with the instance's role: it needs Systems Manager and Directory Service access.
    const ids = (targets.find((t) => t.key === 'InstanceIds')?.values ?? []) as string[];
    for (const id of ids) {
      const instance = referenced(json, id)?.resource;
      const profile = referenced(json, instance?.iam_instance_profile)?.resource;
      const role = referenced(json, profile?.role)?.resource;
      if (!role) {
        out.push(`${id}: no instance role found`);
        continue;
      }
      const policies = resources(json, 'aws_iam_role_policy_attachment').map(([, a]) => a).filter((a) => referenced(json, a.role)?.resource === role).map((a) => a.policy_arn);
      for (const p of ['AmazonSSMManagedInstanceCore', 'AmazonSSMDirectoryServiceAccess']) if (!policies.includes(`arn:aws:iam::aws:policy/${p}`)) out.push(`${id}: its role lacks ${p}`);
    }
  }
  return out;
}

const checks = { aws_ssm_association: associationProblems };

describe(`SSM associations: what ${AWS_PROVIDER_SOURCE} (internal/service/ssm/association.go) and AWS-JoinDirectoryServiceDomain require`, () => {
  const stacks = accountStacks();
  const joining = stacks.filter(([, json]) => resources(json, 'aws_ssm_association').length > 0);
  const join = (json: TerraformJson) => resources(json, 'aws_ssm_association')[0][1];

  it('has a domain join to check: every account with a directory and SQL Server nodes joins them', () => {
    const expected = stacks.filter(([, json]) => resources(json, 'aws_directory_service_directory').length > 0 && resources(json, 'aws_instance').some(([, i]) => i.tags?.SqlServerCluster)).map(([name]) => name);
    expect(expected.length).toBeGreaterThan(0);
    expect(joining.map(([name]) => name)).toEqual(expected);
  });

  it.each(stacks)('%s: every association meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, (j: TerraformJson, a: TerraformJson) => void, RegExp]> = [
    ['an association name with a space', (_j, a) => (a.association_name = 'hotel core join'), /association_name hotel core join/],
    ['a list parameter', (_j, a) => (a.parameters.dnsIpAddresses = ['10.0.0.1', '10.0.0.2']), /dnsIpAddresses is not a string/],
    ['a missing directoryName', (_j, a) => delete a.parameters.directoryName, /needs directoryName/],
    ['a parameter the document does not have', (_j, a) => (a.parameters.domainName = 'x'), /has no parameter domainName/],
    ['a VPC whose DHCP does not give the directory DNS', (j) => delete j.resource.aws_vpc_dhcp_options_association, /no DHCP options/],
    ['a node role without AmazonSSMDirectoryServiceAccess', (j) => {
      for (const [k, a] of Object.entries(j.resource.aws_iam_role_policy_attachment as Record<string, TerraformJson>)) if (String(a.policy_arn).endsWith('/AmazonSSMDirectoryServiceAccess')) delete j.resource.aws_iam_role_policy_attachment[k];
    }, /lacks AmazonSSMDirectoryServiceAccess/],
  ];
  it.each(broken)('catches %s', (_what, breakIt, expected) => {
    const json = copyOf(joining[0][1]);
    breakIt(json, join(json));
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });
});
