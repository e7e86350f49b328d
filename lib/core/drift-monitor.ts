import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { STACK_ID_ENV } from '../../lambda/core/ownership.wire';
import { DRIFT_METRIC, DRIFT_NAMESPACE, DRIFT_SWEEP_EVENT, READ_ONLY_ENV } from '../../lambda/drift/monitor.wire';
import { WickrChimeProvider } from './provider';
import { acknowledgeDriftSchedule, acknowledgeSweeper, acknowledgeWildcards } from './nag';

export interface WickrChimeDriftMonitorProps {
  /**
   * How often the stack's Wickr and Chime resources are checked for drift.
   * @default Schedule.rate(Duration.hours(6))
   */
  readonly schedule?: events.Schedule;
  /**
   * Whether to create an alarm that goes off when a sweep finds a drifted resource.
   * @default false
   */
  readonly alarm?: boolean;
}

/**
 * Watches the stack's resources of this library for drift (CloudFormation's own drift
 * detection does not cover custom resources): on a schedule, a function of its own that can
 * only read (the provider's handler, refusing every request but a sweep, with a role granted
 * the read actions of the provider's grants and nothing else) reads the stack's resources of
 * ours (`cloudformation:DescribeStackResources`), what the deployed template declares for
 * them (`cloudformation:GetTemplate`, on this stack only) and their live state, and writes
 * one CloudWatch embedded-metric log line per sweep: metric `DriftedResources` in namespace
 * `WickrChime`, dimension `StackName`, plus one line per drifted resource. No secret is
 * logged, and no `PutMetricData` permission is needed. Repair drift with
 * `cdk-wickr-chime drift --fix`.
 */
export class WickrChimeDriftMonitor extends Construct {
  /** The scheduled rule that starts a sweep. */
  public readonly rule: events.Rule;
  /** The function that sweeps: it can only read. */
  public readonly function: lambda.Function;
  /** The number of drifted resources each sweep finds. */
  public readonly metric: cloudwatch.Metric;
  /** The alarm on `metric`, when `alarm` is set. */
  public readonly alarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WickrChimeDriftMonitorProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = WickrChimeProvider.of(this);
    const role = new iam.Role(this, 'SweeperRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.function = provider._handlerFunction(this, {
      logs: 'Logs',
      function: 'Sweeper',
      description: `cdk-wickr-chime: drift sweep of ${stack.stackName} (reads only)`,
      timeout: Duration.minutes(5),
      role,
      environment: { [STACK_ID_ENV]: stack.stackId, [READ_ONLY_ENV]: 'true' },
    }).function;
    acknowledgeSweeper(this.function);
    // Exactly the read actions the provider's grants hold, on the same resources (and those granted later).
    provider._onReadGrant((grant) => {
      role.addToPrincipalPolicy(new iam.PolicyStatement(grant));
      acknowledgeWildcards(role, grant.actions, grant.resources);
    });
    const schedule = props.schedule ?? events.Schedule.rate(Duration.hours(6));
    this.rule = new events.Rule(this, 'Schedule', {
      description: `cdk-wickr-chime: drift sweep of ${stack.stackName}`,
      schedule,
      targets: [new targets.LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject(DRIFT_SWEEP_EVENT) })],
    });
    acknowledgeDriftSchedule(this.rule);
    this.metric = new cloudwatch.Metric({
      namespace: DRIFT_NAMESPACE,
      metricName: DRIFT_METRIC,
      dimensionsMap: { StackName: stack.stackName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: periodOf(schedule),
    });
    if (props.alarm) {
      this.alarm = this.metric.createAlarm(this, 'Alarm', {
        alarmDescription: `Wickr or Chime resources of ${stack.stackName} drifted from the template: run cdk-wickr-chime drift --stack ${stack.stackName}`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }
}

/** A metric period of one sweep interval (a rate), else a day (a cron schedule), within CloudWatch's one-day limit for alarms. */
function periodOf(schedule: events.Schedule): Duration {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule.expressionString);
  if (!m) return Duration.days(1);
  const minutes = Number(m[1]) * (m[2] === 'minute' ? 1 : m[2] === 'hour' ? 60 : 1440);
  return Duration.minutes(Math.min(Math.max(minutes, 1), 1440));
}
