import { NO_VALUE, StackEnvironment, Template, TemplateError } from './template';

/** Template parameters: the values given or their defaults, and the pseudo parameters. */

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function urlSuffixOf(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The value of a pseudo parameter (`AWS::Region`, ...), or undefined for an unknown one. */
export function pseudo(name: string, env: StackEnvironment): unknown {
  switch (name) {
    case 'AWS::AccountId':
      return env.account;
    case 'AWS::Region':
      return env.region;
    case 'AWS::Partition':
      return partitionOf(env.region);
    case 'AWS::StackName':
      return env.stackName;
    case 'AWS::StackId':
      return env.stackId;
    case 'AWS::URLSuffix':
      return urlSuffixOf(env.region);
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
    default:
      return undefined;
  }
}

/**
 * Parameter values: an explicit value, else the default. CDK's `BootstrapVersion`
 * (an SSM parameter type) keeps its default, the parameter name: nothing reads SSM locally.
 */
export function resolveParameters(template: Template, given: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const raw = given[name] ?? (parameter.Default === undefined ? undefined : String(parameter.Default));
    if (raw === undefined) {
      missing.push(name);
      continue;
    }
    const type = parameter.Type ?? 'String';
    out[name] = type === 'CommaDelimitedList' || type.startsWith('List<') ? raw.split(',').map((s) => s.trim()) : raw;
  }
  if (missing.length > 0) throw new TemplateError(`Parameters: [${missing.join(', ')}] must have values`);
  return out;
}
