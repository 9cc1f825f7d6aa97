import { isValidDuration, parseDuration, tryParseDuration } from '../../domain/duration';

const S = 1000;
const H = 3600 * S;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['PT0S', 0],
    ['PT30S', 30 * S],
    ['PT1.5S', 1500],
    ['PT1M', 60 * S],
    ['PT90M', 90 * 60 * S],
    ['PT2H', 2 * H],
    ['P3D', 3 * D],
    ['P2W', 14 * D],
    ['P1DT12H', 36 * H],
    ['P1W2DT3H4M5S', 9 * D + 3 * H + 4 * 60 * S + 5 * S],
  ])('%s = %d ms', (iso, ms) => {
    expect(parseDuration(iso)).toBe(ms);
    expect(isValidDuration(iso)).toBe(true);
  });

  it.each(['P1Y', 'P1M', 'P1Y2M', 'P', 'PT', 'P1DT', 'garbage', '', '3D', '-P1D', 'p1d', 'P1.5D', 'PT1H ', 'P1D2W'])(
    'refuses %p',
    (iso) => {
      expect(tryParseDuration(iso)).toBeUndefined();
      expect(isValidDuration(iso)).toBe(false);
      let code: string | undefined;
      try {
        parseDuration(iso);
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code).toBe('VALIDATION_FAILED');
    },
  );
});
