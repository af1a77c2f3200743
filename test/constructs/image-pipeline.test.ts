import { IN_USE_TAG, ImagePipeline, ImagePipelineProps } from '../../constructs/image-pipeline/image-pipeline';
import { TerraformJson, errorOf, onlyResource, resourcesOf, synthConstructs } from '../helpers';

const PLATFORM = '64bit Windows Server 2022 v2.18.0 running IIS 10.0';
const BASE_AMI = 'ami-03c4e2b1a5d6f7089';
function props(changes: Partial<ImagePipelineProps> = {}): ImagePipelineProps {
  return { name: 'windows-iis', accountId: '111111111111', region: 'ap-northeast-1', vpcId: 'vpc-1', subnetId: 'subnet-private0', shareWithAccountIds: ['222222222222'], inUseImageIds: ['ami-0a1b2c3d4e5f60718'], platform: PLATFORM, parentImage: BASE_AMI, ...changes };
}
let built: ImagePipeline | undefined;
const synth = (p: ImagePipelineProps) => synthConstructs((stack) => (built = new ImagePipeline(stack, 'images', p)));
const policyOf = (r: TerraformJson) => JSON.parse(r.policy) as { Statement: Array<{ Sid: string; Principal: unknown; Action: string | string[]; Condition?: unknown }> };
const components = (json: TerraformJson) => Object.values(resourcesOf(json, 'aws_imagebuilder_component'));

