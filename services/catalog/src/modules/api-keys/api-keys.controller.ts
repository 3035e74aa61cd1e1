import { Body, Controller, HttpCode, HttpException, Post, Req } from '@nestjs/common';
import type { Identity } from '@cartograph/platform/auth';
import { ApiKeysService, type VerifiedKey } from './api-keys.service.js';

/**
 * Internal endpoint for the gateway's authentication. It sits behind the identity middleware like
 * everything else, and additionally answers only service identities (the gateway), never users.
 */
@Controller('internal/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('verify')
  @HttpCode(200)
  async verify(
    @Body() body: { key?: unknown },
    @Req() request: { identity?: Identity },
  ): Promise<{ valid: boolean; key?: VerifiedKey }> {
    if (request.identity?.kind !== 'service') {
      throw new HttpException({ error: 'only the gateway may verify keys' }, 403);
    }
    if (typeof body?.key !== 'string') {
      throw new HttpException({ error: 'body must be {"key": "<api key>"}' }, 400);
    }
    const key = await this.keys.verify(body.key);
    return key ? { valid: true, key } : { valid: false };
  }
}
