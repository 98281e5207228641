/**
 * Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629), or
 * `bytes.length` when all are well-formed. TextDecoder only says *that* decoding failed, not where.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index);
    if (length === 0) {
      return index;
    }
    index += length;
  }
  return bytes.length;
}

/** Length, and the allowed range of the second byte, for each lead byte; undefined for invalid leads. */
function sequenceShape(lead: number): [length: number, low: number, high: number] | undefined {
  // The second-byte ranges exclude overlong forms, UTF-16 surrogates and code points above U+10FFFF.
  if (lead >= 0xc2 && lead <= 0xdf) {
    return [2, 0x80, 0xbf];
  }
  if (lead === 0xe0) {
    return [3, 0xa0, 0xbf];
  }
  if (lead === 0xed) {
    return [3, 0x80, 0x9f];
  }
  if (lead >= 0xe1 && lead <= 0xef) {
    return [3, 0x80, 0xbf];
  }
  if (lead === 0xf0) {
    return [4, 0x90, 0xbf];
  }
  if (lead >= 0xf1 && lead <= 0xf3) {
    return [4, 0x80, 0xbf];
  }
  if (lead === 0xf4) {
    return [4, 0x80, 0x8f];
  }
  return undefined;
}

function sequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] ?? 0;
  if (lead < 0x80) {
    return 1;
  }
  const shape = sequenceShape(lead);
  if (!shape) {
    return 0;
  }
  const [length, low, high] = shape;
  const second = bytes[index + 1] ?? -1;
  if (second < low || second > high) {
    return 0;
  }
  for (let next = 2; next < length; next++) {
    const byte = bytes[index + next] ?? -1;
    if (byte < 0x80 || byte > 0xbf) {
      return 0;
    }
  }
  return length;
}
