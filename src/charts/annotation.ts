import type { ChartType } from 'chart.js';

/**
 * One chartjs-plugin-annotation item (line, box, label, point), as the charts here
 * use them. The plugin's own type files do not resolve under NodeNext resolution,
 * so its options are typed loosely here; the plugin checks them when it draws.
 */
export type Annotation = Readonly<Record<string, unknown>> & {
  readonly type: 'line' | 'box' | 'label' | 'point';
};

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    /** chartjs-plugin-annotation's options. */
    annotation: { readonly clip?: boolean; readonly annotations: Readonly<Record<string, Annotation>> };
  }
}
