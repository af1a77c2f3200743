import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Construct } from 'constructs';
import { Statement, policyDocument, serviceTrust } from '../core/iam';
import { HANDLERS, LAMBDA_RUNTIME, handlerAsset } from './bundle';

/** What active tracing needs of the execution role (the actions of AWSXRayDaemonWriteAccess that send data). */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export interface MailFunctionProps {
  readonly functionName: string;
  readonly which: keyof typeof HANDLERS;
  readonly environment: Record<string, string>;
  /** What the function may do besides writing its own logs. */
  readonly statements: Statement[];
  readonly timeoutSeconds: number;
  /** At most this many copies at once. */
  readonly reservedConcurrency: number;
  readonly logRetentionDays: number;
  readonly logsKmsKeyArn?: string;
}

/**
 * One function of a mail path: its own role (its logs plus `statements`, nothing else),
 * its log group with retention, Node.js 24 on arm64, JSON logs, X-Ray active tracing.
 */
export class MailFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly functionName: string;
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: MailFunctionProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, 'logs', { name: `/aws/lambda/${props.functionName}`, retentionInDays: props.logRetentionDays, kmsKeyId: props.logsKmsKeyArn });
    const role = new IamRole(this, 'role', { name: props.functionName, assumeRolePolicy: serviceTrust('lambda.amazonaws.com') });
    const policy = new IamRolePolicy(this, 'policy', {
      role: role.id,
      policy: policyDocument(
        { Sid: 'OwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup.arn}:*` },
        // tracing_config Active: the execution role must be able to send traces
        // (docs.aws.amazon.com/lambda/latest/dg/services-xray.html); X-Ray has no resource-level permissions.
        { Sid: 'XRayWrite', Effect: 'Allow', Action: [...XRAY_WRITE_ACTIONS], Resource: '*' },
        ...props.statements,
      ),
    });
    const code = handlerAsset(this, 'code', props.which);
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: code.handler,
      filename: code.filename,
      sourceCodeHash: code.sourceCodeHash,
      memorySize: 256,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', ...props.environment } },
      loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      tracingConfig: { mode: 'Active' },
      // IAM is eventually consistent: the function is created after its permissions exist.
      dependsOn: [logGroup, policy],
    });
    this.functionName = props.functionName;
    this.roleName = role.name;
  }
}
