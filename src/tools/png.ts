import { deflateSync } from 'node:zlib';

/** Pixels as RGBA bytes, row by row. */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), Buffer.from(data)]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** Encodes an RGBA image as a PNG file. */
export function encodePng(img: Image): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(img.width, 0);
  header.writeUInt32BE(img.height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const stride = img.width * 4;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y += 1) Buffer.from(img.rgba.subarray(y * stride, (y + 1) * stride)).copy(raw, y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/**
 * The app's icon: a speech bubble. `color` is the 192×192 full-colour icon on the accent colour;
 * `outline` is the 32×32 white-on-transparent icon Teams requires.
 */
export function bubbleIcon(size: number, background: [number, number, number] | undefined): Image {
  const rgba = new Uint8Array(size * size * 4);
  const set = (x: number, y: number, rgb: [number, number, number], a = 255) => {
    const i = (y * size + x) * 4;
    rgba[i] = rgb[0];
    rgba[i + 1] = rgb[1];
    rgba[i + 2] = rgb[2];
    rgba[i + 3] = a;
  };
  const white: [number, number, number] = [255, 255, 255];
  const inBubble = (x: number, y: number) => {
    const u = x / size;
    const v = y / size;
    const body = ((u - 0.5) / 0.36) ** 2 + ((v - 0.45) / 0.28) ** 2 <= 1;
    const tail = v >= 0.62 && v <= 0.82 && u >= 0.3 && u <= 0.3 + (0.82 - v) * 0.9;
    return body || tail;
  };
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      if (inBubble(x, y)) set(x, y, white);
      else if (background) set(x, y, background);
      else set(x, y, white, 0);
    }
  }
  return { width: size, height: size, rgba };
}
