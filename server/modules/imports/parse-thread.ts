/**
 * Worker-thread entry (see `readFirstSheetOffThread`): parses one upload away from the event
 * loop, so a 50k-row sheet (~1.5 s of SheetJS) never stalls the requests of everyone else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../../errors';
import { readFirstSheet } from './workbook';

try {
  parentPort!.postMessage({ rows: readFirstSheet(Buffer.from(workerData as Uint8Array)) });
} catch (err) {
  parentPort!.postMessage({ refused: err instanceof DomainError ? err.message : null });
}
