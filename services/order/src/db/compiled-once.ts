/**
 * A query whose shape never changes, compiled once and run with new parameter values: Kysely otherwise
 * builds the query's operation tree and compiles it to SQL on every call, a visible share of a status read
 * (GET /orders/{id}) in the CPU profile (bench/cpu-per-request.ts). Compiled with the dialect of the first
 * executor it runs on; the database and its transactions share that dialect.
 */
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Executor } from './database.js';

export class CompiledOnce<Row, Params extends readonly unknown[]> {
  private compiled: CompiledQuery<Row> | undefined;

  /**
   * @param build the query, with `params` in the places their values go; the compiled query must list them
   *   in the same order (checked on first use).
   * @param placeholders stand-in values for the first compilation, all distinct.
   */
  constructor(
    private readonly build: (executor: Executor, ...params: Params) => Compilable<Row>,
    private readonly placeholders: Params,
  ) {}

  async run(executor: Executor, ...params: Params): Promise<QueryResult<Row>> {
    this.compiled ??= this.compile(executor);
    return executor.executeQuery<Row>({ ...this.compiled, parameters: params });
  }

  private compile(executor: Executor): CompiledQuery<Row> {
    const compiled = this.build(executor, ...this.placeholders).compile();
    const same =
      compiled.parameters.length === this.placeholders.length &&
      compiled.parameters.every((value, index) => value === this.placeholders[index]);
    if (!same) {
      throw new Error(`a compiled-once query must take exactly its parameters, in order: ${compiled.sql}`);
    }
    return compiled;
  }
}
