/** Wire contract of `ChimeAppInstanceAdmin`. */
export const APP_INSTANCE_ADMIN_TYPE = 'Custom::ChimeAppInstanceAdmin';
export const AppInstanceAdminKeys = { AppInstanceArn: 'AppInstanceArn', AdminArn: 'AdminArn' } as const;
