import { describe, expect, it } from "vitest";
import { CommandSyntaxError, splitCommand } from "./split-command.js";

describe("splitCommand (google/shlex rules)", () => {
  // [input, expected words]
  const splits: [string, string[]][] = [
    ["", []],
    ["   \t\r\n ", []],
    ["/bin/systemctl reboot", ["/bin/systemctl", "reboot"]],
    ["  sh   -c   true  ", ["sh", "-c", "true"]],
    ["a\tb\nc\rd", ["a", "b", "c", "d"]],
    // google/shlex's own example
    [
      'one two "three four" "five \\"six\\"" seven#eight # nine # ten\n eleven \'twelve\\\'',
      ["one", "two", "three four", 'five "six"', "seven#eight", "eleven", "twelve\\"],
    ],
    // quotes
    ["'a b' c", ["a b", "c"]],
    ['"a b" c', ["a b", "c"]],
    ["'a \"b\" c'", ['a "b" c']],
    ["\"a 'b' c\"", ["a 'b' c"]],
    ["'a\\b'", ["a\\b"]],
    ["'\\'", ["\\"]],
    // inside double quotes a backslash always escapes the next character and disappears
    ['"a\\b"', ["ab"]],
    ['"a\\\\b"', ["a\\b"]],
    ['"a\\"b"', ['a"b']],
    ['"a\\$b"', ["a$b"]],
    // adjacent parts make one word
    ["a'b c'd", ["ab cd"]],
    ['a"b c"d', ["ab cd"]],
    ["'a'\"b\"c", ["abc"]],
    // empty words
    ['""', [""]],
    ["''", [""]],
    ['a "" b', ["a", "", "b"]],
    ["a '' b", ["a", "", "b"]],
    // backslash outside quotes
    ["a\\ b", ["a b"]],
    ["\\a", ["a"]],
    ["a\\\nb", ["a\nb"]],
    ["\\#x", ["#x"]],
    ["\\'x", ["'x"]],
    // comments start only at the beginning of a word
    ["# all comment", []],
    ["a # comment", ["a"]],
    ["a #comment\nb", ["a", "b"]],
    ["a#b", ["a#b"]],
    ["a '#b'", ["a", "#b"]],
    ["#x\n#y\nz", ["z"]],
    // no shell: operators and variables are plain characters
    ["echo $HOME > /tmp/x | wc; ls && true", ["echo", "$HOME", ">", "/tmp/x", "|", "wc;", "ls", "&&", "true"]],
    ["test -f /var/run/reboot-required", ["test", "-f", "/var/run/reboot-required"]],
    // any character is a word character
    ["écho ünï €uro 日本", ["écho", "ünï", "€uro", "日本"]],
    ["a\u{1F600}b", ["a\u{1F600}b"]],
  ];

  it.each(splits)("splits %j", (input, expected) => {
    expect(splitCommand(input)).toEqual(expected);
  });

  // [input, error message]
  const failures: [string, string][] = [
    ["'abc", "EOF found when expecting closing quote"],
    ['"abc', "EOF found when expecting closing quote"],
    ["a 'b c", "EOF found when expecting closing quote"],
    ['"a\\"', "EOF found when expecting closing quote"],
    ["abc\\", "EOF found after escape character"],
    ["\\", "EOF found after escape character"],
    ['"abc\\', "EOF found after escape character"],
  ];

  it.each(failures)("refuses %j", (input, message) => {
    let caught: unknown;
    try {
      splitCommand(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CommandSyntaxError);
    expect((caught as CommandSyntaxError).message).toBe(message);
    expect((caught as CommandSyntaxError).command).toBe(input);
  });
});
