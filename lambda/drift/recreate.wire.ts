/**
 * Wire contract of re-creating resources that were deleted outside the stack (shared by
 * the constructs and the handler). CloudFormation sends no request for a resource whose
 * template did not change, so a deploy alone cannot bring back what was deleted by hand;
 * asking for it by context puts this property on the named resources, which makes
 * CloudFormation send them an Update, and the dispatcher creates again what is gone.
 */

/** The context key: logical ids or construct paths (a path names every resource under it), comma-separated, or `*` for every resource of this library. */
export const RECREATE_CONTEXT = 'cdk-wickr-chime:recreate';

/** The property the named resources get while the context asks for it (its value is always `missing`). */
export const RECREATE_PROPERTY = 'RecreateIfMissing';
