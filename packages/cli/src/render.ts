/** Output for people: aligned columns, `-` for empty values. Scripts use --json instead. */
type Row = Record<string, unknown>;

function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value).replace(/\s+/g, " ");
}

export function renderTable(rows: Row[], preferred: string[]): string {
  if (rows.length === 0) return "(none)\n";
  const present = new Set(rows.flatMap((row) => Object.keys(row)));
  // The preferred columns when the command has some (--json shows every field), else every field.
  const shown = preferred.filter((c) => present.has(c));
  const columns = shown.length > 0 ? shown : [...present];
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i]!)).join("  ").trimEnd();
  return `${[line(columns.map((c) => c.toUpperCase())), ...rows.map((row) => line(columns.map((c) => cell(row[c]))))].join("\n")}\n`;
}
