import { fileURLToPath } from 'node:url';
import { createLogger, createServer } from 'vite';
import { describe, expect, it } from 'vitest';

describe('bench/fanout-lib.ts under vitest', () => {
  it('transforms without a Vite warning (npm test stays quiet)', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = (message) => void warnings.push(message);
    logger.warnOnce = (message) => void warnings.push(message);
    const root = fileURLToPath(new URL('..', import.meta.url));
    const server = await createServer({ root, logLevel: 'warn', customLogger: logger, server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom', configFile: false });
    try {
      await server.transformRequest('/bench/fanout-lib.ts', { ssr: true });
    } finally {
      await server.close();
    }
    expect(warnings).toEqual([]);
  });
});
