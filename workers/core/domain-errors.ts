// What a domain command refuses, typed: thrown by workers/, mapped to problem+json once, in
// api/error-handler.ts. The detail is what the caller reads; it names no personal data.

/** The base: an error the domain expects and the API answers with a 4xx. */
export class DomainError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = new.target.name;
  }
}

/** No such entity in the caller's organisation (404). */
export class NotFoundError extends DomainError {
  constructor(detail = 'No such resource.') {
    super(detail);
  }
}

/** The entity's state or a unique value forbids the command (409); `field` names where. */
export class ConflictError extends DomainError {
  constructor(
    detail: string,
    readonly field: string,
  ) {
    super(detail);
  }
}

/** A value the domain refuses (400), or one too large to take (413 with `tooLarge`). */
export class InvalidFieldError extends DomainError {
  constructor(
    readonly field: string,
    readonly problem: string,
    detail: string,
    readonly tooLarge = false,
  ) {
    super(detail);
  }
}

/**
 * The caller's standing ended while its request ran (its organisation ended after its key or
 * session was let in): nothing was stored (401, as the caller's next request is answered).
 */
export class CallerGoneError extends DomainError {}
