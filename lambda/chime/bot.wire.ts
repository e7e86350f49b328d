/** Wire contract of `ChimeAppInstanceBot`. */
export const APP_INSTANCE_BOT_TYPE = 'Custom::ChimeAppInstanceBot';
/** The types whose physical ids name app instance bots (ARNs): this library's and the native one. */
export const APP_INSTANCE_BOT_CLAIM_TYPES = [APP_INSTANCE_BOT_TYPE, 'AWS::Chime::AppInstanceBot'] as const;
export const AppInstanceBotKeys = {
  AppInstanceArn: 'AppInstanceArn',
  Name: 'Name',
  Metadata: 'Metadata',
  /** The API's `Configuration.Lex`, member names unchanged. */
  Lex: 'Lex',
  Tags: 'Tags',
} as const;
export const STANDARD_MESSAGES = ['AUTO', 'ALL', 'MENTIONS', 'NONE'] as const;
export const TARGETED_MESSAGES = ['ALL', 'NONE'] as const;
export const RESPONDS_TO = ['STANDARD_MESSAGES'] as const;
export const LEX_BOT_ALIAS_ARN_PATTERN = /^arn:aws:lex:[a-z]{2}-[a-z]+-\d{1}:\d{12}:bot-alias\/[A-Z0-9]{10}\/[A-Z0-9]{10}$/;
export const WELCOME_INTENT_PATTERN = /^([A-Za-z]_?)+$/;
