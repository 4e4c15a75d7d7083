/**
 * Splits a command line into words the way github.com/google/shlex's `Split` does (the library
 * kured uses for `--reboot-command` and `--reboot-sentinel-command`), so a command that works
 * with kured means the same here:
 *
 * - blanks are space, tab, CR and LF; they separate words and are otherwise dropped;
 * - `'…'` keeps everything up to the next `'` literally (a backslash included);
 * - `"…"` keeps everything up to the next unescaped `"`; inside it a backslash makes the next
 *   character literal and is itself dropped, whatever that character is (`"a\b"` is `ab`);
 * - outside quotes a backslash makes the next character literal (a blank or newline included);
 * - quoted and unquoted parts touching each other form one word, and `""` alone is an empty word;
 * - `#` at the start of a word begins a comment that runs to the end of the line; inside a word
 *   it is an ordinary character (`a#b` is one word);
 * - every other character, whatever its script, is part of a word.
 *
 * There is no variable expansion, globbing, redirection or pipe: the words go to exec as they are.
 */

/** Thrown when a command cannot be split: an unclosed quote or a trailing backslash. */
export class CommandSyntaxError extends Error {
  override readonly name = "CommandSyntaxError";
  constructor(
    message: string,
    /** the command that could not be split */
    readonly command: string,
  ) {
    super(message);
  }
}

type State = "between" | "word" | "escaped" | "double" | "double-escaped" | "single" | "comment";

const BLANKS = new Set([" ", "\t", "\r", "\n"]);

/** Splits `command` into argv words with google/shlex rules; throws CommandSyntaxError. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let state: State = "between";
  let word = "";

  // Iterating the string yields whole code points, as Go's ReadRune does.
  for (const ch of command) {
    switch (state) {
      case "between":
        if (BLANKS.has(ch)) break;
        if (ch === "#") state = "comment";
        else if (ch === '"') state = "double";
        else if (ch === "'") state = "single";
        else if (ch === "\\") state = "escaped";
        else {
          word = ch;
          state = "word";
        }
        break;
      case "word":
        if (BLANKS.has(ch)) {
          words.push(word);
          word = "";
          state = "between";
        } else if (ch === '"') state = "double";
        else if (ch === "'") state = "single";
        else if (ch === "\\") state = "escaped";
        else word += ch;
        break;
      case "escaped":
        word += ch;
        state = "word";
        break;
      case "double":
        if (ch === '"') state = "word";
        else if (ch === "\\") state = "double-escaped";
        else word += ch;
        break;
      case "double-escaped":
        word += ch;
        state = "double";
        break;
      case "single":
        if (ch === "'") state = "word";
        else word += ch;
        break;
      case "comment":
        if (ch === "\n") state = "between";
        break;
    }
  }

  switch (state) {
    case "word":
      words.push(word);
      break;
    case "escaped":
    case "double-escaped":
      throw new CommandSyntaxError("EOF found after escape character", command);
    case "double":
    case "single":
      throw new CommandSyntaxError("EOF found when expecting closing quote", command);
    case "between":
    case "comment":
      break;
  }
  return words;
}
