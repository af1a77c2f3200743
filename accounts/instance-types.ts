/**
 * The instance types, DB instance classes and cache node types accounts may ask for, per
 * region: a small catalogue, checked by the loader (accounts/rules.ts), so that a size AWS
 * does not offer ("t3.gigantic", "db.r6g.huge") fails `npm start` instead of the apply.
 *
 * As of 2026-12-06. What it covers: the families this repository uses or defaults to, in
 * the sizes AWS documents for them; not every type AWS offers. A valid type missing here is
 * refused until it is added (a one-line change, reviewed like any size change).
 * Sources, one per list:
 * - EC2 (Beanstalk instanceTypes, SQL Server Always On nodes): the Amazon EC2 Instance Types
 *   guide, https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html (t3, m5, m6i),
 *   .../co.html (c7g) and .../mo.html (r6i).
 * - RDS for SQL Server: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Concepts.General.InstanceClasses.html
 *   Kept deliberately short (the classes in use and a few sizes around them), because its
 *   per-edition tables could not be read line by line from here: confirm a new entry with
 *   the CLI command below. Support also depends on the edition (db.t3 is for Express and
 *   Web), which RDS checks at apply and this list does not.
 * - Aurora: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html
 *   (db.serverless is not listed: the Aurora construct sets it for serverlessV2).
 * - ElastiCache: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
 *   (m7g and r7g: large to 16xlarge; t4g: micro, small, medium) and the node types listed in
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CacheNode.html
 *
 * Region availability was not checked from here (no cloud access). To refresh, or before
 * adding a region or a family, run in the region and keep what every account gets:
 *   aws ec2 describe-instance-type-offerings --location-type region --region <region> \
 *     --filters Name=instance-type,Values=t3.*,m5.*,m6i.*,c7g.*,r6i.* --query 'InstanceTypeOfferings[].InstanceType'
 *   aws rds describe-orderable-db-instance-options --engine sqlserver-se --region <region> \
 *     --query 'OrderableDBInstanceOptions[].DBInstanceClass'      (and sqlserver-ee, -web, -ex)
 *   aws rds describe-orderable-db-instance-options --engine aurora-postgresql --region <region> \
 *     --query 'OrderableDBInstanceOptions[].DBInstanceClass'      (and aurora-mysql)
 *   aws elasticache describe-reserved-cache-nodes-offerings --region <region> \
 *     --query 'ReservedCacheNodesOfferings[].CacheNodeType'
 */

/** The date the lists were last checked; printed in the loader's errors. */
export const INSTANCE_TYPES_REFRESHED = '2026-12-06';

export interface InstanceTypeCatalogue {
  /** EC2 instance types: Beanstalk `instanceTypes`, SQL Server `alwaysOn.instanceType`. */
  readonly ec2: readonly string[];
  /** RDS for SQL Server `rds.instanceClass`. */
  readonly rdsSqlServer: readonly string[];
  /** Aurora provisioned `instanceClass`. */
  readonly aurora: readonly string[];
  /** ElastiCache `nodeType`. */
  readonly elasticache: readonly string[];
}

const sizes = (family: string, names: string) => names.split(' ').map((size) => `${family}.${size}`);

export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeCatalogue>> = {
  'ap-northeast-1': {
    ec2: [
      ...sizes('t3', 'nano micro small medium large xlarge 2xlarge'),
      ...sizes('m5', 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge'),
      ...sizes('m6i', 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge'),
      ...sizes('c7g', 'medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge'),
      ...sizes('r6i', 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge'),
    ],
    rdsSqlServer: [
      ...sizes('db.t3', 'small medium'),
      ...sizes('db.m6i', 'large xlarge 2xlarge 4xlarge'),
      ...sizes('db.r6i', 'large xlarge 2xlarge 4xlarge'),
    ],
    aurora: [
      ...sizes('db.t4g', 'medium large'),
      ...sizes('db.r6g', 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge'),
      ...sizes('db.r7g', 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge'),
    ],
    elasticache: [
      ...sizes('cache.t4g', 'micro small medium'),
      ...sizes('cache.m7g', 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge'),
      ...sizes('cache.r7g', 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge'),
    ],
  },
};
