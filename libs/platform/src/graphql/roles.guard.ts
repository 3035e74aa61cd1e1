import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  SetMetadata,
  applyDecorators,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { hasRole, type Role } from '../auth/roles.js';
import type { Identity } from '../auth/identity.js';
import { forbidden, unauthenticated } from './errors.js';

const REQUIRED_ROLE = 'cartograph:required-role';

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required =
      this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'viewer';
    const graphql = context.getType<string>() === 'graphql';
    const identity: Identity | undefined = graphql
      ? GqlExecutionContext.create(context).getContext<{ identity?: Identity }>().identity
      : context.switchToHttp().getRequest<{ identity?: Identity }>().identity;
    if (!identity) {
      if (!graphql) {
        throw new UnauthorizedException({
          error: { code: 'UNAUTHENTICATED', message: 'Authentication required' },
        });
      }
      throw unauthenticated();
    }
    if (!hasRole(identity.role, required)) {
      const message = `This needs the "${required}" role; your key has "${identity.role}"`;
      // REST routes answer with an HTTP status and the same code; GraphQL carries it in extensions.
      if (!graphql) throw new ForbiddenException({ error: { code: 'FORBIDDEN', message } });
      throw forbidden(message);
    }
    return true;
  }
}

/** Roles are enforced next to the data: every resolver states what it needs (viewer when unstated). */
export function RequireRole(role: Role): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_ROLE, role), UseGuards(RolesGuard));
}
