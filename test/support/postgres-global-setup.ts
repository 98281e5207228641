// Placeholder: the store work replaces this with a throwaway PostgreSQL server for the contract suite.
export default async function setup(): Promise<void> {}
