/**
 * What report.html shows, as data: the analysis builds it (src/analysis → sections), the renderer
 * (src/report/html.ts) turns it into one static page. Neither knows the other's internals.
 */
import type { ReportTable } from "../core/table.js";

export interface ReportChart {
  id: string;
  title: string;
  /** a Vega-Lite 5 specification with its data inline (rendered to SVG when the report is built) */
  spec: Record<string, unknown>;
}

export interface ReportFigure {
  id: string;
  title: string;
  /** a self-contained SVG (no scripts, no external references), e.g. a cluster graph */
  svg: string;
  caption?: string;
}

export interface ReportSection {
  id: string;
  title: string;
  /** short paragraphs of plain text (escaped when rendered) */
  paragraphs?: string[];
  charts?: ReportChart[];
  tables?: ReportTable[];
  figures?: ReportFigure[];
}

export interface ReportModel {
  title: string;
  /** ISO 8601 */
  generatedAt: string;
  /** the headline figures at the top: label → value */
  summary: Array<{ label: string; value: string }>;
  sections: ReportSection[];
  /** data sets used and their licences, tool and rules versions: printed in the footer */
  provenance: string[];
}
