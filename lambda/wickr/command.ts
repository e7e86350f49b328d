/**
 * A Wickr operation call, shaped like an AWS SDK v3 command: `client.send(new XxxCommand(input))`.
 * `Output` only carries the response type.
 */
export abstract class WickrCommand<Input extends object, Output extends object> {
  /** Type marker only; never set. */
  declare readonly outputType?: Output;
  constructor(
    readonly operation: string,
    readonly input: Input,
  ) {}
}
