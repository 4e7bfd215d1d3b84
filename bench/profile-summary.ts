/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): where the time went, by function (self time), by file and
 * by package or source folder (inclusive: a package counts once per sample however deep its frames are).
 *
 * Run: npx tsx bench/profile-summary.ts FILE.cpuprofile [top=25] [--match TEXT] [--skip MS]
 * `--match TEXT` only counts the samples whose stack has a frame whose function or file contains TEXT;
 * `--skip MS` leaves out the first MS milliseconds of the profile (the start-up, to see a load alone).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A shorter location: node_modules/x/… → x/…, and the project's src/ or dist/ kept from there. */
function short(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, 'nm/')
    .replace(/.*\/(src|dist|bench)\//, '$1/');
}

/** The package (nm/name or nm/@scope/name) or the source folder (src/bot, src/directory…) of a location. */
function area(location: string): string {
  if (location.startsWith('nm/'))
    return location
      .split('/')
      .slice(0, location.startsWith('nm/@') ? 3 : 2)
      .join('/');
  if (location.startsWith('node:')) return location.split('/').slice(0, 3).join('/');
  const parts = location.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : location;
}

export interface SummaryOptions {
  readonly top?: number;
  readonly match?: string;
  /** Milliseconds at the start of the profile to leave out. */
  readonly skip?: number;
}

export function summarizeProfile(profile: Profile, options: SummaryOptions = {}): string {
  const { top = 25, match, skip = 0 } = options;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stack = (id: number): ProfileNode[] => {
    const frames: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (node !== undefined) frames.push(node);
    }
    return frames;
  };
  const time = new Map<number, number>();
  let clock = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    clock += delta;
    if (clock >= skip * 1000) time.set(id, (time.get(id) ?? 0) + delta);
  });

  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, t: number): void =>
    void map.set(key, (map.get(key) ?? 0) + t);
  for (const [id, t] of time) {
    const frames = stack(id);
    if (
      match !== undefined &&
      !frames.some((f) => f.callFrame.functionName.includes(match) || f.callFrame.url.includes(match))
    ) {
      continue;
    }
    total += t;
    const leaf = frames[0]?.callFrame;
    if (leaf === undefined) continue;
    const where = short(leaf.url);
    add(
      self,
      `${leaf.functionName || '(anonymous)'} ${where}${where === '' ? '' : `:${leaf.lineNumber + 1}`}`,
      t,
    );
    add(files, where || leaf.functionName, t);
    for (const a of new Set(frames.map((f) => area(short(f.callFrame.url))).filter((a) => a !== '')))
      add(areas, a, t);
  }
  const lines = (title: string, map: Map<string, number>): string[] => [
    `--- ${title}`,
    ...[...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([key, t]) =>
          `${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`,
      ),
  ];
  return [
    `${(total / 1000).toFixed(0)} ms sampled` +
      (match === undefined ? '' : ` in stacks matching "${match}"`) +
      (skip === 0 ? '' : ` after the first ${skip} ms`),
    ...lines('self time by function', self),
    ...lines('self time by file', files),
    ...lines('inclusive time by package or source folder', areas),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { match: { type: 'string' }, skip: { type: 'string' } },
  });
  const [file, top] = positionals;
  if (file === undefined) {
    console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [top] [--match TEXT] [--skip MS]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  console.log(
    summarizeProfile(profile, {
      top: Number(top ?? 25),
      ...(values.match === undefined ? {} : { match: values.match }),
      skip: Number(values.skip ?? 0),
    }),
  );
}
