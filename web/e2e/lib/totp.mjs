// RFC 6238 TOTP (HMAC-SHA1, 30-second step, 6 digits) from a base32 secret, with node:crypto only.
import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text) {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totpAt(secret, step, digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export function currentStep(nowMs = Date.now(), period = 30) {
  return Math.floor(nowMs / 1000 / period);
}

/**
 * A code that the server has not seen yet for this secret: a code may be used once per 30 s step,
 * so when `lastStep` (the step of the previous code used) is the current one, wait for the next.
 * Returns { code, step }.
 */
export async function freshCode(secret, lastStep = -1) {
  let step = currentStep();
  while (step <= lastStep) {
    const msToNext = (step + 1) * 30_000 - Date.now() + 250;
    await new Promise((r) => setTimeout(r, Math.max(msToNext, 50)));
    step = currentStep();
  }
  // Avoid a code that expires while it travels: with under 2 s left, wait for the next step.
  const left = (step + 1) * 30_000 - Date.now();
  if (left < 2000) {
    await new Promise((r) => setTimeout(r, left + 250));
    step = currentStep();
  }
  return { code: totpAt(secret, step), step };
}
