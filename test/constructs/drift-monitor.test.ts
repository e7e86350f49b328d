import { CfnResource, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccessLevel, WickrChimeDriftMonitor, WickrChimeProvider, WickrNetwork } from '../../lib';
import { newStack, providerActions } from './helpers';

describe('WickrChimeDriftMonitor', () => {
  test("the sweeper's log group is encrypted with the provider's log group key, as the provider's is", () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    WickrChimeProvider.configure(stack, { logGroupEncryptionKey: key });
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    new WickrChimeDriftMonitor(stack, 'Drift');
    const groups = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')) as Array<{ Properties: { KmsKeyId?: unknown } }>;
    expect(groups.map((g) => g.Properties.KmsKeyId)).toEqual([{ 'Fn::GetAtt': [stack.resolve((key.node.defaultChild as CfnResource).logicalId), 'Arn'] }, { 'Fn::GetAtt': [stack.resolve((key.node.defaultChild as CfnResource).logicalId), 'Arn'] }]);
  });

  test('a rule every 6 hours invokes a function of its own that can only read: the read actions of the provider\'s grants, on the same resources, and nothing that changes anything', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    const monitor = new WickrChimeDriftMonitor(stack, 'Drift');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    const sweeper = stack.resolve((monitor.function.node.defaultChild as CfnResource).logicalId);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [sweeper, 'Arn'] }, Input: JSON.stringify({ RequestType: 'DriftSweep' }) }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [sweeper, 'Arn'] } });
    expect(template.toJSON().Resources[sweeper].Properties.Environment.Variables).toEqual({ WICKR_CHIME_STACK_ID: { Ref: 'AWS::StackId' }, WICKR_CHIME_READ_ONLY: 'true' });
    // the sweeper's role: its own log group, and the reads of the provider's grants (its stack, the network)
    const roleOf = (fn: string) => template.toJSON().Resources[fn].Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const actionsOf = (role: string) => policies.filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role)).flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st: { Action: string | string[] }) => [].concat(st.Action as never))).sort();
    expect(actionsOf(roleOf(sweeper))).toEqual([
      'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResources', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'logs:CreateLogStream', 'logs:PutLogEvents', 'wickr:GetNetwork', 'wickr:ListNetworks',
    ]);
    // no metric is put: the sweep logs in the embedded metric format
    expect(providerActions(template).some((a) => a.startsWith('cloudwatch:'))).toBe(false);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('a grant made after the monitor reaches the sweeper too, read actions only', () => {
    const stack = newStack();
    const monitor = new WickrChimeDriftMonitor(stack, 'Drift');
    new WickrNetwork(stack, 'Later', { networkName: 'later', accessLevel: AccessLevel.STANDARD });
    const template = Template.fromStack(stack);
    const role = stack.resolve((monitor.function.role!.node.defaultChild as CfnResource).logicalId);
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as any[])
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((st: { Action: string | string[] }) => [].concat(st.Action as never));
    expect(actions).toEqual(expect.arrayContaining(['wickr:GetNetwork', 'wickr:ListNetworks']));
    expect(actions.filter((a: string) => !a.startsWith('logs:') && /:(Create|Update|Delete|Put|Register|Batch|Tag|Untag)/.test(a))).toEqual([]);
  });

  test('alarm: on DriftedResources >= 1 of this stack, over the sweep interval', () => {
    const stack = newStack();
    const monitor = new WickrChimeDriftMonitor(stack, 'Drift', { schedule: events.Schedule.rate(Duration.hours(1)), alarm: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'WickrChime',
      MetricName: 'DriftedResources',
      Dimensions: [{ Name: 'StackName', Value: 'Test' }],
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(monitor.alarm).toBeDefined();
  });
});
