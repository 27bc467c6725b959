import postgres, { type Sql } from 'postgres';

/**
 * A one-connection client that keeps every statement it sends, so that a test can EXPLAIN one of them
 * afterwards exactly as the code under test sent it (its text and its parameters).
 */
export function planRecordingClient(url: string): {
  client: Sql;
  /** The plan (EXPLAIN's `QUERY PLAN`) of the first statement sent whose text contains `fragment`. */
  planOf(fragment: string, explainOptions: string): Promise<unknown>;
  /**
   * The same statement's generic plan: the one PostgreSQL keeps for a prepared statement after a few
   * calls, made without its values (plan_cache_mode = force_generic_plan). Runs on the client's connection.
   */
  genericPlanOf(fragment: string, explainOptions: string): Promise<unknown>;
} {
  const seen: { query: string; params: unknown[] }[] = [];
  const client = postgres(url, { max: 1, onnotice: () => {}, debug: (_conn, query, params) => seen.push({ query, params: [...params] }) });
  return {
    client,
    async planOf(fragment, explainOptions) {
      const sent = seen.find((s) => s.query.includes(fragment));
      if (!sent) throw new Error(`no statement containing ${JSON.stringify(fragment)} was sent`);
      const [explained] = await client.unsafe(`explain (${explainOptions}) ${sent.query}`, sent.params as never[]);
      return explained!['QUERY PLAN'];
    },
    async genericPlanOf(fragment, explainOptions) {
      const sent = seen.find((s) => s.query.includes(fragment));
      if (!sent) throw new Error(`no statement containing ${JSON.stringify(fragment)} was sent`);
      const literal = (v: unknown) => (v === null || v === undefined ? 'null' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
      await client.unsafe('set plan_cache_mode = force_generic_plan');
      await client.unsafe(`prepare generic_plan_of as ${sent.query}`);
      try {
        const [explained] = await client.unsafe(`explain (${explainOptions}) execute generic_plan_of(${sent.params.map(literal).join(', ')})`);
        return explained!['QUERY PLAN'];
      } finally {
        await client.unsafe('deallocate generic_plan_of');
        await client.unsafe('reset plan_cache_mode');
      }
    },
  };
}

/** A node of an EXPLAIN (FORMAT JSON) plan, with the fields the plan tests read (ANALYZE's among them). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** A plan node and every node under it. */
export const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** The rows a node read (EXPLAIN ANALYZE): those it returned and those its filter removed, over all its loops. */
export const rowsRead = (n: PlanNode): number => (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'];
