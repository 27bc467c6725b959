import { TICKET_STATUSES, type TicketStatus } from '../db/vocabulary';
import { AppError } from '../errors';

/** Before its first commit a ticket is `new`: a pseudo-state, never stored. */
export type TicketState = TicketStatus | 'new';

/**
 * The one transition table: which workflow event moves a ticket from which states to which state.
 * Every change of `tickets.status` is one of these, applied by applyDecision (apply-decision.ts);
 * the status groups below are derived from it, never listed by hand.
 */
export const TICKET_TRANSITIONS = {
  /** A request (or the requester's fix) passes every check: the agents must decide. */
  found_conforming: { from: ['new', 'non_conforming'], to: 'awaiting_approval' },
  /** A request (or a fix) still fails a check: the requester gets a notice. */
  found_non_conforming: { from: ['new', 'non_conforming'], to: 'non_conforming' },
  /** An agent (mail or terminal) approves: the reset link goes out at once, the request is resolved. */
  approve: { from: ['awaiting_approval'], to: 'resolved' },
  refuse: { from: ['awaiting_approval'], to: 'refused' },
  /** The last link ran out unused (the expiry sweep). */
  expire_link: { from: ['resolved', 'reissued'], to: 'link_expired' },
  /** The liquidator answers that the link ran out: a new one goes out. */
  reissue_link: { from: ['resolved', 'reissued', 'link_expired'], to: 'reissued' },
  /** …past MAX_LINK_REISSUES the agents decide again. */
  return_to_agents: { from: ['resolved', 'reissued', 'link_expired'], to: 'awaiting_approval' },
  /** Retention: a non-conforming request nobody completed for RETENTION_DAYS. */
  abandon: { from: ['non_conforming'], to: 'abandoned' },
} as const satisfies Record<string, { from: readonly TicketState[]; to: TicketStatus }>;

export type TransitionEvent = keyof typeof TICKET_TRANSITIONS;
export const TRANSITION_EVENTS = Object.keys(TICKET_TRANSITIONS) as TransitionEvent[];

/** A transition as a decision carries it: checked against the table when made and again when applied. */
export interface Transition {
  event: TransitionEvent;
  from: TicketState;
  to: TicketStatus;
}

/** Whether `event` may happen to a ticket in `state`. */
export function canTransition(state: TicketState, event: TransitionEvent): boolean {
  return (TICKET_TRANSITIONS[event].from as readonly TicketState[]).includes(state);
}

/**
 * The transition `event` from `state`. An illegal one is a programmer error (a decision that did not
 * check the state it was given): AppError ILLEGAL_TRANSITION.
 */
export function transition(state: TicketState, event: TransitionEvent): Transition {
  if (!canTransition(state, event)) {
    throw new AppError('ILLEGAL_TRANSITION', `ticket transition ${event} is not allowed from ${state}`);
  }
  return { event, from: state, to: TICKET_TRANSITIONS[event].to };
}

/** The stored states from which `event` may happen. */
export function statesAllowing(event: TransitionEvent): TicketStatus[] {
  return TICKET_STATUSES.filter((s) => canTransition(s, event));
}

/** States no event leaves: the request is over. */
export const FINAL_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => !TRANSITION_EVENTS.some((e) => canTransition(s, e)));
/** States some event leaves: the request is still alive (a new mail may act on it). */
export const OPEN_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));
/** States in which the agents' decision is awaited. */
export const DECIDABLE_STATUSES: readonly TicketStatus[] = statesAllowing('approve');
/** States in which the requester's fix is checked again. */
export const CORRECTABLE_STATUSES: readonly TicketStatus[] = statesAllowing('found_conforming');
/** States in which the liquidator may reopen the request because the link ran out (procedure, section 4). */
export const REOPENABLE_STATUSES: readonly TicketStatus[] = statesAllowing('reissue_link');
/** States in which a sent link may still be running out. */
export const LINK_RUNNING_STATUSES: readonly TicketStatus[] = statesAllowing('expire_link');

/**
 * States in which nothing is awaited from liquibot or the agents: final, or served (a link went out;
 * only the liquidator can move it again). Retention treats these requests as over.
 */
export const SERVED_OR_FINAL_STATUSES: readonly TicketStatus[] = [...FINAL_STATUSES, ...REOPENABLE_STATUSES];

/** The states reachable from `new`: a state the table cannot reach would be a phantom. */
export function reachableStates(): Set<TicketState> {
  const seen = new Set<TicketState>(['new']);
  for (let grew = true; grew;) {
    grew = false;
    for (const e of TRANSITION_EVENTS) {
      const t = TICKET_TRANSITIONS[e];
      if (!seen.has(t.to) && (t.from as readonly TicketState[]).some((f) => seen.has(f))) {
        seen.add(t.to);
        grew = true;
      }
    }
  }
  return seen;
}
