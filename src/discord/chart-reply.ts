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
  /**
   * Builds what to draw, once the interaction is acknowledged (it may still find
   * nothing). Undefined when there is plainly nothing to draw (no samples, no report):
   * then the text goes out at once.
   */
  readonly request: (() => ChartRequest | undefined) | undefined;
  /** The attachment's file name, e.g. `resources.png`. */
  readonly name: string;
  /** Alt text: what the chart shows, for screen readers. */
  readonly description: string;
  readonly log: Logger;
}

/**
 * The reply, plus (when charts are on) a way to make the same reply with the chart
 * as its `fuller` version: the router sends the text at once when there is no chart
 * to make, starts drawing only once the interaction is acknowledged, and never fails
 * a command over a chart. `request` is only built then, too. A chart service that
 * throws is logged.
 */
export function withChart(reply: CommandReply, input: ChartReplyInput): CommandReply {
  const { charts, request: build } = input;
  if (charts === undefined || !charts.available || build === undefined) return reply;
  const fuller = async (): Promise<CommandReply | undefined> => {
    let kind = 'unknown';
    try {
      const request = build();
      if (request === undefined) return undefined;
      kind = request.kind;
      const image = await charts.render(request);
      return image === undefined
        ? undefined
        : attachChart(reply, chartFile(image, input.name, input.description));
    } catch (error) {
      logChartError(input.log, kind, error);
      return undefined;
    }
  };
  return { ...reply, fuller };
}

function logChartError(log: Logger, kind: string, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  log.warning('chart_render_failed', `The ${kind} chart was not drawn: ${reason}`, { kind, reason });
}
