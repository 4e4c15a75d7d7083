/**
 * A notification URL that cannot work, found at start-up. The message never contains a secret:
 * it names keys and shapes, never the values of tokens or passwords.
 */
export class NotifyUrlError extends Error {
  override readonly name = "NotifyUrlError";
  constructor(
    message: string,
    /** what the user should write instead */
    readonly fix?: string,
  ) {
    super(message);
  }
}
