import { inflateSync } from 'node:zlib';

/** What Teams asks of the two icons in an app package. */
export const ICONS = {
  color: { size: 192, what: 'the full-colour icon' },
  outline: { size: 32, what: 'the outline icon' },
} as const;

interface Png {
  readonly width: number;
  readonly height: number;
  readonly colorType: number;
  readonly bitDepth: number;
  readonly interlaced: boolean;
  /** RGBA bytes, row by row, when the file is 8-bit RGBA or grey-and-alpha and not interlaced. */
  readonly rgba?: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Reads a PNG's header and, for the 8-bit formats with an alpha channel, its pixels. Written here
 * because checking two small icons does not justify an image library; other PNG formats are reported,
 * not decoded.
 */
function readPng(bytes: Uint8Array): Png | string {
  const b = Buffer.from(bytes);
  if (b.length < 33 || !b.subarray(0, 8).equals(SIGNATURE) || b.toString('ascii', 12, 16) !== 'IHDR') return 'is not a PNG file';
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const bitDepth = b[24] ?? 0;
  const colorType = b[25] ?? 0;
  const interlaced = b[28] === 1;
  const channels = colorType === 6 ? 4 : colorType === 4 ? 2 : 0;
  if (channels === 0 || bitDepth !== 8 || interlaced) return { width, height, colorType, bitDepth, interlaced };
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= b.length; ) {
    const length = b.readUInt32BE(at);
    const type = b.toString('ascii', at + 4, at + 8);
    if (type === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    return 'has damaged image data';
  }
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) return 'has too little image data for its size';
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const v = raw[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= channels ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (v + predicted) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i += 1) {
    if (channels === 4) rgba.set(pixels.subarray(i * 4, i * 4 + 4), i * 4);
    else rgba.set([pixels[i * 2] ?? 0, pixels[i * 2] ?? 0, pixels[i * 2] ?? 0, pixels[i * 2 + 1] ?? 0], i * 4);
  }
  return { width, height, colorType, bitDepth, interlaced, rgba };
}

/**
 * Problems with the icons Teams would refuse or show badly: the colour icon must be a 192×192 PNG; the
 * outline icon a 32×32 PNG that is white on a transparent background (Teams tints it; any colour or
 * opaque background shows as a white square).
 */
export function iconProblems(color: Uint8Array | undefined, outline: Uint8Array | undefined, names: { color: string; outline: string }): string[] {
  const problems: string[] = [];
  for (const [kind, bytes] of [['color', color], ['outline', outline]] as const) {
    const name = names[kind];
    const { size, what } = ICONS[kind];
    if (!bytes) {
      problems.push(`${name}: missing (${what}, ${size}×${size} PNG)`);
      continue;
    }
    const png = readPng(bytes);
    if (typeof png === 'string') {
      problems.push(`${name}: ${png}`);
      continue;
    }
    if (png.width !== size || png.height !== size) problems.push(`${name}: is ${png.width}×${png.height}; ${what} must be ${size}×${size}`);
    if (kind === 'outline') {
      if (!png.rgba) {
        problems.push(`${name}: must be an 8-bit PNG with an alpha channel (white on transparency), not colour type ${png.colorType} at ${png.bitDepth} bits`);
        continue;
      }
      let coloured = 0;
      let opaque = 0;
      for (let i = 0; i < png.rgba.length; i += 4) {
        const [r, g, b, a] = [png.rgba[i] ?? 0, png.rgba[i + 1] ?? 0, png.rgba[i + 2] ?? 0, png.rgba[i + 3] ?? 0];
        if (a > 0 && (r < 250 || g < 250 || b < 250)) coloured += 1;
        if (a === 255) opaque += 1;
      }
      if (coloured > 0) problems.push(`${name}: ${coloured} visible pixels are not white; the outline icon must be white on transparency`);
      if (opaque === png.rgba.length / 4) problems.push(`${name}: has no transparent pixels; the outline icon's background must be transparent`);
    }
  }
  return problems;
}
