import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { Statement, accountIdOf, denyInsecureTransport, policyDocument } from './iam';

/** S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * A bucket name unique across AWS: `<name>-<account id>`, or `name` itself when it already
 * ends with the account id. SecureBucket names its bucket with it; a backend that reads a
 * bucket made elsewhere (the state bucket) derives the same name.
 */
export function globalBucketName(name: string, accountId: string): string {
  return name.endsWith(`-${accountId}`) ? name : `${name}-${accountId}`;
}

export interface SecureBucketProps {
  /**
   * The name before the account id: S3 names are global across all AWS accounts, so the
   * bucket is named `<bucketName>-<account id>` (a name that already ends with the account
   * id is kept as it is).
   */
  readonly bucketName: string;
  /** The account the bucket is in. @default - the stack's account (see accountIdOf) */
  readonly accountId?: string;
  /** KMS key for default encryption. @default - SSE-S3 (AES-256) */
  readonly kmsKeyArn?: string;
  /** Let `terraform destroy` delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
  /** Delete objects this many days after they are written (logs). @default - kept */
  readonly expireAfterDays?: number;
  /** Delete overwritten or deleted versions after this many days. @default 90 */
  readonly noncurrentVersionDays?: number;
  /** Create the bucket with S3 Object Lock (only possible at creation). @default false */
  readonly objectLockEnabled?: boolean;
  /** Statements added to the bucket policy (a bucket has one policy). @default - TLS-only only */
  readonly policyStatements?: readonly Statement[];
}

/**
 * An S3 bucket with every safety on: versioning, default encryption, all public access
 * blocked, ACLs disabled (bucket owner owns every object), a policy refusing any request
 * not made over TLS, and a lifecycle so old versions and unfinished uploads do not pile up.
 */
export class SecureBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  /** The bucket policy: depend on it where a service checks the policy when it is configured. */
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const accountId = props.accountId ?? accountIdOf(this);
    const name = globalBucketName(props.bucketName, accountId);
    if (!Token.isUnresolved(name) && !BUCKET_NAME.test(name)) {
      throw new Error(`${this.node.path}: bucketName: got "${props.bucketName}", which makes the bucket name "${name}"; expected 3-63 lower-case letters, digits, dots or hyphens with the account id appended (so at most ${62 - accountId.length} characters before it)`);
    }
    this.bucket = new S3Bucket(this, 'bucket', { bucket: name, forceDestroy: props.forceDestroy ?? false, ...(props.objectLockEnabled ? { objectLockEnabled: true } : {}) });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKeyArn !== undefined,
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'housekeeping',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          ...(props.expireAfterDays ? { expiration: [{ days: props.expireAfterDays }] } : {}),
        },
      ],
    });
    this.policy = new S3BucketPolicy(this, 'tls-only', {
      bucket: this.bucket.id,
      policy: policyDocument(denyInsecureTransport('s3:*', [this.bucket.arn, `${this.bucket.arn}/*`]), ...(props.policyStatements ?? [])),
    });
  }
}
