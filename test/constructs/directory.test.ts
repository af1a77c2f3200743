import { ManagedDirectory, ManagedDirectoryProps } from '../../constructs/directory/managed-directory';
import { errorOf, onlyResource, synthConstructs, testSubnets } from '../helpers';

function props(changes: Partial<ManagedDirectoryProps> = {}): ManagedDirectoryProps {
  return { domainName: 'corp.example-hotel.jp', vpcId: 'vpc-1', subnets: testSubnets('private').slice(0, 2), adminPassword: '${var.directory_admin_password}', ...changes };
}
const synth = (p: ManagedDirectoryProps) => synthConstructs((stack) => new ManagedDirectory(stack, 'directory', p));

describe('ManagedDirectory', () => {
  const json = synth(props({ shortName: 'HOTELCORP' }));
  const directory = onlyResource(json, 'aws_directory_service_directory');

  it('is an AWS Managed Microsoft AD, Standard edition, in two subnets of the VPC', () => {
    expect(directory).toMatchObject({
      type: 'MicrosoftAD',
      edition: 'Standard',
      name: 'corp.example-hotel.jp',
      short_name: 'HOTELCORP',
      vpc_settings: { vpc_id: 'vpc-1', subnet_ids: ['subnet-private0', 'subnet-private1'] },
    });
  });

  it('takes the Admin password from a variable, and never replaces the directory when it changes', () => {
    expect(directory.password).toBe('${var.directory_admin_password}');
    expect(directory.lifecycle).toEqual({ ignore_changes: ['password'] });
  });

  it('points the VPC DHCP options at the domain controllers', () => {
    const options = onlyResource(json, 'aws_vpc_dhcp_options');
    expect(options.domain_name).toBe('corp.example-hotel.jp');
    expect(options.domain_name_servers).toMatch(/^\$\{tolist\(aws_directory_service_directory\.[\w-]+\.dns_ip_addresses\)\}$/);
    expect(onlyResource(json, 'aws_vpc_dhcp_options_association')).toMatchObject({ vpc_id: 'vpc-1', dhcp_options_id: expect.stringMatching(/aws_vpc_dhcp_options\..*\.id/) });
  });

  it('leaves the DHCP options alone when asked (the VPC reaches the domain another way)', () => {
    expect(synth(props({ vpcDns: false })).resource.aws_vpc_dhcp_options).toBeUndefined();
  });

  it('refuses a bad domain name, NetBIOS name, edition and subnet count', () => {
    const message = errorOf(() => synth(props({ domainName: 'corp.', shortName: 'WAY-TOO-LONG-NETBIOS', edition: 'Huge' as never, subnets: testSubnets('private') })));
    expect(message).toContain('domainName: got "corp.", expected a fully qualified domain name');
    expect(message).toContain('shortName: got "WAY-TOO-LONG-NETBIOS", expected a NetBIOS name');
    expect(message).toContain('edition: got "Huge", expected "Standard" or "Enterprise"');
    expect(message).toContain('subnets: got ["subnet-private0", "subnet-private1", "subnet-private2"], expected exactly two subnets in two different zones');
  });

  it('refuses two subnets in one zone', () => {
    const sameZone = [testSubnets('private')[0], { id: 'subnet-other', availabilityZone: 'ap-northeast-1a' }];
    expect(errorOf(() => synth(props({ subnets: sameZone })))).toContain('expected exactly two subnets in two different zones');
  });
});
