/** Dates as people in the office read them: local time, minutes. */
import dayjs from 'dayjs';

export const formatTime = (iso?: string | null) => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—');

/** Whole days from now to `iso`: negative when past. */
export const daysUntil = (iso: string, now = Date.now()) => Math.floor((Date.parse(iso) - now) / 86_400_000);
