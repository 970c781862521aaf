import { buf as crc32 } from 'crc-32';

/**
 * The file store's write-ahead journal format: segment files `.journal-<number>.log` in the store's
 * folder, each a header line and then records. A record is one document as its file would hold it
 * (`{ key, eTag, item }`), or a deletion (`{ key, deleted: true }`), framed as
 *
 *   <payload length: uint32 LE> <CRC-32 of the payload: uint32 LE> <payload: UTF-8 JSON>
 *
 * so a record cut short by a crash (or by a full disk) is recognised, and it and everything after it in
 * its segment are ignored: no part of a record is ever applied. Records are only appended; a segment is
 * never appended to by a later process, and a later segment's records are newer than an earlier one's.
 *
 * The CRC is crc-32 (SheetJS, pure JavaScript): node:zlib's crc32 exists only from Node 22.2.
 */

export const SEGMENT_HEADER = 'partner-bot journal 1\n';
const HEADER = Buffer.from(SEGMENT_HEADER, 'utf8');
export const HEADER_BYTES = HEADER.length;
const FRAME_BYTES = 8;
/** A record longer than this is not one (a damaged length field), so reading stops there. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** One record read back: a document's item as JSON text, or null for a deletion. */
export interface JournalRecord {
  readonly key: string;
  /** The document's eTag ('' for a deletion). */
  readonly eTag: string;
  /** The item (the document without its eTag) as JSON text; null for a deletion. */
  readonly item: string | null;
}

/** What `readSegment` found. */
export interface SegmentContent {
  readonly records: JournalRecord[];
  /** Bytes of the segment that hold whole records (header included); anything after is a torn tail. */
  readonly intactBytes: number;
  /** Bytes after the last whole record that were ignored (a record cut short by a crash). */
  readonly tornBytes: number;
}

export function segmentName(n: number): string {
  return `.journal-${String(n).padStart(10, '0')}.log`;
}

/** The segment number a file name stands for, or undefined for any other file. */
export function segmentNumber(name: string): number | undefined {
  const m = /^\.journal-(\d{10})\.log$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function segmentHeader(): Buffer {
  return Buffer.from(HEADER);
}

/** The payload of a document record; `item` is the item's JSON text. */
export function documentPayload(key: string, eTag: string, item: string): string {
  return `{"key":${JSON.stringify(key)},"eTag":${JSON.stringify(eTag)},"item":${item}}`;
}

/** The payload of a deletion record. */
export function deletionPayload(key: string): string {
  return `{"key":${JSON.stringify(key)},"deleted":true}`;
}

/** The framed bytes of one record's payload. */
export function frame(payload: string): Buffer {
  const length = Buffer.byteLength(payload, 'utf8');
  const out = Buffer.allocUnsafe(FRAME_BYTES + length);
  out.write(payload, FRAME_BYTES, 'utf8');
  out.writeUInt32LE(length, 0);
  out.writeUInt32LE(crc32(out.subarray(FRAME_BYTES)) >>> 0, 4);
  return out;
}

/**
 * The records of a segment's content, in order, up to the first one that is incomplete or damaged
 * (what a crash in the middle of an append leaves). An empty file, or one cut short inside its header
 * (a crash as it was created), has none. Throws, naming `file`, when the header is another format's or
 * an intact record is not a record (a file that is not a journal of this version).
 */
export function readSegment(content: Buffer, file: string): SegmentContent {
  if (content.length < HEADER_BYTES) {
    if (HEADER.subarray(0, content.length).equals(content)) return { records: [], intactBytes: 0, tornBytes: content.length };
    throw new Error(`Storage: ${file} is not a journal segment this version can read.`);
  }
  if (!HEADER.equals(content.subarray(0, HEADER_BYTES))) throw new Error(`Storage: ${file} is not a journal segment this version can read.`);
  const records: JournalRecord[] = [];
  let at = HEADER_BYTES;
  while (at + FRAME_BYTES <= content.length) {
    const length = content.readUInt32LE(at);
    const end = at + FRAME_BYTES + length;
    if (length > MAX_RECORD_BYTES || end > content.length) break;
    const body = content.subarray(at + FRAME_BYTES, end);
    if (crc32(body) >>> 0 !== content.readUInt32LE(at + 4)) break;
    records.push(parseRecord(body.toString('utf8'), file));
    at = end;
  }
  return { records, intactBytes: at, tornBytes: content.length - at };
}

function parseRecord(text: string, file: string): JournalRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Storage: ${file} holds a record that is not JSON.`);
  }
  if (typeof value === 'object' && value !== null) {
    const r = value as { key?: unknown; deleted?: unknown; eTag?: unknown; item?: unknown };
    if (typeof r.key === 'string') {
      if (r.deleted === true) return { key: r.key, eTag: '', item: null };
      if (typeof r.eTag === 'string' && typeof r.item === 'object' && r.item !== null && !Array.isArray(r.item)) {
        return { key: r.key, eTag: r.eTag, item: JSON.stringify(r.item) };
      }
    }
  }
  throw new Error(`Storage: ${file} holds a record that is not a document.`);
}
