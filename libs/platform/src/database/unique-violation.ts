/** Whether a Postgres error is a unique-constraint violation (SQLSTATE 23505), e.g. a connection name taken. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}
