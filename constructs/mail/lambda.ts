import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Construct } from 'constructs';
import { Statement, policyDocument, serviceTrust } from '../core/iam';
import { HANDLERS, handlerAsset } from './bundle';

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
 * its log group with retention, Node.js 22 on arm64, JSON logs.
 */
export class MailFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly functionName: string;
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: MailFunctionProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, 'logs', { name: `/aws/lambda/${props.functionName}`, retentionInDays: props.logRetentionDays, kmsKeyId: props.logsKmsKeyArn });
    const role = new IamRole(this, 'role', { name: props.functionName, assumeRolePolicy: serviceTrust('lambda.amazonaws.com') });
    new IamRolePolicy(this, 'policy', {
      role: role.id,
      policy: policyDocument({ Sid: 'OwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup.arn}:*` }, ...props.statements),
    });
    const code = handlerAsset(this, 'code', props.which);
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: role.arn,
      runtime: 'nodejs22.x',
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
      dependsOn: [logGroup],
    });
    this.functionName = props.functionName;
    this.roleName = role.name;
  }
}
