import { createHash } from 'node:crypto';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { ImagebuilderComponent } from '@cdktf/provider-aws/lib/imagebuilder-component';
import { ImagebuilderDistributionConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-distribution-configuration';
import { ImagebuilderImagePipeline } from '@cdktf/provider-aws/lib/imagebuilder-image-pipeline';
import { ImagebuilderImageRecipe } from '@cdktf/provider-aws/lib/imagebuilder-image-recipe';
import { ImagebuilderInfrastructureConfiguration } from '@cdktf/provider-aws/lib/imagebuilder-infrastructure-configuration';
import { ImagebuilderLifecyclePolicy } from '@cdktf/provider-aws/lib/imagebuilder-lifecycle-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Construct } from 'constructs';
import { attachManagedPolicies, policyDocument, serviceTrust } from '../core/iam';
import { accountKmsKey, eventBridgePublishes } from '../core/kms';
import { checkProps } from '../core/validation';
import { AWS_METRIC_DELAY_SECONDS, MonitorSpec, Monitored } from '../monitoring/spec';
import { componentData, datadogAgentComponent, dotnetHostingComponent, iisAnswersTestComponent } from './components';

/** The tag the lifecycle policy's exclusion rule reads: AMIs carrying it are never deleted. */
export const IN_USE_TAG = { key: 'ImageInUse', value: 'true' } as const;

export interface ImagePipelineProps {
  /**
   * Pipeline name: also the recipe, component-prefix, AMI-name and rule name. Lower-case
   * kebab-case, 2-40 characters.
   */
  readonly name: string;
  /** The account that builds (this stack's account). */
  readonly accountId: string;
  /** The region it builds and distributes in (the consumers run there). */
  readonly region: string;
  readonly vpcId: string;
  /** A private subnet (route to the internet through NAT: Windows Update, downloads). */
  readonly subnetId: string;
  /**
   * Other accounts that launch the AMIs: they get launch permission and may use the KMS key.
   * @default [] - only this account
   */
  readonly shareWithAccountIds?: readonly string[];
  /**
   * The Elastic Beanstalk platform version the apps launching this image run, as a solution
   * stack name (`64bit <os> v<x.y.z> running <runtime>`); the recipe names it.
   */
  readonly platform: string;
  /**
   * The recipe's parent: that platform version's own AMI in `region` (DescribePlatformVersion
   * -> PlatformDescription.CustomAmiList, VirtualizationType hvm). A Beanstalk custom AMI
   * must start from the platform's AMI, which carries the host manager and platform scripts
   * a plain Windows Server lacks.
   * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html
   * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_PlatformDescription.html (CustomAmiList)
   */
  readonly parentImage: string;
  /** Build instance types. @default ['m6i.large'] */
  readonly instanceTypes?: readonly string[];
  /**
   * Image Builder cron: six fields, `cron(min hour day month day-of-week year)`. The
   * default runs the third Wednesday, 10:00 in `timezone`: always 1-8 days after Patch
   * Tuesday (the second Tuesday, days 8-14), and after its release in Japan.
   * @default 'cron(0 10 ? * wed#3 *)'
   * @see https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html
   */
  readonly scheduleExpression?: string;
  /** IANA time zone of the schedule. @default 'Asia/Tokyo' */
  readonly timezone?: string;
  /**
   * How many of the newest images the lifecycle policy keeps (AMIs and their snapshots);
   * older ones are deleted unless tagged in use.
   * @default 3
   */
  readonly keepImages?: number;
  /**
   * AMIs of this pipeline that the repository still references (accounts/catalogue.ts).
   * Each is tagged `ImageInUse=true`, which the lifecycle policy excludes from deletion;
   * when a bump moves the catalogue on, the tag leaves the old AMI with the next apply.
   * @default []
   */
  readonly inUseImageIds?: readonly string[];
  /**
   * ASP.NET Core Hosting Bundle installer.
   * @default 'https://builds.dotnet.microsoft.com/dotnet/aspnetcore/Runtime/8.0.11/dotnet-hosting-8.0.11-win.exe'
   * @see https://learn.microsoft.com/aspnet/core/host-and-deploy/iis/hosting-bundle
   */
  readonly hostingBundleUrl?: string;
  /**
   * Datadog Agent MSI (installed without an API key).
   * @default 'https://s3.amazonaws.com/ddagent-windows-stable/datadog-agent-7-latest.amd64.msi'
   */
  readonly datadogAgentMsiUrl?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const ACCOUNT_ID = /^\d{12}$/;
// Image Builder cron: `cron(` six space-separated fields `)`.
const CRON = /^cron\((\S+ ){5}\S+\)$/;
// internal/service/imagebuilder/lifecycle_policy.go: filter `value` 1-1000 (COUNT keeps that many).
const KEEP_MAX = 1000;
// internal/service/imagebuilder/image_pipeline.go: schedule `timezone` pattern.
const TIMEZONE = /^[0-9A-Za-z]{2,}(?:\/[0-9a-zA-Z_+-]+)*$/;
const HTTPS = /^https:\/\/\S+$/;
// An AMI id: "ami-" and 8 (older) or 17 hexadecimal digits.
const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
// An Elastic Beanstalk solution stack name of a platform version.
const SOLUTION_STACK = /^64bit .+ v\d+\.\d+\.\d+ running .+$/;

/** A semantic version that changes with `content`: Image Builder components and recipes are immutable per version. */
function contentVersion(...content: string[]): string {
  // Patch node 0 .. 2^30-1 (CreateImageRecipe: each node at most 1073741823).
  return `1.0.${parseInt(createHash('sha256').update(content.join('\n')).digest('hex').slice(0, 7), 16)}`;
}

/**
 * EC2 Image Builder pipeline for the monthly patched Windows / IIS image: components (AWS's
 * Windows Update, the ASP.NET Core Hosting Bundle, the Datadog agent without a key), a recipe
 * on the Elastic Beanstalk platform's own base AMI, a build in a private subnet with IMDSv2, tests (boot, IIS answers),
 * encrypted AMIs shared with the consuming accounts, a lifecycle policy, and an EventBridge
 * rule that reports failed builds.
 */
export class ImagePipeline extends Construct implements Monitored {
  public readonly pipelineName: string;
  public readonly pipelineArn: string;
  /** The key every distributed AMI's snapshots are encrypted with; consumers may use it. */
  public readonly amiKmsKeyArn: string;
  /** The topic failed builds are published to (its NumberOfMessagesPublished is monitored). */
  public readonly failureTopicName: string;
  public readonly pipeline: ImagebuilderImagePipeline;

  constructor(scope: Construct, id: string, props: ImagePipelineProps) {
    super(scope, id);
    const shareWith = props.shareWithAccountIds ?? [];
    const instanceTypes = props.instanceTypes ?? ['m6i.large'];
    const scheduleExpression = props.scheduleExpression ?? 'cron(0 10 ? * wed#3 *)';
    const timezone = props.timezone ?? 'Asia/Tokyo';
    const keepImages = props.keepImages ?? 3;
    const inUse = props.inUseImageIds ?? [];
    const hostingBundleUrl = props.hostingBundleUrl ?? 'https://builds.dotnet.microsoft.com/dotnet/aspnetcore/Runtime/8.0.11/dotnet-hosting-8.0.11-win.exe';
    const datadogAgentMsiUrl = props.datadogAgentMsiUrl ?? 'https://s3.amazonaws.com/ddagent-windows-stable/datadog-agent-7-latest.amd64.msi';

    checkProps(this, 'ImagePipeline', [
      [!NAME.test(props.name), 'name', props.name, 'lower-case kebab-case, 2-40 characters'],
      [!ACCOUNT_ID.test(props.accountId), 'accountId', props.accountId, 'a 12-digit AWS account id'],
      [shareWith.some((a) => !ACCOUNT_ID.test(a) || a === props.accountId), 'shareWithAccountIds', shareWith, 'other 12-digit AWS account ids (the building account has the AMIs already)'],
      [new Set(shareWith).size !== shareWith.length, 'shareWithAccountIds', shareWith, 'each account once'],
      [!SOLUTION_STACK.test(props.platform), 'platform', props.platform, 'an Elastic Beanstalk platform version: 64bit <os> v<x.y.z> running <runtime>'],
      [!AMI_ID.test(props.parentImage), 'parentImage', props.parentImage, "the platform's base AMI id (ami- and 8 or 17 hexadecimal digits), from DescribePlatformVersion's CustomAmiList"],
      [instanceTypes.length === 0, 'instanceTypes', instanceTypes, 'at least one instance type'],
      [!CRON.test(scheduleExpression), 'scheduleExpression', scheduleExpression, 'an Image Builder cron expression: cron(<minute> <hour> <day> <month> <day-of-week> <year>)'],
      [!TIMEZONE.test(timezone), 'timezone', timezone, 'an IANA time zone such as "Asia/Tokyo"'],
      [!Number.isInteger(keepImages) || keepImages < 1 || keepImages > KEEP_MAX, 'keepImages', keepImages, `a whole number of images, 1-${KEEP_MAX}`],
      [inUse.some((i) => !AMI_ID.test(i)), 'inUseImageIds', inUse, 'AMI ids (ami-...)'],
      [!HTTPS.test(hostingBundleUrl), 'hostingBundleUrl', hostingBundleUrl, 'an https:// URL'],
      [!HTTPS.test(datadogAgentMsiUrl), 'datadogAgentMsiUrl', datadogAgentMsiUrl, 'an https:// URL'],
    ]);
    const { name, accountId, region } = props;
    this.pipelineName = name;

    // AMIs shared with other accounts must be encrypted with a customer managed key those
    // accounts may use: EBS's default key cannot be shared.
    // https://docs.aws.amazon.com/ebs/latest/userguide/how-ebs-encryption-works.html
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html (shared encrypted AMIs)
    const consumerRoots = shareWith.map((a) => `arn:aws:iam::${a}:root`);
    // This account's Auto Scaling service-linked role is named by condition, not as the
    // principal: CreateKey refuses a policy whose principals do not exist ("The principals in
    // the key policy must exist and be visible to KMS"), and the role only exists once the
    // account's first Auto Scaling group is made, which the same first apply does.
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (Policy)
    const autoScalingHere = { AWS: '*' };
    const isAutoScalingHere = { 'aws:PrincipalArn': `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` };
    const key = accountKmsKey(this, 'ami-key', `Encrypts the AMIs of image pipeline ${name} and the snapshots behind them`, accountId,
      // Launching from the AMI in this account: Auto Scaling's service-linked role creates
      // the encrypted volumes (Beanstalk environments launch through Auto Scaling).
      // https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
      {
        Sid: 'AutoScalingLaunchesHere',
        Effect: 'Allow',
        Principal: autoScalingHere,
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { ArnEquals: isAutoScalingHere },
      },
      {
        Sid: 'AutoScalingGrantsHere',
        Effect: 'Allow',
        Principal: autoScalingHere,
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { ArnEquals: isAutoScalingHere, Bool: { 'kms:GrantIsForAWSResource': true } },
      },
      // EventBridge encrypts what it publishes to the failure topic.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
      eventBridgePublishes(),
      // Consumers: use the key to launch from the shared AMI, and create grants for their
      // own AWS resources (their Auto Scaling role gets a grant; see the README).
      ...(shareWith.length === 0
        ? []
        : [
            {
              Sid: 'ConsumersUse',
              Effect: 'Allow' as const,
              Principal: { AWS: consumerRoots },
              Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
              Resource: '*',
            },
            // The one grant a consumer creates itself (README, "Consumer accounts"): for
            // its own Auto Scaling role, which launches Beanstalk instances.
            {
              Sid: 'ConsumersGrantToTheirAutoScaling',
              Effect: 'Allow' as const,
              Principal: { AWS: consumerRoots },
              Action: 'kms:CreateGrant',
              Resource: '*',
              Condition: { StringEquals: { 'kms:GranteePrincipal': shareWith.map((a) => `arn:aws:iam::${a}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`) } },
            },
            {
              Sid: 'ConsumersGrantToAwsResources',
              Effect: 'Allow' as const,
              Principal: { AWS: consumerRoots },
              Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
              Resource: '*',
              Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
            },
          ]),
    );
    new KmsAlias(this, 'ami-key-alias', { name: `alias/image-pipeline-${name}`, targetKeyId: key.keyId });
    this.amiKmsKeyArn = key.arn;

    // Build instances: the documented instance profile policies, nothing else.
    // https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-setting-up.html
    const buildRole = new IamRole(this, 'build-role', {
      name: `${name}-image-build`,
      assumeRolePolicy: serviceTrust('ec2.amazonaws.com'),
    });
    attachManagedPolicies(this, 'build-role', buildRole.name, ['EC2InstanceProfileForImageBuilder', 'AmazonSSMManagedInstanceCore']);
    const profile = new IamInstanceProfile(this, 'build-profile', { name: `${name}-image-build`, role: buildRole.name });
    const sg = new SecurityGroup(this, 'build-sg', {
      namePrefix: `${name}-image-build-`,
      description: `${name}: image build instances (outbound only)`,
      vpcId: props.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    // Windows Update and the installers are fetched over HTTP(S); Systems Manager over 443.
    for (const port of [80, 443]) {
      new VpcSecurityGroupEgressRule(this, `build-egress-${port}`, {
        securityGroupId: sg.id, ipProtocol: 'tcp', fromPort: port, toPort: port, cidrIpv4: '0.0.0.0/0', description: port === 80 ? 'Windows Update' : 'AWS APIs, Systems Manager, downloads',
      });
    }
    const infrastructure = new ImagebuilderInfrastructureConfiguration(this, 'infrastructure', {
      name,
      description: `Build and test instances of ${name}`,
      instanceProfileName: profile.name,
      instanceTypes: [...instanceTypes],
      subnetId: props.subnetId,
      securityGroupIds: [sg.id],
      terminateInstanceOnFailure: true,
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      resourceTags: { ImagePipeline: name },
    });

    const documents = [dotnetHostingComponent(hostingBundleUrl), datadogAgentComponent(datadogAgentMsiUrl), iisAnswersTestComponent()];
    const components = documents.map((doc) => {
      const data = componentData(doc);
      return new ImagebuilderComponent(this, `component-${doc.name}`, {
        name: `${name}-${doc.name}`,
        description: doc.description,
        platform: 'Windows',
        version: contentVersion(data),
        data,
        // Components are immutable per version: a changed document is a new version, and
        // recipes keep referring to the old one until they are replaced.
        lifecycle: { createBeforeDestroy: true },
      });
    });
    const awsComponent = (component: string) => `arn:aws:imagebuilder:${region}:aws:component/${component}/x.x.x`;
    // Order matters: updates first, then what the apps need; test components run in the
    // test stage on a fresh instance (AWS's boot test, then ours).
    // (A number is the index of one of our components in `components`.)
    const recipeOrder = [awsComponent('update-windows'), 0, 1, awsComponent('simple-boot-test-windows'), 2];
    const recipeComponents = recipeOrder.map((c) => (typeof c === 'number' ? components[c].arn : c));
    // Beanstalk custom AMIs start from the platform's own AMI (the README cites AWS's page).
    const { parentImage } = props;
    const recipeDescription = `${props.platform} base AMI, patched, with the ASP.NET Core Hosting Bundle and the Datadog agent (${name})`;
    const rootVolume = { deviceName: '/dev/sda1', encrypted: 'true', volumeType: 'gp3', volumeSize: 50, deleteOnTermination: 'true' };
    const { deviceName: _device, ...rootEbs } = rootVolume;
    // Every recipe argument but tags is ForceNew (image_recipe.go's update changes tags only),
    // and a replacement reuses name and version under create_before_destroy: the version must
    // change with every argument, or CreateImageRecipe refuses the new one as existing. Our
    // components enter by content, AWS's by ARN, the key (one per pipeline) by its place.
    const recipeVersion = contentVersion(
      JSON.stringify({ parentImage, recipeDescription, rootVolume, recipeOrder }),
      ...documents.map((d) => componentData(d)),
    );
    const recipe = new ImagebuilderImageRecipe(this, 'recipe', {
      name,
      version: recipeVersion,
      parentImage,
      description: recipeDescription,
      component: recipeComponents.map((componentArn) => ({ componentArn })),
      blockDeviceMapping: [{ deviceName: rootVolume.deviceName, ebs: { ...rootEbs, kmsKeyId: key.arn } }],
      lifecycle: { createBeforeDestroy: true },
    });

    const distribution = new ImagebuilderDistributionConfiguration(this, 'distribution', {
      name,
      description: `Encrypted AMIs of ${name}, shared with the consuming accounts`,
      distribution: [
        {
          region,
          amiDistributionConfiguration: {
            // Every AMI name must be unique in the account: the build date makes it so.
            name: `${name}-{{ imagebuilder:buildDate }}`,
            description: `${name}: patched Beanstalk ${props.platform}`,
            kmsKeyId: key.arn,
            amiTags: { ImagePipeline: name },
            ...(shareWith.length ? { launchPermission: { userIds: [...shareWith] } } : {}),
          },
        },
      ],
    });

    this.pipeline = new ImagebuilderImagePipeline(this, 'pipeline', {
      name,
      description: `Monthly patched Windows / IIS image (${name})`,
      imageRecipeArn: recipe.arn,
      infrastructureConfigurationArn: infrastructure.arn,
      distributionConfigurationArn: distribution.arn,
      // The OS inventory of each image: the bump tool lists the package changes from it.
      enhancedImageMetadataEnabled: true,
      imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: 60 },
      schedule: {
        scheduleExpression,
        timezone,
        // Build on the date whatever changed: Windows Update brings the month's patches
        // during the build, which Image Builder's dependency check cannot see.
        pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
      },
      status: 'ENABLED',
    });
    this.pipelineArn = this.pipeline.arn;

    // Lifecycle: keep the newest `keepImages` images of the recipe, delete older AMIs and
    // their snapshots, never one tagged in use. What the policy cannot express: references
    // from other accounts, or AMIs of earlier recipe versions (see the README).
    const lifecycleRole = new IamRole(this, 'lifecycle-role', {
      name: `${name}-image-lifecycle`,
      // The trust the Image Builder lifecycle documentation gives: the service principal
      // alone (CreateLifecyclePolicy checks that the service can assume the role).
      assumeRolePolicy: serviceTrust('imagebuilder.amazonaws.com'),
    });
    attachManagedPolicies(this, 'lifecycle-role', lifecycleRole.name, ['service-role/EC2ImageBuilderLifecycleExecutionPolicy']);
    new ImagebuilderLifecyclePolicy(this, 'lifecycle', {
      name,
      description: `Keep the newest ${keepImages} images of ${name} and every image tagged ${IN_USE_TAG.key}=${IN_USE_TAG.value}`,
      executionRole: lifecycleRole.arn,
      resourceType: 'AMI_IMAGE',
      status: 'ENABLED',
      resourceSelection: [{ recipe: [{ name, semanticVersion: recipeVersion }] }],
      policyDetail: [
        {
          action: [{ type: 'DELETE', includeResources: [{ amis: true, snapshots: true }] }],
          filter: [{ type: 'COUNT', value: keepImages }],
          exclusionRules: [{ amis: [{ tagMap: { [IN_USE_TAG.key]: IN_USE_TAG.value } }] }],
        },
      ],
    });
    inUse.forEach((imageId, i) => new Ec2Tag(this, `in-use-${i}`, { resourceId: imageId, key: IN_USE_TAG.key, value: IN_USE_TAG.value }));

    // Failed builds: Image Builder emits a state change event, the rule publishes it to the
    // topic, and the topic's NumberOfMessagesPublished reaches Datadog through its Amazon SNS
    // integration (AWS/SNS). Datadog's EventBridge integration collects no metrics
    // (docs.datadoghq.com/integrations/amazon_event_bridge, "Data Collected").
    // https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html
    this.failureTopicName = `${name}-image-failures`;
    const topic = new SnsTopic(this, 'failures-topic', {
      name: this.failureTopicName,
      kmsMasterKeyId: key.arn,
      policy: policyDocument({
        Sid: 'EventBridgePublishes',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: `arn:aws:sns:${region}:${accountId}:${name}-image-failures`,
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      }),
    });
    const rule = new CloudwatchEventRule(this, 'failed-rule', {
      name: `${name}-image-failed`,
      description: `A build of image pipeline ${name} failed`,
      eventPattern: JSON.stringify({
        source: ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        resources: [{ prefix: `arn:aws:imagebuilder:${region}:${accountId}:image/${name}/` }],
        detail: { state: { status: ['FAILED'] } },
      }),
    });
    new CloudwatchEventTarget(this, 'failed-target', { rule: rule.name, arn: topic.arn });
  }

  /** A failed build alerts the watch channel (P3): nothing is down, but this month's patches are not out. */
  public monitors(): MonitorSpec[] {
    return [
      {
        key: `${this.pipelineName}-image-build-failed`,
        title: `${this.pipelineName}: image build failed`,
        type: 'query alert',
        query: `sum(last_1d):sum:aws.sns.number_of_messages_published{topicname:${this.failureTopicName}}.as_count() > 0`,
        critical: 0,
        unit: 'failed builds in a day',
        priority: 3,
        what: 'The monthly patched image did not build, or failed its tests: no bump PR this month until it does.',
        action: 'Open the pipeline in the Image Builder console, read the failed step log (build or test), fix the component and run the pipeline again.',
        notifyNoData: false,
        evaluationDelaySeconds: AWS_METRIC_DELAY_SECONDS,
        service: this.pipelineName,
        target: { kind: 'image-pipeline', name: this.pipelineName },
      },
    ];
  }
}
