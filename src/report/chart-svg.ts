/**
 * Vega-Lite spec → static SVG at report build time, so the page carries drawings, not a charting
 * runtime. Vega and Vega-Lite are loaded once per process, on the first chart. Charts must carry
 * their data inline: a spec that names a URL is refused, and Vega's loader is replaced by one that
 * refuses every fetch and file read.
 */
import type { Loader } from "vega";

type VegaModules = [typeof import("vega"), typeof import("vega-lite")];

let modulesLoading: Promise<VegaModules> | undefined;

function vegaModules(): Promise<VegaModules> {
  modulesLoading ??= Promise.all([import("vega"), import("vega-lite")]);
  return modulesLoading;
}

/** Same stack as the page (report-style.ts) so chart text matches the surrounding text. */
const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

function refuse(what: string): Promise<never> {
  return Promise.reject(new Error(`charts may not load anything (${what}); put the data inline`));
}

const offlineLoader: Loader = {
  load: (uri) => refuse(uri),
  sanitize: (uri) => refuse(uri),
  http: (uri) => refuse(uri),
  file: (name) => refuse(name),
};

/**
 * Renders `spec` (Vega-Lite 5, data inline) to an SVG string; any failure is an Error whose
 * message starts with `chart "<chartId>":`.
 */
export async function chartSvg(spec: Record<string, unknown>, chartId: string): Promise<string> {
  const [vega, vegaLite] = await vegaModules();
  const fail = (message: string, cause?: unknown): Error =>
    new Error(`chart ${JSON.stringify(chartId)}: ${message}`, cause === undefined ? undefined : { cause });
  // Warnings (a field not found, an encoding dropped) go to stderr with the chart's id on them.
  const logger = vega.logger(vega.Warn, "warn", (_method, level, input) => {
    process.stderr.write(
      `${level} chart ${JSON.stringify(chartId)}: ${Array.from(input, String).join(" ")}\n`,
    );
  });
  let compiled: ReturnType<typeof vegaLite.compile>;
  try {
    // The cast: Vega-Lite's TopLevelSpec is a deep union a Record cannot be checked against here;
    // compile() validates the structure itself and throws on what it cannot use.
    compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0], {
      // Defaults only: a spec's own config, width and height win. Vega-Lite's 200×200 is small on a page.
      config: { font: CHART_FONT, view: { continuousWidth: 480, continuousHeight: 240 } },
      logger,
    });
  } catch (error) {
    throw fail(`not a usable Vega-Lite spec: ${messageOf(error)}`, error);
  }
  for (const data of compiled.spec.data ?? []) {
    if ("url" in data)
      throw fail(`data ${JSON.stringify(data.name)} comes from a URL; charts carry data inline`);
  }
  let view: InstanceType<typeof vega.View> | undefined;
  try {
    view = new vega.View(vega.parse(compiled.spec), { renderer: "none", loader: offlineLoader, logger });
    return await view.toSVG();
  } catch (error) {
    throw fail(`rendering failed: ${messageOf(error)}`, error);
  } finally {
    view?.finalize();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
