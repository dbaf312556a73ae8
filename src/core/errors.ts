/**
 * Bad input from the user (a flag, a file, a line): every layer throws it, and the CLI prints its
 * message on one line and exits 2, where any other error is a bug and gets a stack.
 */
export class InputError extends Error {
  override name = "InputError";
}
