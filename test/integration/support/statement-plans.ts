import postgres, { type Sql } from 'postgres';

/**
 * A one-connection client that keeps every statement it sends, so that a test can EXPLAIN one of them
 * afterwards exactly as the code under test sent it (its text and its parameters).
 */
export function planRecordingClient(url: string): {
  client: Sql;
  /** The plan (EXPLAIN's `QUERY PLAN`) of the first statement sent whose text contains `fragment`. */
  planOf(fragment: string, explainOptions: string): Promise<unknown>;
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
  };
}
