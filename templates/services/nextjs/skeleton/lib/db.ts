/**
 * The database integration point: a typed stub until a client is wired in.
 *
 * Answer `database: postgres` (or mysql) to the template, or add
 * `{type: postgres, name: database}` to the spec's dependsOn: each environment then
 * provides one and injects DATABASE_URL (docs/dependencies.md). Implement `Database`
 * with your client (pg, Prisma, Drizzle).
 */
export interface Database {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  ping(): Promise<void>;
}

export class DatabaseNotConfigured extends Error {
  constructor() {
    super("DATABASE_URL is not set: no database is configured");
  }
}

/** The database, or null when none is configured (readiness then ignores it). */
export function getDatabase(): Database | null {
  if (!process.env.DATABASE_URL) {
    return null;
  }
  return {
    async query<Row>(): Promise<Row[]> {
      throw new DatabaseNotConfigured();
    },
    async ping(): Promise<void> {
      throw new DatabaseNotConfigured();
    },
  };
}
