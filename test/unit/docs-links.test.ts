import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The README and docs/ link only to files a clone has: every relative link (and its #anchor,
 * when it names a heading of a Markdown file) resolves. External links are not fetched.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const documents = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (markdown: string) => new Set(
  [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')),
);

/** Markdown links outside code blocks and inline code. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe('links in the README and docs/', () => {
  it.each(documents)('%s links only to files and headings that exist', (document) => {
    const text = readFileSync(path.join(root, document), 'utf8');
    const broken: string[] = [];
    for (const link of links(text)) {
      if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
      const [target, anchor] = link.split('#') as [string, string | undefined];
      const file = target === '' ? path.join(root, document) : path.resolve(path.dirname(path.join(root, document)), target);
      if (!file.startsWith(root + path.sep) || !existsSync(file)) {
        broken.push(`${link} (no such file in the repository)`);
        continue;
      }
      if (anchor && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${link} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it('the README names no file outside the repository (the old ../shared/ links)', () => {
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).not.toMatch(/\.\.\/shared\//);
  });
});