describe('ImagePipeline', () => {
  const json = synth(props());
  const recipe = onlyResource(json, 'aws_imagebuilder_image_recipe');
  const pipeline = onlyResource(json, 'aws_imagebuilder_image_pipeline');

  // A Beanstalk custom AMI starts from the platform's own AMI (CustomAmiList of
  // DescribePlatformVersion), not from a plain Windows Server: that one lacks the host manager.
  // https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html
  it('starts every build from the Beanstalk platform\'s base AMI it is given, naming the platform', () => {
    expect(recipe.parent_image).toBe(BASE_AMI);
    expect(recipe.parent_image).not.toMatch(/^ssm:/);
    expect(recipe.description).toContain(PLATFORM);
  });

  it('installs no IIS (the Beanstalk Windows platform AMI has it): the Hosting Bundle, and a check that W3SVC runs', () => {
    const all = components(json).map((c) => c.data as string).join('\n');
    expect(all).not.toContain('Install-WindowsFeature');
    const hosting = JSON.parse(components(json).find((c) => c.name === 'windows-iis-dotnet-hosting')!.data);
    expect(JSON.stringify(hosting)).toContain('dotnet-hosting-8.0.11-win.exe');
    expect(JSON.stringify(hosting)).toContain('W3SVC');
  });

  it('gives the recipe a new version with a new base AMI (the platform bump), the components unchanged', () => {
    const bumped = synth(props({ platform: '64bit Windows Server 2022 v2.19.1 running IIS 10.0', parentImage: 'ami-0123456789abcdef0' }));
    const other = onlyResource(bumped, 'aws_imagebuilder_image_recipe');
    expect(other.parent_image).toBe('ami-0123456789abcdef0');
    expect(other.version).not.toBe(recipe.version);
    expect(components(bumped).map((c) => c.version)).toEqual(components(json).map((c) => c.version));
  });

  it('runs Windows Update, the Hosting Bundle, the Datadog agent, then the boot and IIS tests, in that order', () => {
    const arns = (recipe.component as Array<{ component_arn: string }>).map((c) => c.component_arn);
    const byRef = Object.fromEntries(Object.entries(resourcesOf(json, 'aws_imagebuilder_component')).map(([id, c]) => [`\${aws_imagebuilder_component.${id}.arn}`, c.name]));
    expect(arns.map((a) => byRef[a] ?? a)).toEqual([
      'arn:aws:imagebuilder:ap-northeast-1:aws:component/update-windows/x.x.x',
      'windows-iis-dotnet-hosting',
      'windows-iis-datadog-agent',
      'arn:aws:imagebuilder:ap-northeast-1:aws:component/simple-boot-test-windows/x.x.x',
      'windows-iis-iis-answers',
    ]);
    const test = JSON.parse(components(json).find((c) => c.name === 'windows-iis-iis-answers')!.data);
    expect(test.phases.map((p: { name: string }) => p.name)).toEqual(['test']);
    expect(JSON.stringify(test)).toContain("http://localhost/");
    expect(pipeline.image_tests_configuration).toEqual({ image_tests_enabled: true, timeout_minutes: 60 });
  });

  it('installs the Datadog agent without an API key, and leaves it stopped until the instance sets one', () => {
    const agent = components(json).find((c) => c.name === 'windows-iis-datadog-agent')!.data as string;
    expect(agent).not.toMatch(/APIKEY|api_key|DD_API_KEY/i);
    expect(agent).toContain('Set-Service datadogagent -StartupType Manual');
  });

  it('versions components and the recipe by content: a changed document is a new version, not a clash', () => {
    const other = synth(props({ datadogAgentMsiUrl: 'https://s3.amazonaws.com/ddagent-windows-stable/ddagent-cli-7.59.0.msi' }));
    const version = (j: TerraformJson, n: string) => components(j).find((c) => c.name === n)!.version;
    expect(version(other, 'windows-iis-datadog-agent')).not.toBe(version(json, 'windows-iis-datadog-agent'));
    expect(version(other, 'windows-iis-dotnet-hosting')).toBe(version(json, 'windows-iis-dotnet-hosting'));
    expect(onlyResource(other, 'aws_imagebuilder_image_recipe').version).not.toBe(recipe.version);
    for (const c of [...components(json), recipe]) expect(c.lifecycle).toEqual({ create_before_destroy: true });
  });

  // hashicorp/terraform-provider-aws internal/service/imagebuilder/image_recipe.go:
  // resourceImageRecipeUpdate changes tags only, so every other argument is ForceNew, and the
  // create_before_destroy replacement keeps name and version unless the version moves with it.
  it('gives the recipe a new version whenever any recipe argument changes, not only the documents', () => {
    const elsewhere = synth(props({ region: 'eu-west-1' }));
    const other = onlyResource(elsewhere, 'aws_imagebuilder_image_recipe');
    expect(other.component).not.toEqual(recipe.component);
    expect(components(elsewhere).map((c) => c.version)).toEqual(components(json).map((c) => c.version));
    expect(other.version).not.toBe(recipe.version);
    expect(onlyResource(elsewhere, 'aws_imagebuilder_lifecycle_policy').resource_selection[0].recipe[0].semantic_version).toBe(other.version);
  });

  it('builds in the private subnet with IMDSv2, the documented instance profile policies, and outbound-only traffic', () => {
    const infra = onlyResource(json, 'aws_imagebuilder_infrastructure_configuration');
    expect(infra).toMatchObject({ subnet_id: 'subnet-private0', terminate_instance_on_failure: true, instance_metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 } });
    const [roleId] = Object.entries(resourcesOf(json, 'aws_iam_role')).find(([, r]) => r.name === 'windows-iis-image-build')!;
    const attached = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).filter((a) => a.role === `\${aws_iam_role.${roleId}.name}`).map((a) => a.policy_arn);
    expect(attached).toEqual(['arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).toEqual({});
    expect(Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule')).map((r) => r.from_port)).toEqual([80, 443]);
  });

  it('distributes encrypted AMIs with a unique name, launchable by the consuming accounts', () => {
    const dist = onlyResource(json, 'aws_imagebuilder_distribution_configuration').distribution[0];
    expect(dist.region).toBe('ap-northeast-1');
    expect(dist.ami_distribution_configuration).toMatchObject({
      name: 'windows-iis-{{ imagebuilder:buildDate }}',
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\..*\.arn\}$/),
      launch_permission: { user_ids: ['222222222222'] },
    });
    expect(recipe.block_device_mapping[0].ebs).toMatchObject({ encrypted: 'true', kms_key_id: expect.stringMatching(/aws_kms_key/) });
  });

  // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (Policy): "The principals
  // in the key policy must exist and be visible to KMS"; the Auto Scaling service-linked role does
  // not exist before the account's first Auto Scaling group, so it may only appear in a condition.
  // https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
  it('lets this account\'s Auto Scaling role launch from the AMI without naming it as a principal that may not exist yet', () => {
    const statements = policyOf(onlyResource(json, 'aws_kms_key')).Statement;
    const principals = statements.flatMap((s) => Object.values((s.Principal ?? {}) as Record<string, string | string[]>).flat());
    expect(principals.filter((p) => p.includes('aws-service-role'))).toEqual([]);
    const slr = 'arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    expect(statements.find((s) => s.Sid === 'AutoScalingLaunchesHere')).toMatchObject({
      Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': slr } },
    });
    expect(statements.find((s) => s.Sid === 'AutoScalingGrantsHere')).toMatchObject({
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Condition: { ArnEquals: { 'aws:PrincipalArn': slr }, Bool: { 'kms:GrantIsForAWSResource': true } },
    });
  });

  it('lets the consuming accounts use the AMI key and grant it to their AWS resources only', () => {
    const statements = policyOf(onlyResource(json, 'aws_kms_key')).Statement;
    expect(statements.find((s) => s.Sid === 'ConsumersUse')).toMatchObject({ Principal: { AWS: ['arn:aws:iam::222222222222:root'] }, Action: expect.arrayContaining(['kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey']) });
    expect(statements.find((s) => s.Sid === 'ConsumersGrantToAwsResources')).toMatchObject({ Action: expect.arrayContaining(['kms:CreateGrant']), Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } });
    expect(statements.find((s) => s.Sid === 'ConsumersGrantToTheirAutoScaling')).toMatchObject({
      Action: 'kms:CreateGrant',
      Condition: { StringEquals: { 'kms:GranteePrincipal': ['arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'] } },
    });
    expect(statements.find((s) => s.Sid === 'EventBridgePublishes')).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] });
    const alone = policyOf(onlyResource(synth(props({ shareWithAccountIds: [] })), 'aws_kms_key')).Statement;
    expect(alone.map((s) => s.Sid)).not.toContain('ConsumersUse');
    expect(onlyResource(synth(props({ shareWithAccountIds: [] })), 'aws_imagebuilder_distribution_configuration').distribution[0].ami_distribution_configuration.launch_permission).toBeUndefined();
  });

  it('builds monthly after Patch Tuesday, whatever Image Builder thinks changed', () => {
    expect(pipeline.schedule).toEqual({ schedule_expression: 'cron(0 10 ? * wed#3 *)', timezone: 'Asia/Tokyo', pipeline_execution_start_condition: 'EXPRESSION_MATCH_ONLY' });
    expect(pipeline.enhanced_image_metadata_enabled).toBe(true);
  });

  it('keeps the newest N images and every AMI tagged in use; tags the AMIs the catalogue names', () => {
    const lifecycle = onlyResource(json, 'aws_imagebuilder_lifecycle_policy');
    expect(lifecycle.policy_detail[0]).toEqual({
      action: [{ type: 'DELETE', include_resources: [{ amis: true, snapshots: true }] }],
      filter: [{ type: 'COUNT', value: 3 }],
      exclusion_rules: [{ amis: [{ tag_map: { [IN_USE_TAG.key]: IN_USE_TAG.value } }] }],
    });
    expect(lifecycle.resource_selection).toEqual([{ recipe: [{ name: 'windows-iis', semantic_version: recipe.version }] }]);
    expect(onlyResource(json, 'aws_ec2_tag')).toMatchObject({ resource_id: 'ami-0a1b2c3d4e5f60718', key: 'ImageInUse', value: 'true' });
    expect(onlyResource(synth(props({ keepImages: 6 })), 'aws_imagebuilder_lifecycle_policy').policy_detail[0].filter).toEqual([{ type: 'COUNT', value: 6 }]);
  });

  it('sends failed builds to an encrypted topic and watches the topic from Datadog (watch channel)', () => {
    const rule = onlyResource(json, 'aws_cloudwatch_event_rule');
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ['aws.imagebuilder'],
      'detail-type': ['EC2 Image Builder Image State Change'],
      resources: [{ prefix: 'arn:aws:imagebuilder:ap-northeast-1:111111111111:image/windows-iis/' }],
      detail: { state: { status: ['FAILED'] } },
    });
    expect(onlyResource(json, 'aws_sns_topic').kms_master_key_id).toMatch(/aws_kms_key/);
    expect(onlyResource(json, 'aws_cloudwatch_event_target').arn).toMatch(/aws_sns_topic/);
    const [monitor] = built!.monitors();
    expect(monitor).toMatchObject({ priority: 3, query: 'sum(last_1d):sum:aws.sns.number_of_messages_published{topicname:windows-iis-image-failures}.as_count() > 0', target: { kind: 'image-pipeline', name: 'windows-iis' } });
  });

  it('refuses bad props, naming each', () => {
    const message = errorOf(() =>
      synth(props({ name: 'Windows IIS', shareWithAccountIds: ['111111111111'], scheduleExpression: '0 10 * * 3', keepImages: 0, parentImage: 'ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base', platform: 'Windows Server 2022', inUseImageIds: ['windows'], hostingBundleUrl: 'http://x' })),
    );
    expect(message).toContain('ImagePipeline test/images: 8 problems');
    expect(message).toContain('name: got "Windows IIS", expected lower-case kebab-case, 2-40 characters');
    expect(message).toContain('shareWithAccountIds: got ["111111111111"], expected other 12-digit AWS account ids');
    expect(message).toContain('scheduleExpression: got "0 10 * * 3", expected an Image Builder cron expression');
    expect(message).toContain('keepImages: got 0, expected a whole number of images, 1-1000');
    expect(message).toContain('platform: got "Windows Server 2022", expected an Elastic Beanstalk platform version: 64bit <os> v<x.y.z> running <runtime>');
    expect(message).toContain('parentImage: got "ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base", expected the platform\'s base AMI id (ami- and 8 or 17 hexadecimal digits)');
    expect(message).toContain('inUseImageIds: got ["windows"]');
    expect(message).toContain('hostingBundleUrl: got "http://x", expected an https:// URL');
  });
});
