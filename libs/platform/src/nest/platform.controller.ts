import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ServiceMetrics } from '../observability/metrics.js';
import { runHealthChecks, type HealthCheck } from '../observability/health.js';
import { HEALTH_CHECKS, METRICS } from './tokens.js';

/** Health and metrics: unauthenticated, for probes and Prometheus only (NetworkPolicy keeps them internal). */
@Controller()
export class PlatformController {
  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: Record<string, HealthCheck>,
    @Inject(METRICS) private readonly metrics: ServiceMetrics,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res() response: Response): Promise<void> {
    const report = await runHealthChecks(this.checks);
    response.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
