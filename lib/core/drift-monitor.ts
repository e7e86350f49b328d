import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { DRIFT_METRIC, DRIFT_NAMESPACE, DRIFT_SWEEP_EVENT } from '../../lambda/drift/monitor.wire';
import { WickrChimeProvider } from './provider';
import { acknowledgeDriftSchedule } from './nag';

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
 * detection does not cover custom resources): on a schedule, the stack's provider function
 * reads its stack's resources of ours (`cloudformation:DescribeStackResources`), what the
 * deployed template declares for them (`cloudformation:GetTemplate`, on this stack only) and
 * their live state (the read actions the constructs already grant), and writes one
 * CloudWatch embedded-metric log line per sweep: metric `DriftedResources` in namespace
 * `WickrChime`, dimension `StackName`, plus one line per drifted resource. No secret is
 * logged, and no `PutMetricData` permission is needed. Repair drift with
 * `cdk-wickr-chime drift --fix`.
 */
export class WickrChimeDriftMonitor extends Construct {
  /** The scheduled rule that starts a sweep. */
  public readonly rule: events.Rule;
  /** The number of drifted resources each sweep finds. */
  public readonly metric: cloudwatch.Metric;
  /** The alarm on `metric`, when `alarm` is set. */
  public readonly alarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WickrChimeDriftMonitorProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = WickrChimeProvider.of(this);
    const schedule = props.schedule ?? events.Schedule.rate(Duration.hours(6));
    this.rule = new events.Rule(this, 'Schedule', {
      description: `cdk-wickr-chime: drift sweep of ${stack.stackName}`,
      schedule,
      targets: [new targets.LambdaFunction(provider.function, { event: events.RuleTargetInput.fromObject(DRIFT_SWEEP_EVENT) })],
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
