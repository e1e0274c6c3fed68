/**
 * Small PNG images made in memory (no image library): a vertical gradient between two colours,
 * for the demo users' avatars and post photos and for the media tests' real bytes.
 */
import { crc32, deflateSync } from "node:zlib";

type Rgb = readonly [number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A `width` x `height` RGB PNG fading from `top` to `bottom`. */
export function gradientPng(width: number, height: number, top: Rgb, bottom: Rgb = top): Uint8Array<ArrayBuffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const t = height > 1 ? y / (height - 1) : 0;
    const row = y * (width * 3 + 1); // first byte: filter type 0
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) rows[row + 1 + x * 3 + c] = Math.round(top[c]! + (bottom[c]! - top[c]!) * t);
    }
  }
  const png = Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  return new Uint8Array(png);
}

/** `#rrggbb` of a colour (the media placeholder the seeds send). */
export function hex(rgb: Rgb): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}
