/**
 * What the AWS provider (internal/service/imagebuilder/*.go) and the Image Builder API refuse,
 * for the image pipelines of the repository; each check names the file (or page) it comes from.
 */
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, block, copyOf, literalParts, problemsIn, resources } from './aws';

const len = (v: unknown, min: number, max: number) => typeof v === 'string' && v.length >= min && v.length <= max;
// CreateImageRecipe / CreateComponent semanticVersion: <major>.<minor>.<patch>, each node 0 to 2^30-1.
// https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html
const semver = (v: unknown) => /^\d+\.\d+\.\d+$/.test(String(v)) && String(v).split('.').every((n) => Number(n) <= 2 ** 30 - 1);

/** internal/service/imagebuilder/component.go: name 1-126, data 1-16000, platform Windows | Linux | macOS, version 1-128. */
function component(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!len(r.name, 1, 126)) out.push(`name ${JSON.stringify(r.name)} is not 1-126 characters`);
  if (!len(r.data, 1, 16000)) out.push(`data is ${String(r.data ?? '').length} characters (1-16000)`);
  if (!['Windows', 'Linux', 'macOS'].includes(r.platform)) out.push(`platform ${JSON.stringify(r.platform)}`);
  if (!semver(r.version)) out.push(`version ${JSON.stringify(r.version)} is not a semantic version`);
  out.push(...awstoeDocument(String(r.data ?? '')));
  return out;
}

/**
 * The AWSTOE document in `data`, as https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-use-documents.html
 * ("Document schema and definitions") gives it: `schemaVersion: 1.0` (the literal, not `1`),
 * at least one phase, unique phase names, unique step names within a phase, and actions from
 * toe-action-modules.html (the ones these documents use).
 */
function awstoeDocument(data: string): string[] {
  const out: string[] = [];
  if (!/^\{.*"schemaVersion":1\.0[,}]/.test(data)) out.push('data does not declare "schemaVersion":1.0');
  let doc: { phases?: Array<{ name: string; steps: Array<{ name: string; action: string }> }> };
  try {
    doc = JSON.parse(data);
  } catch {
    return [...out, 'data is not the JSON document the construct writes'];
  }
  const phases = doc.phases ?? [];
  if (phases.length === 0) out.push('data has no phase');
  if (new Set(phases.map((p) => p.name)).size !== phases.length) out.push('data repeats a phase name');
  for (const p of phases) {
    if (!['build', 'validate', 'test'].includes(p.name)) out.push(`phase ${p.name}`);
    if (new Set(p.steps.map((st) => st.name)).size !== p.steps.length) out.push(`phase ${p.name} repeats a step name`);
    for (const st of p.steps) if (!['ExecutePowerShell', 'ExecuteBash', 'Reboot', 'UpdateOS', 'WebDownload', 'ExecuteBinary'].includes(st.action)) out.push(`step ${st.name} action ${st.action}`);
  }
  return out;
}

/**
 * internal/service/imagebuilder/image_recipe.go: name 1-128, version 1-128, parent_image 1-1024,
 * at least one component. CreateImageRecipe parentImage: an AMI id, an Image Builder image ARN,
 * "ssm:" and a parameter name, or a Marketplace product id.
 */
function recipe(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!len(r.name, 1, 128)) out.push(`name ${JSON.stringify(r.name)}`);
  if (!semver(r.version)) out.push(`version ${JSON.stringify(r.version)} is not a semantic version`);
  if (!len(r.parent_image, 1, 1024) || !/^(ami-|arn:aws[^:]*:imagebuilder:|ssm:\/?[\w./-]+$)/.test(r.parent_image)) out.push(`parent_image ${JSON.stringify(r.parent_image)}`);
  if (!Array.isArray(r.component) || r.component.length === 0) out.push('no component');
  return out;
}

/**
 * internal/service/imagebuilder/image_pipeline.go: name pattern, exactly one of image_recipe_arn
 * and container_recipe_arn, schedule_expression 1-1024, pipeline_execution_start_condition in
 * EXPRESSION_MATCH_ONLY | EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE, timezone pattern,
 * image test timeout_minutes 60-1440. Image Builder cron: six fields
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html).
 */
