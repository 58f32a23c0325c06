import { IngestHold } from './ingest-hold';

describe('when the event worker’s next round may run, given the deliveries', () => {
  it('runs at once when nothing was delivered', () => {
    expect(new IngestHold(100, 1000).holdMs(5_000)).toBe(0);
  });

  it('waits until deliveries have paused for the quiet time', () => {
    const hold = new IngestHold(100, 1000);
    hold.stored(1_000);
    expect(hold.holdMs(1_030)).toBe(70);
    expect(hold.holdMs(1_100)).toBe(0);
  });

  it('lets a round run after the longest hold of a steady stream, then holds again', () => {
    const hold = new IngestHold(100, 1000);
    for (let t = 0; t < 1_000; t += 50) {
      hold.stored(t);
      expect(hold.holdMs(t)).toBeGreaterThan(0);
    }
    hold.stored(1_000);
    expect(hold.holdMs(1_000)).toBe(0);
    hold.stored(1_010);
    expect(hold.holdMs(1_010)).toBe(100);
  });

  it('never holds past the end of the longest hold', () => {
    const hold = new IngestHold(100, 1000);
    hold.stored(0);
    expect(hold.holdMs(0)).toBe(100);
    hold.stored(960);
    expect(hold.holdMs(960)).toBe(40);
  });
});
