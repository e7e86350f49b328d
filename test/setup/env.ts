// Many tests synthesize: the built-in CloudFormation validation plugin (about 2 s per
// synth) is off here and switched back on explicitly in test/validation-plugin.test.ts.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
// Nothing in the tests may talk to AWS: these are the local emulator's credentials.
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
process.env.AWS_REGION = process.env.AWS_REGION ?? 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
