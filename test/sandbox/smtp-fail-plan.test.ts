import { describe, expect, it } from 'vitest';
import { createFailPlanState, failAlways, failTimes } from '../support/sandbox/smtp-fail-plan';

describe('createFailPlanState', () => {
  it('refuses messages N times, then accepts', () => {
    const plan = createFailPlanState(failTimes(2, 451));
    expect([plan.refuseMessage()?.code, plan.refuseMessage()?.code, plan.refuseMessage()]).toEqual([451, 451, undefined]);
  });

  it('refuses one recipient forever and leaves messages and other recipients alone', () => {
    const plan = createFailPlanState(failAlways(550, 'Gone@Example.org'));
    expect(plan.refuseRecipient('gone@example.org')?.code).toBe(550);
    expect(plan.refuseRecipient('gone@example.org')?.code).toBe(550);
    expect(plan.refuseRecipient('ok@example.org')).toBeUndefined();
    expect(plan.refuseMessage()).toBeUndefined();
  });

  it('applies rules in order, each with its own count', () => {
    const plan = createFailPlanState([failTimes(1, 421), failTimes(1, 452)]);
    expect([plan.refuseMessage()?.code, plan.refuseMessage()?.code, plan.refuseMessage()]).toEqual([421, 452, undefined]);
  });

  it('accepts everything without a plan', () => {
    const plan = createFailPlanState(undefined);
    expect(plan.refuseMessage()).toBeUndefined();
    expect(plan.refuseRecipient('a@example.org')).toBeUndefined();
  });
});
