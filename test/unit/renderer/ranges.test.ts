import { describe, expect, it } from 'vitest';
import { MAX_EXPANSION, RangeError_, expandBracket, expandRange, expandTogether } from '../../../renderer/lib/ranges.js';

describe('expandRange', () => {
  it('expands an address range', () => {
    expect(expandRange('10.0.0.[10-13]')).toEqual(['10.0.0.10', '10.0.0.11', '10.0.0.12', '10.0.0.13']);
  });
  it('keeps zero padding of the first bound', () => {
    expect(expandRange('node-[08-11]')).toEqual(['node-08', 'node-09', 'node-10', 'node-11']);
  });
  it('takes lists and single values inside one bracket', () => {
    expect(expandBracket('1,3,5-6')).toEqual(['1', '3', '5', '6']);
  });
  it('multiplies several brackets left to right', () => {
    expect(expandRange('10.0.[1-2].[5-6]')).toEqual(['10.0.1.5', '10.0.1.6', '10.0.2.5', '10.0.2.6']);
  });
  it('leaves a pattern without brackets alone', () => {
    expect(expandRange('10.0.0.1')).toEqual(['10.0.0.1']);
  });
  it('refuses a backwards range, a stray bracket and a huge expansion', () => {
    expect(() => expandRange('10.0.0.[20-10]')).toThrow(RangeError_);
    expect(() => expandRange('10.0.0.[1-3')).toThrow(RangeError_);
    expect(() => expandRange(`x[1-${MAX_EXPANSION + 1}]`)).toThrow(/range.tooMany/);
    expect(() => expandRange('[1-100].[1-100]')).toThrow(/range.tooMany/);
  });
});

describe('expandTogether', () => {
  it('expands ranged columns in step and repeats the others', () => {
    expect(expandTogether(['worker-[1-2]', '10.0.0.[11-12]', 'x'])).toEqual([
      ['worker-1', '10.0.0.11', 'x'],
      ['worker-2', '10.0.0.12', 'x'],
    ]);
  });
  it('refuses ranges of different lengths on one row', () => {
    expect(() => expandTogether(['w-[1-2]', '10.0.0.[1-3]'])).toThrow(/range.mismatch/);
  });
});
