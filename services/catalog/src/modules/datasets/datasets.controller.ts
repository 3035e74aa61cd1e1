import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { RequireRole } from '@cartograph/platform/graphql';
import { DatasetsService, toDataset } from './datasets.service.js';
import type { Dataset } from './dataset.model.js';

/** The REST face of the registry, for tools that do not speak GraphQL: `GET /api/catalog/datasets/<id>` at the gateway. */
@Controller('api/datasets')
@RequireRole('viewer')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Get(':id')
  async get(@Param('id') id: string): Promise<Dataset> {
    const [entity] = await this.datasets.byIds([id]);
    if (!entity) {
      throw new NotFoundException({ error: { code: 'NOT_FOUND', message: `Dataset ${id} not found` } });
    }
    return toDataset(entity);
  }
}
