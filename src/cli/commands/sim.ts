import { ExitCode } from '../exit-codes.js';
import { untilStopSignal } from '../interrupt.js';
import { writeLines, type CliIo } from '../io.js';
import type { FaultKindFlag } from '../parse-flags.js';

/** Flags of `fanout sim`. */
export interface SimFlags {
  port?: number;
  latency?: number;
  rpm?: number;
  tpm?: number;
  maxConcurrent?: number;
  faultRate?: number;
  faults?: FaultKindFlag[];
}

/** How to point clients at a simulated server running at `url`. */
export function simInstructions(url: string): string[] {
  return [
    `Simulated model server listening on ${url}`,
    'SIMULATED: deterministic answers, no real LLM behind it (see docs/simulated-model.md).',
    '',
    'Point clients at it:',
    `  fanout:        FANOUT_SIM_URL=${url} fanout run plan.yaml          (plans using model "sim")`,
    `  Anthropic SDK: ANTHROPIC_BASE_URL=${url} ANTHROPIC_API_KEY=sim ...`,
    `  OpenAI SDK:    OPENAI_BASE_URL=${url}/v1 OPENAI_API_KEY=sim ...`,
    '',
    'Press Ctrl-C to stop.',
  ];
}

/** `fanout sim`: runs the simulated model server in the foreground until Ctrl-C. */
export async function simCommand(flags: SimFlags, io: CliIo): Promise<number> {
  const { startSimServer } = await import('../../models/sim/index.js');
  const server = await startSimServer({
    port: flags.port ?? 0,
    ...(flags.latency !== undefined && { defaultLatencyMs: flags.latency }),
    ...(flags.rpm !== undefined || flags.tpm !== undefined || flags.maxConcurrent !== undefined
      ? {
          rateLimit: {
            ...(flags.rpm !== undefined && { requestsPerMinute: flags.rpm }),
            ...(flags.tpm !== undefined && { tokensPerMinute: flags.tpm }),
            ...(flags.maxConcurrent !== undefined && { maxConcurrent: flags.maxConcurrent }),
          },
        }
      : {}),
    ...(flags.faultRate !== undefined && { faults: { rate: flags.faultRate, ...(flags.faults !== undefined && { kinds: flags.faults }) } }),
  });
  writeLines(io.stdout, simInstructions(server.url));
  await untilStopSignal();
  await server.close();
  io.stderr.write('fanout: simulated server stopped\n');
  return ExitCode.ok;
}
