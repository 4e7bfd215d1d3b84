/**
 * Text that users control (display names) is shown as text: the characters that make markdown (links,
 * emphasis, code, headings, HTML) in Teams messages and Adaptive Cards are escaped with a backslash, and line
 * breaks become spaces, so that a name cannot become a link, a heading or a new line of its own.
 */
const MARKDOWN = /[\\`*_{}[\]()#+!|<>~]/g;

export function asPlainText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(MARKDOWN, (c) => `\\${c}`);
}
