// The dashboard page: one self-contained HTML file (inline CSS and JS, SVG plots,
// no external requests), kept as a plain asset in src/ops/dashboard/ so it can be
// edited as HTML. The server fills in the title and the poll interval.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root.js';

export interface DashboardOptions {
  title: string;
  pollMs: number;
}

let template: string | undefined;

export function dashboardTemplatePath(): string {
  return join(repoRoot(), 'src', 'ops', 'dashboard', 'dashboard.html');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function dashboardHtml(o: DashboardOptions): string {
  template ??= readFileSync(dashboardTemplatePath(), 'utf8');
  // JSON inside <script>: escape "<" so no value can close the element.
  const config = JSON.stringify({ title: o.title, pollMs: o.pollMs }).replace(/</g, '\\u003c');
  return template.replaceAll('__GM_TITLE__', escapeHtml(o.title)).replace('__GM_CONFIG__', config);
}
