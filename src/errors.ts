/**
 * Errors we expect a user to meet (bad flags, bad data). The CLI prints their message on one
 * line and exits with code 2; anything else is a bug and keeps its stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** A data file or directory that cannot be used, with the file and the problem named. */
export class DataError extends UserError {
  override name = 'DataError';
}
