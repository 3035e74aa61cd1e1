import type { NextFunction, Request, Response } from 'express';
import { verifyIdentity, type Identity } from '../auth/identity.js';

const OPEN_PATHS = /^\/(health\/(live|ready)|metrics)\/?$/;

/**
 * Subgraphs trust only the gateway: every request but health and metrics must carry the identity header
 * the gateway signed with the internal secret. A direct call without it is refused before any resolver runs.
 */
export function identityMiddleware(secret: string, onRefused?: (reason: string, request: Request) => void) {
  return (request: Request & { identity?: Identity }, response: Response, next: NextFunction): void => {
    if (OPEN_PATHS.test(request.path)) {
      next();
      return;
    }
    const check = verifyIdentity(request.headers, secret);
    if (!check.ok) {
      onRefused?.(check.reason, request);
      response
        .status(401)
        .json({ errors: [{ message: `Refused: ${check.reason}`, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    request.identity = check.identity;
    next();
  };
}
