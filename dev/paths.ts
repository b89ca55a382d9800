import { join } from 'node:path';

/** The project root: every dev command, test and benchmark resolves its files from here. */
export const ROOT = join(__dirname, '..');
