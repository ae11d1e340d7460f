/**
 * Docker's table layout: columns padded to the widest cell plus three spaces, the last column unpadded,
 * the first row as the header.
 */
export function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join(""),
    )
    .join("\n")
    .concat("\n");
}
