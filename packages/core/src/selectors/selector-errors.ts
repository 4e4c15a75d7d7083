/** A label selector, label key, label value or `key=value` label that Kubernetes would not accept. */
export class LabelSelectorError extends Error {
  override readonly name = "LabelSelectorError";
  /** the text that was being parsed, as given */
  readonly input: string;

  constructor(input: string, message: string) {
    super(message);
    this.input = input;
  }
}

/** A field selector that Kubernetes would not accept (`fields.ParseSelector`). */
export class FieldSelectorError extends Error {
  override readonly name = "FieldSelectorError";
  /** the text that was being parsed, as given */
  readonly input: string;

  constructor(input: string, message: string) {
    super(message);
    this.input = input;
  }
}
