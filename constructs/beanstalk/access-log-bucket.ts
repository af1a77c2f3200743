import { Construct } from 'constructs';
import { SecureBucket, globalBucketName } from '../core/bucket';
import { Statement } from '../core/iam';
import { checkProps } from '../core/validation';

/**
 * The Elastic Load Balancing account of each Region that opened before August 2022: load
 * balancers there write access logs as this account, which the bucket policy must name
 * (Regions opened since write as the service principal `logdelivery.elasticloadbalancing.amazonaws.com`).
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
};

/** Who writes a Region's load balancer access logs: its ELB account, or the log delivery service principal in newer Regions. */
export function elbLogWriter(region: string): NonNullable<Statement['Principal']> {
  const account = ELB_LOG_ACCOUNTS[region];
  return account ? { AWS: `arn:aws:iam::${account}:root` } : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' };
}

export interface LoadBalancerLogBucketProps {
  /** The bucket name before the account id (see SecureBucket). */
  readonly bucketName: string;
  /** The account whose load balancers write here (their logs land under `<prefix>/AWSLogs/<account id>/`). */
  readonly accountId: string;
  /** The Region of the bucket and of the load balancers (they must be the same). */
  readonly region: string;
  /** Days an access log is kept. @default 365 */
  readonly expireAfterDays?: number;
}

/**
 * The bucket an account's Application Load Balancers (the Beanstalk environments') write
 * their access logs to: a SecureBucket with SSE-S3, the only default encryption ALB access
 * logs support (not SSE-KMS), a policy that lets the Region's load balancers put objects
 * under `*\/AWSLogs/<account id>/` only, and a lifecycle that deletes logs after
 * `expireAfterDays`.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
export class LoadBalancerLogBucket extends Construct {
  public readonly bucketName: string;
  /** The bucket policy: a load balancer checks it when access logs are turned on, so depend on it. */
  public readonly policy: SecureBucket['policy'];

  constructor(scope: Construct, id: string, props: LoadBalancerLogBucketProps) {
    super(scope, id);
    const expireAfterDays = props.expireAfterDays ?? 365;
    checkProps(this, 'LoadBalancerLogBucket', [
      [!Number.isInteger(expireAfterDays) || expireAfterDays < 1, 'expireAfterDays', expireAfterDays, 'a whole number of days, at least 1'],
      [!/^\d{12}$/.test(props.accountId), 'accountId', props.accountId, 'a 12-digit account id'],
    ]);
    const bucket = new SecureBucket(this, 'bucket', {
      bucketName: props.bucketName,
      accountId: props.accountId,
      expireAfterDays,
      // Logs are written once and never overwritten: old versions need not linger.
      noncurrentVersionDays: 1,
      policyStatements: [
        {
          Sid: 'LoadBalancersWriteAccessLogs',
          Effect: 'Allow',
          Principal: elbLogWriter(props.region),
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${globalBucketName(props.bucketName, props.accountId)}/*/AWSLogs/${props.accountId}/*`,
        },
      ],
    });
    this.bucketName = bucket.bucketName;
    this.policy = bucket.policy;
  }
}
