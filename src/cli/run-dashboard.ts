import type { Fanout } from '../contracts/fanout.js';
import { FanoutError, isFanoutError } from '../contracts/errors.js';
import { writeLines, type CliIo } from './io.js';
import { openBrowser } from './open-browser.js';

/** `--ui`, `--ui-port` and `--open` of `fanout run` and `fanout do`. */
export interface RunUiFlags {
  ui?: boolean;
  uiPort?: number;
  open?: boolean;
}

/** The dashboard served beside a foreground run. */
export interface RunDashboard {
  /** Prints the URL of the run's page (on stderr: stdout stays the run's) and opens it with `--open`. */
  announce(runId: string): void;
  close(): Promise<void>;
}

/** Refuses `--ui-port` or `--open` without `--ui`, and `--ui` with `--detach` (one line, exit 2). */
export function checkRunUiFlags(flags: RunUiFlags & { detach?: boolean }): void {
  if (!flags.ui && (flags.uiPort !== undefined || flags.open)) throw new FanoutError('OPTION_INVALID', `${flags.open ? '--open' : '--ui-port'}: only applies with --ui`);
  if (flags.ui && flags.detach) throw new FanoutError('OPTION_INVALID', '--ui: not with --detach (the dashboard lives as long as this command); follow a detached run with: fanout ui');
}

/**
 * With `--ui`: the dashboard on 127.0.0.1 in this process, over the same
 * Fanout as the run, started before the run so a port in use stops the
 * command before anything runs. It closes when the command ends (the run
 * stays in the store: `fanout ui` shows it again). Without `--ui`: undefined.
 */
export async function startRunDashboard(fanout: Fanout, flags: RunUiFlags, io: CliIo): Promise<RunDashboard | undefined> {
  if (!flags.ui) return undefined;
  const { startDashboard } = await import('../ui/dashboard-server.js');
  const dashboard = await startDashboard({ fanout, ...(flags.uiPort === undefined ? {} : { port: flags.uiPort }) }).catch((error: unknown) => {
    throw isFanoutError(error, 'OPTION_INVALID') ? new FanoutError('OPTION_INVALID', `--ui-port ${flags.uiPort ?? 0}: the port is in use on 127.0.0.1`) : error;
  });
  return {
    announce: (runId) => {
      const url = `${dashboard.url}#run=${encodeURIComponent(runId)}`;
      writeLines(io.stderr, [`fanout: dashboard of this run: ${url}`, `fanout: it closes when the run ends; see the run again with: fanout ui ${runId}`]);
      if (flags.open) openBrowser(url, io);
    },
    close: () => dashboard.close(),
  };
}
