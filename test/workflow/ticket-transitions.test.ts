import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES } from '../../src/db/vocabulary';
import { isAppError } from '../../src/errors';
import {
  CORRECTABLE_STATUSES, DECIDABLE_STATUSES, FINAL_STATUSES, OPEN_STATUSES, REOPENABLE_STATUSES, SERVED_OR_FINAL_STATUSES,
  TICKET_TRANSITIONS, TRANSITION_EVENTS, canTransition, reachableStates, transition, type TicketState, type TransitionEvent,
} from '../../src/workflow/ticket-transitions';

const STATES: TicketState[] = ['new', ...TICKET_STATUSES];

/** The whole table, written out: (state, event) → next state, or null when illegal. */
const EXPECTED: Record<TransitionEvent, Partial<Record<TicketState, string>>> = {
  found_conforming: { new: 'awaiting_approval', non_conforming: 'awaiting_approval' },
  found_non_conforming: { new: 'non_conforming', non_conforming: 'non_conforming' },
  approve: { awaiting_approval: 'resolved' },
  refuse: { awaiting_approval: 'refused' },
  expire_link: { resolved: 'link_expired', reissued: 'link_expired' },
  reissue_link: { resolved: 'reissued', reissued: 'reissued', link_expired: 'reissued' },
  return_to_agents: { resolved: 'awaiting_approval', reissued: 'awaiting_approval', link_expired: 'awaiting_approval' },
  abandon: { non_conforming: 'abandoned' },
};

const cells = TRANSITION_EVENTS.flatMap((event) => STATES.map((state) => [state, event, EXPECTED[event][state] ?? null] as const));

describe('the transition table', () => {
  it.each(cells.filter(([, , to]) => to !== null))('%s --%s--> %s', (state, event, to) => {
    expect(canTransition(state, event)).toBe(true);
    expect(transition(state, event)).toEqual({ event, from: state, to });
  });

  it.each(cells.filter(([, , to]) => to === null))('%s --%s--> illegal: throws ILLEGAL_TRANSITION', (state, event) => {
    expect(canTransition(state, event)).toBe(false);
    let thrown: unknown;
    try {
      transition(state, event);
    } catch (err) {
      thrown = err;
    }
    expect(isAppError(thrown, 'ILLEGAL_TRANSITION')).toBe(true);
    expect((thrown as Error).message).toContain(`${event} is not allowed from ${state}`);
  });

  it('has no event missing from the expected table (a new event must be added above)', () => {
    expect(Object.keys(TICKET_TRANSITIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('has no phantom state: every stored status is reachable from new, and every target is a stored status', () => {
    expect([...reachableStates()].sort()).toEqual([...STATES].sort());
    for (const e of TRANSITION_EVENTS) expect(TICKET_STATUSES).toContain(TICKET_TRANSITIONS[e].to);
  });

  it('never goes back to new', () => {
    for (const e of TRANSITION_EVENTS) expect(TICKET_TRANSITIONS[e].to).not.toBe('new');
  });
});

describe('status groups, derived from the table', () => {
  it.each([
    ['FINAL', FINAL_STATUSES, ['abandoned', 'refused']],
    ['OPEN', OPEN_STATUSES, ['awaiting_approval', 'link_expired', 'non_conforming', 'reissued', 'resolved']],
    ['DECIDABLE', DECIDABLE_STATUSES, ['awaiting_approval']],
    ['CORRECTABLE', CORRECTABLE_STATUSES, ['non_conforming']],
    ['REOPENABLE', REOPENABLE_STATUSES, ['link_expired', 'reissued', 'resolved']],
    ['SERVED_OR_FINAL', SERVED_OR_FINAL_STATUSES, ['abandoned', 'link_expired', 'refused', 'reissued', 'resolved']],
  ] as const)('%s', (_name, group, want) => {
    expect([...group].sort()).toEqual(want);
  });

  it('OPEN and FINAL split the statuses', () => {
    expect([...OPEN_STATUSES, ...FINAL_STATUSES].sort()).toEqual([...TICKET_STATUSES].sort());
  });
});
