/** Debian's Chromium, headless, as the browser tests launch it: offline, nothing in the background. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Without the background-networking flags Chromium keeps trying the network at start (this
 * machine refuses it); without --no-sandbox it will not start as root.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--dns-prefetch-disable",
];
