/**
 * Wire contract of ownership (shared by the constructs and the handler): every live thing
 * is owned by at most one logical resource of one stack, and CloudFormation already knows
 * which stack and logical id claim a physical id, so the provider asks it.
 */

/** The provider function's environment variable naming its own stack (`AWS::StackId`): it serves that stack's events only. */
export const STACK_ID_ENV = 'WICKR_CHIME_STACK_ID';

/**
 * The context key that asks a deploy to take over things that already exist: comma-separated
 * entries `NAME` or `NAME=ID`, where `NAME` is a logical id, a construct path (naming every
 * resource under it) or `*` (every resource of this library), and `ID` the id of the thing to
 * take over when it cannot be found by its declared name (a network id, an app instance ARN).
 */
export const ADOPT_CONTEXT = 'cdk-wickr-chime:adopt';

/** The property the named resources carry while the context names them: the `ID`, or `ADOPT_BY_DECLARATION`. */
export const ADOPT_PROPERTY = 'AdoptExisting';

/** The `AdoptExisting` value when the context gives no id: the thing is found by what the resource declares (a name, a username). */
export const ADOPT_BY_DECLARATION = 'declared';
