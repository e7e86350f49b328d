import { str } from '../core/schema';

/** A Chime ARN property (`what` names it in the error); the service checks the rest. */
export const chimeArn = (what: string) => str({ pattern: /^arn:[^:]+:chime:/, patternText: what });
