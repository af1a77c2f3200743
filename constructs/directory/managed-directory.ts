import { DirectoryServiceDirectory } from '@cdktf/provider-aws/lib/directory-service-directory';
import { VpcDhcpOptions } from '@cdktf/provider-aws/lib/vpc-dhcp-options';
import { VpcDhcpOptionsAssociation } from '@cdktf/provider-aws/lib/vpc-dhcp-options-association';
import { Construct } from 'constructs';
import { checkProps, distinctZones } from '../core/validation';
import { SubnetRef } from '../network/network';

export type DirectoryEdition = 'Standard' | 'Enterprise';

export interface ManagedDirectoryProps {
  /**
   * Fully qualified domain name of the directory, e.g. "corp.example-hotel.jp".
   * @see https://docs.aws.amazon.com/directoryservice/latest/admin-guide/ms_ad_getting_started.html
   */
  readonly domainName: string;
  /** NetBIOS name (1-15 characters). @default - the first label of domainName, upper-cased by AWS */
  readonly shortName?: string;
  /** Standard (up to ~30,000 objects) or Enterprise. @default 'Standard' */
  readonly edition?: DirectoryEdition;
  readonly vpcId: string;
  /**
   * Subnets for the two domain controllers: exactly two, in different zones (the
   * CreateMicrosoftAD API refuses anything else).
   */
  readonly subnets: readonly SubnetRef[];
  /**
   * Password of the directory's `Admin` user, used only when the directory is created.
   * Pass a sensitive Terraform variable's value, never a literal.
   */
  readonly adminPassword: string;
  /**
   * Point the VPC's DHCP options at the domain controllers, so instances in the VPC resolve
   * (and can join) the domain. @default true
   */
  readonly vpcDns?: boolean;
}

// internal/service/ds/validate.go, domainValidator: a fully qualified name, no trailing dot.
const DOMAIN = /^([a-zA-Z0-9]+[.-])+([a-zA-Z0-9])+$/;
const NETBIOS = /^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/;

/**
 * AWS Managed Microsoft AD in two private subnets of the stack's VPC, and the VPC's DHCP
 * options pointing at its domain controllers: what the FSx witness, RDS Windows
 * authentication and the Always On nodes join.
 */
export class ManagedDirectory extends Construct {
  public readonly directory: DirectoryServiceDirectory;
  /** The directory id (d-...). */
  public readonly directoryId: string;
  public readonly domainName: string;
  /** The domain controllers' addresses (known after apply). */
  public readonly dnsIpAddresses: string[];

  constructor(scope: Construct, id: string, props: ManagedDirectoryProps) {
    super(scope, id);
    const edition = props.edition ?? 'Standard';
    const vpcDns = props.vpcDns ?? true;
    const zones = distinctZones(props.subnets);

    checkProps(this, 'ManagedDirectory', [
      [!DOMAIN.test(props.domainName), 'domainName', props.domainName, 'a fully qualified domain name such as "corp.example.jp" (no trailing dot)'],
      [props.shortName !== undefined && !NETBIOS.test(props.shortName), 'shortName', props.shortName, 'a NetBIOS name: 1-15 letters, digits or hyphens'],
      [!['Standard', 'Enterprise'].includes(edition), 'edition', edition, '"Standard" or "Enterprise"'],
      [props.subnets.length !== 2 || zones.length !== 2, 'subnets', props.subnets.map((s) => s.id), 'exactly two subnets in two different zones (one domain controller each)'],
    ]);

    this.domainName = props.domainName;
    this.directory = new DirectoryServiceDirectory(this, 'directory', {
      type: 'MicrosoftAD',
      edition,
      name: props.domainName,
      shortName: props.shortName,
      password: props.adminPassword,
      vpcSettings: { vpcId: props.vpcId, subnetIds: props.subnets.map((s) => s.id) },
      description: `Managed Microsoft AD ${props.domainName}`,
      // The password is ForceNew and used only at creation: rotating the CI secret must not
      // replace the directory (rotate the Admin password in the directory itself).
      lifecycle: { ignoreChanges: ['password'] },
    });
    this.directoryId = this.directory.id;
    this.dnsIpAddresses = this.directory.dnsIpAddresses;

    if (vpcDns) {
      // Instances (and the FSx witness) find the domain through its domain controllers; the
      // controllers answer for the rest of the VPC's names too, so every instance of the VPC
      // resolves through them.
      const options = new VpcDhcpOptions(this, 'dhcp-options', {
        domainName: props.domainName,
        domainNameServers: this.directory.dnsIpAddresses,
        tags: { Name: props.domainName },
      });
      new VpcDhcpOptionsAssociation(this, 'dhcp-options-association', { vpcId: props.vpcId, dhcpOptionsId: options.id });
    }
  }
}
