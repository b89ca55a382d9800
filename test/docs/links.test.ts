/**
 * The docs hold together: every relative link in README.md and docs/ names a file that exists (and a heading
 * that exists, when it has an #anchor), and the README stays a short entry point (at most 10 KB).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../../dev/paths';
import { headingAnchors, markdownLinks } from './markdown-links';

const README_MAX_BYTES = 10 * 1024;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const DOCS = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];

/** `file:line: target (why)` for each relative link of `file` that leads nowhere. */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const { line, target } of markdownLinks(readFileSync(file, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...: not checked offline
    const [pathPart = '', anchor] = target.split('#', 2);
    const path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    const where = `${relative(ROOT, file)}:${line}: ${target}`;
    if (!path.startsWith(ROOT)) broken.push(`${where} (outside the repository)`);
    else if (!existsSync(path)) broken.push(`${where} (no such file)`);
    else if (anchor && path.endsWith('.md') && !headingAnchors(readFileSync(path, 'utf8')).has(anchor)) {
      broken.push(`${where} (no heading with that anchor)`);
    } else if (anchor && statSync(path).isDirectory()) broken.push(`${where} (an anchor on a folder)`);
  }
  return broken;
}

describe('documentation links', () => {
  it('finds the README and the docs pages', () => {
    expect(DOCS.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['README.md', join('docs', 'routes.md')]));
  });

  it.each(DOCS.map((f) => [relative(ROOT, f), f]))('%s: every relative link leads to a file and heading', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('README.md is at most 10 KB', () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_MAX_BYTES);
  });
});

describe('the link reader', () => {
  const sample = [
    '# Routes and `npm start`',
    'See [routes](docs/routes.md#post-whatsappincoming), ![logo](assets/logo.png) and [site](https://twilio.com).',
    '`[not a link](nowhere.md)`',
    '```sh',
    '[also not](nowhere.md)',
    '```',
    '[ref]: ./docs/deploy.md',
    '## Routes and `npm start`',
  ].join('\n');

  it('reads inline links, images and reference definitions outside code', () => {
    expect(markdownLinks(sample)).toEqual([
      { line: 2, target: 'docs/routes.md#post-whatsappincoming' },
      { line: 2, target: 'assets/logo.png' },
      { line: 2, target: 'https://twilio.com' },
      { line: 7, target: './docs/deploy.md' },
    ]);
  });

  it('makes GitHub anchors, repeated headings numbered', () => {
    expect([...headingAnchors(sample)]).toEqual(['routes-and-npm-start', 'routes-and-npm-start-1']);
    expect([...headingAnchors('### POST /whatsapp/incoming\n## What `npm run deploy` refuses')]).toEqual([
      'post-whatsappincoming',
      'what-npm-run-deploy-refuses',
    ]);
  });
});
