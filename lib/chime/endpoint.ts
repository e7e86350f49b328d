import { RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { secretReference } from '../core/secrets';
import { checkLength, checkOneOf, checkPattern, checkRule } from '../core/validate';
import {
  ENDPOINT_NAME_MAX,
  ENDPOINT_TYPES,
  PINPOINT_APP_ARN_PATTERN,
  USER_ENDPOINT_ATTRIBUTES_VERSION,
  USER_ENDPOINT_TYPE,
  UserEndpointData,
  UserEndpointKeys,
} from '../../lambda/chime/endpoint.wire';
import { anyAppInstanceArn } from './arns';
import { IChimeAppInstanceUser } from './user';
import { operationGrants } from '../core/iam';
import { checkProps, A_BOOLEAN, A_SECRET, A_STRING, AN_APP_INSTANCE_USER, anEnum } from '../core/props';

/** The push service of an app instance user endpoint. */
export enum ChimeEndpointType {
  /** Apple Push Notification service. */
  APNS = 'APNS',
  /** The APNs sandbox, for development builds. */
  APNS_SANDBOX = 'APNS_SANDBOX',
  /** Firebase Cloud Messaging (formerly Google Cloud Messaging). */
  GCM = 'GCM',
}

export interface ChimeAppInstanceUserEndpointProps {
  /** The user whose device this is. Another user means another endpoint (replacement). */
  readonly user: IChimeAppInstanceUser;
  /** The push service. Another type means another endpoint (replacement). */
  readonly type: ChimeEndpointType;
  /**
   * The Amazon Pinpoint application that sends the notifications:
   * `arn:aws:mobiletargeting:<region>:<account>:apps/<application id>`. Another
   * application means another endpoint (replacement).
   */
  readonly pinpointApplicationArn: string;
  /**
   * The secret holding the device token. Only the secret's ARN goes into the template;
   * the provider reads the value when it registers the endpoint.
   */
  readonly deviceToken: secretsmanager.ISecret;
  /**
   * A field of the device token secret's JSON value that holds the token.
   * @default - the whole secret string
   */
  readonly deviceTokenField?: string;
  /**
   * The secret holding the VoIP device token (APNs VoIP pushes).
   * @default - no VoIP token
   */
  readonly voipDeviceToken?: secretsmanager.ISecret;
  /**
   * A field of the VoIP token secret's JSON value that holds the token.
   * @default - the whole secret string
   */
  readonly voipDeviceTokenField?: string;
  /**
   * Change it (a date, a counter) to register the secrets' current values again after the
   * device token changed: the endpoint is registered anew and the old one deregistered.
   * @default - none
   */
  readonly tokenVersion?: string;
  /**
   * The endpoint's name, at most 1600 characters. Changes in place.
   * @default - no name
   */
  readonly name?: string;
  /**
   * Whether the endpoint receives messages. Changes in place.
   * @default true
   */
  readonly allowMessages?: boolean;
}

/**
 * A push notification endpoint (a device) of an app instance user.
 *
 * Name and `allowMessages` change in place. A new VoIP token registers the same device again
 * under the same physical id (`<user ARN>/endpoints/<endpoint id>` of the first registration),
 * which a rollback then keeps too; `endpointId` is always the live registration's. Another
 * device token (or a new `tokenVersion` after it changed), user, type or application registers
 * another endpoint, then CloudFormation's cleanup deregisters the old one. The device tokens never enter the template, a response or a log line: they are read
 * from Secrets Manager at deploy time. Registration carries a `ClientRequestToken` derived
 * from the CloudFormation request, so a duplicated delivery never registers the device twice.
 */
export class ChimeAppInstanceUserEndpoint extends ProviderBackedResource {
  /**
   * The service's id of the live registration (`Fn::GetAtt` `EndpointId`). It changes when
   * the device is registered again, while the physical id stays.
   * @attribute
   */
  public readonly endpointId: string;
  /** The user the endpoint belongs to. */
  public readonly user: IChimeAppInstanceUser;

  constructor(scope: Construct, id: string, props: ChimeAppInstanceUserEndpointProps) {
    super(scope, id);
    checkProps(this, props, { user: AN_APP_INSTANCE_USER, type: anEnum('ChimeEndpointType', ChimeEndpointType), pinpointApplicationArn: A_STRING, deviceToken: A_SECRET }, {
      voipDeviceToken: A_SECRET, deviceTokenField: A_STRING, voipDeviceTokenField: A_STRING, tokenVersion: A_STRING, name: A_STRING, allowMessages: A_BOOLEAN,
    });
    checkOneOf(this, 'type', props.type, ENDPOINT_TYPES, { name: 'ChimeEndpointType', members: ChimeEndpointType });
    checkPattern(this, 'pinpointApplicationArn', props.pinpointApplicationArn, PINPOINT_APP_ARN_PATTERN,
      'an Amazon Pinpoint application ARN (arn:aws:mobiletargeting:<region>:<account>:apps/<application id>)');
    checkRule(this, 'voipDeviceToken', props.type, props.voipDeviceToken === undefined || props.type !== ChimeEndpointType.GCM,
      'applies to ChimeEndpointType.APNS and ChimeEndpointType.APNS_SANDBOX only, not ChimeEndpointType.GCM');
    checkLength(this, 'name', props.name, 0, ENDPOINT_NAME_MAX);
    checkLength(this, 'tokenVersion', props.tokenVersion, 1, 128);
    this.user = props.user;

    const resource = this._createResource({
      resourceType: USER_ENDPOINT_TYPE,
      properties: {
        [UserEndpointKeys.AppInstanceUserArn]: props.user.appInstanceUserArn,
        [UserEndpointKeys.Type]: props.type,
        [UserEndpointKeys.ResourceArn]: props.pinpointApplicationArn,
        [UserEndpointKeys.DeviceToken]: secretReference(this, 'deviceToken', props.deviceToken, props.deviceTokenField),
        [UserEndpointKeys.VoipDeviceToken]: props.voipDeviceToken && secretReference(this, 'voipDeviceToken', props.voipDeviceToken, props.voipDeviceTokenField),
        [UserEndpointKeys.TokenVersion]: props.tokenVersion,
        [UserEndpointKeys.Name]: props.name,
        [UserEndpointKeys.AllowMessages]: props.allowMessages === false ? 'NONE' : 'ALL',
        [UserEndpointKeys.AttributesVersion]: USER_ENDPOINT_ATTRIBUTES_VERSION,
      },
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants(
        'chime-sdk-identity',
        [
          'RegisterAppInstanceUserEndpoint',
          'ListAppInstanceUserEndpoints',
          'DescribeAppInstanceUserEndpoint',
          'UpdateAppInstanceUserEndpoint',
          'DeregisterAppInstanceUserEndpoint',
        ],
        [anyAppInstanceArn(this)],
      ),
    });
    this.endpointId = resource.getAttString(UserEndpointData.EndpointId);
  }
}
