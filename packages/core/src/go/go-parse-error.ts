/** A value Go would refuse to parse; the message is the one Go prints (e.g. `time: invalid duration "x"`). */
export class GoParseError extends Error {
  override readonly name = "GoParseError";
  /** the text that was being parsed, as given */
  readonly input: string;

  constructor(input: string, message: string) {
    super(message);
    this.input = input;
  }
}
