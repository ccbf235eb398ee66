// Dates are shown as dd/mm/yyyy and times in Asia/Ho_Chi_Minh, whatever the browser's own zone
// and language. The server speaks RFC 3339 UTC.

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function parts(d: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of dateTimeFormat.formatToParts(d)) out[p.type] = p.value;
  return out;
}

function parse(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "24/11/2026" */
export function formatDate(value: string | null | undefined): string {
  const d = parse(value);
  if (!d) return '';
  const p = parts(d);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "24/11/2026 11:49" */
export function formatDateTime(value: string | null | undefined): string {
  const d = parse(value);
  if (!d) return '';
  const p = parts(d);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** "24/11/2026 11:49:52" */
export function formatDateTimeSeconds(value: string | null | undefined): string {
  const d = parse(value);
  if (!d) return '';
  const p = parts(d);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

/** True when the RFC 3339 time is in the future. */
export function isFuture(value: string | null | undefined): boolean {
  const d = parse(value);
  return d !== null && d.getTime() > Date.now();
}

// Viet Nam has kept UTC+7 without daylight saving since 1975, so a wall-clock time there maps to
// UTC by a fixed offset.
const VN_OFFSET_HOURS = 7;

/**
 * Parses "dd/mm/yyyy" or "dd/mm/yyyy HH:mm" typed by the user as a time in Asia/Ho_Chi_Minh and
 * returns RFC 3339 UTC, or null when the text is not such a date. As a lower bound it is the start
 * of that day (or minute). As an exclusive upper bound (`upper`) it is the start of the next day
 * (or minute), so that "to 24/11/2026" includes all of the 24th.
 */
export function parseVnDateTime(text: string, upper = false): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?\s*$/.exec(text);
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = Number(m[3]);
  const hasTime = m[4] !== undefined;
  const hour = hasTime ? Number(m[4]) : 0;
  const minute = hasTime ? Number(m[5]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return null; // 31/02 and the like
  let ms = Date.UTC(year, month - 1, day, hour - VN_OFFSET_HOURS, minute);
  if (upper) ms += hasTime ? 60_000 : 86_400_000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A calendar day "yyyy-mm-dd" (no time, no zone) as "dd/mm/yyyy"; other text unchanged. */
export function formatDay(day: string | null | undefined): string {
  if (!day) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day;
}

/**
 * A day typed as "dd/mm/yyyy" -> "yyyy-mm-dd"; '' for empty text; null when it is not a real day.
 */
export function parseVnDay(text: string): string | '' | null {
  const s = text.trim();
  if (s === '') return '';
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = Number(m[3]);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Today in Asia/Ho_Chi_Minh as "yyyy-mm-dd". */
export function todayVn(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date());
}

/**
 * How long ago an RFC 3339 time was, in the given language ("3 phút trước" / "3 minutes ago");
 * '' for no time. `now` is a parameter so that a page refreshing every few seconds stays exact.
 */
export function formatRelative(value: string | null | undefined, lang: string, now = Date.now()): string {
  const d = parse(value);
  if (!d) return '';
  const seconds = Math.round((d.getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang === 'en' ? 'en' : 'vi', { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}
