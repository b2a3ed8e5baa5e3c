import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { recordingIo, type RecordingIo } from './fake-io.js';

/** A temp working directory whose commands share one store (`<dir>/home`); for in-process command tests. */
export interface CommandWorkspace {
  dir: string;
  home: string;
  /** A fresh recording io in the workspace; `env` is added to `FANOUT_HOME`. */
  io(env?: NodeJS.ProcessEnv): RecordingIo;
  /** Writes a file (and its directories) under the workspace; returns its absolute path. */
  file(path: string, text: string): string;
}

/** Creates a {@link CommandWorkspace}: commands in this process, on a real store and the simulated model. */
export function commandWorkspace(): CommandWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-cmd-'));
  const home = join(dir, 'home');
  return {
    dir,
    home,
    io: (env = {}) => recordingIo({ cwd: dir, env: { FANOUT_HOME: home, ...env } }),
    file(path, text) {
      const absolute = join(dir, path);
      mkdirSync(dirname(absolute), { recursive: true });
      writeFileSync(absolute, text);
      return absolute;
    },
  };
}
