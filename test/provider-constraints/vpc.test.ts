/**
 * What the AWS provider (internal/service/ec2/vpc_dhcp_options.go,
 * vpc_dhcp_options_association.go) and the EC2 API require of the network path from the
 * stack's VPC to its directory: the VPC's DHCP options name the domain and its domain
 * controllers, and one options set is associated with the VPC.
 */
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, copyOf, problemsIn, referenced, resources } from './aws';

/**
 * vpc_dhcp_options.go: every option is optional, but CreateDhcpOptions needs at least one
 * DhcpConfiguration; domain_name_servers takes at most four addresses (or AmazonProvidedDNS).
 * https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSetConcepts.html
 */
function optionsProblems(r: TerraformJson): string[] {
  const set = ['domain_name', 'domain_name_servers', 'ntp_servers', 'netbios_name_servers', 'netbios_node_type', 'ipv6_address_preferred_lease_time'].filter((k) => r[k] !== undefined);
  const out = set.length === 0 ? ['no DHCP option set'] : [];
  if (Array.isArray(r.domain_name_servers) && r.domain_name_servers.length > 4) out.push('more than four domain name servers');
  return out;
}

/** vpc_dhcp_options_association.go: vpc_id and dhcp_options_id Required; a VPC has exactly one options set, so one association per VPC. */
function associationProblems(r: TerraformJson, json: TerraformJson): string[] {
  const out: string[] = [];
  if (!r.vpc_id || !r.dhcp_options_id) out.push('vpc_id and dhcp_options_id are required');
  const sameVpc = resources(json, 'aws_vpc_dhcp_options_association').filter(([, a]) => a.vpc_id === r.vpc_id);
  if (sameVpc.length > 1) out.push(`${sameVpc.length} associations for ${r.vpc_id}`);
  return out;
}

/** Where the stack has a directory, its VPC resolves the directory's domain through the domain controllers. */
function directoryReachable(json: TerraformJson): string[] {
  return resources(json, 'aws_directory_service_directory').flatMap(([name, d]) => {
    const association = resources(json, 'aws_vpc_dhcp_options_association').find(([, a]) => a.vpc_id === d.vpc_settings.vpc_id)?.[1];
    const options = association && referenced(json, association.dhcp_options_id)?.resource;
    if (!options) return [`the VPC of directory ${name} has no DHCP options of this stack`];
    const out: string[] = [];
    if (options.domain_name !== d.name) out.push(`DHCP domain_name ${options.domain_name} is not the directory's ${d.name}`);
    if (!String(options.domain_name_servers).includes(`aws_directory_service_directory.${name}.dns_ip_addresses`)) out.push('DHCP domain_name_servers are not the directory\'s DNS addresses');
    return out;
  });
}

const checks = { aws_vpc_dhcp_options: optionsProblems, aws_vpc_dhcp_options_association: associationProblems };

describe(`VPC DHCP options: what ${AWS_PROVIDER_SOURCE} (internal/service/ec2/vpc_dhcp_options*.go) and the EC2 API require`, () => {
  const stacks = accountStacks();
  const withDirectory = stacks.filter(([, json]) => resources(json, 'aws_directory_service_directory').length > 0);

  it('has a directory whose network path to check in the repository', () => {
    expect(withDirectory.length).toBeGreaterThan(0);
  });

  it.each(stacks)('%s: DHCP options meet the constraints and lead to the directory', (_name, json) => {
    expect([...problemsIn(json, checks), ...directoryReachable(json)]).toEqual([]);
  });

  it('catches a directory whose VPC does not resolve its domain', () => {
    const json = copyOf(withDirectory[0][1]);
    delete json.resource.aws_vpc_dhcp_options_association;
    expect(directoryReachable(json)).toEqual([expect.stringMatching(/has no DHCP options of this stack/)]);
  });

  it('catches DHCP options naming other name servers, and a second association for the VPC', () => {
    const json = copyOf(withDirectory[0][1]);
    const [[name, options]] = resources(json, 'aws_vpc_dhcp_options');
    options.domain_name_servers = ['AmazonProvidedDNS'];
    const [[, association]] = resources(json, 'aws_vpc_dhcp_options_association');
    json.resource.aws_vpc_dhcp_options_association.second = { ...association, dhcp_options_id: `\${aws_vpc_dhcp_options.${name}.id}` };
    expect(directoryReachable(json)).toEqual([expect.stringMatching(/are not the directory's DNS addresses/)]);
    expect(problemsIn(json, checks).join('\n')).toMatch(/2 associations/);
  });
});
