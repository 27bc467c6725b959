import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../../src/metrics/prometheus-text';

const text = `# HELP liquibot_tickets Tickets by status
# TYPE liquibot_tickets gauge
liquibot_tickets{status="awaiting_approval"} 3
liquibot_tickets{status="non_conforming"} 0
liquibot_answer_seconds_bucket{le="+Inf",kind="acknowledgment"} 2
liquibot_database_up 1
weird{label="a \\"quoted\\" value"} 1.5e3
not a sample
`;

describe('parsePrometheusText', () => {
  const samples = parsePrometheusText(text);
  it.each<[string, Record<string, string>, number | undefined]>([
    ['liquibot_tickets', { status: 'awaiting_approval' }, 3],
    ['liquibot_tickets', { status: 'non_conforming' }, 0],
    ['liquibot_tickets', { status: 'resolved' }, undefined],
    ['liquibot_answer_seconds_bucket', { le: '+Inf', kind: 'acknowledgment' }, 2],
    ['liquibot_database_up', {}, 1],
    ['weird', { label: 'a "quoted" value' }, 1500],
    ['missing', {}, undefined],
  ])('%s %j → %s', (name, labels, value) => {
    expect(sampleValue(samples, name, labels)).toBe(value);
  });
  it('skips comments and malformed lines', () => {
    expect(samples).toHaveLength(5);
  });
});
