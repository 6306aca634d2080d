import type { APIEmbed } from 'discord-api-types/v10';
import type { ChartService } from '../charts/chart-renderer.ts';
import type { ChartImage, ChartRequest } from '../charts/chart-requests.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { CommandReply, ReplyFile } from './command.ts';

/** The reply with the chart attached and shown as the first embed's image. */
export function attachChart(reply: CommandReply, file: ReplyFile): CommandReply {
  const [first, ...rest] = reply.embeds;
  if (first === undefined) return reply;
  const shown: APIEmbed = { ...first, image: { url: `attachment://${file.name}` } };
  return { ...reply, embeds: [shown, ...rest], files: [...(reply.files ?? []), file] };
}

/** A chart as a file for Discord. */
export function chartFile(image: ChartImage, name: string, description: string): ReplyFile {
  return { name, data: image.png, description: description.slice(0, 1024) };
}

export interface ChartReplyInput {
  readonly charts: ChartService | undefined;
  /** Undefined when there is nothing to draw (no samples yet, no report). */
  readonly request: ChartRequest | undefined;
  /** The attachment's file name, e.g. `resources.png`. */
  readonly name: string;
  /** Alt text: what the chart shows, for screen readers. */
  readonly description: string;
  readonly log: Logger;
}

/**
 * The reply, plus (when charts are on) the same reply with the chart as its
 * `fuller` version: the router sends the text at once if there is no chart to wait
 * for, and never fails a command over one. A chart service that throws is logged.
 */
export function withChart(reply: CommandReply, input: ChartReplyInput): CommandReply {
  const { charts, request } = input;
  if (charts === undefined || request === undefined || !charts.available) return reply;
  let pending: Promise<ChartImage | undefined>;
  try {
    pending = charts.render(request);
  } catch (error) {
    logChartError(input.log, request.kind, error);
    return reply;
  }
  const fuller = Promise.resolve(pending).then(
    (image) =>
      image === undefined ? undefined : attachChart(reply, chartFile(image, input.name, input.description)),
    (error: unknown) => {
      logChartError(input.log, request.kind, error);
      return undefined;
    },
  );
  return { ...reply, fuller };
}

function logChartError(log: Logger, kind: string, error: unknown): void {
  log.warning(
    'chart_render_failed',
    `The ${kind} chart was not drawn: ${error instanceof Error ? error.message : String(error)}`,
    {
      kind,
      reason: error instanceof Error ? error.message : String(error),
    },
  );
}
