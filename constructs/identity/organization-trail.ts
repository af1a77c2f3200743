import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { DataAwsOrganizationsOrganization } from '@cdktf/provider-aws/lib/data-aws-organizations-organization';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { Construct } from 'constructs';
import { SecureBucket } from '../core/bucket';
import { accountKmsKey } from '../core/kms';
import { checkProps } from '../core/validation';

export interface OrganizationTrailProps {
  /** Trail name. */
  readonly trailName: string;
  /** Bucket for the logs of every account of the organization. */
  readonly bucketName: string;
  /** The management account (the trail's owner). */
  readonly accountId: string;
  /** The trail's home region. */
  readonly region: string;
  /**
   * Days every log object is locked in COMPLIANCE mode: nobody, root included, can delete
   * or overwrite it earlier. Logs are deleted the day after.
   * @default 365
   */
  readonly retentionDays?: number;
}

/**
 * An organization trail (every account, every region, global service events, digest
 * files) writing into a locked bucket of the management account: Object Lock in
 * compliance mode, versioning, a KMS key of its own, TLS only, and a bucket policy that
 * lets CloudTrail write only for this trail (`aws:SourceArn`).
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 */
export class OrganizationTrail extends Construct {
  public readonly trailArn: string;
  public readonly bucketName: string;

  constructor(scope: Construct, id: string, props: OrganizationTrailProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 365;
    checkProps(this, 'OrganizationTrail', [
      [!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650, 'retentionDays', retentionDays, 'a whole number of days from 1 to 3650'],
    ]);
    // Known before the trail exists: the bucket and key policies must name it, and the trail needs them first.
    const trailArn = `arn:aws:cloudtrail:${props.region}:${props.accountId}:trail/${props.trailName}`;
    const organization = new DataAwsOrganizationsOrganization(this, 'organization', {});

    const key = accountKmsKey(this, 'key', `Encrypts the organization trail ${props.trailName}`, props.accountId,
      {
        Sid: 'CloudTrailEncrypts',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceArn': trailArn }, StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${props.accountId}:trail/*` } },
      },
      { Sid: 'CloudTrailDescribes', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*', Condition: { StringEquals: { 'aws:SourceArn': trailArn } } },
    );
    new KmsAlias(this, 'key-alias', { name: `alias/${props.trailName}`, targetKeyId: key.keyId });

    const bucket = new SecureBucket(this, 'logs', {
      bucketName: props.bucketName,
      kmsKeyArn: key.arn,
      objectLockEnabled: true,
      expireAfterDays: retentionDays + 1,
      policyStatements: [
        { Sid: 'CloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: `arn:aws:s3:::${props.bucketName}`, Condition: { StringEquals: { 'aws:SourceArn': trailArn } } },
        {
          // An organization trail writes under AWSLogs/<management account> and AWSLogs/<organization id>.
          Sid: 'CloudTrailWrites',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: [`arn:aws:s3:::${props.bucketName}/AWSLogs/${props.accountId}/*`, `arn:aws:s3:::${props.bucketName}/AWSLogs/${organization.id}/*`],
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
        },
      ],
    });
    new S3BucketObjectLockConfigurationA(this, 'object-lock', {
      bucket: bucket.bucket.id,
      rule: { defaultRetention: { mode: 'COMPLIANCE', days: retentionDays } },
    });

    const trail = new Cloudtrail(this, 'trail', {
      name: props.trailName,
      s3BucketName: bucket.bucketName,
      kmsKeyId: key.arn,
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      // CloudTrail checks the bucket policy when the trail is created.
      dependsOn: [bucket.policy],
    });
    this.trailArn = trail.arn;
    this.bucketName = bucket.bucketName;
  }
}
