import { ExitCode } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { writeLines, type CliIo } from '../io.js';
import { withExistingStore } from '../library.js';
import { openBrowser } from '../open-browser.js';

/** Flags of `fanout ui`. */
export interface UiFlags {
  port?: number;
  open?: boolean;
}

/**
 * `fanout ui [run]`: serves the dashboard on 127.0.0.1 until Ctrl-C and
 * prints its URL with the token (opening `run`, a run id or task handle,
 * when given); opens a browser only with `--open`. An unknown run is one
 * line before anything is served.
 */
export async function uiCommand(target: string | undefined, flags: UiFlags, io: CliIo): Promise<number> {
  const { startDashboard } = await import('../../ui/dashboard-server.js');
  const interrupt = onInterrupt({ stderr: io.stderr, notice: 'fanout: dashboard stopped' });
  try {
    await withExistingStore(io, async (fanout) => {
      // Throws NOT_FOUND (one line, exit 2) before a port is taken.
      const opened = target === undefined ? '' : `#run=${encodeURIComponent(fanout.status(target).run.runId)}`;
      const dashboard = await startDashboard({ fanout, ...(flags.port === undefined ? {} : { port: flags.port }) });
      const url = `${dashboard.url}${opened}`;
      writeLines(io.stdout, [`fanout dashboard: ${url}`, 'It follows runs of every process on this store. Press Ctrl-C to stop.']);
      if (flags.open) openBrowser(url, io);
      await new Promise<void>((resolve) => {
        if (interrupt.signal.aborted) resolve();
        interrupt.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await dashboard.close();
    });
    return ExitCode.ok;
  } finally {
    interrupt.dispose();
  }
}
