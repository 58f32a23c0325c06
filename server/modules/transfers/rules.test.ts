import { chunks, nextPollAt, refusalText, statusOfCode, MAX_POLL_GAP_MS } from './rules';

describe('transfer rules', () => {
  it('maps WeCom status codes 1–5 to our statuses', () => {
    expect([1, 2, 3, 4, 5].map(statusOfCode)).toEqual(['done', 'waiting', 'refused', 'limit', 'no_record']);
  });

  it('treats an unknown status code as no record', () => {
    expect(statusOfCode(9)).toBe('no_record');
  });

  it('explains the 90-day rule in Chinese', () => {
    expect(refusalText(40128)).toBe('该客户 90 天内已被转接 2 次，暂不能再转接');
  });

  it('names an errcode it does not know, with WeCom’s message', () => {
    expect(refusalText(12345, 'boom')).toBe('企业微信返回错误码 12345（boom）');
  });

  it('cuts 250 customers into calls of 100, 100 and 50', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `wm${i}`);
    expect(chunks(ids).map((c) => c.length)).toEqual([100, 100, 50]);
  });

  it('polls again just after the soonest takeover time', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const at = nextPollAt([new Date('2026-12-01T00:00:10Z'), new Date('2026-12-01T00:00:30Z')], now);
    expect(at.toISOString()).toBe('2026-12-01T00:00:11.000Z');
  });

  it('polls at least hourly while the customer may still object', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const at = nextPollAt([new Date('2026-12-02T00:00:00Z')], now);
    expect(at.getTime() - now.getTime()).toBe(MAX_POLL_GAP_MS);
  });

  it('never polls in the past when a takeover time has passed', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const at = nextPollAt([new Date('2026-11-30T00:00:00Z')], now);
    expect(at.getTime()).toBeGreaterThan(now.getTime());
  });
});
