/**
 * Colours and sizes of every chart: made for Discord's dark theme (the image's own
 * background is the dark embed's, so it reads the same on the light theme), with
 * text large enough once Discord scales the image down to the embed's width.
 */
export const THEME = {
  /** Discord's dark embed background. */
  background: '#2b2d31',
  text: '#f2f3f5',
  muted: '#b5bac1',
  grid: 'rgba(255, 255, 255, 0.09)',
  axis: 'rgba(255, 255, 255, 0.28)',
  series: {
    memory: '#4ea4f6',
    cpu: '#c58af9',
    event_loop_lag: '#3dd6c4',
  },
  warning: '#fee75c',
  critical: '#ff6b6e',
  warningShade: 'rgba(254, 231, 92, 0.16)',
  criticalShade: 'rgba(255, 107, 110, 0.22)',
  status: {
    ready: '#57f287',
    degraded: '#fee75c',
    failed: '#ff6b6e',
    cancelled: '#949ba4',
    pending: '#949ba4',
    skipped: '#949ba4',
  },
  criticalPath: '#ffffff',
  /** Registered from the bundled Inter font; the rest are fallbacks for glyphs it lacks. */
  fontFamily: 'Inter, "DejaVu Sans", "Noto Sans", sans-serif',
  font: { title: 18, subtitle: 13, panel: 14.5, tick: 12.5, label: 12.5 },
  /** Drawn at 1.5 times the layout size, so text stays sharp when the image is scaled. */
  pixelRatio: 1.5,
} as const;

/** Layout sizes, in CSS pixels (the PNG has `pixelRatio` times as many). */
export const LAYOUT = {
  resources: { width: 640, headerHeight: 58, panelHeight: 168, lastPanelExtra: 26 },
  startup: { width: 640, headerHeight: 74, rowHeight: 24, axisHeight: 52, maxRows: 40 },
  alert: { width: 560, height: 250 },
  /** The y axis is this wide on every panel, so the panels' time axes line up. */
  yAxisWidth: 64,
  padding: 14,
  /** Points per series; longer series are thinned keeping each bucket's peak. */
  maxPoints: 480,
} as const;
