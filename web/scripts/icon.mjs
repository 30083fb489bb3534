// Draws the app icon as a PNG with no image library: a rounded square with a speech bubble.
import zlib from 'node:zlib';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function makeIcon(size) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const r = size * 0.2;
  const inRounded = (x, y, x0, y0, x1, y1, rad) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + rad), x1 - rad), cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
    return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
  };
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const o = y * (size * 4 + 1) + 1 + x * 4;
      let px = [0, 0, 0, 0];
      if (inRounded(x, y, 0, 0, size - 1, size - 1, r)) px = [79, 70, 229, 255];
      const s = size;
      const bubble = inRounded(x, y, s * 0.2, s * 0.24, s * 0.8, s * 0.66, s * 0.1);
      const tail = y > s * 0.6 && y < s * 0.8 && x > s * 0.3 && x < s * 0.3 + (s * 0.8 - y) * 0.9;
      if (bubble || tail) px = [255, 255, 255, 255];
      const dot = [0.35, 0.5, 0.65].some((fx) => (x - s * fx) ** 2 + (y - s * 0.45) ** 2 <= (s * 0.05) ** 2);
      if (dot) px = [79, 70, 229, 255];
      raw.set(px, o);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
