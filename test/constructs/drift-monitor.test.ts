import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { AccessLevel, WickrChimeDriftMonitor, WickrNetwork } from '../../lib';
import { newStack, providerActions } from './helpers';

describe('WickrChimeDriftMonitor', () => {
  test('a rule every 6 hours invokes the stack\'s one provider function with a drift sweep; it may read its own stack\'s template and resources, nothing more', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    new WickrChimeDriftMonitor(stack, 'Drift');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    const [functionId] = Object.keys(template.findResources('AWS::Lambda::Function'));
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] }, Input: JSON.stringify({ RequestType: 'DriftSweep' }) }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { WICKR_CHIME_STACK_ID: { Ref: 'AWS::StackId' } } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['cloudformation:GetTemplate', 'cloudformation:DescribeStackResources'], Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } }]) },
    });
    expect(providerActions(template).filter((a) => a.startsWith('cloudformation:'))).toEqual(['cloudformation:DescribeStackResources', 'cloudformation:GetTemplate']);
    // no metric is put: the sweep logs in the embedded metric format
    expect(providerActions(template).some((a) => a.startsWith('cloudwatch:'))).toBe(false);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
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
