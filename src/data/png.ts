/** PNG bytes → a 28×28 MNIST-style digit (pngjs: pure JavaScript, no native build, nothing downloaded). */
import { PNG } from 'pngjs';
import { UserError } from '../errors.js';
import { digitFromRgba } from './prepare.js';

/** The digit in a PNG file's bytes, prepared as MNIST's were; a file that is empty, not a PNG or blank is refused with one line. */
export function digitFromPng(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) throw new UserError('empty file');
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new UserError(`not a PNG image (${(error as Error).message})`);
  }
  return digitFromRgba(png.data, png.width, png.height);
}
