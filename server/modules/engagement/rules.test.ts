import { fillQuickReply, renderWelcome } from '@shared/engagement';
import { nextRemarkMobiles, sameMobiles } from './rules';

describe('nextRemarkMobiles', () => {
  it('puts the new phone first and takes the previous one out', () => {
    expect(nextRemarkMobiles(['13900001001'], '13900001002', ['13900001001'])).toEqual(['13900001002']);
  });

  it('keeps the numbers the rep put there for other reasons', () => {
    expect(nextRemarkMobiles(['13900001001', '13700000000'], '13900001002', ['13900001001'])).toEqual(['13900001002', '13700000000']);
  });

  it('recognises the previous phone however the rep spelled it', () => {
    expect(nextRemarkMobiles(['139-0000-1001'], '13900001002', ['13900001001'])).toEqual(['13900001002']);
  });

  it('takes out every number the CRM wrote before and no longer holds', () => {
    expect(nextRemarkMobiles(['13900001002', '13900001003', '13700000000'], '13900001004', ['13900001002', '13900001003'])).toEqual([
      '13900001004',
      '13700000000',
    ]);
  });

  it('does not list the new phone twice', () => {
    expect(nextRemarkMobiles(['+86 139 0000 1002'], '13900001002', [null])).toEqual(['13900001002']);
  });
});

describe('sameMobiles', () => {
  it('is order-sensitive: the first number is the one matching reads first', () => {
    expect(sameMobiles(['1', '2'], ['2', '1'])).toBe(false);
  });
});

describe('renderWelcome', () => {
  it('fills the customer and the rep', () => {
    expect(renderWelcome('{客户称呼}您好，我是{销售姓名}', { customer: '王芳', rep: '李娜' })).toBe('王芳您好，我是李娜');
  });

  it('leaves the customer out when the name is not known in time', () => {
    expect(renderWelcome('{客户称呼}您好', { customer: null, rep: '李娜' })).toBe('您好');
  });
});

describe('fillQuickReply', () => {
  it('fills every placeholder', () => {
    expect(fillQuickReply('{客户称呼}好，{客户称呼}', '张总')).toBe('张总好，张总');
  });
});
