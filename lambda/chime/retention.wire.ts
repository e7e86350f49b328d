/** Wire contract of `ChimeAppInstanceRetention` (retention of an app instance made elsewhere). */
export const RETENTION_TYPE = 'Custom::ChimeAppInstanceRetention';
export const RetentionKeys = { AppInstanceArn: 'AppInstanceArn', RetentionDays: 'RetentionDays' } as const;
/** Physical id: `<app instance ARN>/retention` (the settings belong to the instance). */
export const retentionPhysicalId = (appInstanceArn: string) => `${appInstanceArn}/retention`;
