import { EMPTY_POSITION, PositionProblem, applyTrade, holdingTradeSchema, sharesAt, tradeInputSchema, valueAt, type Position, type TradeMove } from './ledger';

const fold = (moves: TradeMove[], from: Position = EMPTY_POSITION) => moves.reduce((p, m) => applyTrade(p, m).position, from);

describe('applyTrade (average cost)', () => {
  it('adds a buy’s amount to cost and its shares to the position', () => {
    expect(applyTrade(EMPTY_POSITION, { kind: 'buy', amount: 10_000_000, shares: 10_000_000 })).toEqual({
      position: { shares: 10_000_000, cost: 10_000_000, realisedGain: 0 },
      costDelta: 10_000_000,
      realisedGain: 0,
    });
  });

  it('takes out a redemption’s share of the cost and realises the rest of what was received', () => {
    // 10万 bought at 1.0000; 4万 redeemed at 1.2422 = 32,200.93 shares (3,220,093 hundredths), not the 34,000 a pro-rata-to-cost rule took.
    const held = fold([{ kind: 'buy', amount: 10_000_000, shares: 10_000_000 }]);
    const out = sharesAt(4_000_000, 1.2422);
    expect(out).toBe(3_220_093);
    const effect = applyTrade(held, { kind: 'redeem', amount: 4_000_000, shares: out });
    expect(effect.costDelta).toBe(-3_220_093);
    expect(effect.realisedGain).toBe(4_000_000 - 3_220_093);
    expect(effect.position.shares).toBe(10_000_000 - out);
  });

  it('empties the cost exactly on a full redemption', () => {
    const held = fold([
      { kind: 'buy', amount: 333_333, shares: 300_000 },
      { kind: 'buy', amount: 100_001, shares: 70_000 },
    ]);
    const effect = applyTrade(held, { kind: 'redeem', amount: 500_000, shares: held.shares });
    expect(effect.position).toEqual({ shares: 0, cost: 0, realisedGain: 500_000 - 433_334 });
  });

  it('refuses to redeem more shares than are held', () => {
    const held = fold([{ kind: 'buy', amount: 100_000, shares: 100_000 }]);
    expect(() => applyTrade(held, { kind: 'redeem', amount: 1, shares: 100_001 })).toThrow(PositionProblem);
  });

  it('counts a cash dividend as realised gain and leaves shares and cost alone', () => {
    const held = fold([{ kind: 'buy', amount: 100_000, shares: 100_000 }]);
    expect(applyTrade(held, { kind: 'dividend_cash', amount: 5_000, shares: 0 }).position).toEqual({ shares: 100_000, cost: 100_000, realisedGain: 5_000 });
  });

  it('buys shares with a reinvested dividend at its cost, realising it', () => {
    const held = fold([{ kind: 'buy', amount: 100_000, shares: 100_000 }]);
    expect(applyTrade(held, { kind: 'dividend_reinvest', amount: 5_000, shares: 4_000 }).position).toEqual({
      shares: 104_000,
      cost: 105_000,
      realisedGain: 5_000,
    });
  });

  it('pays a term product out: every share leaves and the gain is what came back less the cost', () => {
    const held = fold([{ kind: 'buy', amount: 100_000, shares: 100_000 }]);
    expect(applyTrade(held, { kind: 'maturity', amount: 103_500, shares: 0 })).toMatchObject({
      position: { shares: 0, cost: 0, realisedGain: 3_500 },
      realisedGain: 3_500,
    });
  });

  it('corrects shares and cost with an adjustment but never below zero', () => {
    const held = fold([{ kind: 'buy', amount: 100_000, shares: 100_000 }]);
    expect(applyTrade(held, { kind: 'adjust', amount: 0, shares: -1_000, cost: 500 }).position).toEqual({ shares: 99_000, cost: 100_500, realisedGain: 0 });
    expect(() => applyTrade(held, { kind: 'adjust', amount: 0, shares: -100_001 })).toThrow(PositionProblem);
  });

  it('refuses a dividend or maturity on an empty position', () => {
    expect(() => applyTrade(EMPTY_POSITION, { kind: 'dividend_cash', amount: 1, shares: 0 })).toThrow(PositionProblem);
    expect(() => applyTrade(EMPTY_POSITION, { kind: 'maturity', amount: 1, shares: 0 })).toThrow(PositionProblem);
  });
});

describe('NAV conversions', () => {
  it('rounds shares and value to the hundredth and the fen', () => {
    expect(sharesAt(100, 3)).toBe(33);
    expect(valueAt(3_220_093, 1.2422)).toBe(4_000_000);
  });
});

describe('trade schemas', () => {
  const base = { customerId: 1, productId: 2, tradedOn: '2026-01-05' };

  it('needs shares or an amount for a redemption', () => {
    expect(tradeInputSchema.safeParse({ ...base, kind: 'redeem' }).success).toBe(false);
    expect(tradeInputSchema.safeParse({ ...base, kind: 'redeem', shares: 100 }).success).toBe(true);
  });

  it('needs a reason and a change for an adjustment', () => {
    expect(tradeInputSchema.safeParse({ ...base, kind: 'adjust', shares: 1 }).success).toBe(false);
    expect(tradeInputSchema.safeParse({ ...base, kind: 'adjust', notes: '对账' }).success).toBe(false);
    expect(tradeInputSchema.safeParse({ ...base, kind: 'adjust', notes: '对账', cost: -10 }).success).toBe(true);
  });

  it('ties the partner to the consignment channel', () => {
    expect(tradeInputSchema.safeParse({ ...base, kind: 'buy', amount: 1, channel: 'consignment' }).success).toBe(false);
    expect(tradeInputSchema.safeParse({ ...base, kind: 'buy', amount: 1, channel: 'consignment', partnerId: 3 }).success).toBe(true);
  });

  it('takes the customer from the path on the holding door', () => {
    const { customerId: _path, ...body } = { ...base, kind: 'buy', amount: 1 };
    expect(holdingTradeSchema.safeParse(body).success).toBe(true);
  });
});
