/** One row of the headline table. */
export interface Verdict {
  readonly benchmark: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** Why, when missed (or a caveat). */
  readonly note?: string;
}

export function headlineTable(verdicts: readonly Verdict[]): string {
  return [
    '| benchmark | target | measured | result | note |',
    '| --- | --- | --- | --- | --- |',
    ...verdicts.map(
      (v) =>
        `| ${v.benchmark} | ${v.target} | ${v.measured} | ${v.met ? 'MET' : '**MISSED**'} | ${v.note ?? ''} |`,
    ),
  ].join('\n');
}

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
