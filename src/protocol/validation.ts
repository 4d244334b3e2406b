/**
 * Validation failures are data; one pure formatter turns them into AWS's text:
 * "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null"
 * Several are counted ("2 validation errors detected: ") and joined with "; ".
 */
import { StsError } from './errors.js';

export interface ValidationFailure {
  /** camelCase member name as AWS prints it: roleArn, roleSessionName, webIdentityToken, durationSeconds, policy ... */
  readonly field: string;
  /** The text after "Member must ": "not be null", "have length less than or equal to 64" ... */
  readonly constraint: string;
  /** The offending value, or null when missing. */
  readonly value: string | null;
}

export function formatValidationFailures(failures: readonly ValidationFailure[]): string {
  const n = failures.length;
  const head = `${n} validation error${n === 1 ? '' : 's'} detected: `;
  return (
    head +
    failures
      .map((f) => `Value ${f.value === null ? 'null' : `'${f.value}'`} at '${f.field}' failed to satisfy constraint: Member must ${f.constraint}`)
      .join('; ')
  );
}

export function validationError(failures: readonly ValidationFailure[]): StsError {
  return new StsError('ValidationError', formatValidationFailures(failures));
}

/** Common constraint texts, as in AWS messages. */
export const CONSTRAINT = {
  notNull: 'not be null',
  minLength: (n: number) => `have length greater than or equal to ${n}`,
  maxLength: (n: number) => `have length less than or equal to ${n}`,
  minValue: (n: number) => `have value greater than or equal to ${n}`,
  maxValue: (n: number) => `have value less than or equal to ${n}`,
  pattern: (p: string) => `satisfy regular expression pattern: ${p}`,
} as const;
