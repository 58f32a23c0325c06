/**
 * An .xlsx is a zip. Before SheetJS inflates one, read its central directory: not a zip → not an
 * .xlsx; far more data inside than a spreadsheet of this size could hold → a zip bomb.
 */
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
/** What the inflated parts of an accepted file may add up to. */
export const MAX_INFLATED_BYTES = 400 * 1024 * 1024;
/** Spreadsheet XML compresses 5–20×; hundreds of times is a bomb. */
const MAX_RATIO = 200;

export type ZipVerdict = { ok: true; inflatedBytes: number } | { ok: false; reason: 'not_zip' | 'too_large' };

export function inspectZip(file: Buffer): ZipVerdict {
  const end = findEndOfCentralDirectory(file);
  if (end < 0) return { ok: false, reason: 'not_zip' };
  const entries = file.readUInt16LE(end + 10);
  let at = file.readUInt32LE(end + 16);
  let inflated = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > file.length || file.readUInt32LE(at) !== CENTRAL_FILE_HEADER) return { ok: false, reason: 'not_zip' };
    const size = file.readUInt32LE(at + 24);
    // 0xFFFFFFFF means a Zip64 size: more than 4 GB inflated, never a spreadsheet we accept.
    if (size === 0xffffffff) return { ok: false, reason: 'too_large' };
    inflated += size;
    at += 46 + file.readUInt16LE(at + 28) + file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
  }
  if (inflated > MAX_INFLATED_BYTES || (inflated > 20 * 1024 * 1024 && inflated > file.length * MAX_RATIO)) return { ok: false, reason: 'too_large' };
  return { ok: true, inflatedBytes: inflated };
}

/** The record sits at the end, after an optional comment of up to 64 KB. */
function findEndOfCentralDirectory(file: Buffer): number {
  const lowest = Math.max(0, file.length - 22 - 0xffff);
  for (let at = file.length - 22; at >= lowest; at--) {
    if (file.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  return -1;
}