function pipeline(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!/^[0-9A-Za-z_-][0-9A-Za-z_ -]{1,126}[0-9A-Za-z_-]$/.test(r.name)) out.push(`name ${JSON.stringify(r.name)}`);
  if ((r.image_recipe_arn === undefined) === (r.container_recipe_arn === undefined)) out.push('needs exactly one of image_recipe_arn and container_recipe_arn');
  const schedule = block(r.schedule);
  if (schedule) {
    if (!len(schedule.schedule_expression, 1, 1024) || !/^cron\((\S+ ){5}\S+\)$/.test(schedule.schedule_expression)) out.push(`schedule_expression ${JSON.stringify(schedule.schedule_expression)}`);
    const condition = schedule.pipeline_execution_start_condition;
    if (condition !== undefined && !['EXPRESSION_MATCH_ONLY', 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE'].includes(condition)) out.push(`pipeline_execution_start_condition ${condition}`);
    if (schedule.timezone !== undefined && (!len(schedule.timezone, 3, 100) || !/^[0-9A-Za-z]{2,}(?:\/[0-9a-zA-Z_+-]+)*/.test(schedule.timezone))) out.push(`timezone ${schedule.timezone}`);
  }
  const tests = block(r.image_tests_configuration);
  if (tests?.timeout_minutes !== undefined && (tests.timeout_minutes < 60 || tests.timeout_minutes > 1440)) out.push(`timeout_minutes ${tests.timeout_minutes}`);
  return out;
}

/** internal/service/imagebuilder/infrastructure_configuration.go: instance_profile_name required; http_tokens required | optional; hop limit 1-64. */
function infrastructure(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!r.instance_profile_name) out.push('instance_profile_name missing');
  const md = block(r.instance_metadata_options);
  if (md?.http_tokens !== undefined && !['required', 'optional'].includes(md.http_tokens)) out.push(`http_tokens ${md.http_tokens}`);
  if (md?.http_put_response_hop_limit !== undefined && (md.http_put_response_hop_limit < 1 || md.http_put_response_hop_limit > 64)) out.push(`http_put_response_hop_limit ${md.http_put_response_hop_limit}`);
  return out;
}

/**
 * internal/service/imagebuilder/distribution_configuration.go: name 1-126; each distribution has
 * a region; the AMI name is at most 127 characters of ^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}]+[-_A-Za-z0-9}]$;
 * launch permission user ids are account ids. EC2 refuses a second AMI of the same name in an
 * account: a scheduled pipeline's AMI name must carry {{ imagebuilder:buildDate }}
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html).
 */
function distribution(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!len(r.name, 1, 126)) out.push(`name ${JSON.stringify(r.name)}`);
  for (const d of (r.distribution ?? []) as TerraformJson[]) {
    if (!d.region) out.push('a distribution without region');
    const ami = block(d.ami_distribution_configuration);
    if (!ami) continue;
    if (!len(ami.name, 1, 127) || !/^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}]+[-_A-Za-z0-9}]$/.test(ami.name)) out.push(`AMI name ${JSON.stringify(ami.name)}`);
    if (!/\{\{\s*imagebuilder:buildDate\s*\}\}/.test(ami.name ?? '')) out.push(`AMI name ${JSON.stringify(ami.name)} is the same every build`);
    for (const id of (block(ami.launch_permission)?.user_ids ?? []) as string[]) if (!/^\d{12}$/.test(literalParts(id)) && literalParts(id) === id) out.push(`user id ${id}`);
  }
  return out;
}

/**
 * internal/service/imagebuilder/lifecycle_policy.go: name pattern; execution_role and
 * resource_type (AMI_IMAGE | CONTAINER_IMAGE) required; 1-3 policy_detail, each with one action
 * (DELETE | DEPRECATE | DISABLE) and one filter (AGE | COUNT, value 1-1000, retain_at_least 1-10);
 * one resource_selection, at most 50 recipes, semantic_version ^[0-9]+\.[0-9]+\.[0-9]+$.
 */
