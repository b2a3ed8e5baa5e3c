import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readYesNo } from './ask-yes-no.js';

function answer(text: string | undefined): Promise<boolean> {
  const input = new PassThrough();
  const reply = readYesNo(input);
  if (text === undefined) input.end();
  else input.write(text);
  return reply;
}

describe('readYesNo', () => {
  it.each([['\n', true], ['y\n', true], ['YES\n', true], ['n\n', false], ['nope\n', false]])('%j → %s', async (text, expected) => {
    expect(await answer(text)).toBe(expected);
  });
  it('takes the end of the input as no', async () => {
    expect(await answer(undefined)).toBe(false);
  });
});
