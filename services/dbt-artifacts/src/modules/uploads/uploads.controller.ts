import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { z } from 'zod';
import type { Request, Response } from 'express';
import type { Identity } from '@cartograph/platform/auth';
import { RequireRole } from '@cartograph/platform/graphql';
import { CONFIG } from '@cartograph/platform/nest';
import type { DbtArtifactsConfig } from '../../dbt-artifacts.definition.js';
import { ArtifactSetsRepository } from '../artifact-sets/artifact-sets.repository.js';
import { ArtifactSetsService } from '../artifact-sets/artifact-sets.service.js';
import { toArtifactSetView } from '../artifact-sets/artifact-set.view.js';
import { ArtifactTooLargeError } from './artifact-spool.js';
import { readUploadRequest, UploadRejectedError } from './upload-request.reader.js';

const uploadCheck = z.object({
  files: z
    .array(
      z.object({
        kind: z.enum(['manifest', 'catalog', 'run_results', 'sources', 'semantic_manifest']),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256'),
      }),
    )
    .min(1)
    .max(5),
  project: z.string().max(200).nullish(),
  instance: z.string().max(500).nullish(),
});

/**
 * `POST /api/dbt-artifacts/v1/uploads` at the gateway: the way in for dbt Core jobs (`cartograph push`,
 * curl). The body streams to disk while it is hashed; the set is ingested by the worker.
 */
@Controller('api/v1')
export class UploadsController {
  constructor(
    private readonly service: ArtifactSetsService,
    private readonly sets: ArtifactSetsRepository,
    @Inject(CONFIG) private readonly config: DbtArtifactsConfig,
  ) {}

  @Post('uploads')
  @RequireRole('editor')
  async upload(@Req() request: Request & { identity?: Identity }, @Res() response: Response): Promise<void> {
    const limit = this.config.UPLOAD_MAX_BYTES;
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      // Refused before a byte is read; the client learns the limit.
      response.status(413).json({
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `The upload is larger than ${limit} bytes (UPLOAD_MAX_BYTES)`,
        },
      });
      request.resume();
      return;
    }
    try {
      const contents = await readUploadRequest(request, {
        maxRequestBytes: limit,
        maxArtifactBytes: this.config.ARTIFACT_MAX_BYTES,
        directory: this.config.UPLOAD_TEMP_DIRECTORY,
      });
      const accepted = await this.service.accept({
        artifacts: contents.artifacts,
        project: contents.fields['project']?.trim() || null,
        instance: contents.fields['instance']?.trim() || null,
        // Other services (dbt Cloud sync) say where a set came from; people uploading cannot.
        ...(request.identity?.kind === 'service' && contents.fields['origin'] === 'dbt-cloud'
          ? { origin: 'dbt-cloud' as const, originReference: contents.fields['originReference'] ?? null }
          : { origin: 'upload' as const }),
        createdBy: request.identity?.name ?? request.identity?.subject ?? null,
      });
      response
        .status(accepted.unchanged ? 200 : 202)
        .json({ artifactSet: toArtifactSetView(accepted.set), unchanged: accepted.unchanged });
    } catch (error) {
      if (error instanceof UploadRejectedError) {
        response.status(error.status).json({ error: { code: error.code, message: error.message } });
      } else if (error instanceof ArtifactTooLargeError) {
        response.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: error.message } });
      } else {
        throw error;
      }
      request.resume();
    }
  }

  /**
   * `POST /api/dbt-artifacts/v1/uploads/check` with `{ files: [{ kind, sha256 }], project?, instance? }` (sha256
   * of each file's JSON text, decompressed): whether that exact set was received before. `cartograph push` asks
   * first, so a scheduled job whose artifacts did not change sends nothing.
   */
  @Post('uploads/check')
  @HttpCode(200)
  @RequireRole('editor')
  async check(@Body() body: unknown) {
    const parsed = uploadCheck.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException({
        error: {
          code: 'BAD_USER_INPUT',
          message: `Send { files: [{ kind, sha256 }], project?, instance? }: ${parsed.error.issues
            .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
            .join('; ')}`,
        },
      });
    }
    const set = await this.service.received(
      parsed.data.files,
      parsed.data.project?.trim() || null,
      parsed.data.instance?.trim() || null,
    );
    return set ? { unchanged: true, artifactSet: toArtifactSetView(set) } : { unchanged: false };
  }

  @Get('artifact-sets/:id')
  @RequireRole('viewer')
  async artifactSet(@Param('id') id: string) {
    const set = /^[0-9a-f-]{36}$/i.test(id) ? await this.sets.byId(id) : null;
    if (!set) {
      throw new NotFoundException({ error: { code: 'NOT_FOUND', message: `Artifact set ${id} not found` } });
    }
    return { artifactSet: toArtifactSetView(set) };
  }
}
