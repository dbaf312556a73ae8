/**
 * The page's only stylesheet, inlined: system fonts, readable line length, light and dark colour
 * schemes, tables that scroll sideways on narrow screens, and a print layout without the controls.
 * Charts and graphs keep a white card in dark mode because their SVG colours are fixed at build.
 */
export const REPORT_STYLE = `
:root {
  color-scheme: light dark;
  --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --accent: #0b57d0; --row: #f6f8fa;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --panel: #161b22; --line: #30363d;
    --accent: #79b8ff; --row: #161b22;
  }
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: 0.5rem; z-index: 1; }
.page { max-width: 80rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
header h1 { margin: 0.5rem 0 0.25rem; font-size: 1.75rem; line-height: 1.25; }
header p { margin: 0; color: var(--muted); }
.summary {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.75rem;
  margin: 1.25rem 0; padding: 0;
}
.summary div { background: var(--panel); border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem; }
.summary dt { color: var(--muted); font-size: 0.875rem; }
.summary dd { margin: 0.125rem 0 0; font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
nav { border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); padding: 0.5rem 0; margin-bottom: 1rem; }
nav h2 { font-size: 0.875rem; color: var(--muted); margin: 0 0 0.25rem; font-weight: 600; }
nav ol { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0; padding: 0; list-style: none; }
main section { margin-top: 2rem; }
main h2 { font-size: 1.375rem; border-bottom: 1px solid var(--line); padding-bottom: 0.25rem; }
main p { max-width: 70ch; }
figure { margin: 1.25rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.5rem; }
figure .caption { font-weight: normal; color: var(--muted); margin-top: 0.5rem; }
.drawing { background: #ffffff; color: #1b1f24; border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem; overflow-x: auto; }
.drawing svg { display: block; max-width: 100%; height: auto; }
.table-block { margin: 1.25rem 0; }
.table-scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 0.5rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 0.9375rem; }
caption { text-align: left; font-weight: 600; padding: 0.5rem 0.75rem; }
th, td { padding: 0.375rem 0.75rem; border-top: 1px solid var(--line); text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--panel); white-space: nowrap; padding: 0; }
tbody tr:nth-child(even) { background: var(--row); }
.num { text-align: right; }
th button {
  all: unset; box-sizing: border-box; display: block; width: 100%; padding: 0.375rem 0.75rem;
  cursor: pointer; font-weight: 600; text-align: inherit;
}
th button::after { content: " \\2195"; color: var(--muted); font-weight: normal; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; color: var(--fg); }
th[aria-sort="descending"] button::after { content: " \\25BC"; color: var(--fg); }
th button:focus-visible { outline: 3px solid var(--accent); outline-offset: -3px; }
.table-status, .note { color: var(--muted); font-size: 0.875rem; margin: 0.5rem 0; }
.table-controls { margin: 0.5rem 0; display: flex; gap: 0.5rem; flex-wrap: wrap; }
.table-controls button {
  font: inherit; font-size: 0.875rem; color: var(--accent); background: var(--panel);
  border: 1px solid var(--line); border-radius: 0.375rem; padding: 0.25rem 0.75rem; cursor: pointer;
}
footer { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: 1rem; color: var(--muted); font-size: 0.875rem; }
footer ul { padding-left: 1.25rem; }
@media print {
  :root { --fg: #000; --muted: #333; --bg: #fff; --panel: #fff; --line: #999; --row: #fff; }
  nav, .table-controls, .skip { display: none; }
  .page { max-width: none; padding: 0; }
  .table-scroll { overflow: visible; }
  figure, tr, .summary div { break-inside: avoid; }
  h2 { break-after: avoid; }
  th button::after { content: none; }
}
`;
