import { Injectable } from '@nestjs/common';
import { roles } from '@cartograph/platform/auth';
import { badUserInput } from '@cartograph/platform/graphql';
import { SemanticLayerQueryError, parseWhereFilter, type RolePolicy } from '@cartograph/semantic-layer';
import type { SemanticLayerRolePolicy, SemanticLayerRolePolicyInput } from './metric-query.model.js';
import { RolePoliciesRepository } from './role-policies.repository.js';
import type { RolePolicyEntity } from './role-policy.entity.js';

const PATTERN = /^[A-Za-z0-9_*?]{1,256}$/;

function checkPatterns(values: string[] | null | undefined, argument: string): string[] | null {
  if (values == null) return null;
  return values.map((value, index) => {
    if (!PATTERN.test(value))
      throw badUserInput(
        `${argument}[${index}]: ${JSON.stringify(value.slice(0, 100))} is not a name or glob (letters, digits, _, * and ?)`,
        { argument },
      );
    return value.toLowerCase();
  });
}

function toView(entity: RolePolicyEntity): SemanticLayerRolePolicy {
  return {
    role: entity.role,
    allowedMetrics: entity.allowedMetrics,
    allowedDimensions: entity.allowedDimensions,
    allowedSavedQueries: entity.allowedSavedQueries,
    rowFilters: entity.rowFilters,
    updatedAt: entity.updatedAt,
  };
}

@Injectable()
export class RolePoliciesService {
  constructor(private readonly policies: RolePoliciesRepository) {}

  /** The role's policy in the library's terms; a role without a row may use everything. */
  async policyFor(role: string): Promise<RolePolicy> {
    const entity = await this.policies.byRole(role);
    if (!entity) return {};
    return {
      allowedMetrics: entity.allowedMetrics ?? undefined,
      allowedDimensions: entity.allowedDimensions ?? undefined,
      allowedSavedQueries: entity.allowedSavedQueries ?? undefined,
      rowFilters: entity.rowFilters,
    };
  }

  async list(): Promise<SemanticLayerRolePolicy[]> {
    return (await this.policies.all()).map(toView);
  }

  async set(
    role: string,
    input: SemanticLayerRolePolicyInput,
    updatedBy: string | null,
  ): Promise<SemanticLayerRolePolicy> {
    if (!(roles as readonly string[]).includes(role))
      throw badUserInput(
        `role must be one of ${roles.join(', ')}, got ${JSON.stringify(role.slice(0, 40))}`,
        {
          argument: 'role',
        },
      );
    const rowFilters = (input.rowFilters ?? []).map((filter, index) => {
      try {
        return parseWhereFilter(filter, `rowFilters[${index}]`).sql;
      } catch (error) {
        if (error instanceof SemanticLayerQueryError)
          throw badUserInput(error.message, { argument: 'rowFilters' });
        throw error;
      }
    });
    const entity = await this.policies.upsert({
      role,
      allowedMetrics: checkPatterns(input.allowedMetrics, 'allowedMetrics'),
      allowedDimensions: checkPatterns(input.allowedDimensions, 'allowedDimensions'),
      allowedSavedQueries: checkPatterns(input.allowedSavedQueries, 'allowedSavedQueries'),
      rowFilters,
      updatedBy,
    });
    return toView(entity);
  }
}
