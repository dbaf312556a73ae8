/** SMTP replies written as text lines ("250-2.0.0 Ok"), as labelled examples and sources quote them. */
import type { Reply } from "./schema.js";

/** "214-2.0.0 text" lines → a reply. */
export function replyOf(lines: string[]): Reply {
  const code = Number(/^(\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
  const texts = lines.map((l) => l.replace(/^\d{3}[- ]?/, ""));
  const enhanced = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(texts[0] ?? "")?.[1] ?? null;
  return { code, enhanced, lines: texts, raw: lines.map((l) => `${l}\r\n`).join("") };
}
