// How the demos write to the terminal: bold and dim when it is one (and NO_COLOR is
// unset), a line at a time, and a banner before each step.
export const ansi = process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '';
export const bold = (text: string): string => (ansi ? `\x1b[1m${text}\x1b[0m` : text);
export const dim = (text: string): string => (ansi ? `\x1b[2m${text}\x1b[0m` : text);
export const say = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};
export const banner = (text: string): void =>
  say(`\n${bold(`━━━ ${text} ${'━'.repeat(Math.max(0, 72 - text.length))}`)}`);
