import { describe, expect, it } from 'vitest';
import { rotate, type GreyImage } from '../../src/documents/raster';
import { tiffToGrey } from '../../src/documents/tiff-grey';

// 3 wide, 2 high:  1 2 3
//                  4 5 6
const img: GreyImage = { width: 3, height: 2, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]) };

describe('rotate', () => {
  it('turns a quarter clockwise', () => {
    expect(rotate(img, 90)).toEqual({ width: 2, height: 3, pixels: Uint8Array.from([4, 1, 5, 2, 6, 3]) });
  });
  it('turns a quarter back', () => {
    expect(rotate(img, 270)).toEqual({ width: 2, height: 3, pixels: Uint8Array.from([3, 6, 2, 5, 1, 4]) });
  });
  it('turns upside down', () => {
    expect(rotate(img, 180)).toEqual({ width: 3, height: 2, pixels: Uint8Array.from([6, 5, 4, 3, 2, 1]) });
  });
  it('comes back after four quarter turns, and 90 then 270 is no turn', () => {
    expect(rotate(rotate(rotate(rotate(img, 90), 90), 90), 90)).toEqual(img);
    expect(rotate(rotate(img, 90), 270)).toEqual(img);
  });
});

describe('tiffToGrey', () => {
  const base = { width: 2, height: 1, bitsPerSample: 8, samplesPerPixel: 1 };
  it('keeps BlackIsZero grey and inverts WhiteIsZero', () => {
    expect(tiffToGrey({ ...base, type: 1, data: Uint8Array.from([0, 200]) })?.pixels).toEqual(Uint8Array.from([0, 200]));
    expect(tiffToGrey({ ...base, type: 0, data: Uint8Array.from([0, 200]) })?.pixels).toEqual(Uint8Array.from([255, 55]));
  });
  it('scales 16-bit samples down', () => {
    expect(tiffToGrey({ ...base, bitsPerSample: 16, type: 1, data: Uint16Array.from([0xffff, 0x8000]) })?.pixels).toEqual(Uint8Array.from([255, 128]));
  });
  it('turns RGB and RGBA into luminance, white under transparency', () => {
    expect(tiffToGrey({ ...base, samplesPerPixel: 3, type: 2, data: Uint8Array.from([255, 255, 255, 0, 0, 0]) })?.pixels).toEqual(Uint8Array.from([255, 0]));
    expect(tiffToGrey({ ...base, samplesPerPixel: 4, type: 2, data: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255]) })?.pixels).toEqual(Uint8Array.from([255, 0]));
  });
  it('reads a palette image through its 16-bit palette', () => {
    const palette: [number, number, number][] = [[0, 0, 0], [0xffff, 0xffff, 0xffff]];
    expect(tiffToGrey({ ...base, type: 3, palette, data: Uint8Array.from([1, 0]) })?.pixels).toEqual(Uint8Array.from([255, 0]));
  });
  it('gives up on layouts it does not know (1-bit, CMYK, floats, short data)', () => {
    expect(tiffToGrey({ ...base, bitsPerSample: 1, type: 1, data: Uint8Array.from([0]) })).toBeNull();
    expect(tiffToGrey({ ...base, samplesPerPixel: 4, type: 5, data: new Uint8Array(8) })).toBeNull();
    expect(tiffToGrey({ ...base, type: 1, data: new Float32Array(2) })).toBeNull();
    expect(tiffToGrey({ ...base, type: 1, data: new Uint8Array(1) })).toBeNull();
  });
});