function lifecycle(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!/^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$/.test(r.name)) out.push(`name ${JSON.stringify(r.name)}`);
  if (!r.execution_role) out.push('execution_role missing');
  if (!['AMI_IMAGE', 'CONTAINER_IMAGE'].includes(r.resource_type)) out.push(`resource_type ${r.resource_type}`);
  const details = (r.policy_detail ?? []) as TerraformJson[];
  if (details.length < 1 || details.length > 3) out.push(`${details.length} policy_detail blocks`);
  for (const d of details) {
    const action = block(d.action);
    if (!action || !['DELETE', 'DEPRECATE', 'DISABLE'].includes(action.type)) out.push(`action ${JSON.stringify(action?.type)}`);
    const filter = block(d.filter);
    if (!filter || !['AGE', 'COUNT'].includes(filter.type)) out.push(`filter type ${JSON.stringify(filter?.type)}`);
    if (filter && (filter.value < 1 || filter.value > 1000)) out.push(`filter value ${filter.value}`);
    if (filter?.retain_at_least !== undefined && (filter.retain_at_least < 1 || filter.retain_at_least > 10)) out.push(`retain_at_least ${filter.retain_at_least}`);
  }
  const selection = block(r.resource_selection);
  if (!selection) out.push('resource_selection missing');
  const recipes = (selection?.recipe ?? []) as TerraformJson[];
  if (recipes.length > 50) out.push(`${recipes.length} recipes`);
  for (const rec of recipes) if (!/^[0-9]+\.[0-9]+\.[0-9]+$/.test(rec.semantic_version)) out.push(`recipe semantic_version ${rec.semantic_version}`);
  return out;
}

const checks = {
  aws_imagebuilder_component: component,
  aws_imagebuilder_image_recipe: recipe,
  aws_imagebuilder_image_pipeline: pipeline,
  aws_imagebuilder_infrastructure_configuration: infrastructure,
  aws_imagebuilder_distribution_configuration: distribution,
  aws_imagebuilder_lifecycle_policy: lifecycle,
};

describe(`Image Builder: what ${AWS_PROVIDER_SOURCE} (internal/service/imagebuilder/*.go) and the Image Builder API require`, () => {
  const stacks = accountStacks();
  const withPipeline = stacks.filter(([, json]) => resources(json, 'aws_imagebuilder_image_pipeline').length > 0);
  const first = (json: TerraformJson, type: string) => resources(json, type)[0][1];

  it('has a pipeline to check in the repository', () => {
    expect(withPipeline.length).toBeGreaterThan(0);
  });

  it.each(stacks)('%s: every Image Builder resource meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, string, (r: TerraformJson) => void, RegExp]> = [
    ['a five-field cron', 'aws_imagebuilder_image_pipeline', (r) => (r.schedule.schedule_expression = 'cron(0 10 ? * wed#3)'), /schedule_expression/],
    ['a made-up start condition', 'aws_imagebuilder_image_pipeline', (r) => (r.schedule.pipeline_execution_start_condition = 'MONTHLY'), /pipeline_execution_start_condition/],
    ['a 30-minute image test timeout', 'aws_imagebuilder_image_pipeline', (r) => (r.image_tests_configuration.timeout_minutes = 30), /timeout_minutes 30/],
    ['a parent image without the ssm: prefix', 'aws_imagebuilder_image_recipe', (r) => (r.parent_image = '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base'), /parent_image/],
    ['a recipe version with a wildcard', 'aws_imagebuilder_image_recipe', (r) => (r.version = '1.0.x'), /version/],
    ['an AMI name without the build date', 'aws_imagebuilder_distribution_configuration', (r) => (r.distribution[0].ami_distribution_configuration.name = 'windows-iis'), /same every build/],
    ['an AMI name with a dot', 'aws_imagebuilder_distribution_configuration', (r) => (r.distribution[0].ami_distribution_configuration.name = 'windows.iis-{{ imagebuilder:buildDate }}'), /AMI name/],
    ['a COUNT filter of 0', 'aws_imagebuilder_lifecycle_policy', (r) => (r.policy_detail[0].filter[0].value = 0), /filter value 0/],
    ['IMDS tokens "enforced"', 'aws_imagebuilder_infrastructure_configuration', (r) => (r.instance_metadata_options.http_tokens = 'enforced'), /http_tokens enforced/],
    ['a component over 16000 characters', 'aws_imagebuilder_component', (r) => (r.data = 'x'.repeat(16001)), /data is 16001/],
    ['a document whose schemaVersion JSON.stringify wrote as 1', 'aws_imagebuilder_component', (r) => (r.data = r.data.replace('"schemaVersion":1.0', '"schemaVersion":1')), /schemaVersion/],
    ['a step with an action AWSTOE does not have', 'aws_imagebuilder_component', (r) => (r.data = r.data.replace('"ExecutePowerShell"', '"RunPowerShell"')), /action RunPowerShell/],
  ];
  it.each(broken)('catches %s', (_what, type, breakIt, expected) => {
    const json = copyOf(withPipeline[0][1]);
    breakIt(first(json, type));
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });
});
