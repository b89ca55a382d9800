/**
 * The project's zod: `zod/mini` with English error messages. Everything imports `z` from here.
 * Why mini: a function bundles its schemas, and classic `zod` adds ~150 KB and ~12 ms to every cold
 * start, `zod/mini` ~30 KB and ~3 ms (measured here); the schemas and errors are the same zod v4 core.
 * Mini ships without a locale (messages would read "Invalid input"), so English is configured once here.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
