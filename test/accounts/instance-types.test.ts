import { loadAccounts } from '../../accounts';
import { AVAILABILITY_ZONES } from '../../accounts/availability-zones';
import { INSTANCE_TYPES, InstanceTypeCatalogue } from '../../accounts/instance-types';
import { TerraformJson, resourcesOf, synthAccount } from '../helpers';

/**
 * What every synthesized stack asks AWS for, construct defaults included: each instance
 * type, DB instance class and cache node type must be in accounts/instance-types.ts for
 * the account's region, so a default outside the catalogue fails here, not at apply.
 */
function sizesOf(json: TerraformJson): Array<[list: keyof InstanceTypeCatalogue, where: string, value: string]> {
  const each = (type: string, pick: (r: TerraformJson) => string[], list: keyof InstanceTypeCatalogue) =>
    Object.entries(resourcesOf(json, type)).flatMap(([name, r]) => pick(r).map((v) => [list, `${type}.${name}`, v] as [keyof InstanceTypeCatalogue, string, string]));
  return [
    ...each('aws_elastic_beanstalk_environment', (r) => (r.setting as TerraformJson[]).filter((s) => s.namespace === 'aws:ec2:instances' && s.name === 'InstanceTypes').flatMap((s) => String(s.value).split(',')), 'ec2'),
    ...each('aws_instance', (r) => [r.instance_type], 'ec2'),
    ...each('aws_imagebuilder_infrastructure_configuration', (r) => r.instance_types ?? [], 'ec2'),
    ...each('aws_db_instance', (r) => [r.instance_class], 'rdsSqlServer'),
    // db.serverless is what the Aurora construct writes for Serverless v2, not a size.
    ...each('aws_rds_cluster_instance', (r) => [r.instance_class].filter((c) => c !== 'db.serverless'), 'aurora'),
    ...each('aws_elasticache_replication_group', (r) => [r.node_type], 'elasticache'),
  ];
}

describe('sizes the synthesized stacks ask for (accounts/instance-types.ts)', () => {
  it('catalogues the regions whose zones are catalogued (the loader refuses any other region)', () => {
    expect(Object.keys(INSTANCE_TYPES).sort()).toEqual(Object.keys(AVAILABILITY_ZONES).sort());
  });

  const stacks = loadAccounts().map((a) => [a, synthAccount(a)] as const);

  it('finds sizes of every kind in the stacks (so the check below is not vacuous)', () => {
    const kinds = new Set(stacks.flatMap(([, json]) => sizesOf(json).map(([list]) => list)));
    expect([...kinds].sort()).toEqual(['aurora', 'ec2', 'elasticache', 'rdsSqlServer']);
  });

  it.each(loadAccounts().map((a) => a.name))('%s: every size, construct defaults included, is catalogued for its region', (name) => {
    const [account, json] = stacks.find(([a]) => a.name === name)!;
    const catalogue = INSTANCE_TYPES[account.region];
    const missing = sizesOf(json).filter(([list, , value]) => !catalogue[list].includes(value)).map(([list, where, value]) => `${where}: ${value} (not in ${list})`);
    expect(missing).toEqual([]);
  });
});
