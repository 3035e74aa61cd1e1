import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { datasetId, type Platform } from '@cartograph/catalog-model';
import { DatasetRemoved, DatasetUpserted, type EventData } from '@cartograph/contracts';
import { OutboxPublisher } from '@cartograph/platform/events';
import { analyzeStatement, type SqlPlatform } from '../history/sql-analysis.js';
import type { WarehouseConnectionEntity } from '../connections/warehouse-connection.entity.js';
import { nameFilterOf } from '../connections/name-filter.js';
import type { CrawledTable, WarehouseConnector } from '../connectors/warehouse-connector.js';
import { LineageRepository, type EdgePair } from '../lineage/lineage.repository.js';
import { LineageService } from '../lineage/lineage.service.js';
import type { WarehouseTableEntity } from './warehouse-table.entity.js';
import { WarehouseTablesRepository } from './warehouse-tables.repository.js';

export interface CrawlCounts {
  tables: number;
  columns: number;
  datasetsUpserted: number;
  datasetsRemoved: number;
  viewEdges: number;
}

const MAXIMUM_COMMENT = 10_000;

/** The scope of edges read from a connection's view definitions (replaced as a whole each crawl). */
export const viewScope = (connectionId: string) => `warehouse/${connectionId}/views`;

/**
 * A schema crawl: every table the filters admit is read first, then applied in one transaction (new and
 * changed tables announced, tables gone from the warehouse removed), so a crawl that fails half-way changes
 * nothing. View definitions become `view` edges.
 */
@Injectable()
export class CrawlService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tables: WarehouseTablesRepository,
    private readonly lineage: LineageRepository,
    private readonly lineageService: LineageService,
    private readonly publisher: OutboxPublisher,
  ) {}

  async crawl(
    connection: WarehouseConnectionEntity,
    connector: WarehouseConnector,
    problems: { subject: string; message: string }[],
  ): Promise<CrawlCounts> {
    const crawledAt = new Date();
    const filter = nameFilterOf(connection);
    const seen = new Map<string, WarehouseTableEntity>();
    const viewEdges: EdgePair[] = [];
    let columns = 0;
    for await (const table of connector.crawl(filter)) {
      if (!filter.accepts(table.database, table.schema)) continue;
      let id: string;
      try {
        id = datasetId({
          platform: connection.platform,
          instance: connection.instance,
          database: table.database,
          schema: table.schema,
          name: table.name,
          quoted: true,
        });
      } catch (error) {
        problems.push({
          subject: `${table.database}.${table.schema}.${table.name}`.slice(0, 300),
          message: (error as Error).message,
        });
        continue;
      }
      const row = this.row(connection.id, id, table, crawledAt);
      seen.set(id, row);
      columns += row.columns.length;
      if (table.viewDefinition) {
        const analysis = analyzeStatement(table.viewDefinition, {
          platform: connection.platform as SqlPlatform,
          instance: connection.instance,
          defaultDatabase: table.database,
          defaultSchema: table.schema,
        });
        for (const source of analysis.sources) {
          if (source !== id) viewEdges.push({ upstream: source, downstream: id });
        }
      }
    }

    const previous = await this.tables.hashes(connection.id);
    const changed = [...seen.values()].filter((row) => previous.get(row.datasetId) !== row.contentHash);
    const unchanged = [...seen.keys()].filter((id) => previous.get(id) === seen.get(id)!.contentHash);
    const removed = [...previous.keys()].filter((id) => !seen.has(id));
    await this.dataSource.transaction(async (manager) => {
      await this.tables.save(manager, changed);
      await this.tables.touch(manager, connection.id, unchanged, crawledAt);
      await this.tables.remove(manager, connection.id, removed);
      await this.publisher.publishMany(
        manager,
        DatasetUpserted,
        changed.map((row) => this.upsertedEvent(connection, row)),
      );
      await this.publisher.publishMany(
        manager,
        DatasetRemoved,
        removed.map((id) => ({ id, source: 'warehouse' as const, removedAt: crawledAt.toISOString() })),
      );
      const change = await this.lineage.replaceEdges(
        manager,
        viewScope(connection.id),
        'view',
        viewEdges,
        crawledAt,
      );
      await this.lineageService.announce(manager, viewScope(connection.id), 'view', change);
    });
    return {
      tables: seen.size,
      columns,
      datasetsUpserted: changed.length,
      datasetsRemoved: removed.length,
      viewEdges: viewEdges.length,
    };
  }

  private row(connectionId: string, id: string, table: CrawledTable, crawledAt: Date): WarehouseTableEntity {
    const columns = [...table.columns]
      .sort((left, right) => left.position - right.position)
      .map((column) => ({
        name: column.name,
        type: column.type,
        position: column.position,
        nullable: column.nullable ?? null,
        comment: column.comment?.slice(0, MAXIMUM_COMMENT) || null,
      }));
    const comment = table.comment?.slice(0, MAXIMUM_COMMENT) || null;
    const content = {
      kind: table.kind,
      comment,
      columns,
      rowCount: table.rowCount ?? null,
      bytes: table.bytes ?? null,
      viewDefinition: table.viewDefinition ?? null,
    };
    return {
      connectionId,
      datasetId: id,
      database: table.database,
      schema: table.schema,
      name: table.name,
      kind: table.kind,
      comment,
      columns,
      rowCount: table.rowCount == null ? null : String(Math.trunc(table.rowCount)),
      bytes: table.bytes == null ? null : String(Math.trunc(table.bytes)),
      viewDefinition: table.viewDefinition ?? null,
      createdInWarehouseAt: table.createdAt ?? null,
      alteredAt: table.alteredAt ?? null,
      contentHash: createHash('sha256').update(JSON.stringify(content)).digest('hex'),
      crawledAt,
    };
  }

  private upsertedEvent(
    connection: WarehouseConnectionEntity,
    row: WarehouseTableEntity,
  ): EventData<typeof DatasetUpserted> {
    return {
      id: row.datasetId,
      platform: connection.platform as Platform,
      instance: connection.instance,
      database: row.database,
      schema: row.schema,
      name: row.name,
      kind: ['table', 'view', 'materialized_view', 'external'].includes(row.kind) ? row.kind : 'table',
      description: row.comment,
      columns: row.columns.map((column) => ({ name: column.name, description: column.comment })),
      source: 'warehouse',
      seenAt: row.crawledAt.toISOString(),
    };
  }
}
