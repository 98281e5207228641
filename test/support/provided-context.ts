// Values the global setup hands to test files through vitest's provide/inject (works with every pool).
declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the throwaway PostgreSQL server, or null when none could be started. */
    slipwayPostgresUrl: string | null;
  }
}

export {};
